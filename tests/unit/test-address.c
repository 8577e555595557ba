/* Address normalisation, one table row per written form a person or a PBX may produce. */
#include "sp-address.h"
#include "sp-store-error.h"

#include <string.h>

typedef struct
{
  const char *name;
  const char *address;
  const char *prefix;   /* the configured international prefix; NULL is allowed */
  const char *expected; /* NULL: SP_STORE_ERROR_INVALID */
} AddressCase;

static const AddressCase cases[] = {
  /* Phone numbers as people type them. */
  { "phone/spaces", "+39 02 1234 5678", "00", "+390212345678" },
  { "phone/dashes", "02-1234-5678", "00", "0212345678" },
  { "phone/dots", "02.1234.5678", "00", "0212345678" },
  { "phone/parentheses", "(02) 1234 5678", "00", "0212345678" },
  { "phone/slashes", "02/12345678", "00", "0212345678" },
  { "phone/mixed", "+1 (555) 123-4567", "00", "+15551234567" },
  { "phone/outer-whitespace", " \t+39\t02 1234  ", "00", "+39021234" },
  /* tel: URIs (RFC 3966) with visual separators and parameters. */
  { "tel/dashes", "tel:+39-02-1234-5678", "00", "+390212345678" },
  { "tel/dots-parentheses", "tel:+39.(02).1234", "00", "+39021234" },
  { "tel/ext", "tel:+39-02-1234;ext=56", "00", "+39021234" },
  { "tel/phone-context", "tel:02-1234;phone-context=+39", "00", "021234" },
  { "tel/upper-case-scheme", "TEL:+39021234", "00", "+39021234" },
  { "tel/international-prefix", "tel:0039-02-1234", "00", "+39021234" },
  /* SIP URIs that carry a phone number. */
  { "sip/user-phone", "sip:+39021234@pbx.example.com;user=phone", "00", "+39021234" },
  { "sips/user-phone", "sips:+39021234@pbx.example.com;user=phone", "00", "+39021234" },
  { "sip/phone-port", "sip:021234@10.0.0.1:5060", "00", "021234" },
  { "sip/phone-prefix", "sip:0039021234@pbx:5060;user=phone", "00", "+39021234" },
  { "sip/name-addr-phone", "<sip:+39021234@pbx;user=phone>", "00", "+39021234" },
  { "sip/escaped-plus", "sip:%2B39021234@pbx;user=phone", "00", "+39021234" },
  { "sip/escaped-lower-case", "sip:%2b39-02-1234@pbx", "00", "+39021234" },
  /* SIP URIs with a named user: user case kept, host lower-cased, the rest dropped. */
  { "sip/host-case", "sip:alice@Example.COM", "00", "sip:alice@example.com" },
  { "sip/user-case", "sip:Alice.Smith@EXAMPLE.com", "00", "sip:Alice.Smith@example.com" },
  { "sip/scheme-case", "SIP:bob@PBX.example.com", "00", "sip:bob@pbx.example.com" },
  { "sip/port-params", "sip:alice@Example.com:5061;transport=tls", "00", "sip:alice@example.com" },
  { "sip/headers", "sip:alice@example.com?subject=hello&priority=urgent", "00",
    "sip:alice@example.com" },
  { "sip/params-headers", "sip:alice@example.com;transport=tcp?subject=x", "00",
    "sip:alice@example.com" },
  { "sip/quoted-display-name", "\"Alice Smith\" <sip:alice@Example.com>;tag=1234", "00",
    "sip:alice@example.com" },
  { "sip/bare-display-name", "Alice <sip:Alice@example.com:5060>", "00", "sip:Alice@example.com" },
  { "sips/folds-to-sip", "sips:bob@example.com", "00", "sip:bob@example.com" },
  /* An address of record is user@host: the port, transport and other parameters a phone sends
   * from, the scheme, a password, the display name and brackets do not matter. */
  { "aor/port", "sip:contact@127.0.0.1:16070", "00", "sip:contact@127.0.0.1" },
  { "aor/sips-port-transport", "sips:Bob@Example.com:5061;transport=tls", "00",
    "sip:Bob@example.com" },
  { "aor/route-params", "<sip:bob@pbx.example.com;lr;maddr=10.0.0.1>", "00",
    "sip:bob@pbx.example.com" },
  { "aor/user-ip", "\"Contact\" <sip:contact@127.0.0.1:5062;user=ip>;tag=a1", "00",
    "sip:contact@127.0.0.1" },
  { "aor/password", "sip:alice:secret@example.com:5060", "00", "sip:alice@example.com" },
  { "aor/quoted-name-with-brackets", "\"Rossi <Sales>\" <sip:rossi@example.com:5060>", "00",
    "sip:rossi@example.com" },
  { "aor/escaped-user", "sip:%61lice@example.com", "00", "sip:alice@example.com" },
  { "aor/user-case-kept", "sip:ALICE@example.com", "00", "sip:ALICE@example.com" },
  { "aor/ipv6-port", "sip:alice@[2001:DB8::1]:5060;transport=udp", "00",
    "sip:alice@[2001:db8::1]" },
  { "aor/ipv6", "<sip:alice@[::1]>", "00", "sip:alice@[::1]" },
  { "aor/phone-context-in-user", "sip:1234;phone-context=+39@pbx:5060;user=phone", "00", "1234" },
  { "aor/phone-user-any-host-port", "sip:+39021234@10.1.2.3:16070", "00", "+39021234" },
  /* The international prefix rule. */
  { "prefix/00", "0039 02 1234", "00", "+39021234" },
  { "prefix/011", "011 39 02 1234", "011", "+39021234" },
  { "prefix/other-prefix-kept", "0039021234", "011", "0039021234" },
  { "prefix/disabled-empty", "0039 02 1234", "", "0039021234" },
  { "prefix/disabled-null", "0039 02 1234", NULL, "0039021234" },
  { "prefix/only-the-prefix", "00", "00", "00" },
  { "prefix/plus-untouched", "+0039021234", "00", "+0039021234" },
  { "prefix/shortest", "001", "00", "+1" },
  /* Text with no number and no user part. */
  { "invalid/empty", "", "00", NULL },
  { "invalid/blank", "  \t ", "00", NULL },
  { "invalid/word", "hello", "00", NULL },
  { "invalid/plus-only", "+", "00", NULL },
  { "invalid/separators-only", "-- ()", "00", NULL },
  { "invalid/sip-empty-user", "sip:@host", "00", NULL },
  { "invalid/sip-no-host", "sip:alice@", "00", NULL },
  { "invalid/sip-host-only", "sip:pbx.example.com", "00", NULL },
  { "invalid/sip-ipv4-host-only", "sip:10.0.0.1", "00", NULL },
  { "invalid/sip-host-port-only", "sip:10.0.0.1:5060", "00", NULL },
  { "invalid/sip-ipv6-unterminated", "sip:alice@[::1", "00", NULL },
  { "invalid/sip-password-only", "sip::secret@example.com", "00", NULL },
  { "invalid/sip-bad-escape", "sip:%ZZ@host", "00", NULL },
  { "invalid/tel-empty", "tel:", "00", NULL },
  { "invalid/tel-letters", "tel:abc", "00", NULL },
  { "invalid/no-scheme", "alice@example.com", "00", NULL },
  { "invalid/mailto", "mailto:alice@example.com", "00", NULL },
};

