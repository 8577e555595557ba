/* Rooms, tickets and WebSockets: a browser proves itself with a ticket in its first message, then
 * each message it sends is checked (cb-message.c) and passed to the other browser of its room;
 * pages go to the history through CoBrowse1.Visited, the customer's leaving through Left, and
 * the service's Ended closes the room. */
#include "cb-relay.h"

#include "cb-rate.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define ROOT_PATH "/org/sportello/Sportello1"
#define COBROWSE_IFACE "org.sportello.CoBrowse1"
#define HELLO_TIMEOUT_S 5
#define CLOSE_UNAUTHORIZED 4401
#define CLOSE_FORBIDDEN 4403
#define CLOSE_REPLACED 4409
#define CLOSE_ENDED 4410
#define MESSAGES_PER_SECOND 60.0
#define BURST 120.0

typedef struct
{
  CbRelay *relay;
  SoupWebsocketConnection *connection;
  CbRoom *room; /* NULL until the hello */
  CbRole role;
  guint hello_timeout;
  CbRate rate;
  guint dropped;
} Client;

struct _CbRelay
{
  GDBusConnection *bus;
  char *bus_name;
  GStrv origins;
  CbRooms *rooms;
  GCancellable *cancellable; /* the calls to the service, cancelled when the relay goes */
  GPtrArray *clients;        /* Client (owned) */
  guint ended_subscription;
  guint name_watch;
};

/* ---- tickets ---- */

char *
cb_relay_issue_ticket (CbRelay *self, const char *session, CbRole role, GVariant *site)
{
  return cb_rooms_issue (self->rooms, session, role, site);
}

static void
send_json (Client *client, const char *text)
{
  if (client
      && soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (client->connection, text);
}

static Client *
peer_of (Client *client)
{
  return client->room ? cb_room_peer (client->room, client->role) : NULL;
}

static void
tell_presence (Client *to, gboolean present)
{
  g_autofree char *text
    = g_strdup_printf ("{\"type\":\"peer\",\"present\":%s}", present ? "true" : "false");

  send_json (to, text);
}

/* The service ended SESSION: both browsers hear why and are closed; its tickets go. */
static void
end_room (CbRelay *self, const char *session, const char *reason)
{
  CbRoom *room = cb_rooms_lookup (self->rooms, session);
  g_autofree char *text = NULL;

  if (!room)
    return;
  g_message ("co-browse %s ended: %s", session, reason);
  text = g_strdup_printf ("{\"type\":\"ended\",\"reason\":\"%s\"}", reason);
  for (guint role = 0; role < 2; role++)
    {
      Client *client = room->browsers[role];

      if (!client)
        continue;
      send_json (client, text);
      client->room = NULL;
      room->browsers[role] = NULL;
      soup_websocket_connection_close (client->connection, CLOSE_ENDED, "the co-browse ended");
    }
  cb_rooms_remove (self->rooms, session);
}

static void
on_ended (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
          const char *member, GVariant *args, gpointer data)
{
  const char *session, *reason;

  if (!g_variant_is_of_type (args, G_VARIANT_TYPE ("(ss)")))
    return;
  g_variant_get (args, "(&s&s)", &session, &reason);
  end_room (data, session, reason);
}

/* sportellod went away: its sessions are over. */
static void
on_service_vanished (GDBusConnection *bus, const char *name, gpointer data)
{
  CbRelay *self = data;
  g_autoptr (GPtrArray) sessions = cb_rooms_list (self->rooms);

  for (guint i = 0; i < sessions->len; i++)
    end_room (self, g_ptr_array_index (sessions, i), "service-stopped");
}

/* ---- the service's side ---- */

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autofree char *what = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
    = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (!reply)
    g_message ("co-browse: %s refused: %s", what, error->message);
}

static void
call_service (CbRelay *self, const char *method, GVariant *args)
{
  g_dbus_connection_call (self->bus, self->bus_name, ROOT_PATH, COBROWSE_IFACE, method, args, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, self->cancellable, on_call_done,
                          g_strdup (method));
}

typedef struct
{
  CbRelay *relay;
  char *session;
} Leaving;

