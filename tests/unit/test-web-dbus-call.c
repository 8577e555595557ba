/* REST actions as D-Bus calls (crm-adapters/web-bridge/wb-dbus-call.c), against the contract's
 * own introspection data (the generated Sp*1 interface info). */
#include "sp-dbus-generated.h"
#include "wb-dbus-call.h"

#include <string.h>

static JsonNode *
parse (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static const GDBusMethodInfo *
method (GDBusInterfaceInfo *iface, const char *name)
{
  const GDBusMethodInfo *info = g_dbus_interface_info_lookup_method (iface, name);

  g_assert_nonnull (info);
  return info;
}

static void
test_method_names (void)
{
  const char *const good[][2] = { { "answer", "Answer" }, { "activate-video", "ActivateVideo" },
                                  { "set-case-data", "SetCaseData" }, { "mark-done", "MarkDone" } };
  const char *const bad[] = { "", "-answer", "answer-", "Answer", "activate--video", "a_b",
                              "../etc", "hold?x=1", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *name = wb_method_name (good[i][0]);

      g_assert_cmpstr (name, ==, good[i][1]);
    }
  for (guint i = 0; bad[i]; i++)
    {
      g_autofree char *name = wb_method_name (bad[i]);

      g_assert_null (name);
    }
  g_assert_null (wb_method_name (NULL));
}

static void
test_arguments (void)
{
  GDBusInterfaceInfo *session = sp_session1_interface_info ();
  GDBusInterfaceInfo *agent = sp_agent1_interface_info ();
  GDBusInterfaceInfo *contacts = sp_contacts1_interface_info ();
  g_autoptr (JsonNode) by_name = parse ("{\"target\": \"bob\", \"reason\": \"billing\"}");
  g_autoptr (JsonNode) in_order = parse ("[\"sip:maria@example.com\", {\"Queue\": \"billing\"}]");
  g_autoptr (JsonNode) numbers = parse ("[\"c-1\", 0, 20]");
  g_autoptr (GVariant) transfer = wb_arguments_from_json (method (session, "Transfer"), by_name, NULL);
  g_autoptr (GVariant) dial = wb_arguments_from_json (method (agent, "Dial"), in_order, NULL);
  g_autoptr (GVariant) history = wb_arguments_from_json (method (contacts, "History"), numbers, NULL);
  g_autoptr (GVariant) answer = wb_arguments_from_json (method (session, "Answer"), NULL, NULL);
  g_autofree char *transfer_text = g_variant_print (transfer, FALSE);

  g_assert_cmpstr (transfer_text, ==, "('bob', 'billing')");
  g_assert_true (g_variant_is_of_type (dial, G_VARIANT_TYPE ("(sa{ss})")));
  g_assert_true (g_variant_is_of_type (history, G_VARIANT_TYPE ("(suu)")));
  g_assert_true (g_variant_is_of_type (answer, G_VARIANT_TYPE_UNIT));
}

static void
test_bad_arguments (void)
{
  GDBusInterfaceInfo *session = sp_session1_interface_info ();
  const struct
  {
    const char *method, *body, *message;
  } rows[] = {
    { "Transfer", "{\"target\": \"bob\"}", "Missing argument 'reason'" },
    { "Transfer", "[\"bob\"]", "Missing argument 'reason'" },
    { "Transfer", "[1, 2]", "Argument 'target' of Transfer is not a s" },
    { "SetCaseData", "{\"values\": {\"Priority\": 2}}", "Argument 'values' of SetCaseData" },
    { "Transfer", "\"bob\"", "must be a JSON array or object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (JsonNode) body = parse (rows[i].body);
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) args = wb_arguments_from_json (method (session, rows[i].method), body, &error);

      g_assert_null (args);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      if (!strstr (error->message, rows[i].message))
        g_error ("%s %s: '%s' lacks '%s'", rows[i].method, rows[i].body, error->message,
                 rows[i].message);
    }
}

static void
test_reply (void)
{
  GDBusInterfaceInfo *agent = sp_agent1_interface_info ();
  GDBusInterfaceInfo *session = sp_session1_interface_info ();
  g_autoptr (GVariant) dialled = g_variant_ref_sink (
    g_variant_new ("(o)", "/org/sportello/Sportello1/session/3"));
  g_autoptr (GVariant) none = g_variant_ref_sink (g_variant_new ("()"));
  g_autoptr (JsonNode) path = wb_reply_to_json (method (agent, "Dial"), dialled);
  g_autoptr (JsonNode) empty = wb_reply_to_json (method (session, "Answer"), none);
  g_autofree char *empty_text = json_to_string (empty, FALSE);

  g_assert_cmpstr (json_node_get_string (path), ==, "/org/sportello/Sportello1/session/3");
  g_assert_cmpstr (empty_text, ==, "{}");
}

static void
test_statuses (void)
{
  g_assert_cmpuint (wb_status_for_error ("org.sportello.Error.NotFound"), ==, 404);
  g_assert_cmpuint (wb_status_for_error ("org.sportello.Error.InvalidArgument"), ==, 400);
  g_assert_cmpuint (wb_status_for_error ("org.sportello.Error.InvalidState"), ==, 409);
  g_assert_cmpuint (wb_status_for_error ("org.sportello.Error.Unavailable"), ==, 503);
  g_assert_cmpuint (wb_status_for_error ("org.freedesktop.DBus.Error.ServiceUnknown"), ==, 503);
  g_assert_cmpuint (wb_status_for_error ("com.example.Unheard"), ==, 502);
  g_assert_cmpuint (wb_status_for_error (NULL), ==, 502);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/web-dbus-call/method-names", test_method_names);
  g_test_add_func ("/web-dbus-call/arguments", test_arguments);
  g_test_add_func ("/web-dbus-call/bad-arguments", test_bad_arguments);
  g_test_add_func ("/web-dbus-call/reply", test_reply);
  g_test_add_func ("/web-dbus-call/statuses", test_statuses);
  return g_test_run ();
}
