/* sportellod: the contact-centre video session service. Loads the config, opens the store,
 * watches for cameras, exports the D-Bus API and owns the bus name when ready; exits 0 on
 * SIGTERM, SIGINT, SIGHUP or when another instance takes the name over. */
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "sp-call-session-factory.h"
#include "sp-camera-monitor.h"
#include "sp-config.h"
#include "sp-dbus-error.h"
#include "sp-dbus-server.h"
#include "sp-gst.h"
#include "sp-history-recorder.h"
#include "sp-routing-publisher.h"
#include "sp-service-manager.h"
#include "sp-interaction-manager.h"
#include "sp-log.h"
#include "sp-secrets.h"
#include "sp-shared-store.h"
#include "sp-store-sync.h"
#include "sp-sip-agent.h"
#include "sp-store.h"
#include "sp-window-observer.h"

#define SIP_SHUTDOWN_DEADLINE_S 5
#define SHARED_STORE_STOP_DEADLINE_MS 2000

typedef struct
{
  GMainLoop *loop;
  int exit_status;
} Service;

static char *opt_config;
static char *opt_data_dir;
static char *opt_bus_name;
static gboolean opt_replace;
static gboolean opt_check_config;
static gboolean opt_verbose;
static gboolean opt_version;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    "Use this config file instead of the XDG lookup", "FILE" },
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir, "Keep the database and clips here",
    "DIR" },
  { "bus-name", 0, 0, G_OPTION_ARG_STRING, &opt_bus_name,
    "Own this bus name (default " SP_DBUS_DEFAULT_NAME ")", "NAME" },
  { "replace", 'r', 0, G_OPTION_ARG_NONE, &opt_replace,
    "Take the bus name over from a running instance", NULL },
  { "check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check_config,
    "Validate the config, print each problem, and exit", NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Log more", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { NULL },
};

static int
check_config (void)
{
  g_autofree char *path = opt_config ? g_strdup (opt_config) : sp_config_find_default_path ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (SpConfig) config = NULL;

  if (!path)
    {
      g_print ("no sportello.conf found in the XDG config dirs: the embedded defaults apply\n");
      return 0;
    }
  config = sp_config_load (path, &problems, NULL);
  for (guint i = 0; problems && i < problems->len; i++)
    {
      g_autofree char *line = sp_config_problem_to_string (g_ptr_array_index (problems, i));
      g_printerr ("%s\n", line);
    }
  if (!config)
    return 1;
  g_print ("%s: OK\n", path);
  return 0;
}

static SpConfig *
load_config (void)
{
  g_autofree char *path = opt_config ? g_strdup (opt_config) : sp_config_find_default_path ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) error = NULL;
  SpConfig *config;

  if (!path)
    {
      g_info ("no sportello.conf found: using the embedded defaults");
      return sp_config_new_defaults ();
    }
  config = sp_config_load (path, &problems, &error);
  if (config)
    {
      g_info ("config loaded from %s", path);
      return config;
    }
  for (guint i = 0; problems && i < problems->len; i++)
    {
      g_autofree char *line = sp_config_problem_to_string (g_ptr_array_index (problems, i));
      g_warning ("%s", line);
    }
  g_critical ("cannot start: %s", error->message);
  return NULL;
}

static char *
data_dir_for (SpConfig *config)
{
  /* Absolute, since the push catalogue records the paths of the clips it keeps here. */
  if (opt_data_dir)
    return g_canonicalize_filename (opt_data_dir, NULL);
  if (config->data_dir)
    return g_strdup (config->data_dir);
  return g_build_filename (g_get_user_data_dir (), "sportello", NULL);
}

static void
open_store (SpServiceContext *context)
{
  g_autofree char *path = g_build_filename (context->data_dir, "sportello.db", NULL);
  g_autoptr (GError) error = NULL;
  guint interrupted;

  context->store
    = sp_store_open (path, context->config->international_prefix, &context->store_error);
  if (!context->store)
    {
      g_critical (
        "the database cannot be used; contacts, history and responses answer Unavailable: %s",
        context->store_error->message);
      return;
    }
  interrupted = sp_store_interactions_mark_interrupted (context->store, &error);
  if (error)
    g_warning ("cannot mark interrupted interactions: %s", error->message);
  else if (interrupted)
    g_warning ("%u interaction%s from an earlier run %s marked as interrupted", interrupted,
               interrupted == 1 ? "" : "s", interrupted == 1 ? "was" : "were");
}

/* With a shared store, changes are queued for it; without, nothing is (sp-store-sync.h). */
static void
start_shared_store (SpServiceContext *context)
{
  SpConfig *config = context->config;
  g_autoptr (GError) error = NULL;

  if (!context->store)
    return;
  if (config->shared_store_uri)
    {
      context->shared_store
        = sp_shared_store_new (context->store, config->shared_store_uri, config->account_uri,
                               &context->shared_store_error);
      if (!context->shared_store)
        g_critical ("the shared store cannot be used; this agent works alone: %s",
                    context->shared_store_error->message);
    }
  else if (!sp_store_set_sharing (context->store, FALSE, &error))
    g_warning ("cannot stop queueing changes for a shared store: %s", error->message);
}