/* The service answers Left with Ended, which closes the room; when it cannot (the session is
 * already over for it, or it does not answer), the relay closes the room itself: the customer
 * asked to leave and must not stay watched. */
static void
on_left (GObject *source, GAsyncResult *result, gpointer data)
{
  Leaving *leaving = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
    = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (!reply && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_message ("co-browse %s: Left refused (%s); closing the room here", leaving->session,
                 error->message);
      end_room (leaving->relay, leaving->session, "customer-left");
    }
  g_free (leaving->session);
  g_free (leaving);
}

static void
leave (CbRelay *self, const char *session)
{
  Leaving *leaving = g_new0 (Leaving, 1);

  leaving->relay = self;
  leaving->session = g_strdup (session);
  g_dbus_connection_call (self->bus, self->bus_name, ROOT_PATH, COBROWSE_IFACE, "Left",
                          g_variant_new ("(ss)", session, "customer"), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, self->cancellable, on_left,
                          leaving);
}

/* ---- one browser ---- */

static gboolean
within_rate (Client *client)
{
  return cb_rate_take (&client->rate, MESSAGES_PER_SECOND, BURST);
}

static void
welcome (Client *client)
{
  CbRoom *room = client->room;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "welcome");
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, cb_role_to_string (client->role));
  json_builder_set_member_name (builder, "leader");
  json_builder_add_string_value (builder, cb_role_to_string (room->leader));
  json_builder_set_member_name (builder, "peer");
  json_builder_add_boolean_value (builder, peer_of (client) != NULL);
  json_builder_set_member_name (builder, "origins");
  json_builder_begin_array (builder);
  for (guint i = 0; room->origins[i]; i++)
    json_builder_add_string_value (builder, room->origins[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  send_json (client, text);
}

/* The first message: {"type": "hello", "ticket": T}. */
static void
hello (Client *client, const char *text, gsize length)
{
  CbRelay *self = client->relay;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object = NULL;
  const char *ticket = NULL;
  CbRoom *room;
  CbRole role;
  Client *old;

  if (length < 1024 && json_parser_load_from_data (parser, text, (gssize)length, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_get_object (json_parser_get_root (parser));
  if (object
      && g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), "hello") == 0)
    ticket = json_object_get_string_member_with_default (object, "ticket", NULL);
  room = cb_rooms_redeem (self->rooms, ticket, &role);
  if (!room)
    {
      g_message ("co-browse: a browser without a valid ticket was refused");
      soup_websocket_connection_close (client->connection, CLOSE_UNAUTHORIZED, "no valid ticket");
      return;
    }
  g_clear_handle_id (&client->hello_timeout, g_source_remove);
  client->role = role;
  client->room = room;
  /* A new page of the same browser takes its place: one socket per role. */
  if ((old = cb_room_attach (room, role, client)))
    {
      old->room = NULL;
      soup_websocket_connection_close (old->connection, CLOSE_REPLACED, "replaced");
    }
  welcome (client);
  tell_presence (peer_of (client), TRUE);
}

static void
relay_message (Client *client, const char *text, gsize length)
{
  CbRoom *room = client->room;
  g_autoptr (GError) error = NULL;
  g_autoptr (CbMessage) message = NULL;

  if (!within_rate (client))
    {
      if (client->dropped++ == 0)
        g_message ("co-browse %s: the %s's browser sends too fast; dropping", room->session,
                   cb_role_to_string (client->role));
      return;
    }
  message = cb_message_check (text, length, client->role, room->leader,
                              (const char *const *)room->origins, &error);
  if (!message)
    {
      g_message ("co-browse %s: dropped a message from the %s: %s", room->session,
                 cb_role_to_string (client->role), error->message);
      return;
    }
  switch (message->type)
    {
      case CB_MESSAGE_NAVIGATE:
        call_service (client->relay, "Visited",
                      g_variant_new ("(ss)", room->session, message->url));
        break;
      case CB_MESSAGE_LEAVE:
        leave (client->relay, room->session);
        return;
      case CB_MESSAGE_CONTROL:
        room->leader = message->leader;
        send_json (client, message->forward);
        break;
      default:
        break;
    }
  send_json (peer_of (client), message->forward);
}

static void
on_message (SoupWebsocketConnection *connection, gint type, GBytes *bytes, gpointer data)
{
  Client *client = data;
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT || length > CB_MESSAGE_MAX_BYTES)
    {
      g_message ("co-browse %s: closed the %s's socket: a %s message of %" G_GSIZE_FORMAT " bytes",
                 client->room ? client->room->session : "(no hello yet)",
                 client->room ? cb_role_to_string (client->role) : "unknown browser",
                 type == SOUP_WEBSOCKET_DATA_TEXT ? "text" : "binary", length);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                       "text messages of at most 4 KiB");
      return;
    }
  if (client->room)
    relay_message (client, text, length);
  else
    hello (client, text, length);
}

