/* a=crypto values (RFC 4568 §9.1):
 *   a=crypto:<tag> <crypto-suite> <key-params> [<session-param> ...]
 *   key-params = "inline:" <base64 key||salt> ["|" lifetime] ["|" MKI ":" length]
 * Only what srtpenc/srtpdec can honour is accepted; the rest is told apart as unsupported. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "sp-sdes.h"

#include <string.h>
#include <sys/random.h>

G_DEFINE_QUARK (sp - sdes - error - quark, sp_sdes_error)

#define MAX_TAG 999999999u
#define MAX_LIFETIME_EXPONENT 48 /* SRTP's limit on packets per master key (RFC 3711 §9.2) */

typedef struct
{
  const char *name;
  gsize key_length;
  guint auth_tag_bits;
} SuiteInfo;

static const SuiteInfo suites[SP_SRTP_N_SUITES] = {
  [SP_SRTP_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30, 80 },
  [SP_SRTP_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30, 32 },
  [SP_SRTP_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 46, 80 },
  [SP_SRTP_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 46, 32 },
};

const char *
sp_srtp_suite_name (SpSrtpSuite suite)
{
  g_return_val_if_fail (suite < SP_SRTP_N_SUITES, NULL);
  return suites[suite].name;
}

gboolean
sp_srtp_suite_from_name (const char *name, SpSrtpSuite *suite)
{
  for (guint i = 0; i < SP_SRTP_N_SUITES; i++)
    if (g_strcmp0 (name, suites[i].name) == 0)
      {
        *suite = i;
        return TRUE;
      }
  return FALSE;
}

gsize
sp_srtp_suite_key_length (SpSrtpSuite suite)
{
  g_return_val_if_fail (suite < SP_SRTP_N_SUITES, 0);
  return suites[suite].key_length;
}

guint
sp_srtp_suite_auth_tag_bits (SpSrtpSuite suite)
{
  g_return_val_if_fail (suite < SP_SRTP_N_SUITES, 0);
  return suites[suite].auth_tag_bits;
}

/* ---- parsing ---- */

static gboolean
all_digits (const char *text, gsize max_digits)
{
  gsize length = strlen (text);

  return length > 0 && length <= max_digits && strspn (text, "0123456789") == length;
}

static gboolean
parse_tag (const char *text, guint *tag, GError **error)
{
  if (!all_digits (text, 9))
    {
      g_set_error (error, SP_SDES_ERROR, SP_SDES_ERROR_MALFORMED,
                   "the tag \"%s\" is not 1 to 9 digits", text);
      return FALSE;
    }
  *tag = (guint)g_ascii_strtoull (text, NULL, 10);
  return TRUE;
}

/* "2^N" or a decimal count of packets, at most 2^48. */
static gboolean
valid_lifetime (const char *text)
{
  guint64 value;

  if (g_str_has_prefix (text, "2^"))
    return all_digits (text + 2, 2)
           && g_ascii_strtoull (text + 2, NULL, 10) <= MAX_LIFETIME_EXPONENT;
  if (!all_digits (text, 15))
    return FALSE;
  value = g_ascii_strtoull (text, NULL, 10);
  return value > 0 && value <= (G_GUINT64_CONSTANT (1) << MAX_LIFETIME_EXPONENT);
}

/* Base64 with or without its padding, decoding to exactly @length bytes into @out. */
static gboolean
decode_key (const char *text, guint8 *out, gsize length)
{
  gsize chars = strlen (text);
  gsize data_chars
    = strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  gsize padding = chars - data_chars;
  g_autofree char *padded = NULL;
  gsize decoded_length;
  gboolean ok;

  if (data_chars == 0 || padding > 2 || strspn (text + data_chars, "=") != padding
      || data_chars % 4 == 1 || (padding > 0 && chars % 4 != 0))
    return FALSE;
  padded = g_strnfill (data_chars + (4 - data_chars % 4) % 4, '=');
  memcpy (padded, text, data_chars);
  g_base64_decode_inplace (padded, &decoded_length);
  ok = decoded_length == length;
  if (ok)
    memcpy (out, padded, length);
  explicit_bzero (padded, data_chars);
  return ok;
}

static gboolean
parse_key_info (const char *info, SpSdesCrypto *crypto, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (info, "|", -1);
  guint count = g_strv_length (parts);
  gboolean ok = TRUE;

  for (guint i = 1; i < count && ok; i++)
    if (strchr (parts[i], ':'))
      {
        g_set_error_literal (error, SP_SDES_ERROR, SP_SDES_ERROR_UNSUPPORTED,
                             "keys with an MKI are not supported");
        ok = FALSE;
      }
    else if (i > 1 || !valid_lifetime (parts[i]))
      {
        g_set_error (error, SP_SDES_ERROR, SP_SDES_ERROR_MALFORMED,
                     "the key lifetime \"%s\" is not 2^N or a count up to 2^48", parts[i]);
        ok = FALSE;
      }
  if (ok && !decode_key (count > 0 ? parts[0] : "", crypto->key, crypto->key_length))
    {
      g_set_error (error, SP_SDES_ERROR, SP_SDES_ERROR_MALFORMED,
                   "the key is not base64 of %" G_GSIZE_FORMAT " bytes (%s needs a key and salt "
                   "of that length)",
                   crypto->key_length, sp_srtp_suite_name (crypto->suite));
      ok = FALSE;
    }
  for (guint i = 0; i < count; i++)
    explicit_bzero (parts[i], strlen (parts[i]));
  return ok;
}

