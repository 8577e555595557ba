/* The registered error domain; lower layers keep their own domains and are mapped here. */
#include "sp-dbus-error.h"
#include "sp-media-error.h"

#include "sp-config.h"
#include "sp-interaction.h"
#include "sp-leg.h"
#include "sp-store-error.h"
#include "sp-template.h"

static const GDBusErrorEntry entries[] = {
  { SP_DBUS_ERROR_FAILED, "org.sportello.Error.Failed" },
  { SP_DBUS_ERROR_INVALID_ARGUMENT, "org.sportello.Error.InvalidArgument" },
  { SP_DBUS_ERROR_NOT_FOUND, "org.sportello.Error.NotFound" },
  { SP_DBUS_ERROR_INVALID_STATE, "org.sportello.Error.InvalidState" },
  { SP_DBUS_ERROR_NOT_ALLOWED, "org.sportello.Error.NotAllowed" },
  { SP_DBUS_ERROR_NO_CAMERA, "org.sportello.Error.NoCamera" },
  { SP_DBUS_ERROR_PEER_DECLINED_VIDEO, "org.sportello.Error.PeerDeclinedVideo" },
  { SP_DBUS_ERROR_DISPOSITION_REQUIRED, "org.sportello.Error.DispositionRequired" },
  { SP_DBUS_ERROR_UNAVAILABLE, "org.sportello.Error.Unavailable" },
  { SP_DBUS_ERROR_TRANSFER_FAILED, "org.sportello.Error.TransferFailed" },
  { SP_DBUS_ERROR_NOBODY_ANSWERED, "org.sportello.Error.NobodyAnswered" },
};

GQuark
sp_dbus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("sp-dbus-error-quark", &quark, entries,
                                      G_N_ELEMENTS (entries));
  return (GQuark)quark;
}

static SpDBusError
from_store (int code)
{
  switch (code)
    {
      case SP_STORE_ERROR_INVALID:
      case SP_STORE_ERROR_CONFLICT:
        return SP_DBUS_ERROR_INVALID_ARGUMENT;
      case SP_STORE_ERROR_NOT_FOUND:
        return SP_DBUS_ERROR_NOT_FOUND;
      case SP_STORE_ERROR_UNAVAILABLE:
        return SP_DBUS_ERROR_UNAVAILABLE;
      default:
        return SP_DBUS_ERROR_FAILED;
    }
}

static SpDBusError
from_interaction (int code)
{
  switch (code)
    {
      case SP_INTERACTION_ERROR_INVALID_ARGUMENT:
        return SP_DBUS_ERROR_INVALID_ARGUMENT;
      case SP_INTERACTION_ERROR_INVALID_STATE:
        return SP_DBUS_ERROR_INVALID_STATE;
      case SP_INTERACTION_ERROR_NOT_ALLOWED:
        return SP_DBUS_ERROR_NOT_ALLOWED;
      case SP_INTERACTION_ERROR_NOT_FOUND:
        return SP_DBUS_ERROR_NOT_FOUND;
      case SP_INTERACTION_ERROR_DISPOSITION_REQUIRED:
        return SP_DBUS_ERROR_DISPOSITION_REQUIRED;
      case SP_INTERACTION_ERROR_UNAVAILABLE:
        return SP_DBUS_ERROR_UNAVAILABLE;
      case SP_INTERACTION_ERROR_NO_CAMERA:
        return SP_DBUS_ERROR_NO_CAMERA;
      case SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO:
        return SP_DBUS_ERROR_PEER_DECLINED_VIDEO;
      case SP_INTERACTION_ERROR_TRANSFER_FAILED:
        return SP_DBUS_ERROR_TRANSFER_FAILED;
      case SP_INTERACTION_ERROR_NOBODY_ANSWERED:
        return SP_DBUS_ERROR_NOBODY_ANSWERED;
      default:
        return SP_DBUS_ERROR_FAILED;
    }
}

const char *
sp_dbus_error_name_for_interaction (int code)
{
  SpDBusError dbus_code = from_interaction (code);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (entries[i].error_code == (gint)dbus_code)
      return entries[i].dbus_error_name;
  return entries[0].dbus_error_name;
}

static SpDBusError
to_dbus_code (const GError *error)
{
  if (error->domain == SP_INTERACTION_ERROR)
    return from_interaction (error->code);
  if (g_error_matches (error, SP_LEG_ERROR, SP_LEG_ERROR_INVALID))
    return SP_DBUS_ERROR_INVALID_ARGUMENT;
  if (error->domain == SP_DBUS_ERROR)
    return (SpDBusError)error->code;
  if (error->domain == SP_STORE_ERROR)
    return from_store (error->code);
  if (g_error_matches (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY))
    return SP_DBUS_ERROR_UNAVAILABLE;
  if (g_error_matches (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA)
      || g_error_matches (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT))
    return SP_DBUS_ERROR_INVALID_ARGUMENT;
  if (g_error_matches (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE))
    return SP_DBUS_ERROR_INVALID_STATE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return SP_DBUS_ERROR_UNAVAILABLE;
  if (error->domain == SP_TEMPLATE_ERROR || error->domain == SP_CONFIG_ERROR)
    return SP_DBUS_ERROR_INVALID_ARGUMENT;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return SP_DBUS_ERROR_NOT_FOUND;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return SP_DBUS_ERROR_INVALID_ARGUMENT;
  return SP_DBUS_ERROR_FAILED;
}

void
sp_dbus_return_error (GDBusMethodInvocation *invocation, const GError *error)
{
  SpDBusError code = to_dbus_code (error);

  g_debug ("%s.%s failed: %s", g_dbus_method_invocation_get_interface_name (invocation),
           g_dbus_method_invocation_get_method_name (invocation), error->message);
  g_dbus_method_invocation_return_error_literal (invocation, SP_DBUS_ERROR, code, error->message);
}

void
sp_dbus_return_error_literal (GDBusMethodInvocation *invocation, SpDBusError code,
                              const char *message)
{
  g_dbus_method_invocation_return_error_literal (invocation, SP_DBUS_ERROR, code, message);
}

void
sp_dbus_return_value_or_error (GDBusMethodInvocation *invocation, GVariant *value,
                               const GError *error)
{
  if (value)
    g_dbus_method_invocation_return_value (invocation, g_variant_new_tuple (&value, 1));
  else
    sp_dbus_return_error (invocation, error);
}

gboolean
sp_dbus_return_done (GDBusMethodInvocation *invocation, gboolean ok, const GError *error)
{
  if (ok)
    g_dbus_method_invocation_return_value (invocation, NULL);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}
