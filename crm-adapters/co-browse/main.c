/* sportello-cobrowse: the co-browse relay (docs/co-browse.md). Serves the customer's join page
 * and the site script, and relays the two browsers' events; sportellod owns the sessions and is
 * asked over D-Bus. Its settings are the [co-browse] group of sportello.conf. */
#include "cb-server.h"
#include "sp-config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>

#define DEFAULT_BUS_NAME "org.sportello.Sportello1"

static char *opt_config;
static char *opt_bus_name;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    "sportello.conf to read (default: the one sportellod reads)", "FILE" },
  { "bus-name", 0, 0, G_OPTION_ARG_STRING, &opt_bus_name,
    "sportellod's name on the session bus (default " DEFAULT_BUS_NAME ")", "NAME" },
  { NULL },
};

static gboolean
on_quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- Sportello's co-browse relay");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (CbRelay) relay = NULL;
  g_autoptr (CbServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  CbServerOptions options = { 0 };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("sportello-cobrowse: %s\n", error->message);
      return 2;
    }
  if (!(config = sp_config_load_or_defaults (opt_config, NULL, &error))
      || !(bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error)))
    {
      g_printerr ("sportello-cobrowse: %s\n", error->message);
      return 1;
    }
  /* With co-browse off (no site origins) the relay still serves the browser video's links. */
  if (!config->cobrowse_site_origins[0])
    g_message ("co-browse is off ([co-browse] site-origins is empty): browser video only");
  relay = cb_relay_new (bus, opt_bus_name ? opt_bus_name : DEFAULT_BUS_NAME,
                        (const char *const *)config->cobrowse_site_origins);
  options.listen = config->cobrowse_listen;
  options.public_url = config->cobrowse_public_url;
  options.origins = (const char *const *)config->cobrowse_site_origins;
  options.max_attempts = config->cobrowse_max_attempts;
  server = cb_server_new (relay, &options, &error);
  if (server == NULL)
    {
      g_printerr ("sportello-cobrowse: cannot listen on %s: %s\n", options.listen, error->message);
      return 1;
    }
  g_message ("listening on %s for %s", options.listen, options.public_url);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit, loop);
  g_unix_signal_add (SIGINT, on_quit, loop);
  g_main_loop_run (loop);
  return 0;
}
