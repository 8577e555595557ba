/* `watch`: one line per signal of the service (property changes on the root object and on
 * session objects, sessions appearing and going through the ObjectManager) and per change of
 * the bus name's owner, until SIGINT or SIGTERM. stdout is flushed after every line so that
 * scripts can follow it. */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctl-commands.h"
#include "ctl-output.h"

typedef struct
{
  CtlContext *ctx;
  GMainLoop *loop;
  int status;
} Watch;

/* Local wall-clock time for people; full ISO 8601 for programs. */
static char *
timestamp (gboolean iso)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return iso ? g_date_time_format_iso8601 (now) : g_date_time_format (now, "%H:%M:%S");
}

/* Values people can read and scripts can still split on spaces: quote only when needed. */
static char *
format_human_value (GVariant *value)
{
  g_autofree char *text = ctl_format_value (value);

  if (!*text || strpbrk (text, " \t\r\n'\"\\="))
    return g_shell_quote (text);
  return g_steal_pointer (&text);
}

static char *
format_properties (GVariant *properties)
{
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  const char *name;
  GVariant *value;

  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_autofree char *text = format_human_value (value);
      g_string_append_printf (out, " %s=%s", name, text);
      g_variant_unref (value);
    }
  return g_string_free (out, FALSE);
}

/* @fields is an a{sv} vardict builder holding the event's details; "time" and "event" lead. */
static void
print_event (Watch *watch, const char *event, GVariant *fields, const char *human)
{
  g_autofree char *time = timestamp (watch->ctx->json);
  g_autoptr (GVariant) owned = g_variant_ref_sink (fields);

  if (watch->ctx->json)
    {
      GVariantBuilder builder;
      GVariantIter iter;
      GVariant *entry;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "time", g_variant_new_string (time));
      g_variant_builder_add (&builder, "{sv}", "event", g_variant_new_string (event));
      g_variant_iter_init (&iter, owned);
      while ((entry = g_variant_iter_next_value (&iter)))
        {
          g_variant_builder_add_value (&builder, entry);
          g_variant_unref (entry);
        }
      {
        g_autoptr (GVariant) all = g_variant_ref_sink (g_variant_builder_end (&builder));
        g_autoptr (JsonNode) node = json_gvariant_serialize (all);
        ctl_print_json (node, FALSE);
      }
      return;
    }
  g_print ("%s %s\n", time, human);
  fflush (stdout);
}

static void
on_properties_changed (Watch *watch, const char *path, GVariant *parameters)
{
  const char *interface;
  g_autoptr (GVariant) changed = NULL;
  g_auto (GStrv) invalidated = NULL;
  g_autofree char *details = NULL;
  g_autoptr (GString) human = g_string_new (NULL);

  g_variant_get (parameters, "(&s@a{sv}^as)", &interface, &changed, &invalidated);
  details = format_properties (changed);
  g_string_printf (human, "changed %s %s%s", path, interface, details);
  /* Invalidated properties changed but their values were not sent. */
  for (guint i = 0; invalidated[i]; i++)
    g_string_append_printf (human, " %s=?", invalidated[i]);
  print_event (watch, "properties-changed",
               g_variant_new_parsed (
                 "{'path': <%o>, 'interface': <%s>, 'changed': <%@a{sv}>, 'invalidated': <%^as>}",
                 path, interface, changed, invalidated),
               human->str);
}

static void
on_interfaces_added (Watch *watch, GVariant *parameters)
{
  const char *object, *interface;
  g_autoptr (GVariant) interfaces = NULL;
  GVariantIter iter;
  GVariant *properties;

  g_variant_get (parameters, "(&o@a{sa{sv}})", &object, &interfaces);
  g_variant_iter_init (&iter, interfaces);
  while (g_variant_iter_next (&iter, "{&s@a{sv}}", &interface, &properties))
    {
      g_autofree char *details = format_properties (properties);
      g_autofree char *human = g_strdup_printf ("added %s %s%s", object, interface, details);

      print_event (
        watch, "interfaces-added",
        g_variant_new_parsed ("{'path': <%o>, 'interface': <%s>, 'properties': <%@a{sv}>}", object,
                              interface, properties),
        human);
      g_variant_unref (properties);
    }
}

