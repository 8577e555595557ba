/* Session1 commands: the live interactions (list, show, statistics), Dial, which starts one, the
 * call controls (answer … mark-done, video, push, conference, transfer) and the record (notes,
 * case data, dispositions). A session is named by its number N or its full object path. */
#include <stdio.h>
#include <string.h>

#include "ctl-commands.h"
#include "ctl-output.h"

/* Transfers reply when the target answered: above the longest [transfer] timeout. */
#define TRANSFER_TIMEOUT_MS (125 * 1000)

#define SESSION_INTERFACE "org.sportello.Session1"
#define SESSION_PREFIX CTL_OBJECT_PATH "/session/"

static const char *const property_order[] = {
  "State",
  "Direction",
  "Remote",
  "RemoteName",
  "ReferredBy",
  "ContactId",
  "Encrypted",
  "Video",
  "VideoRequester",
  "VideoPath",
  "BrowserVideo",
  "BrowserVideoEndedBy",
  "Push",
  "CoBrowse",
  "CoBrowseAgentUrl",
  "Layout",
  "AlwaysOnTop",
  "Window",
  "Participants",
  "AttachedData",
  "CaseData",
  "Notepad",
  "Dispositions",
  "DispositionRequired",
  "DispositionVisible",
  "EndReason",
  NULL,
};

static const char *const statistics_order[] = {
  "rtp-packets-sent",
  "rtp-packets-received",
  "audio-codec",
  "video-codec",
  "video-rtp-packets-sent",
  "video-rtp-packets-received",
  "video-frames-encoded",
  "video-key-frames-sent",
  "video-frames-decoded",
  "camera",
  NULL,
};

/* ---- naming sessions ---- */

/* The service numbers sessions from 1 (guint); 0 for a path that is not a session's. */
static guint
session_number (const char *path)
{
  guint64 number = 0;

  if (!g_str_has_prefix (path, SESSION_PREFIX)
      || !g_ascii_string_to_unsigned (path + strlen (SESSION_PREFIX), 10, 1, G_MAXUINT, &number,
                                      NULL))
    return 0;
  return (guint)number;
}

/* N or the full object path, as the object path; NULL when @arg is neither. */
static char *
session_path (const char *arg)
{
  guint64 number;

  if (g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT, &number, NULL))
    return g_strdup_printf (SESSION_PREFIX "%u", (guint)number);
  if (g_variant_is_object_path (arg) && session_number (arg))
    return g_strdup (arg);
  return NULL;
}

static gboolean
arguments_are_utf8 (const CtlCommand *command, int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (!g_utf8_validate (argv[i], -1, NULL))
      {
        ctl_usage_error (command, "argument %d is not UTF-8 text", i);
        return FALSE;
      }
  return TRUE;
}

/* The options, the argument count (the session included) and the session in argv[1]. D-Bus
 * strings must be UTF-8: a stray byte would make the call itself invalid. Returns the session's
 * path, or NULL after a usage error. */
static char *
parse_session_args (CtlContext *ctx, const CtlCommand *command, const GOptionEntry *entries,
                    int *argc, char ***argv, int min_args, int max_args)
{
  char *path;

  if (!ctl_parse_options (ctx, command, entries, argc, argv, min_args, max_args)
      || !arguments_are_utf8 (command, *argc, *argv))
    return NULL;
  if (!(path = session_path ((*argv)[1])))
    ctl_usage_error (command, "'%s' is neither a session number nor a session path", (*argv)[1]);
  return path;
}

/* A session that never was or is gone (after MarkDone) has no object, and the bus answers with
 * UnknownMethod or UnknownObject, which would only puzzle a person. */
static int
session_fail (CtlContext *ctx, const char *path, GError *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
    return ctl_fail_message ("no session %u", session_number (path));
  return ctl_fail (ctx, error);
}

