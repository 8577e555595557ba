/* SDES keys for SRTP (RFC 4568): the value of one a=crypto attribute, parsed, printed and drawn.
 * Pure: no I/O but the kernel's random bytes, no globals. The suites are those GStreamer 1.22's
 * srtpenc/srtpdec can run (no MKI, no AES-192, no F8): AES_CM_128 (RFC 4568) and AES_256_CM
 * (RFC 6188), each with HMAC_SHA1_80 or HMAC_SHA1_32. Key material is wiped when cleared. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_SDES_ERROR (sp_sdes_error_quark ())
GQuark
sp_sdes_error_quark (void);

typedef enum
{
  SP_SDES_ERROR_MALFORMED, /* not an a=crypto value: answer the offer as if the line were absent */
  SP_SDES_ERROR_UNSUPPORTED, /* well formed, but a suite, key count, MKI or parameter we cannot run
                              */
  SP_SDES_ERROR_RANDOM,      /* the kernel gave no random bytes */
} SpSdesError;

typedef enum
{
  SP_SRTP_AES_CM_128_HMAC_SHA1_80,
  SP_SRTP_AES_CM_128_HMAC_SHA1_32,
  SP_SRTP_AES_256_CM_HMAC_SHA1_80,
  SP_SRTP_AES_256_CM_HMAC_SHA1_32,
  SP_SRTP_N_SUITES,
} SpSrtpSuite;

/* The longest master key and salt: AES-256 (32 bytes) and its 112-bit salt (14 bytes). */
#define SP_SDES_MAX_KEY_LENGTH 46

typedef struct
{
  guint tag; /* 1..999999999, RFC 4568 §9.1 */
  SpSrtpSuite suite;
  guint8 key[SP_SDES_MAX_KEY_LENGTH]; /* master key, then master salt */
  gsize key_length;                   /* sp_srtp_suite_key_length (suite) */
} SpSdesCrypto;

/* "AES_CM_128_HMAC_SHA1_80", ...; the names are case-sensitive (RFC 4568 §9.2). */
const char *
sp_srtp_suite_name (SpSrtpSuite suite);
gboolean
sp_srtp_suite_from_name (const char *name, SpSrtpSuite *suite);
/* Master key plus master salt, in bytes: 30 for AES_CM_128, 46 for AES_256_CM. */
gsize
sp_srtp_suite_key_length (SpSrtpSuite suite);
/* The authentication tag's length in bits: 80 or 32. */
guint
sp_srtp_suite_auth_tag_bits (SpSrtpSuite suite);

/* Parses the value of a=crypto (after "crypto:"): "<tag> <suite> inline:<key||salt>[|lifetime]".
 * Refused as UNSUPPORTED: an unknown suite, more than one key, an MKI, session parameters
 * (RFC 4568 §6.3.2: a parameter not understood makes the attribute unusable). Refused as
 * MALFORMED: a bad tag, a key that is not base64 or has the wrong length for its suite, a bad
 * lifetime. @crypto is untouched on failure. */
gboolean
sp_sdes_parse (const char *value, SpSdesCrypto *crypto, GError **error);

/* The value of a=crypto for @crypto, base64 with its padding: "1 AES_CM_128_HMAC_SHA1_80
 * inline:...". The result holds the key: free it with sp_sdes_free_text(). */
char *
sp_sdes_print (const SpSdesCrypto *crypto);

/* A fresh key for @suite under @tag, from getrandom(2). */
gboolean
sp_sdes_generate (SpSrtpSuite suite, guint tag, SpSdesCrypto *crypto, GError **error);

/* TRUE when both hold the same tag, suite and key. */
gboolean
sp_sdes_equal (const SpSdesCrypto *a, const SpSdesCrypto *b);

/* Wipes the key. */
void
sp_sdes_clear (SpSdesCrypto *crypto);

/* Wipes and frees text that holds a key (sp_sdes_print()). NULL-safe. */
void
sp_sdes_free_text (char *text);

G_END_DECLS
