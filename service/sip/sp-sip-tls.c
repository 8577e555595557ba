/* Sofia-SIP's TLS transport reads its certificate and CAs from a directory (sp-sip-tls.h); this
 * file checks them with the OpenSSL Sofia uses and writes that directory. */
#include "sp-sip-tls.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static gboolean
write_private (const char *dir, const char *name, const char *contents, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SSL_CTX, SSL_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

/* A key with a passphrase is refused here rather than asked for on a terminal nobody watches. */
static int
no_passphrase (char *buffer, int size, int rwflag, void *data)
{
  return -1;
}

static EVP_PKEY *
read_private_key (const char *path)
{
  BIO *bio = BIO_new_file (path, "r");
  EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey (bio, NULL, no_passphrase, NULL) : NULL;

  BIO_free (bio);
  return key;
}

/* Sofia goes on without a certificate it cannot load (and then fails every handshake), so what
 * it would load is tried here first, by the same library. */
static gboolean
check_files (const char *certificate, const char *private_key, const char *ca, GError **error)
{
  g_autoptr (SSL_CTX) ctx = SSL_CTX_new (TLS_method ());
  g_autoptr (EVP_PKEY) key = read_private_key (private_key);
  const char *problem = NULL;

  if (!ctx)
    problem = "OpenSSL cannot make a TLS context";
  else if (SSL_CTX_use_certificate_file (ctx, certificate, SSL_FILETYPE_PEM) != 1)
    problem = "[security] certificate holds no certificate OpenSSL can read";
  else if (!key)
    problem = "[security] private-key holds no private key OpenSSL can read without a passphrase";
  else if (SSL_CTX_use_PrivateKey (ctx, key) != 1 || SSL_CTX_check_private_key (ctx) != 1)
    problem = "[security] private-key does not belong to the certificate";
  else if (ca && SSL_CTX_load_verify_locations (ctx, ca, NULL) != 1)
    problem = "[security] ca holds no CA certificate OpenSSL can read";
  ERR_clear_error (); /* what failed here is reported below, not left for Sofia to find */
  if (!problem)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "cannot use TLS: %s", problem);
  return FALSE;
}

char *
sp_sip_tls_dir_new (const char *certificate, const char *private_key, const char *ca,
                    GError **error)
{
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *ca_pem = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *template
    = g_build_filename (g_get_user_runtime_dir (), "sportello-tls-XXXXXX", NULL);
  g_autofree char *dir = NULL;

  if (!g_file_get_contents (certificate, &cert_pem, NULL, error)
      || !g_file_get_contents (private_key, &key_pem, NULL, error)
      || !g_file_get_contents (ca ? ca : SYSTEM_CA_BUNDLE, &ca_pem, NULL, error)
      || !check_files (certificate, private_key, ca, error))
    return NULL;
  if (!g_mkdtemp_full (template, 0700))
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot make a private directory for TLS: %s", g_strerror (errno));
      return NULL;
    }
  dir = g_strdup (template);
  agent = g_strconcat (cert_pem, g_str_has_suffix (cert_pem, "\n") ? "" : "\n", key_pem, NULL);
  if (!write_private (dir, "agent.pem", agent, error)
      || !write_private (dir, "cafile.pem", ca_pem, error))
    {
      sp_sip_tls_dir_remove (dir);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

void
sp_sip_tls_dir_remove (const char *dir)
{
  if (!dir)
    return;
  for (const char *const *name = (const char *const[]){ "agent.pem", "cafile.pem", NULL }; *name;
       name++)
    {
      g_autofree char *path = g_build_filename (dir, *name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}
