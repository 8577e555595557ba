/* CoBrowse1 commands: what the co-browse relay asks of the service, by hand (to try a relay, or
 * to see why a customer cannot join). The agent's side is "cobrowse start|stop" (ctl-sessions.c).
 */
#include "ctl-commands.h"
#include "ctl-output.h"

static const char *const site_order[] = { "session", "origins", "start-url", "agent-name", NULL };

static SpCoBrowse1 *
relay_proxy (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (!connection)
    return NULL;
  return sp_co_browse1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                       ctx->bus_name, CTL_OBJECT_PATH, NULL, error);
}

static int
print_joined (CtlContext *ctx, const char *session, GVariant *site)
{
  GVariantDict dict;
  g_autoptr (GVariant) record = NULL;

  g_variant_dict_init (&dict, site);
  g_variant_dict_insert (&dict, "session", "s", session);
  record = g_variant_ref_sink (g_variant_dict_end (&dict));
  if (ctx->json)
    ctl_print_variant_json (record);
  else
    ctl_print_record (record, site_order);
  return CTL_EXIT_OK;
}

static int
run_join (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpCoBrowse1) relay = NULL;
  g_autofree char *session = NULL;
  g_autoptr (GVariant) site = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 2, 2))
    return CTL_EXIT_USAGE;
  if (!(relay = relay_proxy (ctx, &error))
      || !sp_co_browse1_call_join_sync (relay, argv[1], argv[2], &session, &site, NULL, &error))
    return ctl_fail (ctx, error);
  return print_joined (ctx, session, site);
}

static int
run_join_agent (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpCoBrowse1) relay = NULL;
  g_autofree char *session = NULL;
  g_autoptr (GVariant) site = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  if (!(relay = relay_proxy (ctx, &error))
      || !sp_co_browse1_call_join_agent_sync (relay, argv[1], &session, &site, NULL, &error))
    return ctl_fail (ctx, error);
  return print_joined (ctx, session, site);
}

typedef gboolean (*PairFunc) (SpCoBrowse1 *proxy, const char *first, const char *second,
                              GCancellable *cancellable, GError **error);

static int
run_pair (CtlContext *ctx, const CtlCommand *command, int argc, char **argv, PairFunc call,
          const char *done)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpCoBrowse1) relay = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 2, 2))
    return CTL_EXIT_USAGE;
  if (!(relay = relay_proxy (ctx, &error)) || !call (relay, argv[1], argv[2], NULL, &error))
    return ctl_fail (ctx, error);
  if (!ctx->json)
    g_print ("%s\n", done);
  else
    g_print ("{}\n");
  return CTL_EXIT_OK;
}

static int
run_visited (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_pair (ctx, command, argc, argv, sp_co_browse1_call_visited_sync, "recorded");
}

static int
run_left (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  return run_pair (ctx, command, argc, argv, sp_co_browse1_call_left_sync, "left");
}

const CtlCommand ctl_cobrowse_relay_commands[] = {
  { "cobrowse", "join", "CODE BROWSER_KEY",
    "Join a co-browse as the customer's browser would (the relay's Join)", run_join },
  { "cobrowse", "join-agent", "KEY", "Join as the agent's browser (the key of CoBrowseAgentUrl)",
    run_join_agent },
  { "cobrowse", "visited", "SESSION URL", "Record a page of a co-browse in the history",
    run_visited },
  { "cobrowse", "left", "SESSION customer|agent", "Say that a browser left the co-browse",
    run_left },
  { NULL },
};