/* Stops the sync and lets its cancelled operations (a keyring lookup, a query) call back, so
 * nothing they hold is left behind; a server that does not answer is not waited for long. */
static void
stop_shared_store (SpServiceContext *context)
{
  SpSharedStore *shared = g_steal_pointer (&context->shared_store);
  gint64 deadline = g_get_monotonic_time () + SHARED_STORE_STOP_DEADLINE_MS * 1000;

  if (!shared)
    return;
  sp_shared_store_stop (shared);
  g_object_add_weak_pointer (G_OBJECT (shared), (gpointer *)&shared);
  g_object_unref (shared);
  while (shared && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (shared)
    g_object_remove_weak_pointer (G_OBJECT (shared), (gpointer *)&shared);
}

static void
on_password (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSipAgent) agent = data;
  g_autoptr (GError) error = NULL;
  char *password = sp_secrets_lookup_finish (result, &error);

  if (error)
    g_warning ("cannot read the SIP password from the Secret Service: %s", error->message);
  else if (!password)
    g_info ("no SIP password stored; registering without one (sportelloctl secret set stores it)");
  /* REGISTER only after the lookup has answered (ANCHORS: libsecret pitfalls). */
  sp_sip_agent_start (agent, password);
  if (password)
    sp_secrets_free (password);
}

static void
on_password_needed (SpSipAgent *agent, gpointer data)
{
  SpConfig *config = data;

  sp_secrets_lookup_async (config->account_uri, SP_SECRET_KIND_SIP_PASSWORD, NULL, on_password,
                           g_object_ref (agent));
}

static SpMediaFactory *
media_factory_for (SpConfig *config, SpCameraMonitor *camera)
{
  SpCallSessionSettings settings = {
    .audio_source = config->audio_source,
    .audio_sink = config->audio_sink,
    .rtp_port_min = config->rtp_port_min,
    .rtp_port_max = config->rtp_port_max,
    .rtp_timeout_s = config->rtp_timeout_s,
    .video_width = config->video_width,
    .video_height = config->video_height,
    .video_framerate = config->video_framerate,
    .video_bitrate_kbps = config->video_bitrate_kbps,
    .camera = config->camera,
    .monitor = camera,
  };

  return SP_MEDIA_FACTORY (sp_call_session_factory_new (&settings));
}

/* The agent's availability goes to the router; if the routing module cannot be loaded,
 * Agent1.Routing says why and calls are taken as before. */
static void
start_routing (SpServiceContext *context, SpConfig *config)
{
  g_autoptr (GError) error = NULL;

  context->routing = sp_routing_publisher_new (
    context->readiness, config->routing_rpc,
    config->routing_destination ? config->routing_destination : config->account_uri,
    config->routing_sets, &error);
  if (!context->routing)
    {
      g_critical ("the agent's availability is not published to the router: %s", error->message);
      context->routing_failure = g_strdup (error->message);
    }
}

static void
start_sip (SpServiceContext *context)
{
  SpConfig *config = context->config;
  SpSipSettings settings = {
    .aor = config->account_uri,
    .display_name = config->display_name,
    .listen = config->listen,
    .transport = config->transport,
    .tls_certificate = config->tls_certificate,
    .tls_private_key = config->tls_private_key,
    .tls_ca = config->tls_ca,
    .tls_verify_peer = config->tls_verify_peer,
    .registrar = config->registrar,
    .proxy = config->proxy,
    .uui_key = config->uui_key,
    .attached_headers = (const char *const *)config->attached_headers,
  };
  SpInteractionContext interaction_context = { 0 };

  context->agent = sp_sip_agent_new (&settings, &context->agent_error);
  if (!context->agent)
    {
      g_critical ("SIP is not running: %s", context->agent_error->message);
      return;
    }
  context->media = media_factory_for (config, context->camera);
  interaction_context.config = config;
  interaction_context.store = context->store;
  interaction_context.telephony = SP_TELEPHONY (context->agent);
  interaction_context.media = context->media;
  context->cobrowse = sp_cobrowse_registry_new (config);
  interaction_context.cobrowse = context->cobrowse;
  context->interactions = sp_interaction_manager_new (&interaction_context);
  /* The observers first: the history and the window see an interaction before D-Bus does. */
  context->recorder = G_OBJECT (sp_history_recorder_new (context->interactions, context->store));
  context->window_observer = G_OBJECT (
    sp_window_observer_new (context->interactions, config->video_width, config->video_height));
  sp_readiness_follow (context->readiness, context->interactions);
  if (config->routing_rpc)
    start_routing (context, config);
  g_signal_connect (context->agent, "password-needed", G_CALLBACK (on_password_needed), config);
  if (*config->registrar)
    on_password_needed (context->agent, config);
  else
    sp_sip_agent_start (context->agent, NULL);
}

