/* Camera presence from the PipeWire registry, on the GLib main loop. PipeWire may start after
 * us or restart: we watch for its socket in the runtime directory and reconnect, at most once
 * per RECONNECT_INTERVAL_MS, and report no camera while disconnected. */
#include "sp-camera-monitor.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <pipewire/pipewire.h>

#define RECONNECT_INTERVAL_MS 500
#define FALLBACK_RETRY_S 15

typedef struct
{
  guint32 id;
  char *node_name;
  char *description;
} Camera;

struct _SpCameraMonitor
{
  GObject parent_instance;

  struct pw_loop *loop;
  guint loop_watch;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_registry *registry;
  struct spa_hook core_listener;
  struct spa_hook registry_listener;

  GHashTable *cameras; /* id → Camera */
  GFileMonitor *socket_dir_monitor;
  char *socket_name;
  char *socket_path; /* NULL when the runtime dir is unknown */
  guint retry_id;
  guint disconnect_id;
  gint64 last_attempt;
};

enum
{
  PROP_0,
  PROP_AVAILABLE,
  PROP_CONNECTED,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SpCameraMonitor, sp_camera_monitor, G_TYPE_OBJECT)

static void
try_connect (SpCameraMonitor *self);

static void
camera_free (Camera *camera)
{
  g_free (camera->node_name);
  g_free (camera->description);
  g_free (camera);
}

