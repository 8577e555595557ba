/* a=crypto values (service/sdp/sp-sdes.c): RFC 4568's examples, every suite round-tripped
 * through print and parse, and the inputs that must be refused, each with its error code. */
#include "sp-sdes.h"

#include <string.h>

/* RFC 4568 §9.1's key, and the same with its lifetime and MKI. */
#define RFC_KEY "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
/* 46 bytes (AES-256 key and salt) with and without base64 padding. */
#define KEY_46 "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwQUJDREVGR0hJSg=="
#define KEY_46_UNPADDED "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwQUJDREVGR0hJSg"

static void
test_rfc4568_example (void)
{
  g_autoptr (GError) error = NULL;
  SpSdesCrypto crypto;
  g_autofree guchar *expected = NULL;
  gsize expected_length;
  char *printed;

  g_assert_true (
    sp_sdes_parse ("1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20", &crypto, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crypto.tag, ==, 1);
  g_assert_cmpint (crypto.suite, ==, SP_SRTP_AES_CM_128_HMAC_SHA1_80);
  expected = g_base64_decode (RFC_KEY, &expected_length);
  g_assert_cmpmem (crypto.key, crypto.key_length, expected, expected_length);
  /* Printed back without the lifetime: ours is the default. */
  printed = sp_sdes_print (&crypto);
  g_assert_cmpstr (printed, ==, "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY);
  sp_sdes_free_text (printed);
}

static void
test_round_trip_every_suite (void)
{
  for (SpSrtpSuite suite = 0; suite < SP_SRTP_N_SUITES; suite++)
    {
      g_autoptr (GError) error = NULL;
      SpSdesCrypto drawn, parsed;
      char *printed;

      g_assert_true (sp_sdes_generate (suite, 7 + suite, &drawn, &error));
      g_assert_cmpuint (drawn.key_length, ==, suite <= SP_SRTP_AES_CM_128_HMAC_SHA1_32 ? 30 : 46);
      g_autofree char *start
        = g_strdup_printf ("%u %s inline:", 7 + suite, sp_srtp_suite_name (suite));

      printed = sp_sdes_print (&drawn);
      g_assert_true (g_str_has_prefix (printed, start));
      g_assert_cmpuint (strlen (strstr (printed, "inline:") + 7), ==, suite <= 1 ? 40 : 64);
      g_assert_true (sp_sdes_parse (printed, &parsed, &error));
      g_assert_no_error (error);
      g_assert_true (sp_sdes_equal (&drawn, &parsed));
      sp_sdes_free_text (printed);
    }
  g_assert_cmpuint (sp_srtp_suite_auth_tag_bits (SP_SRTP_AES_CM_128_HMAC_SHA1_32), ==, 32);
  g_assert_cmpuint (sp_srtp_suite_auth_tag_bits (SP_SRTP_AES_256_CM_HMAC_SHA1_80), ==, 80);
}

static void
test_keys_are_fresh_and_wiped (void)
{
  SpSdesCrypto a, b;
  static const guint8 zeros[SP_SDES_MAX_KEY_LENGTH] = { 0 };

  g_assert_true (sp_sdes_generate (SP_SRTP_AES_256_CM_HMAC_SHA1_80, 1, &a, NULL));
  g_assert_true (sp_sdes_generate (SP_SRTP_AES_256_CM_HMAC_SHA1_80, 1, &b, NULL));
  g_assert_false (sp_sdes_equal (&a, &b));
  sp_sdes_clear (&a);
  g_assert_cmpmem (a.key, sizeof a.key, zeros, sizeof zeros);
  g_assert_cmpuint (a.key_length, ==, 0);
  sp_sdes_free_text (NULL);
}

static void
test_padding_and_spacing (void)
{
  g_autoptr (GError) error = NULL;
  SpSdesCrypto padded, unpadded;

  g_assert_true (sp_sdes_parse ("2 AES_256_CM_HMAC_SHA1_32 inline:" KEY_46, &padded, &error));
  g_assert_true (sp_sdes_parse ("2\tAES_256_CM_HMAC_SHA1_32   inline:" KEY_46_UNPADDED "|1048576",
                                &unpadded, &error));
  g_assert_no_error (error);
  g_assert_true (sp_sdes_equal (&padded, &unpadded));
  g_assert_cmpuint (padded.tag, ==, 2);
  g_assert_cmpmem (padded.key, 10, "abcdefghij", 10);
}

typedef struct
{
  const char *name;
  const char *value;
  SpSdesError code;
} Refused;

static const Refused refused[] = {
  { "empty", "", SP_SDES_ERROR_MALFORMED },
  { "no-key", "1 AES_CM_128_HMAC_SHA1_80", SP_SDES_ERROR_MALFORMED },
  { "tag-letters", "a AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, SP_SDES_ERROR_MALFORMED },
  { "tag-ten-digits", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY,
    SP_SDES_ERROR_MALFORMED },
  { "tag-negative", "-1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, SP_SDES_ERROR_MALFORMED },
  { "suite-aes-192", "1 AES_192_CM_HMAC_SHA1_80 inline:" RFC_KEY, SP_SDES_ERROR_UNSUPPORTED },
  { "suite-f8", "1 F8_128_HMAC_SHA1_80 inline:" RFC_KEY, SP_SDES_ERROR_UNSUPPORTED },
  { "suite-gcm", "1 AEAD_AES_128_GCM inline:" RFC_KEY, SP_SDES_ERROR_UNSUPPORTED },
  { "suite-lowercase", "1 aes_cm_128_hmac_sha1_80 inline:" RFC_KEY, SP_SDES_ERROR_UNSUPPORTED },
  { "mki", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4", SP_SDES_ERROR_UNSUPPORTED },
  { "mki-no-lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:4",
    SP_SDES_ERROR_UNSUPPORTED },
  { "two-keys", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY ";inline:" RFC_KEY,
    SP_SDES_ERROR_UNSUPPORTED },
  { "session-param", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " UNENCRYPTED_SRTP",
    SP_SDES_ERROR_UNSUPPORTED },
  { "fec-order", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " FEC_ORDER=FEC_SRTP",
    SP_SDES_ERROR_UNSUPPORTED },
  { "not-inline", "1 AES_CM_128_HMAC_SHA1_80 uri:" RFC_KEY, SP_SDES_ERROR_MALFORMED },
  { "key-short",
    "1 AES_CM_128_HMAC_SHA1_80 inline:"
    "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaV",
    SP_SDES_ERROR_MALFORMED },
  { "key-one-char-over", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "A", SP_SDES_ERROR_MALFORMED },
  { "key-256-for-128", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_46, SP_SDES_ERROR_MALFORMED },
  { "key-128-for-256", "1 AES_256_CM_HMAC_SHA1_80 inline:" RFC_KEY, SP_SDES_ERROR_MALFORMED },
  { "key-not-base64", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPy!jNWhcYD0mXXtxaVBR",
    SP_SDES_ERROR_MALFORMED },
  { "key-padding-inside",
    "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVm=jkpPywjNWhcYD0mXXtxaVBR",
    SP_SDES_ERROR_MALFORMED },
  { "key-empty", "1 AES_CM_128_HMAC_SHA1_80 inline:", SP_SDES_ERROR_MALFORMED },
  { "lifetime-too-long", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^49",
    SP_SDES_ERROR_MALFORMED },
  { "lifetime-zero", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|0", SP_SDES_ERROR_MALFORMED },
  { "lifetime-words", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|forever",
    SP_SDES_ERROR_MALFORMED },
  { "lifetime-twice", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|2^20",
    SP_SDES_ERROR_MALFORMED },
  { "lifetime-empty", "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|", SP_SDES_ERROR_MALFORMED },
};

static void
test_refused (gconstpointer data)
{
  const Refused *row = data;
  g_autoptr (GError) error = NULL;
  SpSdesCrypto crypto = { .tag = 4242 };

  g_assert_false (sp_sdes_parse (row->value, &crypto, &error));
  g_assert_error (error, SP_SDES_ERROR, (gint)row->code);
  /* Nothing half-parsed, and no key in the message. */
  g_assert_cmpuint (crypto.tag, ==, 4242);
  g_assert_null (strstr (error->message, RFC_KEY));
  g_assert_null (strstr (error->message, "PS1uQCVeeCFCanVm"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdes/rfc4568-example", test_rfc4568_example);
  g_test_add_func ("/sdes/round-trip-every-suite", test_round_trip_every_suite);
  g_test_add_func ("/sdes/keys-are-fresh-and-wiped", test_keys_are_fresh_and_wiped);
  g_test_add_func ("/sdes/padding-and-spacing", test_padding_and_spacing);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdes/refused/%s", refused[i].name);
      g_test_add_data_func (path, &refused[i], test_refused);
    }
  return g_test_run ();
}
