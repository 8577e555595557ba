/* Agent1 commands: the agent's properties and the directories (agents, queues, push clips,
 * dispositions, case-data keys), and adding and removing push clips. Dial is with the session
 * commands (ctl-sessions.c). */
#include "ctl-commands.h"
#include "ctl-output.h"

static const char *const status_order[] = {
  "Registration",    "ContactUri", "Account", "DisplayName",  "Readiness",
  "ReadinessReason", "Available",  "Routing", "VideoAllowed", "RemoteVideoOffers",
  "CameraAvailable", "Cameras",    "Version", "SyncState",    NULL,
};

static char *
format_cameras (GVariant *cameras)
{
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  GVariant *camera;

  g_variant_iter_init (&iter, cameras);
  while ((camera = g_variant_iter_next_value (&iter)))
    {
      guint32 id = 0;

      g_variant_lookup (camera, "id", "u", &id);
      g_string_append_printf (out, "%s%u %s (%s)", out->len ? "\n" : "", id,
                              ctl_record_string (camera, "node-name"),
                              ctl_record_string (camera, "description"));
      g_variant_unref (camera);
    }
  if (!out->len)
    g_string_append (out, "none");
  return g_string_free (out, FALSE);
}

/* "up-to-date", or "offline, 3 queued: REASON" (`store sync` shows all of it). */
static char *
format_sync_state (GVariant *sync)
{
  const char *state = "unknown";
  const char *error = "";
  guint32 queued = 0;
  gboolean behind;

  g_variant_lookup (sync, "state", "&s", &state);
  g_variant_lookup (sync, "last-error", "&s", &error);
  g_variant_lookup (sync, "queued", "u", &queued);
  behind = g_str_equal (state, "offline") || g_str_equal (state, "incompatible");
  if (!queued && !behind)
    return g_strdup (state);
  return g_strdup_printf ("%s, %u queued%s%s", state, queued, behind && *error ? ": " : "",
                          behind ? error : "");
}

static void
print_status (GVariant *properties)
{
  guint width = 0;

  for (guint i = 0; status_order[i]; i++)
    width = MAX (width, (guint)strlen (status_order[i]));
  for (guint i = 0; status_order[i]; i++)
    {
      g_autoptr (GVariant) value = g_variant_lookup_value (properties, status_order[i], NULL);
      g_autofree char *text = NULL;

      if (!value)
        continue;
      if (g_str_equal (status_order[i], "Cameras"))
        text = format_cameras (value);
      else if (g_str_equal (status_order[i], "SyncState"))
        text = format_sync_state (value);
      else
        text = ctl_format_value (value);
      ctl_print_field (status_order[i], text, width);
    }
}

static int
run_status (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) properties = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  properties = ctl_context_agent_properties (ctx, &error);
  if (!properties)
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (properties);
  else
    print_status (properties);
  return CTL_EXIT_OK;
}

static void
print_directory (GVariant *entries, const char *const *keys, const char *empty)
{
  g_autoptr (CtlTable) table = ctl_table_new ();
  GVariantIter iter;
  GVariant *entry;

  if (g_variant_n_children (entries) == 0)
    {
      g_print ("%s\n", empty);
      return;
    }
  g_variant_iter_init (&iter, entries);
  while ((entry = g_variant_iter_next_value (&iter)))
    {
      ctl_table_add (table, ctl_record_string (entry, keys[0]), ctl_record_string (entry, keys[1]),
                     ctl_record_string (entry, keys[2]), NULL);
      g_variant_unref (entry);
    }
  ctl_table_print (table);
}

typedef gboolean (*ListFunc) (SpAgent1 *proxy, GVariant **out, GCancellable *cancellable,
                              GError **error);

static int
run_list (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, ListFunc list,
          const char *const *keys, const char *empty)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) entries = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !list (agent, &entries, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (entries);
  else
    print_directory (entries, keys, empty);
  return CTL_EXIT_OK;
}

static int
run_agents (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  static const char *const keys[] = { "id", "name", "uri", NULL };

  return run_list (ctx, command, argc, argv, sp_agent1_call_list_agents_sync, keys,
                   "no agents in the directory");
}

static int
run_queues (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  static const char *const keys[] = { "id", "name", "uri", NULL };

  return run_list (ctx, command, argc, argv, sp_agent1_call_list_queues_sync, keys,
                   "no queues configured");
}

static void
print_push_items (GVariant *items)
{
  g_autoptr (CtlTable) table = ctl_table_new ();
  GVariantIter iter;
  GVariant *item;

  if (g_variant_n_children (items) == 0)
    {
      g_print ("the push catalogue is empty\n");
      return;
    }
  g_variant_iter_init (&iter, items);
  while ((item = g_variant_iter_next_value (&iter)))
    {
      guint64 duration = 0;
      g_autofree char *length = NULL;

      g_variant_lookup (item, "duration-ms", "t", &duration);
      length = ctl_format_duration (duration);
      ctl_table_add (table, ctl_record_string (item, "id"), ctl_record_string (item, "title"),
                     ctl_record_string (item, "kind"), length,
                     ctl_record_string (item, "description"), NULL);
      g_variant_unref (item);
    }
  ctl_table_print (table);
}