static SpSession1 *
session_proxy (CtlContext *ctx, const char *path, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (!connection)
    return NULL;
  return sp_session1_proxy_new_sync (connection,
                                     G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES
                                       | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                     ctx->bus_name, path, NULL, error);
}

/* "session 3: held", or {"session": path, "number": 3, "result": "held"}. */
static int
report_done (CtlContext *ctx, const char *path, const char *result)
{
  if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_parsed (
        "{'session': <%o>, 'number': <%u>, 'result': <%s>}", path, session_number (path), result));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("session %u: %s\n", session_number (path), result);
  return CTL_EXIT_OK;
}

/* ---- formatting properties ---- */

/* a{ss} (attached data, case data): one KEY=VALUE a line. */
static char *
format_pairs (GVariant *pairs)
{
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  const char *key, *value;

  g_variant_iter_init (&iter, pairs);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_string_append_printf (out, "%s%s=%s", out->len ? "\n" : "", key, value);
  return g_string_free (out, FALSE);
}

/* One leg a line: "role uri state", "(id)" when the id says more than the role, and "in
 * conference" for the parties of the conference's mix. */
static char *
format_participants (GVariant *participants)
{
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  GVariant *leg;

  g_variant_iter_init (&iter, participants);
  while ((leg = g_variant_iter_next_value (&iter)))
    {
      const char *id = ctl_record_string (leg, "id");
      const char *role = ctl_record_string (leg, "role");
      gboolean conferenced = FALSE;

      g_string_append_printf (out, "%s%s %s %s", out->len ? "\n" : "", role,
                              ctl_record_string (leg, "uri"), ctl_record_string (leg, "state"));
      if (!g_str_equal (id, role))
        g_string_append_printf (out, " (%s)", id);
      if (g_variant_lookup (leg, "conference", "b", &conferenced) && conferenced)
        g_string_append (out, " in conference");
      g_variant_unref (leg);
    }
  return g_string_free (out, FALSE);
}

/* (actor, reason, error name, message): "remote busy (NAME: message)"; blank while live. */
static char *
format_end_reason (GVariant *end)
{
  const char *actor, *reason, *name, *message;
  GString *out = g_string_new (NULL);

  g_variant_get (end, "(&s&s&s&s)", &actor, &reason, &name, &message);
  g_string_append_printf (out, "%s %s", actor, reason);
  if (*name || *message)
    g_string_append_printf (out, " (%s%s%s)", name, *name && *message ? ": " : "", message);
  return g_strstrip (g_string_free (out, FALSE));
}

static char *
format_property (const char *name, GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a{ss}")))
    return format_pairs (value);
  if (g_str_equal (name, "Participants") && g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{sv}")))
    return format_participants (value);
  if (g_str_equal (name, "EndReason") && g_variant_is_of_type (value, G_VARIANT_TYPE ("(ssss)")))
    return format_end_reason (value);
  return ctl_format_value (value);
}

/* Every field, empty ones too: "session show" promises all of them. Keys in @order first, then
 * any the service added since, in its order. */
static void
print_fields (GVariant *dict, const char *const *order, guint width)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  for (guint i = 0; order[i]; i++)
    {
      g_autoptr (GVariant) found = g_variant_lookup_value (dict, order[i], NULL);
      g_autofree char *text = found ? format_property (order[i], found) : NULL;

      if (text)
        ctl_print_field (order[i], text, width);
    }
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autofree char *text = g_strv_contains (order, key) ? NULL : format_property (key, value);

      if (text)
        ctl_print_field (key, text, width);
      g_variant_unref (value);
    }
}

static guint
field_width (GVariant *dict, guint width)
{
  GVariantIter iter;
  const char *key;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    width = MAX (width, (guint)strlen (key));
  return width;
}

/* ---- sessions and session show ---- */

