/* What Agent1.Dial accepts: targets (phone numbers and SIP/SIPS URIs, nothing else, bounded) and
 * attached data (header-safe keys and values, bounded), one table row per case. */
#include "sp-attached-data.h"
#include "sp-dial-target.h"
#include "sp-sip-agent.h"

#include <string.h>

typedef struct
{
  const char *name;
  const char *target;
  const char *expected; /* NULL: refused with SP_SIP_ERROR_INVALID */
} TargetCase;

static const TargetCase targets[] = {
  /* Phone numbers as people type them, sent to our domain as RFC 3261 §19.1.6 says. */
  { "phone/international", "+39 02 1234", "sip:+39021234@example.com;user=phone" },
  { "phone/outer-spaces", "  021234  ", "sip:021234@example.com;user=phone" },
  { "phone/separators", "(02) 1234-56/78.9", "sip:02123456789@example.com;user=phone" },
  { "phone/tel", "tel:+39-02-1234", "sip:+39021234@example.com;user=phone" },
  /* SIP and SIPS URIs are kept, the scheme in lower case. */
  { "sip/plain", "sip:bob@pbx.example.com", "sip:bob@pbx.example.com" },
  { "sip/upper-scheme-port-params", "SIP:bob@pbx.example.com:5070;transport=tcp",
    "sip:bob@pbx.example.com:5070;transport=tcp" },
  { "sips/plain", "sips:bob@pbx.example.com", "sips:bob@pbx.example.com" },
  { "sip/host-only", "sip:conference.example.com", "sip:conference.example.com" },
  { "sip/escaped-user", "sip:%2B39021234@pbx;user=phone", "sip:%2B39021234@pbx;user=phone" },
  { "sip/ipv6", "sip:bob@[2001:db8::1]:5060", "sip:bob@[2001:db8::1]:5060" },
  /* Refused: not an address, or more than one. */
  { "bad/empty", "", NULL },
  { "bad/blank", "   ", NULL },
  { "bad/word", "hello", NULL },
  { "bad/plus-only", "+", NULL },
  { "bad/plus-inside", "02+1234", NULL },
  { "bad/mailto", "mailto:bob@example.com", NULL },
  { "bad/http", "http://example.com/", NULL },
  { "bad/tel-empty", "tel:", NULL },
  { "bad/tel-letters", "tel:abc", NULL },
  { "bad/sip-empty", "sip:", NULL },
  { "bad/sip-empty-user", "sip:@host", NULL },
  { "bad/sip-no-host", "sip:bob@", NULL },
  { "bad/sip-bad-escape", "sip:b%zzob@host", NULL },
  { "bad/name-addr", "\"Bob\" <sip:bob@host>", NULL },
  { "bad/angle-brackets", "<sip:bob@host>", NULL },
  { "bad/space-in-uri", "sip:bob smith@host", NULL },
  { "bad/non-ascii",
    "sip:b\xc3\xb2"
    "b@host",
    NULL },
  /* URI headers would become headers of our INVITE (RFC 3261 §19.1.5). */
  { "bad/uri-headers", "sip:bob@host?Route=%3Csip:evil.example.com%3E", NULL },
  { "bad/uri-params-headers", "sip:bob@host;x=1?Subject=hi", NULL },
  /* Control characters anywhere: header injection, terminal escapes, tabs. */
  { "bad/control-in-user", "sip:\x01@host", NULL },
  { "bad/crlf", "sip:bob@host\r\nX-Evil: 1", NULL },
  { "bad/tab", "\t+39021234", NULL },
  { "bad/del", "sip:bob@host\x7f", NULL },
  { "bad/escape", "+39 02\x1b[2J", NULL },
};

static void
test_target (gconstpointer data)
{
  const TargetCase *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = sp_dial_target_to_uri (row->target, "example.com", &error);

  if (row->expected)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (uri, ==, row->expected);
      return;
    }
  g_assert_null (uri);
  g_assert_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID);
  /* The message is printable and says what was refused. */
  for (const char *p = error->message; *p; p++)
    g_assert_false ((guchar)*p < 0x20 || *p == 0x7f);
  g_assert_nonnull (strstr (error->message, "cannot be dialled"));
}

static char *
uri_of_length (gsize length)
{
  GString *uri = g_string_new ("sip:");

  while (uri->len < length - strlen ("@h"))
    g_string_append_c (uri, 'a');
  g_string_append (uri, "@h");
  return g_string_free (uri, FALSE);
}

