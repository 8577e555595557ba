/* Standard-response templates: rendering against a fixed context, error reporting, checking. */
#include "sp-template.h"

#include <string.h>

/* The context every rendering test uses. Keys are what the lookup must receive. */
static const struct
{
  const char *ns;
  const char *key;
  const char *value;
} context[] = {
  { "agent", "name", "Anna" },
  { "agent", "uri", "sip:anna@example.com" },
  { "contact", "id", "c-1" },
  { "contact", "first-name", "Mario" },
  { "contact", "last-name", "Rossi" },
  { "contact", "organisation", "Caffè Ünïcode" },
  { "contact", "email", "" },
  { "session", "remote", "sip:mario@example.com" },
  { "session", "remote-name", "Mario R." },
  { "session", "direction", "inbound" },
  { "attached", "ticket_id", "T-42" },
  { "case", "Priority", "High" },
  { "case", "Serial", NULL },
};

static const char *
lookup (const char *ns, const char *key, gpointer user_data)
{
  guint *calls = user_data;

  if (calls)
    (*calls)++;
  for (guint i = 0; i < G_N_ELEMENTS (context); i++)
    if (g_str_equal (context[i].ns, ns) && g_str_equal (context[i].key, key))
      return context[i].value;
  return NULL;
}

typedef struct
{
  const char *name;
  const char *body;
  const char *expected; /* for an error row: the exact message */
  int error_code;       /* -1: renders */
} TemplateCase;

static const TemplateCase render_cases[] = {
  { "agent", "{agent.name} <{agent.uri}>", "Anna <sip:anna@example.com>", -1 },
  { "contact/dashes", "{contact.first-name} {contact.last-name} ({contact.id})",
    "Mario Rossi (c-1)", -1 },
  { "contact/underscores", "{contact.first_name} {contact.last_name}", "Mario Rossi", -1 },
  { "session", "{session.remote-name}|{session.remote_name}|{session.remote}|{session.direction}",
    "Mario R.|Mario R.|sip:mario@example.com|inbound", -1 },
  /* attached and case keys are free-form: passed on exactly as written. */
  { "attached/verbatim-key", "Ticket {attached.ticket_id}", "Ticket T-42", -1 },
  { "case", "Priority: {case.Priority}", "Priority: High", -1 },
  { "literal-braces", "{{literal}} and }}", "{literal} and }", -1 },
  { "braces-around-placeholder", "{{{agent.name}}}", "{Anna}", -1 },
  { "whitespace-inside", "[{ agent.name }][{\tcontact.first-name\n}]", "[Anna][Mario]", -1 },
  { "no-placeholders", "Just text.", "Just text.", -1 },
  { "empty", "", "", -1 },
  { "utf8-around", "Ciao {contact.first-name}, però è già così — 日本語 🙂!",
    "Ciao Mario, però è già così — 日本語 🙂!", -1 },
  { "utf8-value", "«{contact.organisation}»", "«Caffè Ünïcode»", -1 },
  { "unknown/one", "Hi {foo.bar}", "unknown placeholder {foo.bar}",
    SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER },
  { "unknown/all-listed",
    "{foo.bar} {agent.nope} {contact.first-name} {case} {attached.} {.name} {Agent.name}",
    "unknown placeholders {foo.bar}, {agent.nope}, {case}, {attached.}, {.name}, {Agent.name}",
    SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER },
  { "unknown/before-missing", "{contact.email} {foo.bar}", "unknown placeholder {foo.bar}",
    SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER },
  { "missing/empty-value", "Mail: {contact.email}", "no value here for {contact.email}",
    SP_TEMPLATE_ERROR_MISSING_VALUE },
  { "missing/null-value", "Serial: {case.Serial}", "no value here for {case.Serial}",
    SP_TEMPLATE_ERROR_MISSING_VALUE },
  { "missing/all-listed", "{contact.email} {agent.name} {case.Serial} {attached.ticket-id}",
    "no value here for {contact.email}, {case.Serial}, {attached.ticket-id}",
    SP_TEMPLATE_ERROR_MISSING_VALUE },
  { "syntax/lone-close", "a } b", "a lone '}' at offset 2 (write '}}' for a literal brace)",
    SP_TEMPLATE_ERROR_SYNTAX },
  { "syntax/lone-close-after-placeholder", "{agent.name}}",
    "a lone '}' at offset 12 (write '}}' for a literal brace)", SP_TEMPLATE_ERROR_SYNTAX },
  { "syntax/unclosed", "Hi {agent.name",
    "an unclosed or empty '{' at offset 3 (write '{{' for a literal brace)",
    SP_TEMPLATE_ERROR_SYNTAX },
  { "syntax/empty", "x{}", "an unclosed or empty '{' at offset 1 (write '{{' for a literal brace)",
    SP_TEMPLATE_ERROR_SYNTAX },
  { "syntax/blank", "x{  }",
    "an unclosed or empty '{' at offset 1 (write '{{' for a literal brace)",
    SP_TEMPLATE_ERROR_SYNTAX },
  { "syntax/nested", "{a{b}}",
    "an unclosed or empty '{' at offset 0 (write '{{' for a literal brace)",
    SP_TEMPLATE_ERROR_SYNTAX },
  { "syntax/before-unknown", "{foo.bar} }",
    "a lone '}' at offset 10 (write '}}' for a literal brace)", SP_TEMPLATE_ERROR_SYNTAX },
};