static void
on_interfaces_removed (Watch *watch, GVariant *parameters)
{
  const char *object;
  g_auto (GStrv) interfaces = NULL;
  g_autofree char *list = NULL;
  g_autofree char *human = NULL;

  g_variant_get (parameters, "(&o^as)", &object, &interfaces);
  list = g_strjoinv (" ", interfaces);
  human = g_strdup_printf ("removed %s %s", object, list);
  print_event (watch, "interfaces-removed",
               g_variant_new_parsed ("{'path': <%o>, 'interfaces': <%^as>}", object, interfaces),
               human);
}

static void
on_other_signal (Watch *watch, const char *path, const char *interface, const char *member,
                 GVariant *parameters)
{
  g_autofree char *args = g_variant_print (parameters, FALSE);
  g_autofree char *human = g_strdup_printf ("signal %s %s.%s %s", path, interface, member, args);

  print_event (
    watch, "signal",
    g_variant_new_parsed ("{'path': <%o>, 'interface': <%s>, 'member': <%s>, 'arguments': <%@*>}",
                          path, interface, member, parameters),
    human);
}

static void
on_signal (GDBusConnection *connection, const char *sender, const char *path, const char *interface,
           const char *member, GVariant *parameters, gpointer data)
{
  Watch *watch = data;

  if (g_str_equal (interface, "org.freedesktop.DBus.Properties")
      && g_str_equal (member, "PropertiesChanged")
      && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    on_properties_changed (watch, path, parameters);
  else if (g_str_equal (interface, "org.freedesktop.DBus.ObjectManager")
           && g_str_equal (member, "InterfacesAdded")
           && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    on_interfaces_added (watch, parameters);
  else if (g_str_equal (interface, "org.freedesktop.DBus.ObjectManager")
           && g_str_equal (member, "InterfacesRemoved")
           && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oas)")))
    on_interfaces_removed (watch, parameters);
  else
    on_other_signal (watch, path, interface, member, parameters);
}

static void
on_name_appeared (GDBusConnection *connection, const char *name, const char *owner, gpointer data)
{
  g_autofree char *human = g_strdup_printf ("service %s running (%s)", name, owner);

  print_event (data, "service-appeared",
               g_variant_new_parsed ("{'bus-name': <%s>, 'owner': <%s>}", name, owner), human);
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer data)
{
  g_autofree char *human = g_strdup_printf ("service %s not running", name);

  print_event (data, "service-vanished", g_variant_new_parsed ("{'bus-name': <%s>}", name), human);
}

static void
on_connection_closed (GDBusConnection *connection, gboolean remote_peer_vanished, GError *error,
                      gpointer data)
{
  Watch *watch = data;

  ctl_fail_message ("the session bus connection closed%s%s", error ? ": " : "",
                    error ? error->message : "");
  watch->status = CTL_EXIT_FAILURE;
  g_main_loop_quit (watch->loop);
}

static gboolean
on_quit_signal (gpointer data)
{
  Watch *watch = data;

  watch->status = CTL_EXIT_OK;
  g_main_loop_quit (watch->loop);
  return G_SOURCE_CONTINUE;
}

static int
run_watch (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Watch watch = { ctx, NULL, CTL_EXIT_OK };
  GDBusConnection *connection;
  guint subscription, name_watch, sigint, sigterm;
  gulong closed;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  connection = ctl_context_get_connection (ctx, &error);
  if (!connection)
    return ctl_fail (ctx, error);
  loop = g_main_loop_new (NULL, FALSE);
  watch.loop = loop;
  /* Signal handlers first: a SIGTERM right after the start line must end us cleanly. */
  sigint = g_unix_signal_add (SIGINT, on_quit_signal, &watch);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, &watch);
  closed = g_signal_connect (connection, "closed", G_CALLBACK (on_connection_closed), &watch);
  subscription
    = g_dbus_connection_signal_subscribe (connection, ctx->bus_name, NULL, NULL, NULL, NULL,
                                          G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &watch, NULL);
  name_watch
    = g_bus_watch_name_on_connection (connection, ctx->bus_name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                      on_name_appeared, on_name_vanished, &watch, NULL);
  {
    g_autofree char *human = g_strdup_printf ("watching %s", ctx->bus_name);
    print_event (&watch, "watching", g_variant_new_parsed ("{'bus-name': <%s>}", ctx->bus_name),
                 human);
  }
  g_main_loop_run (loop);
  g_bus_unwatch_name (name_watch);
  g_dbus_connection_signal_unsubscribe (connection, subscription);
  g_signal_handler_disconnect (connection, closed);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return watch.status;
}

const CtlCommand ctl_watch_commands[] = {
  { NULL, "watch", "",
    "Print property changes and sessions coming and going, one line each, until interrupted",
    run_watch },
  { NULL },
};
