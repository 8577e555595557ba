/* Responses1: search and edit standard responses in the store; render them with the agent,
 * a contact and the interaction's data. */
#include "sp-responses-service.h"

#include "sp-dbus-error.h"
#include "sp-session-service.h"
#include "sp-template.h"

struct _SpResponsesService
{
  SpResponses1Skeleton parent_instance;
  SpServiceContext *context;
};

static void
sp_responses_service_iface_init (SpResponses1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpResponsesService, sp_responses_service,
                               SP_TYPE_RESPONSES1_SKELETON,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_RESPONSES1,
                                                      sp_responses_service_iface_init))

/* The values a rendering can draw on. */
typedef struct
{
  SpConfig *config;
  GVariant *contact;  /* a{sv} or NULL */
  GVariant *attached; /* a{ss} or NULL */
  GVariant *case_data;
  GHashTable *session; /* remote, remote-name, direction; or NULL */
  char *scratch;       /* keeps the last looked-up value alive */
} RenderContext;

static const char *
lookup_in (GVariant *dict, const char *key, RenderContext *ctx)
{
  if (!dict)
    return NULL;
  g_clear_pointer (&ctx->scratch, g_free);
  g_variant_lookup (dict, key, "s", &ctx->scratch); /* a{ss} and a{sv} alike */
  return ctx->scratch;
}

static const char *
lookup_value (const char *ns, const char *key, gpointer data)
{
  RenderContext *ctx = data;

  if (g_str_equal (ns, "agent"))
    return g_str_equal (key, "name") ? ctx->config->display_name : ctx->config->account_uri;
  if (g_str_equal (ns, "contact"))
    return lookup_in (ctx->contact, key, ctx);
  if (g_str_equal (ns, "attached"))
    return lookup_in (ctx->attached, key, ctx);
  if (g_str_equal (ns, "case"))
    return lookup_in (ctx->case_data, key, ctx);
  if (g_str_equal (ns, "session") && ctx->session)
    return g_hash_table_lookup (ctx->session, key);
  return NULL;
}

static void
render_and_reply (SpResponsesService *self, GDBusMethodInvocation *invocation,
                  const char *response_id, RenderContext *ctx)
{
  SpStore *store = sp_service_context_require_store (self->context, invocation);
  g_autoptr (GVariant) response = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  const char *body = NULL;

  if (!store)
    return;
  response = sp_store_response_get (store, response_id, &error);
  if (response)
    {
      g_variant_lookup (response, "body", "&s", &body);
      text = sp_template_render (body, lookup_value, ctx, &error);
    }
  g_clear_pointer (&ctx->scratch, g_free);
  if (!text)
    {
      g_prefix_error (&error, "response '%s': ", response_id);
      sp_dbus_return_error (invocation, error);
      return;
    }
  sp_responses1_complete_render (SP_RESPONSES1 (self), invocation, text);
}

static SpInteraction *
find_session (SpResponsesService *self, const char *path)
{
  guint number = sp_session_service_number_from_path (path);

  if (!number || !self->context->interactions)
    return NULL;
  return sp_interaction_manager_lookup (self->context->interactions, number);
}

static gboolean
handle_render (SpResponses1 *object, GDBusMethodInvocation *invocation, const char *response_id,
               const char *session)
{
  SpResponsesService *self = SP_RESPONSES_SERVICE (object);
  RenderContext ctx = { self->context->config };
  g_autoptr (GVariant) contact = NULL;
  g_autoptr (GHashTable) fields = NULL;
  SpInteraction *interaction = NULL;

  if (!g_str_equal (session, "/"))
    {
      interaction = find_session (self, session);
      if (!interaction)
        {
          g_autofree char *message = g_strdup_printf ("no interaction at %s", session);
          sp_dbus_return_error_literal (invocation, SP_DBUS_ERROR_NOT_FOUND, message);
          return TRUE;
        }
      if (*sp_interaction_get_contact_id (interaction) && self->context->store)
        contact = sp_store_contact_get (self->context->store,
                                        sp_interaction_get_contact_id (interaction), NULL);
      fields = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (fields, "remote", (gpointer)sp_interaction_get_remote (interaction));
      g_hash_table_insert (fields, "remote-name",
                           (gpointer)sp_interaction_get_remote_name (interaction));
      g_hash_table_insert (fields, "direction",
                           (gpointer)sp_interaction_get_direction (interaction));
      ctx.contact = contact;
      ctx.attached = sp_interaction_get_attached_data (interaction);
      ctx.case_data = sp_interaction_get_case_data (interaction);
      ctx.session = fields;
    }
  render_and_reply (self, invocation, response_id, &ctx);
  return TRUE;
}