static void
test_render (gconstpointer data)
{
  const TemplateCase *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = sp_template_render (row->body, lookup, NULL, &error);

  if (row->error_code < 0)
    {
      g_assert_no_error (error);
      /* Byte-exact, not just equal up to the first NUL or in some normal form. */
      g_assert_cmpmem (text, strlen (text), row->expected, strlen (row->expected));
      return;
    }
  g_assert_null (text);
  g_assert_error (error, SP_TEMPLATE_ERROR, row->error_code);
  g_assert_cmpstr (error->message, ==, row->expected);
}

/* Agent, contact and session keys reach the lookup in their dash form, whatever was written. */
static const char *
lookup_expect_dashes (const char *ns, const char *key, gpointer user_data)
{
  g_assert_null (strchr (key, '_'));
  return lookup (ns, key, NULL);
}

static void
test_render_canonical_keys (void)
{
  g_autofree char *text = sp_template_render ("{contact.first_name}{session.remote_name}",
                                              lookup_expect_dashes, NULL, NULL);

  g_assert_cmpstr (text, ==, "MarioMario R.");
}

static void
test_render_lookup_per_placeholder (void)
{
  guint calls = 0;
  g_autofree char *text
    = sp_template_render ("{agent.name} {{x}} {agent.name}", lookup, &calls, NULL);

  g_assert_cmpstr (text, ==, "Anna {x} Anna");
  g_assert_cmpuint (calls, ==, 2);
}

static void
test_render_without_lookup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = sp_template_render ("{agent.name}{case.X}", NULL, NULL, &error);

  g_assert_null (text);
  g_assert_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_MISSING_VALUE);
  g_assert_cmpstr (error->message, ==, "no value here for {agent.name}, {case.X}");
}

static void
test_check_known_without_values (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_template_check (
    "{agent.name} {agent.uri} {contact.id} {contact.first_name} {contact.last-name}"
    " {contact.organisation} {contact.email} {session.remote} {session.remote-name}"
    " {session.direction} {attached.anything} {case.Whatever Key} {{}}",
    &error));
  g_assert_no_error (error);
}

static void
test_check_rejects_unknown (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (sp_template_check ("{contact.email} {contact.phone} {queue.name}", &error));
  g_assert_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER);
  g_assert_cmpstr (error->message, ==, "unknown placeholders {contact.phone}, {queue.name}");
}

static void
test_check_rejects_syntax (void)
{
  static const char *const bodies[] = { "}", "{", "{}", "{ }", "{a{b}}", "ok {agent.name" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (sp_template_check (bodies[i], &error));
      g_assert_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_SYNTAX);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (render_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/template/render/%s", render_cases[i].name);
      g_test_add_data_func (path, &render_cases[i], test_render);
    }
  g_test_add_func ("/template/render/canonical-keys", test_render_canonical_keys);
  g_test_add_func ("/template/render/lookup-per-placeholder", test_render_lookup_per_placeholder);
  g_test_add_func ("/template/render/without-lookup", test_render_without_lookup);
  g_test_add_func ("/template/check/known-without-values", test_check_known_without_values);
  g_test_add_func ("/template/check/rejects-unknown", test_check_rejects_unknown);
  g_test_add_func ("/template/check/rejects-syntax", test_check_rejects_syntax);
  return g_test_run ();
}
