/* SpLeg: the interface and its signals; every call goes to the implementation. */
#include "sp-leg.h"

G_DEFINE_QUARK (sp - leg - error - quark, sp_leg_error)
G_DEFINE_INTERFACE (SpLeg, sp_leg, G_TYPE_OBJECT)

static void
sp_leg_default_init (SpLegInterface *iface)
{
  GType type = G_TYPE_FROM_INTERFACE (iface);

  g_signal_new ("offer", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                G_TYPE_STRING);
  g_signal_new ("answer", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                G_TYPE_STRING);
  g_signal_new ("progress", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                G_TYPE_UINT);
  g_signal_new ("established", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  g_signal_new ("offer-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new ("ended", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT,
                G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new ("refer-progress", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                G_TYPE_UINT, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

#define IFACE(self) SP_LEG_GET_IFACE (self)

const char *
sp_leg_get_call_id (SpLeg *self)
{
  return IFACE (self)->get_call_id (self);
}

const char *
sp_leg_get_remote_uri (SpLeg *self)
{
  return IFACE (self)->get_remote_uri (self);
}

const char *
sp_leg_get_remote_name (SpLeg *self)
{
  return IFACE (self)->get_remote_name (self);
}

const char *
sp_leg_get_initial_offer (SpLeg *self)
{
  return IFACE (self)->get_initial_offer (self);
}

GVariant *
sp_leg_get_attached_data (SpLeg *self)
{
  return IFACE (self)->get_attached_data (self);
}

const char *
sp_leg_get_referred_by (SpLeg *self)
{
  return IFACE (self)->get_referred_by (self);
}

gboolean
sp_leg_is_established (SpLeg *self)
{
  return IFACE (self)->is_established (self);
}

gboolean
sp_leg_is_ended (SpLeg *self)
{
  return IFACE (self)->is_ended (self);
}

gboolean
sp_leg_has_pending_offer (SpLeg *self)
{
  return IFACE (self)->has_pending_offer (self);
}

void
sp_leg_ring (SpLeg *self)
{
  IFACE (self)->ring (self);
}

void
sp_leg_accept (SpLeg *self, const char *answer_sdp)
{
  IFACE (self)->accept (self, answer_sdp);
}

void
sp_leg_reject (SpLeg *self, guint status, const char *phrase)
{
  IFACE (self)->reject (self, status, phrase);
}

void
sp_leg_send_offer (SpLeg *self, const char *offer_sdp)
{
  IFACE (self)->send_offer (self, offer_sdp);
}

void
sp_leg_answer_offer (SpLeg *self, guint status, const char *answer_sdp)
{
  IFACE (self)->answer_offer (self, status, answer_sdp);
}

void
sp_leg_hangup (SpLeg *self)
{
  IFACE (self)->hangup (self);
}

gboolean
sp_leg_refer (SpLeg *self, const char *target_uri, SpLeg *replaces, GVariant *attached_data,
              GError **error)
{
  return IFACE (self)->refer (self, target_uri, replaces, attached_data, error);
}

gboolean
sp_leg_send_text (SpLeg *self, const char *text, GError **error)
{
  if (IFACE (self)->send_text)
    return IFACE (self)->send_text (self, text, error);
  g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED, "this leg cannot carry text messages");
  return FALSE;
}
