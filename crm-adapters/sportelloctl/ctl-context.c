/* The shared context: the bus connection and proxies on the root object, option parsing for
 * each command, and the mapping of failures to messages and exit statuses. */
#include "ctl-context.h"

#include <stdio.h>

#define PROXY_FLAGS                                                                                \
  (G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS)

void
ctl_context_init (CtlContext *ctx)
{
  const char *env_name = g_getenv ("SPORTELLO_BUS_NAME");

  ctx->json = FALSE;
  ctx->bus_name = g_strdup (env_name && *env_name ? env_name : CTL_DEFAULT_BUS_NAME);
  ctx->connection = NULL;
}

void
ctl_context_clear (CtlContext *ctx)
{
  g_clear_pointer (&ctx->bus_name, g_free);
  g_clear_object (&ctx->connection);
}

GDBusConnection *
ctl_context_get_connection (CtlContext *ctx, GError **error)
{
  if (!ctx->connection)
    {
      ctx->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
      if (!ctx->connection)
        {
          g_prefix_error (error, "cannot connect to the session bus: ");
          return NULL;
        }
      /* The shared connection would raise SIGTERM on us when the bus goes away; watch decides. */
      g_dbus_connection_set_exit_on_close (ctx->connection, FALSE);
    }
  return ctx->connection;
}

GVariant *
ctl_context_agent_properties (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);
  g_autoptr (GVariant) reply = NULL;

  if (connection)
    reply = g_dbus_connection_call_sync (
      connection, ctx->bus_name, CTL_OBJECT_PATH, "org.freedesktop.DBus.Properties", "GetAll",
      g_variant_new ("(s)", "org.sportello.Agent1"), G_VARIANT_TYPE ("(a{sv})"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}

SpAgent1 *
ctl_context_agent_proxy (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (!connection)
    return NULL;
  return sp_agent1_proxy_new_sync (connection, PROXY_FLAGS, ctx->bus_name, CTL_OBJECT_PATH, NULL,
                                   error);
}

SpContacts1 *
ctl_context_contacts_proxy (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (!connection)
    return NULL;
  return sp_contacts1_proxy_new_sync (connection, PROXY_FLAGS, ctx->bus_name, CTL_OBJECT_PATH, NULL,
                                      error);
}

SpResponses1 *
ctl_context_responses_proxy (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (!connection)
    return NULL;
  return sp_responses1_proxy_new_sync (connection, PROXY_FLAGS, ctx->bus_name, CTL_OBJECT_PATH,
                                       NULL, error);
}

char *
ctl_command_title (const CtlCommand *command)
{
  if (command->group)
    return g_strdup_printf ("%s %s", command->group, command->name);
  return g_strdup (command->name);
}

/* Every command also takes the global options, so they may follow the command word too. */
gboolean
ctl_parse_options (CtlContext *ctx, const CtlCommand *command, const GOptionEntry *entries,
                   int *argc, char ***argv, int min_args, int max_args)
{
  g_autofree char *bus_name = NULL;
  gboolean json = FALSE;
  const GOptionEntry common[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "bus-name", 0, 0, G_OPTION_ARG_STRING, &bus_name, "Talk to the service under this bus name",
      "NAME" },
    { NULL },
  };
  g_autofree char *title = ctl_command_title (command);
  g_autofree char *parameter
    = g_strdup_printf ("%s %s", title, command->synopsis ? command->synopsis : "");
  g_autoptr (GOptionContext) options = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;
  int positional;

  g_option_context_set_summary (options, command->summary);
  if (entries)
    g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_main_entries (options, common, NULL);
  if (!g_option_context_parse (options, argc, argv, &error))
    {
      ctl_usage_error (command, "%s", error->message);
      return FALSE;
    }
  ctx->json = ctx->json || json;
  if (bus_name)
    {
      g_free (ctx->bus_name);
      ctx->bus_name = g_steal_pointer (&bus_name);
    }
  positional = *argc - 1;
  if (positional < min_args || (max_args >= 0 && positional > max_args))
    {
      ctl_usage_error (command, positional < min_args ? "missing arguments" : "too many arguments");
      return FALSE;
    }
  return TRUE;
}

int
ctl_usage_error (const CtlCommand *command, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("sportelloctl: %s\n", message);
  if (command)
    {
      g_autofree char *title = ctl_command_title (command);
      g_printerr ("usage: sportelloctl %s %s\n", title, command->synopsis ? command->synopsis : "");
    }
  g_printerr ("Try 'sportelloctl help'.\n");
  return CTL_EXIT_USAGE;
}

int
ctl_fail_message (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("sportelloctl: %s\n", message);
  return CTL_EXIT_FAILURE;
}

gboolean
ctl_error_is_service_missing (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
}

gboolean
ctl_error_has_name (const GError *error, const char *name)
{
  g_autofree char *remote = error ? g_dbus_error_get_remote_error (error) : NULL;

  return g_strcmp0 (remote, name) == 0;
}

/* Prints "sportelloctl: NAME: message" for D-Bus errors, so scripts can match on the name. */
int
ctl_fail (CtlContext *ctx, GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);

  if (ctl_error_is_service_missing (error))
    return ctl_fail_message ("the service %s is not running (%s)", ctx->bus_name,
                             name ? name : "no owner");
  if (!name)
    return ctl_fail_message ("%s", error->message);
  g_dbus_error_strip_remote_error (error);
  return ctl_fail_message ("%s: %s", name, error->message);
}

/* KEY=VALUE arguments (attached data) into an a{ss}; the first malformed one is returned. */
gboolean
ctl_parse_key_values (char **pairs, int n_pairs, GVariant **dict, char **bad_pair)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (int i = 0; i < n_pairs; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      g_autofree char *key = NULL;

      if (!equals || equals == pairs[i])
        {
          g_variant_builder_clear (&builder);
          *bad_pair = g_strdup (pairs[i]);
          return FALSE;
        }
      key = g_strndup (pairs[i], (gsize)(equals - pairs[i]));
      g_variant_builder_add (&builder, "{ss}", key, equals + 1);
    }
  *dict = g_variant_ref_sink (g_variant_builder_end (&builder));
  return TRUE;
}
