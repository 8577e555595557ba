/* Credentials in the Secret Service (schema org.sportello.Secret): the SIP password and CRM
 * tokens, keyed by account and kind. Asynchronous only: the main loop never waits on it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_SECRET_KIND_SIP_PASSWORD "sip-password"

void
sp_secrets_store_async (const char *account, const char *kind, const char *secret,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data);
gboolean
sp_secrets_store_finish (GAsyncResult *result, GError **error);

void
sp_secrets_lookup_async (const char *account, const char *kind, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data);
/* Returns the secret (free with sp_secrets_free), or NULL with no error when none is stored. */
char *
sp_secrets_lookup_finish (GAsyncResult *result, GError **error);

void
sp_secrets_clear_async (const char *account, const char *kind, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data);
/* TRUE when something was removed; FALSE with no error when nothing was stored. */
gboolean
sp_secrets_clear_finish (GAsyncResult *result, GError **error);

void
sp_secrets_free (char *secret);

G_END_DECLS