static gboolean
handle_render_for_contact (SpResponses1 *object, GDBusMethodInvocation *invocation,
                           const char *response_id, const char *contact_id, GVariant *attached)
{
  SpResponsesService *self = SP_RESPONSES_SERVICE (object);
  SpStore *store = sp_service_context_require_store (self->context, invocation);
  g_autoptr (GVariant) contact = NULL;
  g_autoptr (GError) error = NULL;
  RenderContext ctx = { self->context->config };

  if (!store)
    return TRUE;
  if (*contact_id)
    {
      contact = sp_store_contact_get (store, contact_id, &error);
      if (!contact)
        {
          sp_dbus_return_error (invocation, error);
          return TRUE;
        }
    }
  ctx.contact = contact;
  ctx.attached = attached;
  /* render_and_reply replies (s), the out signature of both Render and RenderForContact. */
  render_and_reply (self, invocation, response_id, &ctx);
  return TRUE;
}

static gboolean
handle_search (SpResponses1 *object, GDBusMethodInvocation *invocation, const char *text,
               guint limit)
{
  SpStore *store
    = sp_service_context_require_store (SP_RESPONSES_SERVICE (object)->context, invocation);
  g_autoptr (GError) error = NULL;

  if (store)
    {
      GVariant *value = sp_store_response_search (store, text, limit, &error);
      sp_dbus_return_value_or_error (invocation, value, error);
    }
  return TRUE;
}

static gboolean
handle_get (SpResponses1 *object, GDBusMethodInvocation *invocation, const char *id)
{
  SpStore *store
    = sp_service_context_require_store (SP_RESPONSES_SERVICE (object)->context, invocation);
  g_autoptr (GError) error = NULL;

  if (store)
    {
      GVariant *value = sp_store_response_get (store, id, &error);
      sp_dbus_return_value_or_error (invocation, value, error);
    }
  return TRUE;
}

static gboolean
handle_list_categories (SpResponses1 *object, GDBusMethodInvocation *invocation)
{
  SpStore *store
    = sp_service_context_require_store (SP_RESPONSES_SERVICE (object)->context, invocation);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) categories = NULL;

  if (!store)
    return TRUE;
  categories = sp_store_response_categories (store, &error);
  if (categories)
    sp_responses1_complete_list_categories (object, invocation, (const char *const *)categories);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}

/* Placeholders are checked before anything is stored, so a typo never reaches a customer. */
static gboolean
check_bodies (GVariant *records, GError **error)
{
  GVariantIter iter;
  GVariant *record;
  guint index = 0;

  g_variant_iter_init (&iter, records);
  while ((record = g_variant_iter_next_value (&iter)))
    {
      g_autoptr (GVariant) owned = record;
      const char *body = NULL;

      index++;
      if (g_variant_lookup (record, "body", "&s", &body) && !sp_template_check (body, error))
        {
          g_prefix_error (error, "record %u: ", index);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
handle_save (SpResponses1 *object, GDBusMethodInvocation *invocation, GVariant *response)
{
  SpStore *store
    = sp_service_context_require_store (SP_RESPONSES_SERVICE (object)->context, invocation);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  const char *body = NULL;

  if (!store)
    return TRUE;
  if (g_variant_lookup (response, "body", "&s", &body) && !sp_template_check (body, &error))
    {
      sp_dbus_return_error (invocation, error);
      return TRUE;
    }
  id = sp_store_response_save (store, response, &error);
  if (id)
    sp_responses1_complete_save (object, invocation, id);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}

static gboolean
handle_delete (SpResponses1 *object, GDBusMethodInvocation *invocation, const char *id)
{
  SpStore *store
    = sp_service_context_require_store (SP_RESPONSES_SERVICE (object)->context, invocation);
  g_autoptr (GError) error = NULL;

  if (!store)
    return TRUE;
  if (sp_store_response_delete (store, id, &error))
    sp_responses1_complete_delete (object, invocation);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}

static gboolean
handle_import (SpResponses1 *object, GDBusMethodInvocation *invocation, GVariant *responses)
{
  SpStore *store
    = sp_service_context_require_store (SP_RESPONSES_SERVICE (object)->context, invocation);
  g_autoptr (GError) error = NULL;
  guint count;

  if (!store)
    return TRUE;
  if (!check_bodies (responses, &error))
    {
      sp_dbus_return_error (invocation, error);
      return TRUE;
    }
  count = sp_store_response_import (store, responses, &error);
  if (error)
    sp_dbus_return_error (invocation, error);
  else
    sp_responses1_complete_import (object, invocation, count);
  return TRUE;
}

static void
sp_responses_service_iface_init (SpResponses1Iface *iface)
{
  iface->handle_search = handle_search;
  iface->handle_get = handle_get;
  iface->handle_list_categories = handle_list_categories;
  iface->handle_save = handle_save;
  iface->handle_delete = handle_delete;
  iface->handle_import = handle_import;
  iface->handle_render = handle_render;
  iface->handle_render_for_contact = handle_render_for_contact;
}

static void
sp_responses_service_class_init (SpResponsesServiceClass *klass)
{
}

static void
sp_responses_service_init (SpResponsesService *self)
{
}

SpResponsesService *
sp_responses_service_new (SpServiceContext *context)
{
  SpResponsesService *self = g_object_new (SP_TYPE_RESPONSES_SERVICE, NULL);

  self->context = context;
  return self;
}
