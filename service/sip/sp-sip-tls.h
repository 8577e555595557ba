/* The certificate directory Sofia-SIP's TLS transport reads (NUTAG_CERTIFICATE_DIR): agent.pem
 * (our certificate, then its private key) and cafile.pem (the CAs a peer's certificate is checked
 * against), written into a directory of our own that only we can read, removed once Sofia has
 * read it (nua_create). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @ca NULL: the system's CA bundle. Returns the directory, or NULL with a G_FILE_ERROR, or
 * G_IO_ERROR_INVALID_DATA when OpenSSL cannot use a file (e.g. a key of another certificate). */
char *
sp_sip_tls_dir_new (const char *certificate, const char *private_key, const char *ca,
                    GError **error);
void
sp_sip_tls_dir_remove (const char *dir);

G_END_DECLS