static GVariant *
get_all_properties (CtlContext *ctx, const char *path, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);
  g_autoptr (GVariant) reply = NULL;

  if (connection)
    reply = g_dbus_connection_call_sync (
      connection, ctx->bus_name, path, "org.freedesktop.DBus.Properties", "GetAll",
      g_variant_new ("(s)", SESSION_INTERFACE), G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
      -1, NULL, error);
  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}

static GVariant *
get_managed_objects (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);
  g_autoptr (GVariant) reply = NULL;

  if (connection)
    reply = g_dbus_connection_call_sync (connection, ctx->bus_name, CTL_OBJECT_PATH,
                                         "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                         NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}

/* {"path": …, "number": N, "properties": {…}}: the shape of `sessions --json` entries. */
static GVariant *
session_record (const char *path, GVariant *properties)
{
  return g_variant_new_parsed ("{'path': <%o>, 'number': <%u>, 'properties': <%@a{sv}>}", path,
                               session_number (path), properties);
}

static int
compare_records (gconstpointer a, gconstpointer b)
{
  GVariant *first = *(GVariant *const *)a, *second = *(GVariant *const *)b;
  guint32 x = 0, y = 0;

  g_variant_lookup (first, "number", "u", &x);
  g_variant_lookup (second, "number", "u", &y);
  return x < y ? -1 : x > y;
}

/* The objects that carry Session1, as records sorted by number. */
static GPtrArray *
collect_sessions (GVariant *objects)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr (GVariant) properties
        = g_variant_lookup_value (interfaces, SESSION_INTERFACE, G_VARIANT_TYPE_VARDICT);

      if (properties && session_number (path))
        g_ptr_array_add (records, g_variant_ref_sink (session_record (path, properties)));
      g_variant_unref (interfaces);
    }
  g_ptr_array_sort (records, compare_records);
  return records;
}

static const char *
cell (GVariant *properties, const char *key)
{
  const char *value = ctl_record_string (properties, key);

  return *value ? value : "-";
}

/* One line a session; "-" for an empty cell keeps the columns countable. */
static void
print_sessions (GPtrArray *records)
{
  g_autoptr (CtlTable) table = ctl_table_new ();

  if (records->len == 0)
    {
      g_print ("no live sessions\n");
      return;
    }
  for (guint i = 0; i < records->len; i++)
    {
      GVariant *record = g_ptr_array_index (records, i);
      g_autoptr (GVariant) properties
        = g_variant_lookup_value (record, "properties", G_VARIANT_TYPE_VARDICT);
      guint32 number = 0;
      g_autofree char *number_text = NULL;

      g_variant_lookup (record, "number", "u", &number);
      number_text = g_strdup_printf ("%u", number);
      ctl_table_add (table, number_text, cell (properties, "State"), cell (properties, "Direction"),
                     cell (properties, "Remote"), cell (properties, "RemoteName"),
                     cell (properties, "Video"), cell (properties, "ContactId"), NULL);
    }
  ctl_table_print (table);
}

static int
run_sessions (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) objects = NULL;
  g_autoptr (GPtrArray) records = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  if (!(objects = get_managed_objects (ctx, &error)))
    return ctl_fail (ctx, error);
  records = collect_sessions (objects);
  if (ctx->json)
    {
      g_autoptr (GVariant) list = g_variant_ref_sink (g_variant_new_array (
        G_VARIANT_TYPE_VARDICT, (GVariant *const *)records->pdata, records->len));
      ctl_print_variant_json (list);
    }
  else
    print_sessions (records);
  return CTL_EXIT_OK;
}

static void
print_session (const char *path, GVariant *properties, GVariant *statistics)
{
  guint width = field_width (statistics, field_width (properties, strlen ("Session")));
  g_autofree char *name = g_strdup_printf ("%u %s", session_number (path), path);

  ctl_print_field ("Session", name, width);
  print_fields (properties, property_order, width);
  print_fields (statistics, statistics_order, width);
}