static gboolean
parse_key_params (const char *params, SpSdesCrypto *crypto, GError **error)
{
  if (strchr (params, ';'))
    {
      g_set_error_literal (error, SP_SDES_ERROR, SP_SDES_ERROR_UNSUPPORTED,
                           "more than one key is not supported");
      return FALSE;
    }
  if (!g_str_has_prefix (params, "inline:"))
    {
      g_set_error_literal (error, SP_SDES_ERROR, SP_SDES_ERROR_MALFORMED,
                           "the key parameters do not start with \"inline:\"");
      return FALSE;
    }
  return parse_key_info (params + strlen ("inline:"), crypto, error);
}

static void
wipe_and_free (gpointer text)
{
  explicit_bzero (text, strlen (text));
  g_free (text);
}

/* The attribute's fields, split on runs of spaces and tabs; wiped when the array goes. */
static GPtrArray *
fields (const char *value)
{
  g_auto (GStrv) tokens = g_strsplit_set (value, " \t", -1);
  GPtrArray *out = g_ptr_array_new_with_free_func (wipe_and_free);

  for (guint i = 0; tokens[i]; i++)
    {
      if (*tokens[i])
        g_ptr_array_add (out, g_strdup (tokens[i]));
      explicit_bzero (tokens[i], strlen (tokens[i]));
    }
  return out;
}

gboolean
sp_sdes_parse (const char *value, SpSdesCrypto *crypto, GError **error)
{
  g_autoptr (GPtrArray) parts = fields (value ? value : "");
  SpSdesCrypto parsed = { 0 };
  gboolean ok;

  if (parts->len < 3)
    {
      g_set_error_literal (error, SP_SDES_ERROR, SP_SDES_ERROR_MALFORMED,
                           "a crypto attribute needs a tag, a suite and key parameters");
      return FALSE;
    }
  if (!parse_tag (parts->pdata[0], &parsed.tag, error))
    return FALSE;
  if (!sp_srtp_suite_from_name (parts->pdata[1], &parsed.suite))
    {
      g_set_error (error, SP_SDES_ERROR, SP_SDES_ERROR_UNSUPPORTED,
                   "the crypto suite %s is not "
                   "supported",
                   (const char *)parts->pdata[1]);
      return FALSE;
    }
  if (parts->len > 3)
    {
      g_set_error (error, SP_SDES_ERROR, SP_SDES_ERROR_UNSUPPORTED,
                   "the session parameter %s is not supported", (const char *)parts->pdata[3]);
      return FALSE;
    }
  parsed.key_length = sp_srtp_suite_key_length (parsed.suite);
  ok = parse_key_params (parts->pdata[2], &parsed, error);
  if (ok)
    *crypto = parsed;
  sp_sdes_clear (&parsed);
  return ok;
}

/* ---- printing, drawing, comparing ---- */

char *
sp_sdes_print (const SpSdesCrypto *crypto)
{
  g_autofree char *key = NULL;
  char *text;

  g_return_val_if_fail (crypto->suite < SP_SRTP_N_SUITES, NULL);
  key = g_base64_encode (crypto->key, crypto->key_length);
  text = g_strdup_printf ("%u %s inline:%s", crypto->tag, sp_srtp_suite_name (crypto->suite), key);
  explicit_bzero (key, strlen (key));
  return text;
}

gboolean
sp_sdes_generate (SpSrtpSuite suite, guint tag, SpSdesCrypto *crypto, GError **error)
{
  g_return_val_if_fail (suite < SP_SRTP_N_SUITES && tag <= MAX_TAG, FALSE);

  crypto->tag = tag;
  crypto->suite = suite;
  crypto->key_length = sp_srtp_suite_key_length (suite);
  if (getrandom (crypto->key, crypto->key_length, 0) == (ssize_t)crypto->key_length)
    return TRUE;
  sp_sdes_clear (crypto);
  g_set_error_literal (error, SP_SDES_ERROR, SP_SDES_ERROR_RANDOM,
                       "no random bytes from the kernel");
  return FALSE;
}

gboolean
sp_sdes_equal (const SpSdesCrypto *a, const SpSdesCrypto *b)
{
  return a->tag == b->tag && a->suite == b->suite && a->key_length == b->key_length
         && memcmp (a->key, b->key, a->key_length) == 0;
}

void
sp_sdes_clear (SpSdesCrypto *crypto)
{
  explicit_bzero (crypto, sizeof *crypto);
}

void
sp_sdes_free_text (char *text)
{
  if (text)
    explicit_bzero (text, strlen (text));
  g_free (text);
}