static int
run_push_list (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) items = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_list_push_items_sync (agent, &items, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (items);
  else
    print_push_items (items);
  return CTL_EXIT_OK;
}

/* The new item as ListPushItems shows it, for --json. */
static GVariant *
find_push_item (SpAgent1 *agent, const char *id)
{
  g_autoptr (GVariant) items = NULL;
  GVariantIter iter;
  GVariant *item;

  if (!sp_agent1_call_list_push_items_sync (agent, &items, NULL, NULL))
    return NULL;
  g_variant_iter_init (&iter, items);
  while ((item = g_variant_iter_next_value (&iter)))
    {
      if (g_str_equal (ctl_record_string (item, "id"), id))
        return item;
      g_variant_unref (item);
    }
  return NULL;
}

static int
run_push_add (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  int seconds = 0;
  const GOptionEntry entries[] = {
    { "title", 't', 0, G_OPTION_ARG_STRING, &title, "What the catalogue calls it", "TEXT" },
    { "description", 'd', 0, G_OPTION_ARG_STRING, &description, "A longer text", "TEXT" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds,
      "How long an image is shown (default 5; ignored for a clip)", "N" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) item = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  if (!title || !*title)
    return ctl_usage_error (command, "a push item needs --title");
  if (seconds < 0)
    return ctl_usage_error (command, "--seconds must not be negative");
  /* sportellod does not share our working directory. */
  path = g_canonicalize_filename (argv[1], NULL);
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent)
    return ctl_fail (ctx, error);
  /* The service decodes the whole clip's start and end: a long one takes as long as it takes. */
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (agent), G_MAXINT);
  if (!sp_agent1_call_add_push_item_sync (agent, path, title, description ? description : "",
                                          (guint)seconds, &id, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json && (item = find_push_item (agent, id)))
    ctl_print_variant_json (item);
  else if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_parsed ("{'id': <%s>}", id));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%s\n", id);
  return CTL_EXIT_OK;
}

static int
run_push_remove (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_remove_push_item_sync (agent, argv[1], NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply
        = g_variant_ref_sink (g_variant_new_parsed ("{'removed': <%s>}", argv[1]));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("removed %s\n", argv[1]);
  return CTL_EXIT_OK;
}

static void
print_dispositions (GVariant *codes, gboolean required, gboolean visible)
{
  static const char *const keys[] = { "id", "label", "", NULL };

  print_directory (codes, keys, "no disposition codes configured");
  g_print ("required: %s\nvisible:  %s\n", required ? "yes" : "no", visible ? "yes" : "no");
}

static int
run_dispositions (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) codes = NULL;
  gboolean required = FALSE, visible = FALSE;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_list_disposition_codes_sync (agent, &codes, NULL, &error)
      || !sp_agent1_call_get_disposition_policy_sync (agent, &required, &visible, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) all = g_variant_ref_sink (g_variant_new_parsed (
        "{'codes': <%@aa{sv}>, 'required': <%b>, 'visible': <%b>}", codes, required, visible));
      ctl_print_variant_json (all);
    }
  else
    print_dispositions (codes, required, visible);
  return CTL_EXIT_OK;
}

static int
run_case_data_keys (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_auto (GStrv) keys = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_list_case_data_keys_sync (agent, &keys, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) list
        = g_variant_ref_sink (g_variant_new_strv ((const char *const *)keys, -1));
      ctl_print_variant_json (list);
    }
  else
    ctl_print_lines ((const char *const *)keys);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_agent_commands[] = {
  { NULL, "status", "", "Show the agent's account, registration, video policy, cameras and version",
    run_status },
  { NULL, "agents", "", "List the agents directory (for conferences and transfers)", run_agents },
  { NULL, "queues", "", "List the queues an interaction can be transferred to", run_queues },
  { NULL, "dispositions", "", "List the disposition codes and the disposition policy",
    run_dispositions },
  { NULL, "case-data-keys", "", "List the case-data keys of every interaction",
    run_case_data_keys },
  { "push", "list", "", "List the push catalogue (clips and images)", run_push_list },
  { "push", "add", "FILE --title TEXT [--description TEXT] [--seconds N]",
    "Check a clip or PNG/JPEG image by decoding it and add a copy to the catalogue; prints its id",
    run_push_add },
  { "push", "remove", "ID", "Remove a push item and its copied file and thumbnail",
    run_push_remove },
  { NULL },
};