static int
run_show (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 1, 1);
  g_autoptr (SpSession1) session = NULL;
  g_autoptr (GVariant) properties = NULL;
  g_autoptr (GVariant) statistics = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!(properties = get_all_properties (ctx, path, &error))
      || !(session = session_proxy (ctx, path, &error))
      || !sp_session1_call_get_media_statistics_sync (session, &statistics, NULL, &error))
    return session_fail (ctx, path, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) all = g_variant_ref_sink (g_variant_new_parsed (
        "{'path': <%o>, 'number': <%u>, 'properties': <%@a{sv}>, 'statistics': <%@a{sv}>}", path,
        session_number (path), properties, statistics));
      ctl_print_variant_json (all);
    }
  else
    print_session (path, properties, statistics);
  return CTL_EXIT_OK;
}

static int
run_stats (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 1, 1);
  g_autoptr (SpSession1) session = NULL;
  g_autoptr (GVariant) statistics = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!(session = session_proxy (ctx, path, &error))
      || !sp_session1_call_get_media_statistics_sync (session, &statistics, NULL, &error))
    return session_fail (ctx, path, error);
  if (ctx->json)
    ctl_print_variant_json (statistics);
  else
    print_fields (statistics, statistics_order, field_width (statistics, 0));
  return CTL_EXIT_OK;
}

/* ---- Dial ---- */

static int
run_dial (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) attached = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *path = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, -1)
      || !arguments_are_utf8 (command, argc, argv))
    return CTL_EXIT_USAGE;
  if (!ctl_parse_key_values (argv + 2, argc - 2, &attached, &bad))
    return ctl_usage_error (command, "'%s' is not KEY=VALUE", bad);
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_dial_sync (agent, argv[1], attached, &path, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (
        g_variant_new_parsed ("{'session': <%o>, 'number': <%u>}", path, session_number (path)));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%u %s\n", session_number (path), path);
  return CTL_EXIT_OK;
}

/* ---- methods without arguments ---- */

typedef gboolean (*SimpleFunc) (SpSession1 *proxy, GCancellable *cancellable, GError **error);

static int
run_simple (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, SimpleFunc call,
            const char *result)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 1, 1);
  g_autoptr (SpSession1) session = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!(session = session_proxy (ctx, path, &error)) || !call (session, NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, result);
}

typedef gboolean (*StringFunc) (SpSession1 *proxy, const char *argument, GCancellable *cancellable,
                                GError **error);

static char *
read_stdin_text (void);

/* A method of one string argument: "COMMAND [SESSION] ARGUMENT"; with FROM_STDIN, "-" reads
 * the argument from stdin. */
static int
run_string (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, StringFunc call,
            gboolean from_stdin, const char *result)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 2, 2);
  g_autoptr (SpSession1) session = NULL;
  g_autofree char *argument = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  argument = from_stdin && g_str_equal (argv[2], "-") ? read_stdin_text () : g_strdup (argv[2]);
  if (!argument)
    return CTL_EXIT_FAILURE;
  if (!(session = session_proxy (ctx, path, &error)) || !call (session, argument, NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, result);
}

static int
run_with_string (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, StringFunc call,
                 const char *result)
{
  return run_string (ctx, command, argc, argv, call, FALSE, result);
}

static int
run_answer (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_answer_sync, "answered");
}

static int
run_reject (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_reject_sync, "rejected");
}

static int
run_hold (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_hold_sync, "held");
}

static int
run_retrieve (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_retrieve_sync, "retrieved");
}

static int
run_disconnect (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_disconnect_sync, "disconnected");
}

static int
run_mark_done (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_mark_done_sync, "done");
}

static int
run_video_on (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_activate_video_sync, "video on");
}

static int
run_video_off (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_deactivate_video_sync, "video off");
}

static int
run_push_stop (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_stop_push_sync, "push stopped");
}

static int
run_layout_swap (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_swap_layout_sync, "layout swapped");
}