static void
test_normalise (gconstpointer data)
{
  const AddressCase *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = sp_address_normalise (row->address, row->prefix, &error);

  if (row->expected)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (key, ==, row->expected);
      return;
    }
  g_assert_null (key);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID);
  /* The message quotes what was given, so the caller can tell which address was wrong. */
  g_assert_nonnull (strstr (error->message, row->address));
}

/* The same contact written three ways gives one key: the reason this module exists. */
static void
test_forms_agree (void)
{
  static const char *const forms[]
    = { "+39 02 1234", "tel:+39-02-1234", "<sip:+39021234@pbx;user=phone>", "0039 (02) 1234",
        "sip:%2B39021234@pbx.example.com" };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *key = sp_address_normalise (forms[i], "00", NULL);
      g_assert_cmpstr (key, ==, "+39021234");
    }
}

/* The addresses of record a contact may be saved with and those a call may come from. */
static void
test_aor_forms_agree (void)
{
  static const char *const forms[] = {
    "sip:contact@127.0.0.1",
    "sip:contact@127.0.0.1:16070",
    "<sips:contact@127.0.0.1:5061;transport=tls>",
    "\"Contact\" <sip:contact@127.0.0.1;user=ip>;tag=x",
    "SIP:contact@127.0.0.1:5060?subject=hi",
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *key = sp_address_normalise (forms[i], "00", NULL);
      g_assert_cmpstr (key, ==, "sip:contact@127.0.0.1");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/address/normalise/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_normalise);
    }
  g_test_add_func ("/address/forms-agree", test_forms_agree);
  g_test_add_func ("/address/aor-forms-agree", test_aor_forms_agree);
  return g_test_run ();
}
