/* sportello-web-bridge: sportellod's D-Bus API for web CRMs, over HTTP on loopback (wb-server.h).
 * Its settings are the [web-bridge] group of sportello.conf; its bearer token is in the Secret
 * Service (`sportelloctl web-bridge token` makes one). Without a token it does not start: an
 * open API on loopback is open to every page the agent visits. */
#include "sp-config.h"
#include "sp-secrets.h"
#include "wb-server.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>

#define DEFAULT_BUS_NAME "org.sportello.Sportello1"
#define TOKEN_ACCOUNT "web-bridge"
#define TOKEN_KIND "web-bridge-token"
#define MAX_BODY (64 * 1024)

static char *opt_config;
static char *opt_bus_name;
static int opt_port;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    "sportello.conf to read (default: the one sportellod reads)", "FILE" },
  { "bus-name", 0, 0, G_OPTION_ARG_STRING, &opt_bus_name,
    "sportellod's name on the session bus (default " DEFAULT_BUS_NAME ")", "NAME" },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "listen on this port instead of [web-bridge] port",
    "PORT" },
  { NULL },
};

typedef struct
{
  GMainLoop *loop;
  char *token;
  GError *error;
} TokenLookup;

static void
on_token (GObject *source, GAsyncResult *result, gpointer data)
{
  TokenLookup *lookup = data;

  lookup->token = sp_secrets_lookup_finish (result, &lookup->error);
  g_main_loop_quit (lookup->loop);
}

/* At start-up only, before anything else runs: waiting here blocks nobody. */
static char *
lookup_token (GError **error)
{
  TokenLookup lookup = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  sp_secrets_lookup_async (TOKEN_ACCOUNT, TOKEN_KIND, NULL, on_token, &lookup);
  g_main_loop_run (lookup.loop);
  g_main_loop_unref (lookup.loop);
  if (lookup.error)
    g_propagate_error (error, lookup.error);
  else if (lookup.token == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "No token in the Secret Service: run `sportelloctl web-bridge token` first");
  return lookup.token;
}

static gboolean
on_quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- Sportello for web CRMs");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (WbServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  char *token;
  WbServerOptions options = { 0 };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("sportello-web-bridge: %s\n", error->message);
      return 2;
    }
  if (!(config = sp_config_load_or_defaults (opt_config, NULL, &error))
      || !(bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error))
      || !(token = lookup_token (&error)))
    {
      g_printerr ("sportello-web-bridge: %s\n", error->message);
      return 1;
    }
  options.port = opt_port > 0 ? (guint)opt_port : config->web_bridge_port;
  options.origins = (const char *const *)config->web_bridge_origins;
  options.token = token;
  options.bus_name = opt_bus_name ? opt_bus_name : DEFAULT_BUS_NAME;
  options.max_body = MAX_BODY;
  server = wb_server_new (bus, &options, &error);
  sp_secrets_free (token);
  if (server == NULL)
    {
      g_printerr ("sportello-web-bridge: cannot listen on 127.0.0.1:%u: %s\n", options.port,
                  error->message);
      return 1;
    }
  g_message ("listening on 127.0.0.1:%u for %u allowed origin(s)", options.port,
             g_strv_length (config->web_bridge_origins));
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit, loop);
  g_unix_signal_add (SIGINT, on_quit, loop);
  g_main_loop_run (loop);
  return 0;
}
