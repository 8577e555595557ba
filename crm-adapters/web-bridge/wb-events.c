#include "wb-events.h"
#include "wb-gate.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define SESSION_PREFIX "/org/sportello/Sportello1/session/"
#define AUTH_TIMEOUT_S 5
#define MAX_INCOMING 4096
#define CLOSE_UNAUTHORIZED 4401

typedef struct
{
  WbEvents *events;
  SoupWebsocketConnection *connection;
  gboolean authenticated;
  guint auth_timeout;
} Client;

struct _WbEvents
{
  GDBusConnection *bus;
  const WbGate *gate;
  guint subscription;
  GPtrArray *clients; /* Client, owned */
};

/* ---- signals to JSON ---- */

static gint64
session_number (const char *path)
{
  return g_str_has_prefix (path, SESSION_PREFIX)
           ? g_ascii_strtoll (path + strlen (SESSION_PREFIX), NULL, 10)
           : -1;
}

static void
add_member (JsonBuilder *builder, const char *name, GVariant *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, json_gvariant_serialize (value));
}

/* The friendlier shapes of the object manager's and the properties' signals; FALSE when the
 * signal is not one of them. */
static gboolean
build_known (JsonBuilder *builder, const char *path, const char *iface, const char *member,
             GVariant *args)
{
  g_autoptr (GVariant) first = g_variant_n_children (args) ? g_variant_get_child_value (args, 0) : NULL;
  g_autoptr (GVariant) second = g_variant_n_children (args) > 1 ? g_variant_get_child_value (args, 1) : NULL;

  if (g_str_equal (member, "PropertiesChanged") && first && second)
    {
      const char *changed_iface = g_variant_get_string (first, NULL);

      if (g_str_equal (changed_iface, "org.sportello.Session1"))
        {
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "session-changed");
          json_builder_set_member_name (builder, "number");
          json_builder_add_int_value (builder, session_number (path));
        }
      else if (g_str_equal (changed_iface, "org.sportello.Agent1"))
        {
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "state-changed");
        }
      else
        return FALSE;
      add_member (builder, "changed", second);
      return TRUE;
    }
  if ((g_str_equal (member, "InterfacesAdded") || g_str_equal (member, "InterfacesRemoved"))
      && first && second)
    {
      const char *object = g_variant_get_string (first, NULL);
      gboolean added = g_str_equal (member, "InterfacesAdded");
      g_autoptr (GVariant) properties
        = added ? g_variant_lookup_value (second, "org.sportello.Session1", G_VARIANT_TYPE_VARDICT)
                : NULL;

      if (session_number (object) < 0 || (added && properties == NULL))
        return FALSE;
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, added ? "session-added" : "session-removed");
      json_builder_set_member_name (builder, "number");
      json_builder_add_int_value (builder, session_number (object));
      if (properties)
        add_member (builder, "properties", properties);
      return TRUE;
    }
  return FALSE;
}

static char *
signal_to_json (const char *path, const char *iface, const char *member, GVariant *args)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (!build_known (builder, path, iface, member, args))
    {
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "signal");
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "interface");
      json_builder_add_string_value (builder, iface);
      json_builder_set_member_name (builder, "member");
      json_builder_add_string_value (builder, member);
      add_member (builder, "args", args);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
on_signal (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
           const char *member, GVariant *args, gpointer data)
{
  WbEvents *self = data;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (!client->authenticated
          || soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;
      if (text == NULL)
        text = signal_to_json (path, iface, member, args);
      soup_websocket_connection_send_text (client->connection, text);
    }
}

/* ---- connections ---- */

static void
client_free (Client *client)
{
  g_clear_handle_id (&client->auth_timeout, g_source_remove);
  g_signal_handlers_disconnect_by_data (client->connection, client);
  g_object_unref (client->connection);
  g_free (client);
}

static void
refuse (Client *client, const char *why)
{
  g_message ("event stream closed: %s", why);
  g_clear_handle_id (&client->auth_timeout, g_source_remove);
  soup_websocket_connection_close (client->connection, CLOSE_UNAUTHORIZED, why);
}

static gboolean
on_auth_timeout (gpointer data)
{
  Client *client = data;

  client->auth_timeout = 0;
  refuse (client, "no token within 5 s");
  return G_SOURCE_REMOVE;
}

/* The token of an auth message (free it with g_free after zeroing it), or NULL. */
static char *
auth_token (GBytes *message)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  JsonObject *object;

  if (!json_parser_load_from_data (parser, data, (gssize)size, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), "auth") != 0)
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (object, "token", ""));
}

static void
on_message (SoupWebsocketConnection *connection, gint type, GBytes *message, gpointer data)
{
  Client *client = data;
  char *token;
  gboolean valid;

  if (client->authenticated)
    return; /* the stream only speaks; what a page says after its token is ignored */
  token = type == SOUP_WEBSOCKET_DATA_TEXT ? auth_token (message) : NULL;
  valid = wb_gate_token_matches (client->events->gate, token);
  if (token)
    memset (token, 0, strlen (token));
  g_free (token);
  if (!valid)
    {
      refuse (client, "the first message must be {\"type\": \"auth\", \"token\": TOKEN}");
      return;
    }
  client->authenticated = TRUE;
  g_clear_handle_id (&client->auth_timeout, g_source_remove);
  soup_websocket_connection_send_text (connection, "{\"type\":\"ready\"}");
}

static void
on_closed (SoupWebsocketConnection *connection, gpointer data)
{
  Client *client = data;

  g_ptr_array_remove (client->events->clients, client);
}

void
wb_events_on_connection (SoupServer *server, SoupServerMessage *msg, const char *path,
                         SoupWebsocketConnection *connection, gpointer data)
{
  WbEvents *self = data;
  Client *client = g_new0 (Client, 1);

  client->events = self;
  client->connection = g_object_ref (connection);
  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_INCOMING);
  soup_websocket_connection_set_keepalive_interval (connection, 30);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), client);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), client);
  client->auth_timeout = g_timeout_add_seconds (AUTH_TIMEOUT_S, on_auth_timeout, client);
  g_ptr_array_add (self->clients, client);
}

guint
wb_events_count_authenticated (WbEvents *self)
{
  guint count = 0;

  for (guint i = 0; i < self->clients->len; i++)
    count += ((Client *)g_ptr_array_index (self->clients, i))->authenticated;
  return count;
}

WbEvents *
wb_events_new (GDBusConnection *bus, const char *bus_name, const WbGate *gate)
{
  WbEvents *self = g_new0 (WbEvents, 1);

  self->bus = g_object_ref (bus);
  self->gate = gate;
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify)client_free);
  self->subscription = g_dbus_connection_signal_subscribe (
    bus, bus_name, NULL, NULL, NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, self, NULL);
  return self;
}

void
wb_events_free (WbEvents *self)
{
  if (self == NULL)
    return;
  g_dbus_connection_signal_unsubscribe (self->bus, self->subscription);
  g_ptr_array_unref (self->clients);
  g_object_unref (self->bus);
  g_free (self);
}
