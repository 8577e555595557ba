/* One round sends dispatcher.set_state for every set, each a JSON-RPC request of its own;
 * the round's outcome is the state. A change during a round is sent by the next one. */
#include "sp-routing-module.h"

#include <gmodule.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define RETRY_S 3    /* after a failed round */
#define REFRESH_S 30 /* a router that restarted forgets what it was told */
#define TIMEOUT_S 5  /* one request */

#define SP_TYPE_ROUTING_PUBLISHER (sp_routing_publisher_get_type ())
G_DECLARE_FINAL_TYPE (SpRoutingPublisher, sp_routing_publisher, SP, ROUTING_PUBLISHER, GObject)

struct _SpRoutingPublisher
{
  GObject parent_instance;

  SpReadiness *readiness;
  char *rpc_url;
  char *destination;
  GArray *sets;
  SoupSession *session;
  GCancellable *cancellable;
  char *state;
  guint outstanding; /* requests of the running round */
  char *failure;     /* the round's first failure */
  gboolean again;    /* availability changed during the round */
  guint timer_id;    /* the retry or the refresh */
  guint request_id;
};

G_DEFINE_FINAL_TYPE (SpRoutingPublisher, sp_routing_publisher, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
publish (SpRoutingPublisher *self);

static void
set_state (SpRoutingPublisher *self, const char *state)
{
  if (g_strcmp0 (state, self->state) == 0)
    return;
  g_free (self->state);
  self->state = g_strdup (state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
on_timer (gpointer data)
{
  SpRoutingPublisher *self = data;

  self->timer_id = 0;
  publish (self);
  return G_SOURCE_REMOVE;
}

static void
finish_round (SpRoutingPublisher *self)
{
  g_autofree char *failure = g_steal_pointer (&self->failure);

  if (self->again)
    {
      publish (self);
      return;
    }
  if (failure)
    {
      g_autofree char *state = g_strdup_printf ("failed: %s", failure);

      if (g_strcmp0 (state, self->state) != 0)
        g_warning ("the router was not told this agent's availability: %s", failure);
      set_state (self, state);
    }
  else
    set_state (self, "published");
  self->timer_id = g_timeout_add_seconds (failure ? RETRY_S : REFRESH_S, on_timer, self);
}

/* The "message" of a JSON-RPC error reply (kamailio sends it with HTTP 500), else NULL. */
static char *
rpc_error_message (GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *rpc_error;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member (json_node_get_object (root), "error"))
    return NULL;
  rpc_error = json_object_get_object_member (json_node_get_object (root), "error");
  return g_strdup (rpc_error ? json_object_get_string_member_with_default (rpc_error, "message",
                                                                           "the router refused")
                             : "the router refused");
}

/* NULL when the reply says the state was set, else why not. */
static char *
reply_problem (SoupMessage *message, GBytes *body, const GError *error)
{
  char *refusal;

  if (!body)
    return g_strdup (error->message);
  refusal = rpc_error_message (body);
  if (refusal)
    return refusal;
  if (soup_message_get_status (message) != SOUP_STATUS_OK)
    return g_strdup_printf ("HTTP %u %s", soup_message_get_status (message),
                            soup_message_get_reason_phrase (message));
  return NULL;
}

typedef struct
{
  SpRoutingPublisher *self;
  SoupMessage *message;
} Request;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Request *request = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SpRoutingPublisher *self = request->self;
  g_autofree char *problem = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (request->message);
      g_free (request);
      return;
    }
  problem = reply_problem (request->message, body, error);
  g_object_unref (request->message);
  g_free (request);
  if (problem && !self->failure)
    self->failure = g_steal_pointer (&problem);
  if (--self->outstanding == 0)
    finish_round (self);
}

static GBytes *
request_body (SpRoutingPublisher *self, guint set, gboolean available)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gsize length;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "dispatcher.set_state");
  json_builder_set_member_name (builder, "params");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, available ? "a" : "i");
  json_builder_add_int_value (builder, set);
  json_builder_add_string_value (builder, self->destination);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, ++self->request_id);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static void
publish (SpRoutingPublisher *self)
{
  gboolean available = sp_readiness_is_available (self->readiness);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->again = FALSE;
  set_state (self, "publishing");
  self->outstanding = self->sets->len;
  for (guint i = 0; i < self->sets->len; i++)
    {
      Request *request = g_new0 (Request, 1);
      g_autoptr (GBytes) body
        = request_body (self, g_array_index (self->sets, guint, i), available);

      request->self = self;
      request->message = soup_message_new (SOUP_METHOD_POST, self->rpc_url);
      soup_message_set_request_body_from_bytes (request->message, "application/json", body);
      soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                        self->cancellable, on_sent, request);
    }
}

static void
on_available (GObject *readiness, GParamSpec *pspec, gpointer data)
{
  SpRoutingPublisher *self = data;

  if (self->outstanding > 0)
    self->again = TRUE;
  else
    publish (self);
}

static void
sp_routing_publisher_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpRoutingPublisher *self = SP_ROUTING_PUBLISHER (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_string (value, self->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_routing_publisher_dispose (GObject *object)
{
  SpRoutingPublisher *self = SP_ROUTING_PUBLISHER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->readiness)
    g_signal_handlers_disconnect_by_data (self->readiness, self);
  self->readiness = NULL;
  g_clear_object (&self->session);
  G_OBJECT_CLASS (sp_routing_publisher_parent_class)->dispose (object);
}

static void
sp_routing_publisher_finalize (GObject *object)
{
  SpRoutingPublisher *self = SP_ROUTING_PUBLISHER (object);

  g_object_unref (self->cancellable);
  g_free (self->rpc_url);
  g_free (self->destination);
  g_array_unref (self->sets);
  g_free (self->state);
  g_free (self->failure);
  G_OBJECT_CLASS (sp_routing_publisher_parent_class)->finalize (object);
}

static void
sp_routing_publisher_class_init (SpRoutingPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sp_routing_publisher_get_property;
  object_class->dispose = sp_routing_publisher_dispose;
  object_class->finalize = sp_routing_publisher_finalize;
  properties[PROP_STATE]
    = g_param_spec_string ("state", NULL, NULL, "publishing",
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_routing_publisher_init (SpRoutingPublisher *self)
{
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", TIMEOUT_S, "user-agent",
                                                 "Sportello/" SP_VERSION, NULL);
}

static GObject *
create (SpReadiness *readiness, const char *rpc_url, const char *destination, GArray *sets)
{
  SpRoutingPublisher *self = g_object_new (SP_TYPE_ROUTING_PUBLISHER, NULL);

  self->readiness = readiness;
  self->rpc_url = g_strdup (rpc_url);
  self->destination = g_strdup (destination);
  self->sets = g_array_ref (sets);
  g_signal_connect (readiness, "notify::available", G_CALLBACK (on_available), self);
  publish (self);
  return G_OBJECT (self);
}

G_MODULE_EXPORT const SpRoutingModule sp_routing_module = {
  .abi = SP_ROUTING_MODULE_ABI,
  .create = create,
};
