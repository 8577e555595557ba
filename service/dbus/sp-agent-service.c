/* Agent1: properties come from config and the camera monitor; directory methods from config
 * and the store; the push catalogue's files from sp-push-catalogue.c. Dial answers Unavailable
 * while SIP is not running. */
#include "sp-agent-service.h"

#include "sp-dbus-error.h"
#include "sp-push-catalogue.h"
#include "sp-session-service.h"

struct _SpAgentService
{
  SpAgent1Skeleton parent_instance;
  SpServiceContext *context;
  GCancellable *cancellable; /* cancelled in dispose: AddPushItem calls still checking a clip */
};

static void
sp_agent_service_iface_init (SpAgent1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpAgentService, sp_agent_service, SP_TYPE_AGENT1_SKELETON,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_AGENT1, sp_agent_service_iface_init))

static GVariant *
directory_to_variant (GPtrArray *entries, const char *name_key)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < entries->len; i++)
    {
      const SpDirectoryEntry *entry = g_ptr_array_index (entries, i);
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "id", "s", entry->id);
      g_variant_dict_insert (&dict, name_key, "s", entry->name);
      if (entry->uri)
        g_variant_dict_insert (&dict, "uri", "s", entry->uri);
      g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
    }
  return g_variant_builder_end (&builder);
}

static gboolean
handle_dial (SpAgent1 *agent, GDBusMethodInvocation *invocation, const char *target,
             GVariant *attached_data)
{
  SpServiceContext *context = SP_AGENT_SERVICE (agent)->context;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  SpInteraction *interaction;

  if (!context->interactions)
    {
      g_autofree char *message = g_strdup_printf (
        "calls are unavailable: %s",
        context->agent_error ? context->agent_error->message : "SIP is not running");
      sp_dbus_return_error_literal (invocation, SP_DBUS_ERROR_UNAVAILABLE, message);
      return TRUE;
    }
  interaction = sp_interaction_manager_dial (context->interactions, target, attached_data, &error);
  if (!interaction)
    {
      sp_dbus_return_error (invocation, error);
      return TRUE;
    }
  path = sp_session_service_path_for (sp_interaction_get_number (interaction));
  sp_agent1_complete_dial (agent, invocation, path);
  return TRUE;
}

static gboolean
handle_list_agents (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);

  sp_agent1_complete_list_agents (agent, invocation,
                                  directory_to_variant (self->context->config->agents, "name"));
  return TRUE;
}

static gboolean
handle_list_queues (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);

  sp_agent1_complete_list_queues (agent, invocation,
                                  directory_to_variant (self->context->config->queues, "name"));
  return TRUE;
}

static gboolean
handle_list_disposition_codes (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);

  sp_agent1_complete_list_disposition_codes (
    agent, invocation, directory_to_variant (self->context->config->disposition_codes, "label"));
  return TRUE;
}

static gboolean
handle_set_readiness (SpAgent1 *agent, GDBusMethodInvocation *invocation, const char *state,
                      const char *reason)
{
  g_autoptr (GError) error = NULL;

  if (!sp_readiness_set (SP_AGENT_SERVICE (agent)->context->readiness, state, reason, &error))
    sp_dbus_return_error (invocation, error);
  else
    sp_agent1_complete_set_readiness (agent, invocation);
  return TRUE;
}

static gboolean
handle_list_not_ready_reasons (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);

  sp_agent1_complete_list_not_ready_reasons (
    agent, invocation, directory_to_variant (self->context->config->not_ready_reasons, "label"));
  return TRUE;
}

static gboolean
handle_import_local_store (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpServiceContext *context = SP_AGENT_SERVICE (agent)->context;
  g_autoptr (GError) error = NULL;
  guint queued;

  if (!context->shared_store)
    {
      sp_dbus_return_error_literal (
        invocation, SP_DBUS_ERROR_UNAVAILABLE,
        context->shared_store_error
          ? context->shared_store_error->message
          : "no shared store is configured ([shared-store] uri in the config file)");
      return TRUE;
    }
  if (!sp_service_context_require_store (context, invocation))
    return TRUE;
  queued = sp_shared_store_import (context->shared_store, &error);
  if (error)
    sp_dbus_return_error (invocation, error);
  else
    sp_agent1_complete_import_local_store (agent, invocation, queued);
  return TRUE;
}

static gboolean
handle_get_disposition_policy (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpConfig *config = SP_AGENT_SERVICE (agent)->context->config;

  sp_agent1_complete_get_disposition_policy (agent, invocation, config->disposition_required,
                                             config->disposition_visible);
  return TRUE;
}