static void
set_cameras_changed (SpCameraMonitor *self, gboolean was_available)
{
  if (was_available != sp_camera_monitor_get_available (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
on_registry_global (void *data, uint32_t id, uint32_t permissions, const char *type,
                    uint32_t version, const struct spa_dict *props)
{
  SpCameraMonitor *self = data;
  const char *media_class, *role;
  Camera *camera;

  if (!props || g_strcmp0 (type, PW_TYPE_INTERFACE_Node) != 0)
    return;
  media_class = spa_dict_lookup (props, PW_KEY_MEDIA_CLASS);
  role = spa_dict_lookup (props, PW_KEY_MEDIA_ROLE);
  if (g_strcmp0 (media_class, "Video/Source") != 0 || g_strcmp0 (role, "Camera") != 0)
    return;
  camera = g_new0 (Camera, 1);
  camera->id = id;
  camera->node_name = g_strdup (spa_dict_lookup (props, PW_KEY_NODE_NAME));
  camera->description = g_strdup (spa_dict_lookup (props, PW_KEY_NODE_DESCRIPTION));
  g_hash_table_replace (self->cameras, GUINT_TO_POINTER (id), camera);
  g_info ("camera appeared: %s (PipeWire node %u)", camera->node_name ? camera->node_name : "?",
          id);
  /* Notify even when availability stays the same: the list of cameras changed. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
on_registry_global_remove (void *data, uint32_t id)
{
  SpCameraMonitor *self = data;

  if (!g_hash_table_remove (self->cameras, GUINT_TO_POINTER (id)))
    return;
  g_info ("camera gone (PipeWire node %u)", id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static const struct pw_registry_events registry_events = {
  PW_VERSION_REGISTRY_EVENTS,
  .global = on_registry_global,
  .global_remove = on_registry_global_remove,
};

static void
disconnect (SpCameraMonitor *self)
{
  gboolean was_available = sp_camera_monitor_get_available (self);
  gboolean was_connected = self->core != NULL;

  if (self->registry)
    {
      spa_hook_remove (&self->registry_listener);
      pw_proxy_destroy ((struct pw_proxy *)self->registry);
      self->registry = NULL;
    }
  if (self->core)
    {
      spa_hook_remove (&self->core_listener);
      pw_core_disconnect (self->core);
      self->core = NULL;
    }
  g_hash_table_remove_all (self->cameras);
  set_cameras_changed (self, was_available);
  if (was_connected)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
on_disconnect_idle (gpointer data)
{
  SpCameraMonitor *self = data;

  self->disconnect_id = 0;
  g_info ("PipeWire went away; no camera until it is back");
  disconnect (self);
  try_connect (self);
  return G_SOURCE_REMOVE;
}

static void
on_core_error (void *data, uint32_t id, int seq, int res, const char *message)
{
  SpCameraMonitor *self = data;

  if (id != PW_ID_CORE || res != -EPIPE)
    return;
  /* Tearing the core down inside its own callback is not allowed: do it from an idle. */
  if (!self->disconnect_id)
    self->disconnect_id = g_idle_add (on_disconnect_idle, self);
}

static const struct pw_core_events core_events = {
  PW_VERSION_CORE_EVENTS,
  .error = on_core_error,
};

static gboolean
on_retry_timeout (gpointer data)
{
  SpCameraMonitor *self = data;

  self->retry_id = 0;
  try_connect (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (SpCameraMonitor *self, guint delay_ms)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (delay_ms, on_retry_timeout, self);
}

static gboolean
on_loop_ready (int fd, GIOCondition condition, gpointer data);

/* PipeWire's library, loop and client modules are set up on first use only. */
static void
start_pipewire (SpCameraMonitor *self)
{
  pw_init (NULL, NULL);
  self->loop = pw_loop_new (NULL);
  pw_loop_enter (self->loop);
  self->loop_watch = g_unix_fd_add (pw_loop_get_fd (self->loop), G_IO_IN | G_IO_ERR | G_IO_HUP,
                                    on_loop_ready, self);
  self->context = pw_context_new (self->loop, NULL, 0);
}

static void
try_connect (SpCameraMonitor *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 since_ms = (now - self->last_attempt) / 1000;

  if (self->core)
    return;
  if (since_ms < RECONNECT_INTERVAL_MS)
    {
      schedule_retry (self, (guint)(RECONNECT_INTERVAL_MS - since_ms));
      return;
    }
  self->last_attempt = now;
  /* The context loads PipeWire's client modules (about 1.5 MiB): only once there is a
   * socket to talk to, so a machine without PipeWire pays nothing. */
  if (!self->context && self->socket_path && !g_file_test (self->socket_path, G_FILE_TEST_EXISTS))
    {
      schedule_retry (self, FALLBACK_RETRY_S * 1000);
      return;
    }
  if (!self->context)
    start_pipewire (self);
  self->core = pw_context_connect (self->context, NULL, 0);
  if (!self->core)
    {
      g_debug ("PipeWire is not running (%s); waiting for it", g_strerror (errno));
      schedule_retry (self, FALLBACK_RETRY_S * 1000);
      return;
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  pw_core_add_listener (self->core, &self->core_listener, &core_events, self);
  self->registry = pw_core_get_registry (self->core, PW_VERSION_REGISTRY, 0);
  pw_registry_add_listener (self->registry, &self->registry_listener, &registry_events, self);
  g_info ("connected to PipeWire");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
on_loop_ready (int fd, GIOCondition condition, gpointer data)
{
  SpCameraMonitor *self = data;

  pw_loop_iterate (self->loop, 0);
  return G_SOURCE_CONTINUE;
}

static void
on_socket_dir_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                       gpointer data)
{
  SpCameraMonitor *self = data;
  g_autofree char *name = g_file_get_basename (file);

  if (event != G_FILE_MONITOR_EVENT_CREATED || g_strcmp0 (name, self->socket_name) != 0)
    return;
  try_connect (self);
  /* PipeWire binds the socket a moment before it listens on it: if we came too early, try again
   * shortly instead of at the fallback interval. */
  if (!self->core)
    schedule_retry (self, RECONNECT_INTERVAL_MS);
}

static void
watch_socket_dir (SpCameraMonitor *self)
{
  const char *dir = g_getenv ("PIPEWIRE_RUNTIME_DIR");
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;

  if (!dir)
    dir = g_getenv ("XDG_RUNTIME_DIR");
  if (!dir)
    return;
  self->socket_name
    = g_strdup (g_getenv ("PIPEWIRE_REMOTE") ? g_getenv ("PIPEWIRE_REMOTE") : "pipewire-0");
  self->socket_path = g_build_filename (dir, self->socket_name, NULL);
  file = g_file_new_for_path (dir);
  self->socket_dir_monitor = g_file_monitor_directory (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (!self->socket_dir_monitor)
    {
      g_debug ("cannot watch %s for PipeWire: %s", dir, error->message);
      return;
    }
  g_signal_connect (self->socket_dir_monitor, "changed", G_CALLBACK (on_socket_dir_changed), self);
}

static void
sp_camera_monitor_dispose (GObject *object)
{
  SpCameraMonitor *self = SP_CAMERA_MONITOR (object);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->disconnect_id, g_source_remove);
  if (self->socket_dir_monitor)
    {
      g_signal_handlers_disconnect_by_data (self->socket_dir_monitor, self);
      g_clear_object (&self->socket_dir_monitor);
    }
  if (self->context)
    {
      disconnect (self);
      g_clear_pointer (&self->context, pw_context_destroy);
    }
  g_clear_handle_id (&self->loop_watch, g_source_remove);
  if (self->loop)
    {
      pw_loop_leave (self->loop);
      g_clear_pointer (&self->loop, pw_loop_destroy);
    }
  G_OBJECT_CLASS (sp_camera_monitor_parent_class)->dispose (object);
}

static void
sp_camera_monitor_finalize (GObject *object)
{
  SpCameraMonitor *self = SP_CAMERA_MONITOR (object);

  g_hash_table_unref (self->cameras);
  g_free (self->socket_name);
  g_free (self->socket_path);
  G_OBJECT_CLASS (sp_camera_monitor_parent_class)->finalize (object);
}

static void
sp_camera_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpCameraMonitor *self = SP_CAMERA_MONITOR (object);

  switch (prop_id)
    {
      case PROP_AVAILABLE:
        g_value_set_boolean (value, sp_camera_monitor_get_available (self));
        break;
      case PROP_CONNECTED:
        g_value_set_boolean (value, sp_camera_monitor_get_connected (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_camera_monitor_class_init (SpCameraMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_camera_monitor_dispose;
  object_class->finalize = sp_camera_monitor_finalize;
  object_class->get_property = sp_camera_monitor_get_property;
  properties[PROP_AVAILABLE] = g_param_spec_boolean ("available", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_camera_monitor_init (SpCameraMonitor *self)
{
  self->cameras
    = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)camera_free);
}

SpCameraMonitor *
sp_camera_monitor_new (void)
{
  SpCameraMonitor *self = g_object_new (SP_TYPE_CAMERA_MONITOR, NULL);

  watch_socket_dir (self);
  try_connect (self);
  return self;
}

gboolean
sp_camera_monitor_get_available (SpCameraMonitor *self)
{
  return g_hash_table_size (self->cameras) > 0;
}

gboolean
sp_camera_monitor_get_connected (SpCameraMonitor *self)
{
  return self->core != NULL;
}

GVariant *
sp_camera_monitor_dup_cameras (SpCameraMonitor *self)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  Camera *camera;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  g_hash_table_iter_init (&iter, self->cameras);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&camera))
    {
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "id", "u", camera->id);
      g_variant_dict_insert (&dict, "node-name", "s", camera->node_name ? camera->node_name : "");
      g_variant_dict_insert (&dict, "description", "s",
                             camera->description ? camera->description : "");
      g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
    }
  return g_variant_builder_end (&builder);
}
