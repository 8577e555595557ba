/* Name ownership and the root object. Replaceable (--replace on the newcomer), so an upgrade or
 * a developer build can take over; losing the name ends the service cleanly. */
#include "sp-dbus-server.h"

#include "sp-browser-video-service.h"
#include "sp-cobrowse-service.h"

#include "sp-agent-service.h"
#include "sp-contacts-service.h"
#include "sp-responses-service.h"
#include "sp-session-service.h"

struct _SpDBusServer
{
  GObject parent_instance;

  SpServiceContext *context;
  char *bus_name;
  gboolean replace;
  guint owner_id;
  gboolean owned;

  GDBusObjectManagerServer *manager;
  GPtrArray *root_interfaces; /* of GDBusInterfaceSkeleton */
};

enum
{
  SIGNAL_READY,
  SIGNAL_LOST,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpDBusServer, sp_dbus_server, G_TYPE_OBJECT)

static void
on_interaction_added (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  SpDBusServer *self = data;
  g_autofree char *path = sp_session_service_path_for (sp_interaction_get_number (interaction));
  g_autoptr (SpObjectSkeleton) object = sp_object_skeleton_new (path);
  g_autoptr (SpSessionService) session
    = sp_session_service_new (interaction, self->context->config);

  sp_object_skeleton_set_session1 (object, SP_SESSION1 (session));
  g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (object));
}

static void
on_interaction_removed (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  SpDBusServer *self = data;
  g_autofree char *path = sp_session_service_path_for (sp_interaction_get_number (interaction));

  g_dbus_object_manager_server_unexport (self->manager, path);
}

static void
export_root (SpDBusServer *self, GDBusConnection *connection)
{
  g_ptr_array_add (self->root_interfaces, sp_agent_service_new (self->context));
  g_ptr_array_add (self->root_interfaces, sp_contacts_service_new (self->context));
  g_ptr_array_add (self->root_interfaces, sp_responses_service_new (self->context));
  g_ptr_array_add (self->root_interfaces, sp_cobrowse_service_new (self->context));
  g_ptr_array_add (self->root_interfaces, sp_browser_video_service_new (self->context));
  for (guint i = 0; i < self->root_interfaces->len; i++)
    {
      GDBusInterfaceSkeleton *skeleton = g_ptr_array_index (self->root_interfaces, i);
      g_autoptr (GError) error = NULL;

      if (!g_dbus_interface_skeleton_export (skeleton, connection, SP_DBUS_ROOT_PATH, &error))
        g_critical ("cannot export %s: %s", g_dbus_interface_skeleton_get_info (skeleton)->name,
                    error->message);
    }
  g_dbus_object_manager_server_set_connection (self->manager, connection);
  if (self->context->interactions)
    {
      g_signal_connect (self->context->interactions, "added", G_CALLBACK (on_interaction_added),
                        self);
      g_signal_connect (self->context->interactions, "removed", G_CALLBACK (on_interaction_removed),
                        self);
    }
}

static void
on_bus_acquired (GDBusConnection *connection, const char *name, gpointer data)
{
  export_root (SP_DBUS_SERVER (data), connection);
}

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer data)
{
  SpDBusServer *self = data;

  self->owned = TRUE;
  g_info ("owning %s on the session bus", name);
  g_signal_emit (self, signals[SIGNAL_READY], 0);
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer data)
{
  SpDBusServer *self = data;

  if (!connection)
    g_warning ("cannot connect to the session bus");
  else if (self->owned)
    g_info ("%s was taken over by another process; exiting", name);
  else
    g_warning ("%s is owned by another process (start with --replace to take it over)", name);
  g_signal_emit (self, signals[SIGNAL_LOST], 0, self->owned);
}

void
sp_dbus_server_start (SpDBusServer *self)
{
  GBusNameOwnerFlags flags
    = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT | G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE;

  if (self->replace)
    flags |= G_BUS_NAME_OWNER_FLAGS_REPLACE;
  self->owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, self->bus_name, flags, on_bus_acquired,
                                   on_name_acquired, on_name_lost, self, NULL);
}

GDBusObjectManagerServer *
sp_dbus_server_get_object_manager (SpDBusServer *self)
{
  return self->manager;
}

static void
sp_dbus_server_dispose (GObject *object)
{
  SpDBusServer *self = SP_DBUS_SERVER (object);

  g_clear_handle_id (&self->owner_id, g_bus_unown_name);
  if (self->context && self->context->interactions)
    g_signal_handlers_disconnect_by_data (self->context->interactions, self);
  if (self->root_interfaces)
    {
      for (guint i = 0; i < self->root_interfaces->len; i++)
        g_dbus_interface_skeleton_unexport (g_ptr_array_index (self->root_interfaces, i));
      g_clear_pointer (&self->root_interfaces, g_ptr_array_unref);
    }
  g_clear_object (&self->manager);
  G_OBJECT_CLASS (sp_dbus_server_parent_class)->dispose (object);
}

static void
sp_dbus_server_finalize (GObject *object)
{
  g_free (SP_DBUS_SERVER (object)->bus_name);
  G_OBJECT_CLASS (sp_dbus_server_parent_class)->finalize (object);
}

static void
sp_dbus_server_class_init (SpDBusServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_dbus_server_dispose;
  object_class->finalize = sp_dbus_server_finalize;
  signals[SIGNAL_READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOST] = g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
sp_dbus_server_init (SpDBusServer *self)
{
  self->root_interfaces = g_ptr_array_new_with_free_func (g_object_unref);
  self->manager = g_dbus_object_manager_server_new (SP_DBUS_ROOT_PATH);
}

SpDBusServer *
sp_dbus_server_new (SpServiceContext *context, const char *bus_name, gboolean replace)
{
  SpDBusServer *self = g_object_new (SP_TYPE_DBUS_SERVER, NULL);

  self->context = context;
  self->bus_name = g_strdup (bus_name);
  self->replace = replace;
  return self;
}
