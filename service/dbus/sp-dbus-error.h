/* org.sportello.Error.*: the error names every caller sees, and the mapping from each layer's
 * GError domain to them. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_DBUS_ERROR (sp_dbus_error_quark ())
GQuark
sp_dbus_error_quark (void);

typedef enum
{
  SP_DBUS_ERROR_FAILED,
  SP_DBUS_ERROR_INVALID_ARGUMENT,
  SP_DBUS_ERROR_NOT_FOUND,
  SP_DBUS_ERROR_INVALID_STATE,
  SP_DBUS_ERROR_NOT_ALLOWED,
  SP_DBUS_ERROR_NO_CAMERA,
  SP_DBUS_ERROR_PEER_DECLINED_VIDEO,
  SP_DBUS_ERROR_DISPOSITION_REQUIRED,
  SP_DBUS_ERROR_UNAVAILABLE,
  SP_DBUS_ERROR_TRANSFER_FAILED,
  SP_DBUS_ERROR_NOBODY_ANSWERED,
} SpDBusError;

/* The registered name for an SpInteractionError CODE (EndReason's error name). */
const char *
sp_dbus_error_name_for_interaction (int code);

/* Replies to @invocation with @error translated into an org.sportello.Error name. */
void
sp_dbus_return_error (GDBusMethodInvocation *invocation, const GError *error);
void
sp_dbus_return_error_literal (GDBusMethodInvocation *invocation, SpDBusError code,
                              const char *message);

/* Replies (@value) when @value is set (floating or full ref, consumed), else @error. */
void
sp_dbus_return_value_or_error (GDBusMethodInvocation *invocation, GVariant *value,
                               const GError *error);
/* Replies nothing when OK, else ERROR; TRUE (a handled method call) either way. */
gboolean
sp_dbus_return_done (GDBusMethodInvocation *invocation, gboolean ok, const GError *error);

G_END_DECLS
