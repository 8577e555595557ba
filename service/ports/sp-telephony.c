/* SpTelephony: the interface and its signal; every call goes to the implementation. */
#include "sp-telephony.h"

G_DEFINE_INTERFACE (SpTelephony, sp_telephony, G_TYPE_OBJECT)

static void
sp_telephony_default_init (SpTelephonyInterface *iface)
{
  g_signal_new ("incoming-call", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 1, SP_TYPE_LEG);
  g_signal_new ("replacing-call", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 2, SP_TYPE_LEG, SP_TYPE_LEG);
}

char *
sp_telephony_target_uri (SpTelephony *self, const char *target, GError **error)
{
  return SP_TELEPHONY_GET_IFACE (self)->target_uri (self, target, error);
}

SpLeg *
sp_telephony_dial (SpTelephony *self, const char *target_uri, GVariant *attached_data,
                   const char *offer_sdp, GError **error)
{
  return SP_TELEPHONY_GET_IFACE (self)->dial (self, target_uri, attached_data, offer_sdp, error);
}

const char *
sp_telephony_get_local_address (SpTelephony *self)
{
  return SP_TELEPHONY_GET_IFACE (self)->get_local_address (self);
}