/* 256 bytes are accepted, one more is not; a megabyte is refused without quoting it all. */
static void
test_target_length (void)
{
  g_autofree char *longest = uri_of_length (SP_DIAL_TARGET_MAX);
  g_autofree char *too_long = uri_of_length (SP_DIAL_TARGET_MAX + 1);
  g_autofree char *huge = uri_of_length (1 << 20);
  g_autofree char *uri = sp_dial_target_to_uri (longest, "example.com", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *refused = sp_dial_target_to_uri (too_long, "example.com", &error);

  g_assert_cmpuint (strlen (longest), ==, SP_DIAL_TARGET_MAX);
  g_assert_cmpstr (uri, ==, longest);
  g_assert_null (refused);
  g_assert_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sp_dial_target_to_uri (huge, "example.com", &error));
  g_assert_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID);
  g_assert_cmpuint (strlen (error->message), <, 300);
}

typedef struct
{
  const char *name;
  const char *data; /* GVariant text of an a{ss} */
  gboolean valid;
} AttachedCase;

static const AttachedCase attached[] = {
  { "ok/empty", "@a{ss} {}", TRUE },
  { "ok/usual", "{'AccountNumber': 'AC-7781', 'Ticket': 'T-9', 'UserToUser': 'AC7781:videq'}",
    TRUE },
  { "ok/token-characters", "{'a-.!%*_+`~b': 'x'}", TRUE },
  { "ok/utf8-value", "{'Name': 'Niccol\\u00f2'}", TRUE },
  { "bad/empty-key", "{'': 'x'}", FALSE },
  { "bad/space-in-key", "{'Account Number': 'x'}", FALSE },
  { "bad/colon-in-key", "{'X-Evil: 1\\r\\nKey': 'x'}", FALSE },
  { "bad/crlf-in-value", "{'Ticket': 'T-9\\r\\nX-Evil: 1'}", FALSE },
  { "bad/tab-in-value", "{'Ticket': 'T\\t9'}", FALSE },
  { "bad/control-in-value", "{'Ticket': 'T\\u00019'}", FALSE },
  { "bad/del-in-value", "{'Ticket': 'T\\u007f9'}", FALSE },
};

static void
test_attached (gconstpointer data)
{
  const AttachedCase *row = data;
  g_autoptr (GVariant) value
    = g_variant_parse (G_VARIANT_TYPE ("a{ss}"), row->data, NULL, NULL, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (value);
  g_assert_cmpint (sp_attached_data_check (value, &error), ==, row->valid);
  if (row->valid)
    g_assert_no_error (error);
  else
    g_assert_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID);
}

static GVariant *
attached_of (guint entries, gsize key_length, gsize value_length)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < entries; i++)
    {
      g_autofree char *key = g_strdup_printf ("%0*u", (int)key_length, i);
      g_autofree char *value = g_strnfill (value_length, 'v');
      g_variant_builder_add (&builder, "{ss}", key, value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Each limit exactly, and one past it. */
static void
test_attached_limits (void)
{
  const struct
  {
    guint entries;
    gsize key, value;
    gboolean valid;
  } rows[] = {
    { SP_ATTACHED_DATA_MAX_ENTRIES, 8, 8, TRUE }, { SP_ATTACHED_DATA_MAX_ENTRIES + 1, 8, 8, FALSE },
    { 1, SP_ATTACHED_DATA_MAX_KEY, 8, TRUE },     { 1, SP_ATTACHED_DATA_MAX_KEY + 1, 8, FALSE },
    { 1, 8, SP_ATTACHED_DATA_MAX_VALUE, TRUE },   { 1, 8, SP_ATTACHED_DATA_MAX_VALUE + 1, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (GVariant) value = attached_of (rows[i].entries, rows[i].key, rows[i].value);
      g_autoptr (GError) error = NULL;

      g_assert_cmpint (sp_attached_data_check (value, &error), ==, rows[i].valid);
      if (!rows[i].valid)
        g_assert_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dial/target/%s", targets[i].name);
      g_test_add_data_func (path, &targets[i], test_target);
    }
  g_test_add_func ("/dial/target/length", test_target_length);
  for (guint i = 0; i < G_N_ELEMENTS (attached); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dial/attached-data/%s", attached[i].name);
      g_test_add_data_func (path, &attached[i], test_attached);
    }
  g_test_add_func ("/dial/attached-data/limits", test_attached_limits);
  return g_test_run ();
}