static int
run_cobrowse_stop (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_stop_co_browse_sync,
                     "co-browse stopped");
}

/* A property as the service has it now (the proxy's cache follows a moment after a reply). */
static char *
fetch_string_property (SpSession1 *session, const char *name)
{
  GDBusProxy *proxy = G_DBUS_PROXY (session);
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
    g_dbus_proxy_get_connection (proxy), g_dbus_proxy_get_name (proxy),
    g_dbus_proxy_get_object_path (proxy), "org.freedesktop.DBus.Properties", "Get",
    g_variant_new ("(ss)", g_dbus_proxy_get_interface_name (proxy), name), G_VARIANT_TYPE ("(v)"),
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_autoptr (GVariant) value = NULL;

  if (!reply)
    return g_strdup ("");
  g_variant_get (reply, "(v)", &value);
  return g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ? g_variant_dup_string (value, NULL)
                                                             : g_strdup ("");
}

typedef gboolean (*LinkFunc) (SpSession1 *proxy, char **code, char **url, GCancellable *cancellable,
                              GError **error);

/* A method that gives the customer a code and a link (co-browse, browser video); with
 * AGENT_PROPERTY, the agent's own link too. */
static int
run_link (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, LinkFunc call,
          const char *agent_property)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 1, 1);
  g_autoptr (SpSession1) session = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autofree char *agent_url = NULL;
  GVariantDict reply;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!(session = session_proxy (ctx, path, &error)) || !call (session, &code, &url, NULL, &error))
    return session_fail (ctx, path, error);
  if (agent_property)
    agent_url = fetch_string_property (session, agent_property);
  if (!ctx->json)
    {
      g_print ("code: %s\ncustomer link: %s\n", code, url);
      if (agent_url)
        g_print ("agent link: %s\n", agent_url);
      return CTL_EXIT_OK;
    }
  g_variant_dict_init (&reply, NULL);
  g_variant_dict_insert (&reply, "session", "o", path);
  g_variant_dict_insert (&reply, "code", "s", code);
  g_variant_dict_insert (&reply, "url", "s", url);
  if (agent_url)
    g_variant_dict_insert (&reply, "agent-url", "s", agent_url);
  {
    g_autoptr (GVariant) value = g_variant_ref_sink (g_variant_dict_end (&reply));

    ctl_print_variant_json (value);
  }
  return CTL_EXIT_OK;
}

/* The customer's code and link, and the agent's own link (from CoBrowseAgentUrl). */
static int
run_cobrowse_start (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_link (ctx, command, argc, argv, sp_session1_call_start_co_browse_sync,
                   "CoBrowseAgentUrl");
}

/* The customer's code and one-time link for video through the phone's browser. */
static int
run_video_browser (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_link (ctx, command, argc, argv, sp_session1_call_invite_browser_video_sync, NULL);
}

static int
run_conference_complete (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_complete_conference_sync,
                     "conference completed");
}

static int
run_conference_drop (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_with_string (ctx, command, argc, argv, sp_session1_call_drop_participant_sync,
                          "participant dropped");
}

static int
run_consult_end (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_simple (ctx, command, argc, argv, sp_session1_call_end_consultation_sync,
                     "back with the contact");
}

static int
run_transfer_complete (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 1, 1);
  g_autoptr (SpSession1) session = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!(session = session_proxy (ctx, path, &error)))
    return session_fail (ctx, path, error);
  /* The reply comes when the contact's phone reports the outcome ([transfer] timeout). */
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (session), TRANSFER_TIMEOUT_MS);
  if (!sp_session1_call_complete_transfer_sync (session, NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, "transfer completed");
}

/* ---- methods with arguments ---- */

static int
run_push_start (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_with_string (ctx, command, argc, argv, sp_session1_call_start_push_sync,
                          "push started");
}