static void
on_sip_shut_down (GObject *source, GAsyncResult *result, gpointer data)
{
  g_main_loop_quit (data);
}

static gboolean
on_sip_shutdown_deadline (gpointer data)
{
  g_warning ("the SIP stack did not stop within %d s", SIP_SHUTDOWN_DEADLINE_S);
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Hangs up, lets Sofia send its BYEs and unREGISTER, and waits for it (never nua_destroy()
 * before nua_r_shutdown), up to a deadline. */
static void
stop_sip (SpServiceContext *context, GMainLoop *loop)
{
  guint deadline;

  /* Interactions go first: their legs hang up and free their handles while NUA still lives. */
  g_clear_object (&context->routing);
  g_clear_pointer (&context->routing_failure, g_free);
  if (context->interactions)
    sp_interaction_manager_hang_up_all (context->interactions);
  g_clear_object (&context->recorder);
  g_clear_object (&context->window_observer);
  g_clear_object (&context->interactions);
  g_clear_object (&context->cobrowse);
  g_clear_object (&context->media);
  if (!context->agent)
    return;
  sp_sip_agent_shutdown_async (context->agent, NULL, on_sip_shut_down, loop);
  deadline = g_timeout_add_seconds (SIP_SHUTDOWN_DEADLINE_S, on_sip_shutdown_deadline, loop);
  g_main_loop_run (loop);
  g_source_remove (deadline);
}

static gboolean
on_quit_signal (gpointer data)
{
  Service *service = data;

  g_info ("signal received: stopping");
  g_main_loop_quit (service->loop);
  return G_SOURCE_CONTINUE;
}

static void
notify_service_manager (const char *state)
{
  g_autoptr (GError) error = NULL;

  if (!sp_service_manager_notify (state, &error) && error)
    g_warning ("cannot tell the service manager '%s': %s", state, error->message);
}

static void
on_ready (SpDBusServer *server, gpointer data)
{
  notify_service_manager ("READY=1\nSTATUS=Ready for interactions");
}

static void
on_lost (SpDBusServer *server, gboolean was_owned, gpointer data)
{
  Service *service = data;

  service->exit_status = was_owned ? 0 : 1;
  g_main_loop_quit (service->loop);
}

static int
run (void)
{
  g_autoptr (SpConfig) config = load_config ();
  SpServiceContext context = { 0 };
  Service service = { 0 };
  g_autoptr (SpDBusServer) server = NULL;
  guint signal_ids[3];
  const int quit_signals[3] = { SIGTERM, SIGINT, SIGHUP };

  if (!config)
    return 1;
  context.config = config;
  context.data_dir = data_dir_for (config);
  open_store (&context);
  start_shared_store (&context);
  context.camera = sp_camera_monitor_new ();
  context.readiness = sp_readiness_new (config->not_ready_reasons, config->after_call_work_s,
                                        config->start_ready, config->routing_queue_key);
  start_sip (&context);
  service.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (quit_signals); i++)
    signal_ids[i] = g_unix_signal_add (quit_signals[i], on_quit_signal, &service);

  server = sp_dbus_server_new (&context, opt_bus_name ? opt_bus_name : SP_DBUS_DEFAULT_NAME,
                               opt_replace);
  g_signal_connect (server, "ready", G_CALLBACK (on_ready), &service);
  g_signal_connect (server, "lost", G_CALLBACK (on_lost), &service);
  sp_dbus_server_start (server);
  g_main_loop_run (service.loop);

  notify_service_manager ("STOPPING=1");
  for (guint i = 0; i < G_N_ELEMENTS (signal_ids); i++)
    g_source_remove (signal_ids[i]);
  g_signal_handlers_disconnect_by_data (server, &service);
  g_clear_object (&server); /* drops the session objects and their interactions */
  stop_sip (&context, service.loop);
  g_clear_object (&context.agent);
  g_clear_error (&context.agent_error);
  g_clear_object (&context.camera);
  g_clear_object (&context.readiness);
  stop_shared_store (&context);
  g_clear_error (&context.shared_store_error);
  g_clear_pointer (&context.store, sp_store_free);
  g_clear_error (&context.store_error);
  g_clear_pointer (&context.data_dir, g_free);
  g_main_loop_unref (service.loop);
  sp_gst_finish_warm_up ();
  return service.exit_status;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) options = g_option_context_new ("- Sportello video session service");
  g_autoptr (GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  sp_log_init ("sportellod");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("sportellod: %s\n", error->message);
      return 2;
    }
  sp_log_set_verbose (opt_verbose);
  if (opt_version)
    {
      g_print ("sportellod %s\n", SP_VERSION);
      return 0;
    }
  if (opt_check_config)
    return check_config ();
  (void)sp_dbus_error_quark (); /* register the error names before any call arrives */
  status = run ();
  g_free (opt_config);
  g_free (opt_data_dir);
  g_free (opt_bus_name);
  return status;
}
