/* Responses1 commands: standard responses (search, show, edit, import) and rendering them for
 * the agent, a session or a contact. */
#include "ctl-commands.h"
#include "ctl-import.h"
#include "ctl-output.h"

static const char *const response_order[] = { "id", "title", "category", "body", NULL };

typedef struct
{
  char *id;
  char *title;
  char *body;
  char *category;
} ResponseOptions;

static void
response_options_clear (ResponseOptions *options)
{
  g_free (options->id);
  g_free (options->title);
  g_free (options->body);
  g_free (options->category);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ResponseOptions, response_options_clear)

static void
print_id_reply (CtlContext *ctx, const char *key, const char *id)
{
  if (ctx->json)
    {
      g_autoptr (GVariant) reply
        = g_variant_ref_sink (g_variant_new_parsed ("{%s: <%s>}", key, id));
      ctl_print_variant_json (reply);
    }
  else if (g_str_equal (key, "deleted"))
    g_print ("deleted %s\n", id);
  else
    g_print ("%s\n", id);
}

static void
print_response_list (GVariant *responses)
{
  g_autoptr (CtlTable) table = ctl_table_new ();
  GVariantIter iter;
  GVariant *response;

  g_variant_iter_init (&iter, responses);
  while ((response = g_variant_iter_next_value (&iter)))
    {
      const char *category = ctl_record_string (response, "category");
      g_autofree char *label = *category ? g_strdup_printf ("[%s]", category) : g_strdup ("");

      ctl_table_add (table, ctl_record_string (response, "id"), label,
                     ctl_record_string (response, "title"), NULL);
      g_variant_unref (response);
    }
  ctl_table_print (table);
}

static int
run_search (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *category = NULL;
  int limit = 0;
  const GOptionEntry entries[] = {
    { "category", 'c', 0, G_OPTION_ARG_STRING, &category, "Only this category", "CATEGORY" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "At most this many responses (default 50)", "N" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;
  g_autoptr (GVariant) found = NULL;
  g_autofree char *words = NULL;
  g_autofree char *text = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 0, -1))
    return CTL_EXIT_USAGE;
  if (limit < 0)
    return ctl_usage_error (command, "--limit must not be negative");
  words = g_strjoinv (" ", argv + 1);
  /* The service's query language filters a category with a "category:NAME" word. */
  text = category ? g_strdup_printf ("%s category:%s", words, category) : g_strdup (words);
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses
      || !sp_responses1_call_search_sync (responses, g_strstrip (text), (guint)limit, &found, NULL,
                                          &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (found);
  else if (g_variant_n_children (found) == 0)
    g_print ("no standard response matches\n");
  else
    print_response_list (found);
  return CTL_EXIT_OK;
}

static int
run_categories (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;
  g_auto (GStrv) categories = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses || !sp_responses1_call_list_categories_sync (responses, &categories, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) list
        = g_variant_ref_sink (g_variant_new_strv ((const char *const *)categories, -1));
      ctl_print_variant_json (list);
    }
  else
    ctl_print_lines ((const char *const *)categories);
  return CTL_EXIT_OK;
}

static int
run_get (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;
  g_autoptr (GVariant) response = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses || !sp_responses1_call_get_sync (responses, argv[1], &response, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (response);
  else
    ctl_print_record (response, response_order);
  return CTL_EXIT_OK;
}

static GVariant *
response_from_options (const ResponseOptions *options, const char *id)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (id)
    g_variant_dict_insert (&dict, "id", "s", id);
  if (options->title)
    g_variant_dict_insert (&dict, "title", "s", options->title);
  if (options->body)
    g_variant_dict_insert (&dict, "body", "s", options->body);
  if (options->category)
    g_variant_dict_insert (&dict, "category", "s", options->category);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static int
save_response (CtlContext *ctx, SpResponses1 *responses, GVariant *record)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;

  if (!sp_responses1_call_save_sync (responses, record, &id, NULL, &error))
    return ctl_fail (ctx, error);
  print_id_reply (ctx, "id", id);
  return CTL_EXIT_OK;
}

/* The options of `responses add` (@with_id) and `responses update`, writing into @o. */
static GArray *
response_entries (ResponseOptions *o, gboolean with_id)
{
  const GOptionEntry id_entry
    = { "id", 0, 0, G_OPTION_ARG_STRING, &o->id, "Create the response under this id", "ID" };
  const GOptionEntry fields[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &o->title, "Title", "TEXT" },
    { "body", 0, 0, G_OPTION_ARG_STRING, &o->body, "Body, with {placeholders}", "TEXT" },
    { "category", 0, 0, G_OPTION_ARG_STRING, &o->category, "Category", "NAME" },
  };
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry)); /* ends with a zeroed entry */

  if (with_id)
    g_array_append_val (entries, id_entry);
  g_array_append_vals (entries, fields, G_N_ELEMENTS (fields));
  return entries;
}

