/* A thin, asynchronous wrapper over libsecret's password API with Sportello's schema. */
#include "sp-secrets.h"

#include <libsecret/secret.h>

static const SecretSchema *
sp_secret_schema (void)
{
  /* DONT_MATCH_NAME: items stored by older tools under another schema name still match, and
   * a cold keyring is searched by attributes only (the GNOME Calls workaround). */
  static const SecretSchema schema = {
    .name = "org.sportello.Secret",
    .flags = SECRET_SCHEMA_DONT_MATCH_NAME,
    .attributes = {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  return &schema;
}

void
sp_secrets_store_async (const char *account, const char *kind, const char *secret,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *label = g_strdup_printf ("Sportello %s for %s", kind, account);

  secret_password_store (sp_secret_schema (), SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                         callback, user_data, "account", account, "kind", kind, NULL);
}

gboolean
sp_secrets_store_finish (GAsyncResult *result, GError **error)
{
  return secret_password_store_finish (result, error);
}

void
sp_secrets_lookup_async (const char *account, const char *kind, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  secret_password_lookup (sp_secret_schema (), cancellable, callback, user_data, "account", account,
                          "kind", kind, NULL);
}

char *
sp_secrets_lookup_finish (GAsyncResult *result, GError **error)
{
  return secret_password_lookup_finish (result, error);
}

void
sp_secrets_clear_async (const char *account, const char *kind, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  secret_password_clear (sp_secret_schema (), cancellable, callback, user_data, "account", account,
                         "kind", kind, NULL);
}

gboolean
sp_secrets_clear_finish (GAsyncResult *result, GError **error)
{
  return secret_password_clear_finish (result, error);
}

void
sp_secrets_free (char *secret)
{
  secret_password_free (secret);
}