static gboolean
parse_boolean (const char *text, gboolean *value)
{
  static const char *const yes[] = { "true", "yes", "on", "1", NULL };
  static const char *const no[] = { "false", "no", "off", "0", NULL };

  *value = g_strv_contains (yes, text);
  return *value || g_strv_contains (no, text);
}

static int
run_on_top (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 2, 2);
  g_autoptr (SpSession1) session = NULL;
  gboolean on_top;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!parse_boolean (argv[2], &on_top))
    return ctl_usage_error (command, "'%s' is neither true nor false", argv[2]);
  if (!(session = session_proxy (ctx, path, &error))
      || !sp_session1_call_set_always_on_top_sync (session, on_top, NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, on_top ? "always on top" : "not on top");
}

static int
run_conference (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 2, -1);
  g_autoptr (SpSession1) session = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) agents = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  for (int i = 2; i < argc; i++)
    g_strv_builder_add (builder, argv[i]);
  agents = g_strv_builder_end (builder);
  if (!(session = session_proxy (ctx, path, &error))
      || !sp_session1_call_conference_sync (session, (const char *const *)agents, NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, "conference started");
}

typedef gboolean (*TransferFunc) (SpSession1 *proxy, const char *target, const char *reason,
                                  GCancellable *cancellable, GError **error);

static int
run_transfer_with (CtlContext *ctx, const CtlCommand *command, int argc, char **argv,
                   TransferFunc call, const char *result)
{
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why (appended to the notepad)", "TEXT" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, entries, &argc, &argv, 2, 2);
  g_autoptr (SpSession1) session = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!(session = session_proxy (ctx, path, &error)))
    return session_fail (ctx, path, error);
  /* The reply comes when the target answered or the transfer failed ([transfer] timeout). */
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (session), TRANSFER_TIMEOUT_MS);
  if (!call (session, argv[2], reason ? reason : "", NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, result);
}

static int
run_transfer (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_transfer_with (ctx, command, argc, argv, sp_session1_call_transfer_sync,
                            "transferred");
}

static int
run_consult (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_transfer_with (ctx, command, argc, argv, sp_session1_call_consult_transfer_sync,
                            "consulting");
}

/* All of stdin as UTF-8 text. One trailing newline is how `echo` and here-documents end their
 * input, not part of the note. */