static gboolean
handle_list_case_data_keys (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpConfig *config = SP_AGENT_SERVICE (agent)->context->config;

  sp_agent1_complete_list_case_data_keys (agent, invocation,
                                          (const char *const *)config->case_data_keys);
  return TRUE;
}

static gboolean
handle_list_push_items (SpAgent1 *agent, GDBusMethodInvocation *invocation)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);
  SpStore *store = sp_service_context_require_store (self->context, invocation);
  g_autoptr (GError) error = NULL;
  GVariant *items;

  if (!store)
    return TRUE;
  items = sp_store_push_list (store, &error);
  if (!items)
    sp_dbus_return_error (invocation, error);
  else
    sp_agent1_complete_list_push_items (agent, invocation, items);
  return TRUE;
}

/* Runs when the service may already be gone (shutting down): replies without it. */
static void
on_push_item_added (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GDBusMethodInvocation) invocation = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = sp_push_catalogue_add_finish (result, &error);

  if (id)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", id));
  else
    sp_dbus_return_error (invocation, error);
}

static gboolean
handle_add_push_item (SpAgent1 *agent, GDBusMethodInvocation *invocation, const char *path,
                      const char *title, const char *description, guint image_seconds)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);
  SpStore *store = sp_service_context_require_store (self->context, invocation);
  guint image_ms;

  if (!store)
    return TRUE;
  /* Saturates, so that a huge value is refused as too long rather than wrapping around. */
  image_ms = image_seconds > G_MAXUINT / 1000 ? G_MAXUINT : image_seconds * 1000;
  sp_push_catalogue_add_async (store, self->context->data_dir, path, title, description, image_ms,
                               self->cancellable, on_push_item_added, g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_remove_push_item (SpAgent1 *agent, GDBusMethodInvocation *invocation, const char *id)
{
  SpAgentService *self = SP_AGENT_SERVICE (agent);
  SpStore *store = sp_service_context_require_store (self->context, invocation);
  g_autoptr (GError) error = NULL;

  if (!store)
    return TRUE;
  if (sp_push_catalogue_remove (store, self->context->data_dir, id, &error))
    sp_agent1_complete_remove_push_item (agent, invocation);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}

static void
sp_agent_service_iface_init (SpAgent1Iface *iface)
{
  iface->handle_dial = handle_dial;
  iface->handle_list_agents = handle_list_agents;
  iface->handle_list_queues = handle_list_queues;
  iface->handle_list_push_items = handle_list_push_items;
  iface->handle_add_push_item = handle_add_push_item;
  iface->handle_remove_push_item = handle_remove_push_item;
  iface->handle_list_disposition_codes = handle_list_disposition_codes;
  iface->handle_get_disposition_policy = handle_get_disposition_policy;
  iface->handle_list_case_data_keys = handle_list_case_data_keys;
  iface->handle_set_readiness = handle_set_readiness;
  iface->handle_list_not_ready_reasons = handle_list_not_ready_reasons;
  iface->handle_import_local_store = handle_import_local_store;
}

static void
update_readiness (SpAgentService *self)
{
  SpReadiness *readiness = self->context->readiness;

  sp_agent1_set_readiness (SP_AGENT1 (self), sp_readiness_get_state (readiness));
  sp_agent1_set_readiness_reason (SP_AGENT1 (self), sp_readiness_get_reason (readiness));
  sp_agent1_set_available (SP_AGENT1 (self), sp_readiness_is_available (readiness));
}

static void
on_readiness_changed (GObject *readiness, GParamSpec *pspec, gpointer data)
{
  update_readiness (SP_AGENT_SERVICE (data));
}

static void
update_routing (SpAgentService *self)
{
  g_autofree char *state = NULL;

  if (self->context->routing)
    g_object_get (self->context->routing, "state", &state, NULL);
  else if (self->context->routing_failure)
    state = g_strdup_printf ("failed: %s", self->context->routing_failure);
  sp_agent1_set_routing (SP_AGENT1 (self), state ? state : "off");
}

static void
on_routing_changed (GObject *routing, GParamSpec *pspec, gpointer data)
{
  update_routing (SP_AGENT_SERVICE (data));
}

static void
update_sync_state (SpAgentService *self)
{
  SpSharedStore *shared = self->context->shared_store;
  GVariantBuilder off;

  if (shared)
    {
      sp_agent1_set_sync_state (SP_AGENT1 (self), sp_shared_store_describe (shared));
      return;
    }
  g_variant_builder_init (&off, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (
    &off, "{sv}", "state",
    g_variant_new_string (self->context->shared_store_error ? "unavailable" : "off"));
  if (self->context->shared_store_error)
    g_variant_builder_add (&off, "{sv}", "last-error",
                           g_variant_new_string (self->context->shared_store_error->message));
  sp_agent1_set_sync_state (SP_AGENT1 (self), g_variant_builder_end (&off));
}

static void
on_sync_changed (SpSharedStore *shared, gpointer data)
{
  update_sync_state (SP_AGENT_SERVICE (data));
}

static void
update_camera (SpAgentService *self)
{
  SpCameraMonitor *camera = self->context->camera;

  sp_agent1_set_camera_available (SP_AGENT1 (self),
                                  camera && sp_camera_monitor_get_available (camera));
  if (camera)
    sp_agent1_set_cameras (SP_AGENT1 (self), sp_camera_monitor_dup_cameras (camera));
}

static void
on_camera_changed (GObject *camera, GParamSpec *pspec, gpointer data)
{
  update_camera (SP_AGENT_SERVICE (data));
}

static void
update_registration (SpAgentService *self)
{
  SpSipAgent *sip = self->context->agent;

  sp_agent1_set_registration (SP_AGENT1 (self),
                              sip ? sp_sip_agent_get_registration (sip) : "failed");
  sp_agent1_set_contact_uri (SP_AGENT1 (self), sip ? sp_sip_agent_get_contact_uri (sip) : "");
}

static void
on_registration_changed (GObject *sip, GParamSpec *pspec, gpointer data)
{
  update_registration (SP_AGENT_SERVICE (data));
}

static void
sp_agent_service_dispose (GObject *object)
{
  SpAgentService *self = SP_AGENT_SERVICE (object);

  if (self->context && self->context->camera)
    g_signal_handlers_disconnect_by_data (self->context->camera, self);
  if (self->context && self->context->agent)
    g_signal_handlers_disconnect_by_data (self->context->agent, self);
  if (self->context && self->context->readiness)
    g_signal_handlers_disconnect_by_data (self->context->readiness, self);
  if (self->context && self->context->routing)
    g_signal_handlers_disconnect_by_data (self->context->routing, self);
  if (self->context && self->context->shared_store)
    g_signal_handlers_disconnect_by_data (self->context->shared_store, self);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->context = NULL;
  G_OBJECT_CLASS (sp_agent_service_parent_class)->dispose (object);
}

static void
sp_agent_service_class_init (SpAgentServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_agent_service_dispose;
}

static void
sp_agent_service_init (SpAgentService *self)
{
  self->cancellable = g_cancellable_new ();
}

SpAgentService *
sp_agent_service_new (SpServiceContext *context)
{
  SpAgentService *self = g_object_new (SP_TYPE_AGENT_SERVICE, NULL);
  SpAgent1 *agent = SP_AGENT1 (self);
  SpConfig *config = context->config;

  self->context = context;
  update_registration (self);
  if (context->agent)
    {
      g_signal_connect (context->agent, "notify::registration",
                        G_CALLBACK (on_registration_changed), self);
      g_signal_connect (context->agent, "notify::contact-uri", G_CALLBACK (on_registration_changed),
                        self);
    }
  sp_agent1_set_account (agent, config->account_uri);
  sp_agent1_set_display_name (agent, config->display_name);
  sp_agent1_set_video_allowed (agent, config->video_allowed);
  sp_agent1_set_remote_video_offers (
    agent, sp_remote_video_policy_to_string (config->remote_video_offers));
  sp_agent1_set_version (agent, SP_VERSION);
  sp_agent1_set_cameras (agent, g_variant_new_array (G_VARIANT_TYPE_VARDICT, NULL, 0));
  update_camera (self);
  update_readiness (self);
  g_signal_connect (context->readiness, "notify", G_CALLBACK (on_readiness_changed), self);
  update_routing (self);
  if (context->routing)
    g_signal_connect (context->routing, "notify::state", G_CALLBACK (on_routing_changed), self);
  if (context->camera)
    g_signal_connect (context->camera, "notify::available", G_CALLBACK (on_camera_changed), self);
  update_sync_state (self);
  if (context->shared_store)
    g_signal_connect (context->shared_store, "changed", G_CALLBACK (on_sync_changed), self);
  return self;
}