static int
run_add (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_auto (ResponseOptions) options = { 0 };
  g_autoptr (GArray) entries = response_entries (&options, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;
  g_autoptr (GVariant) existing = NULL;
  g_autoptr (GVariant) record = NULL;

  if (!ctl_parse_options (ctx, command, (GOptionEntry *)entries->data, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  if (!options.title || !options.body)
    return ctl_usage_error (command, "a new response needs --title and --body");
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses)
    return ctl_fail (ctx, error);
  /* Save would silently replace a response that has this id; adding must not. */
  if (options.id)
    {
      if (sp_responses1_call_get_sync (responses, options.id, &existing, NULL, &error))
        return ctl_fail_message (
          "a standard response with the id '%s' already exists (use 'responses update')",
          options.id);
      if (!ctl_error_has_name (error, CTL_ERROR_NOT_FOUND))
        return ctl_fail (ctx, error);
      g_clear_error (&error);
    }
  record = response_from_options (&options, options.id);
  return save_response (ctx, responses, record);
}

static int
run_update (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_auto (ResponseOptions) options = { 0 };
  g_autoptr (GArray) entries = response_entries (&options, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;
  g_autoptr (GVariant) existing = NULL;
  g_autoptr (GVariant) record = NULL;

  if (!ctl_parse_options (ctx, command, (GOptionEntry *)entries->data, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  record = response_from_options (&options, argv[1]);
  if (g_variant_n_children (record) < 2)
    return ctl_usage_error (command, "nothing to update: give --title, --body or --category");
  responses = ctl_context_responses_proxy (ctx, &error);
  /* Save would create a response under an unknown id; updating must not. */
  if (!responses || !sp_responses1_call_get_sync (responses, argv[1], &existing, NULL, &error))
    return ctl_fail (ctx, error);
  return save_response (ctx, responses, record);
}

static int
run_delete (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses || !sp_responses1_call_delete_sync (responses, argv[1], NULL, &error))
    return ctl_fail (ctx, error);
  print_id_reply (ctx, "deleted", argv[1]);
  return CTL_EXIT_OK;
}

/* --contact or --attached: RenderForContact, outside any call; otherwise Render for a session
 * ("/" is the agent alone). */
static gboolean
render (SpResponses1 *responses, const char *id, const char *session, const char *contact,
        GVariant *attached, char **text, GError **error)
{
  if (contact || g_variant_n_children (attached) > 0)
    return sp_responses1_call_render_for_contact_sync (responses, id, contact ? contact : "",
                                                       attached, text, NULL, error);
  return sp_responses1_call_render_sync (responses, id, session ? session : "/", text, NULL, error);
}

static int
run_render (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *session = NULL;
  g_autofree char *contact = NULL;
  g_auto (GStrv) pairs = NULL;
  const GOptionEntry entries[] = {
    { "session", 's', 0, G_OPTION_ARG_STRING, &session, "Render for this interaction object",
      "PATH" },
    { "contact", 'c', 0, G_OPTION_ARG_STRING, &contact, "Render for this contact, outside a call",
      "ID" },
    { "attached", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &pairs,
      "A value for {attached.KEY} (repeat for more)", "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;
  g_autoptr (GVariant) attached = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *text = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  if (!ctl_parse_key_values (pairs, pairs ? (int)g_strv_length (pairs) : 0, &attached, &bad))
    return ctl_usage_error (command, "'%s' is not KEY=VALUE", bad);
  if (session && (contact || g_variant_n_children (attached) > 0))
    return ctl_usage_error (command, "--session does not go with --contact or --attached");
  if (session && !g_variant_is_object_path (session))
    return ctl_usage_error (command, "'%s' is not an object path", session);
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses || !render (responses, argv[1], session, contact, attached, &text, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply
        = g_variant_ref_sink (g_variant_new_parsed ("{'id': <%s>, 'text': <%s>}", argv[1], text));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%s\n", text);
  return CTL_EXIT_OK;
}

static int
run_import (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "csv or json (default: from the file name)",
      "FORMAT" },
    { NULL },
  };
  g_autoptr (CtlImportBatch) batch = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpResponses1) responses = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  batch = ctl_import_batch_new (argv[1]);
  if (!ctl_import_read_responses (batch, format, &error))
    return error->domain == G_OPTION_ERROR ? ctl_usage_error (command, "%s", error->message)
                                           : ctl_fail_message ("%s", error->message);
  if (ctl_import_batch_report_problems (batch))
    return CTL_EXIT_FAILURE;
  responses = ctl_context_responses_proxy (ctx, &error);
  if (!responses)
    return ctl_fail (ctx, error);
  return ctl_import_batch_send (ctx, batch, G_DBUS_PROXY (responses), "responses");
}

const CtlCommand ctl_responses_commands[] = {
  { "responses", "search", "[TEXT…] [--category C] [--limit N]",
    "Find standard responses (no text: all)", run_search },
  { "responses", "categories", "", "List the categories in use", run_categories },
  { "responses", "get", "ID", "Show a standard response", run_get },
  { "responses", "add", "[--id ID] --title T --body B [--category C]",
    "Add a standard response; prints its id", run_add },
  { "responses", "update", "ID [--title T] [--body B] [--category C]", "Change a standard response",
    run_update },
  { "responses", "delete", "ID", "Remove a standard response", run_delete },
  { "responses", "render", "ID [--session PATH | --contact CONTACT_ID [--attached KEY=VALUE]…]",
    "Fill a response's placeholders for the agent, a session or a contact", run_render },
  { "responses", "import", "FILE.csv|FILE.json [--format csv|json]",
    "Import standard responses in one transaction: all of them or none", run_import },
  { NULL },
};