static gboolean
on_hello_timeout (gpointer data)
{
  Client *client = data;

  client->hello_timeout = 0;
  soup_websocket_connection_close (client->connection, CLOSE_UNAUTHORIZED, "no hello in time");
  return G_SOURCE_REMOVE;
}

static void
client_free (Client *client)
{
  g_clear_handle_id (&client->hello_timeout, g_source_remove);
  g_signal_handlers_disconnect_by_data (client->connection, client);
  g_object_unref (client->connection);
  g_free (client);
}

static void
on_closed (SoupWebsocketConnection *connection, gpointer data)
{
  Client *client = data;
  CbRoom *room = client->room;

  if (room && cb_room_detach (room, client->role, client))
    tell_presence (peer_of (client), FALSE);
  g_ptr_array_remove (client->relay->clients, client);
}

void
cb_relay_on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                       SoupWebsocketConnection *connection, gpointer user_data)
{
  CbRelay *self = user_data;
  const char *origin
    = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin");
  Client *client;

  if (!origin || !g_strv_contains ((const char *const *)self->origins, origin))
    {
      g_message ("co-browse: a WebSocket from %s was refused (not a site origin)",
                 origin ? origin : "no origin");
      soup_websocket_connection_close (connection, CLOSE_FORBIDDEN, "not a co-browsed site");
      return;
    }
  client = g_new0 (Client, 1);
  client->relay = self;
  client->connection = g_object_ref (connection);
  cb_rate_init (&client->rate, BURST);
  client->hello_timeout = g_timeout_add_seconds (HELLO_TIMEOUT_S, on_hello_timeout, client);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), client);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), client);
  g_ptr_array_add (self->clients, client);
}

/* ---- the relay ---- */

CbRelay *
cb_relay_new (GDBusConnection *bus, const char *bus_name, const char *const *origins)
{
  CbRelay *self = g_new0 (CbRelay, 1);

  self->bus = g_object_ref (bus);
  self->bus_name = g_strdup (bus_name);
  self->origins = g_strdupv ((char **)origins);
  self->rooms = cb_rooms_new ();
  self->cancellable = g_cancellable_new ();
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify)client_free);
  self->ended_subscription
    = g_dbus_connection_signal_subscribe (bus, bus_name, COBROWSE_IFACE, "Ended", ROOT_PATH, NULL,
                                          G_DBUS_SIGNAL_FLAGS_NONE, on_ended, self, NULL);
  self->name_watch = g_bus_watch_name_on_connection (bus, bus_name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                     NULL, on_service_vanished, self, NULL);
  return self;
}

const char *
cb_relay_get_bus_name (CbRelay *self)
{
  return self->bus_name;
}

GDBusConnection *
cb_relay_get_bus (CbRelay *self)
{
  return self->bus;
}

void
cb_relay_free (CbRelay *self)
{
  if (!self)
    return;
  g_dbus_connection_signal_unsubscribe (self->bus, self->ended_subscription);
  g_bus_unwatch_name (self->name_watch);
  g_ptr_array_unref (self->clients);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  cb_rooms_free (self->rooms);
  g_strfreev (self->origins);
  g_free (self->bus_name);
  g_object_unref (self->bus);
  g_free (self);
}