static char *
read_stdin_text (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[4096];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, (gssize)n);
  if (ferror (stdin))
    {
      ctl_fail_message ("cannot read the text from stdin");
      return NULL;
    }
  if (text->len && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
  if (text->len && text->str[text->len - 1] == '\r')
    g_string_truncate (text, text->len - 1);
  if (memchr (text->str, '\0', text->len) || !g_utf8_validate (text->str, (gssize)text->len, NULL))
    {
      ctl_fail_message ("the text on stdin must be UTF-8 without NUL bytes");
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* TEXT, or "-" for stdin. */
static int
run_text (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, StringFunc call,
          const char *result)
{
  return run_string (ctx, command, argc, argv, call, TRUE, result);
}

static int
run_note (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_text (ctx, command, argc, argv, sp_session1_call_append_note_sync, "note added");
}

static int
run_notepad (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_text (ctx, command, argc, argv, sp_session1_call_set_notepad_sync, "notepad set");
}

static int
run_case_data (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 2, -1);
  g_autoptr (SpSession1) session = NULL;
  g_autoptr (GVariant) values = NULL;
  g_autofree char *bad = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  if (!ctl_parse_key_values (argv + 2, argc - 2, &values, &bad))
    return ctl_usage_error (command, "'%s' is not KEY=VALUE", bad);
  if (!(session = session_proxy (ctx, path, &error))
      || !sp_session1_call_set_case_data_sync (session, values, NULL, &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, "case data set");
}

/* No codes clears the selection. */
static int
run_dispositions_set (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = parse_session_args (ctx, command, NULL, &argc, &argv, 1, -1);
  g_autoptr (SpSession1) session = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) codes = NULL;

  if (!path)
    return CTL_EXIT_USAGE;
  for (int i = 2; i < argc; i++)
    g_strv_builder_add (builder, argv[i]);
  codes = g_strv_builder_end (builder);
  if (!(session = session_proxy (ctx, path, &error))
      || !sp_session1_call_set_dispositions_sync (session, (const char *const *)codes, NULL,
                                                  &error))
    return session_fail (ctx, path, error);
  return report_done (ctx, path, "dispositions set");
}

/* "conference N AGENT…" and "conference complete N" (likewise transfer) share their first word:
 * main.c tries the group's command before the plain one. */
const CtlCommand ctl_sessions_commands[] = {
  { NULL, "sessions", "",
    "List the live sessions: number, state, direction, remote, name, "
    "video, contact id",
    run_sessions },
  { "session", "show", "N", "Show every property of a session and its media statistics", run_show },
  { NULL, "stats", "N", "Show a session's media statistics (RTP packets, audio codec)", run_stats },
  { NULL, "dial", "TARGET [KEY=VALUE…]",
    "Start an outbound interaction with attached data; prints its number and path", run_dial },
  { NULL, "answer", "N", "Answer a ringing inbound call", run_answer },
  { NULL, "reject", "N", "Refuse a ringing inbound call (486 Busy Here)", run_reject },
  { NULL, "hold", "N", "Put the contact on hold", run_hold },
  { NULL, "retrieve", "N", "Resume a held call", run_retrieve },
  { NULL, "disconnect", "N", "End the call", run_disconnect },
  { NULL, "mark-done", "N", "Close a disconnected session and add it to the contact's history",
    run_mark_done },
  { "video", "on", "N", "Escalate to video, restart it, or accept the contact's offer",
    run_video_on },
  { "video", "off", "N", "Stop video for now (voice goes on), or decline an offer", run_video_off },
  { "video", "browser", "N",
    "Invite the customer to video through the phone's browser: prints the code and the link",
    run_video_browser },
  { "push", "start", "N ITEM", "Stream a clip from the push catalogue instead of the camera",
    run_push_start },
  { "push", "stop", "N", "Return to the live camera", run_push_stop },
  { "layout", "swap", "N", "Swap which picture is large in the video window", run_layout_swap },
  { NULL, "on-top", "N true|false", "Keep the video window above other windows, or not",
    run_on_top },
  { NULL, "conference", "N AGENT_ID…",
    "Hold the contact and call agents of the directory for a conference", run_conference },
  { "conference", "complete", "N",
    "Join the agents who answered with the contact (those still ringing are cancelled)",
    run_conference_complete },
  { "conference", "drop", "N ID", "Hang up on one conferenced agent (an id of Participants)",
    run_conference_drop },
  { NULL, "transfer", "N TARGET [--reason TEXT]", "Blind transfer to an agent or a queue",
    run_transfer },
  { NULL, "consult", "N NUMBER [--reason TEXT]", "Call someone first, holding the contact",
    run_consult },
  { "transfer", "complete", "N", "Connect the contact with the consulted person",
    run_transfer_complete },
  { "consult", "end", "N", "Hang up on the consulted person and return to the contact",
    run_consult_end },
  { "cobrowse", "start", "N",
    "Start co-browsing with the contact: prints the join code, its link and the agent's link",
    run_cobrowse_start },
  { "cobrowse", "stop", "N", "End the co-browse on both sides", run_cobrowse_stop },
  { NULL, "note", "N TEXT|-", "Add a line to the notepad (- reads it from stdin)", run_note },
  { NULL, "notepad", "N TEXT|-", "Replace the whole notepad (- reads it from stdin)", run_notepad },
  { NULL, "case-data", "N KEY=VALUE…", "Set case-data values (configured keys only)",
    run_case_data },
  { "dispositions", "set", "N [CODE…]", "Select the disposition codes (none clears them)",
    run_dispositions_set },
  { NULL },
};
