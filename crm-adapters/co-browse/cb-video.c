/* Browser video sockets: a join with the code first (BrowserVideo1.Join), then the offer
 * (Offer → answer), candidates both ways (AddCandidate; the Candidate signal) and the end (Leave;
 * the Ended signal). Every message is checked; nothing but these fields reaches the service. */
#include "cb-video.h"

#include "cb-rate.h"
#include "cb-server.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define ROOT_PATH "/org/sportello/Sportello1"
#define VIDEO_IFACE "org.sportello.BrowserVideo1"
#define JOIN_TIMEOUT_S 5
#define MAX_MESSAGE_BYTES (64 * 1024) /* a browser's offer is several KiB */
#define MAX_CANDIDATE_BYTES 1024
#define MAX_MLINE 15
#define MESSAGES_PER_SECOND 20.0
#define BURST 100.0
#define CLOSE_UNAUTHORIZED 4401
#define CLOSE_REPLACED 4409
#define CLOSE_ENDED 4410
#define CLOSE_REFUSED 4403 /* the join was refused: the "refused" message says why */
#define CALL_TIMEOUT_MS 15000
/* A page that reloads closes its socket before the new page joins: the old one's leaving waits
 * this long for the same invitation to join again. */
#define LEAVE_GRACE_MS 3000

struct _CbVideo
{
  CbServer *server;
  GDBusConnection *bus;
  char *bus_name;
  GCancellable *cancellable; /* the calls to the service, cancelled when the relay goes */
  GPtrArray *peers;          /* Peer (owned) */
  GHashTable *leaving;       /* invitation id → its pending Leave (a timeout source id) */
  guint candidate_subscription;
  guint ended_subscription;
  guint name_watch;
};

typedef struct
{
  CbVideo *video;
  SoupWebsocketConnection *connection;
  char *host;
  char *id; /* the invitation, once joined */
  gboolean joining;
  gboolean over; /* left or ended: no Leave when the socket closes */
  guint join_timeout;
  CbRate rate;
} Peer;

/* ---- sending ---- */

static void
send_node (Peer *peer, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  if (soup_websocket_connection_get_state (peer->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (peer->connection, text);
}

/* {"type": TYPE, KEY: VALUE, …} with string values (NULL ends the pairs). */
static void
send_strings (Peer *peer, const char *type, ...)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const char *key;
  va_list args;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  va_start (args, type);
  while ((key = va_arg (args, const char *)))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);
  send_node (peer, builder);
}

static void
close_peer (Peer *peer, gushort code, const char *reason)
{
  peer->over = TRUE;
  if (soup_websocket_connection_get_state (peer->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->connection, code, reason);
}

static Peer *
peer_of_id (CbVideo *self, const char *id)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->id && g_str_equal (peer->id, id))
        return peer;
    }
  return NULL;
}

/* ---- asking the service ---- */

typedef void (*ReplyFunc) (Peer *peer, GVariant *reply, GError *error);

typedef struct
{
  CbVideo *video;
  SoupWebsocketConnection *connection; /* the peer may be gone when the reply comes */
  ReplyFunc func;
} Call;

static Peer *
peer_of_connection (CbVideo *self, SoupWebsocketConnection *connection)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->connection == connection)
        return peer;
    }
  return NULL;
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer data)
{
  Call *call = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
    = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* Cancelled: the relay is going away, and the video with it. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      Peer *peer = peer_of_connection (call->video, call->connection);

      if (peer)
        call->func (peer, reply, error);
    }
  g_object_unref (call->connection);
  g_free (call);
}

static void
ask (Peer *peer, const char *method, GVariant *args, const char *reply_type, ReplyFunc func)
{
  CbVideo *self = peer->video;
  Call *call = g_new0 (Call, 1);

  call->video = self;
  call->connection = g_object_ref (peer->connection);
  call->func = func;
  g_dbus_connection_call (self->bus, self->bus_name, ROOT_PATH, VIDEO_IFACE, method, args,
                          reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, self->cancellable,
                          on_reply, call);
}

/* An error for the page: the service's name and message, or that it is not there. */
static void
send_error (Peer *peer, GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);

  g_dbus_error_strip_remote_error (error);
  send_strings (peer, "error", "name", name ? name : "org.sportello.CoBrowse.Unavailable",
                "message", name ? error->message : "the service is not running", NULL);
}

/* ---- join ---- */

static void
send_joined (Peer *peer, GVariant *settings)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree const char **servers = NULL;
  const char *value;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "joined");
  json_builder_set_member_name (builder, "ice-servers");
  json_builder_begin_array (builder);
  if (g_variant_lookup (settings, "ice-servers", "^a&s", &servers))
    for (guint i = 0; servers[i]; i++)
      json_builder_add_string_value (builder, servers[i]);
  json_builder_end_array (builder);
  for (const char *const *key
       = (const char *const[]){ "turn-username", "turn-credential", "agent-name", NULL };
       *key; key++)
    {
      json_builder_set_member_name (builder, *key);
      json_builder_add_string_value (builder,
                                     g_variant_lookup (settings, *key, "&s", &value) ? value : "");
    }
  json_builder_end_object (builder);
  send_node (peer, builder);
}

static void
on_joined (Peer *peer, GVariant *reply, GError *error)
{
  const char *id;
  g_autoptr (GVariant) settings = NULL;
  Peer *old;

  peer->joining = FALSE;
  if (!reply)
    {
      guint status = cb_server_status_for (error);
      g_autofree char *code = g_strdup_printf ("%u", status);

      if (status == 404 || status == 400)
        cb_server_count_failed_join (peer->video->server, peer->host);
      g_dbus_error_strip_remote_error (error);
      g_message ("browser video: a join from %s was refused: %u %s", peer->host, status,
                 error->message);
      send_strings (peer, "refused", "status", code, "message",
                    status == 503 ? "the service is not running" : error->message, NULL);
      close_peer (peer, CLOSE_REFUSED, "refused");
      return;
    }
  g_variant_get (reply, "(&s@a{sv})", &id, &settings);
  /* The same browser again (a reload): the newer page takes over. */
  if ((old = peer_of_id (peer->video, id)))
    {
      g_clear_pointer (&old->id, g_free);
      close_peer (old, CLOSE_REPLACED, "replaced by a newer page");
    }
  peer->id = g_strdup (id);
  g_hash_table_remove (peer->video->leaving, id); /* a reload: the old page's leaving is off */
  g_clear_handle_id (&peer->join_timeout, g_source_remove);
  send_joined (peer, settings);
}

static gboolean
valid_text (JsonObject *object, const char *member, gsize max, const char **value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (!node || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *value = json_node_get_string (node);
  return strlen (*value) <= max;
}

static void
join (Peer *peer, JsonObject *object)
{
  const char *code, *browser;

  if (peer->id || peer->joining || !valid_text (object, "code", 16, &code)
      || !valid_text (object, "browser", 128, &browser))
    {
      g_message ("browser video: a malformed or repeated join from %s was dropped", peer->host);
      return;
    }
  if (cb_server_joins_blocked (peer->video->server, peer->host))
    {
      send_strings (peer, "refused", "status", "429", "message",
                    "too many wrong codes from this address: try again in a minute", NULL);
      close_peer (peer, CLOSE_REFUSED, "refused");
      return;
    }
  peer->joining = TRUE;
  ask (peer, "Join", g_variant_new ("(ss)", code, browser), "(sa{sv})", on_joined);
}

/* ---- offer, candidates, leave ---- */

static void
on_answered (Peer *peer, GVariant *reply, GError *error)
{
  const char *answer;

  if (!reply)
    {
      send_error (peer, error);
      return;
    }
  g_variant_get (reply, "(&s)", &answer);
  send_strings (peer, "answer", "sdp", answer, NULL);
}

static void
on_done (Peer *peer, GVariant *reply, GError *error)
{
  if (!reply)
    send_error (peer, error);
}

static void
offer (Peer *peer, JsonObject *object)
{
  const char *sdp;

  if (!valid_text (object, "sdp", MAX_MESSAGE_BYTES, &sdp))
    {
      g_message ("browser video %s: an offer without SDP text was dropped", peer->id);
      return;
    }
  ask (peer, "Offer", g_variant_new ("(ss)", peer->id, sdp), "(s)", on_answered);
}

static void
candidate (Peer *peer, JsonObject *object)
{
  JsonNode *mline = json_object_get_member (object, "mline");
  const char *text;

  /* The browser's end-of-candidates (an empty one) needs nothing from us. */
  if (valid_text (object, "candidate", MAX_CANDIDATE_BYTES, &text) && !*text)
    return;
  if (!mline || !JSON_NODE_HOLDS_VALUE (mline) || json_node_get_value_type (mline) != G_TYPE_INT64
      || json_node_get_int (mline) < 0 || json_node_get_int (mline) > MAX_MLINE
      || !valid_text (object, "candidate", MAX_CANDIDATE_BYTES, &text)
      || !g_str_has_prefix (text, "candidate:"))
    {
      g_message ("browser video %s: a malformed candidate was dropped", peer->id);
      return;
    }
  ask (peer, "AddCandidate",
       g_variant_new ("(sus)", peer->id, (guint32)json_node_get_int (mline), text), NULL, on_done);
}

static void
leave (Peer *peer, JsonObject *object)
{
  static const char *const reasons[] = { "closed", "camera-denied", "camera-error", NULL };
  const char *reason;

  if (!valid_text (object, "reason", 32, &reason) || !g_strv_contains (reasons, reason))
    reason = "closed";
  ask (peer, "Leave", g_variant_new ("(ss)", peer->id, reason), NULL, on_done);
  g_clear_pointer (&peer->id, g_free);
  close_peer (peer, SOUP_WEBSOCKET_CLOSE_NORMAL, "left");
}

static void
handle (Peer *peer, const char *text, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *type;

  if (!json_parser_load_from_data (parser, text, (gssize)length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_message ("browser video: a message that is no JSON object was dropped");
      return;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (object, "type", "");
  if (g_str_equal (type, "join"))
    join (peer, object);
  else if (!peer->id)
    g_message ("browser video: a %s before the join was dropped", type);
  else if (g_str_equal (type, "offer"))
    offer (peer, object);
  else if (g_str_equal (type, "candidate"))
    candidate (peer, object);
  else if (g_str_equal (type, "leave"))
    leave (peer, object);
  else
    g_message ("browser video %s: an unknown message was dropped", peer->id);
}

/* ---- the socket ---- */

static void
on_message (SoupWebsocketConnection *connection, gint type, GBytes *bytes, gpointer data)
{
  Peer *peer = data;
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("browser video: closed a socket from %s that sent binary data", peer->host);
      close_peer (peer, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "text messages only");
      return;
    }
  if (!cb_rate_take (&peer->rate, MESSAGES_PER_SECOND, BURST))
    {
      g_message ("browser video: a message over the rate limit from %s was dropped", peer->host);
      return;
    }
  handle (peer, text, length);
}

static gboolean
on_join_timeout (gpointer data)
{
  Peer *peer = data;

  peer->join_timeout = 0;
  close_peer (peer, CLOSE_UNAUTHORIZED, "no join in time");
  return G_SOURCE_REMOVE;
}

static void
peer_free (Peer *peer)
{
  g_clear_handle_id (&peer->join_timeout, g_source_remove);
  g_signal_handlers_disconnect_by_data (peer->connection, peer);
  g_object_unref (peer->connection);
  g_free (peer->host);
  g_free (peer->id);
  g_free (peer);
}

typedef struct
{
  CbVideo *video;
  char *id;
} Leaving;

static void
leaving_free (Leaving *leaving)
{
  g_free (leaving->id);
  g_free (leaving);
}

static gboolean
on_leave_grace_over (gpointer data)
{
  Leaving *leaving = data;
  CbVideo *self = leaving->video;
  gpointer key;

  g_dbus_connection_call (self->bus, self->bus_name, ROOT_PATH, VIDEO_IFACE, "Leave",
                          g_variant_new ("(ss)", leaving->id, "closed"), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, NULL, NULL);
  /* Stolen, not removed: the source ends by returning, which frees LEAVING. */
  if (g_hash_table_steal_extended (self->leaving, leaving->id, &key, NULL))
    g_free (key);
  return G_SOURCE_REMOVE;
}

/* A page that went away without saying so (closed tab, lost network, a reload) has left, unless
 * the same invitation joins again within the grace time. */
static void
on_closed (SoupWebsocketConnection *connection, gpointer data)
{
  Peer *peer = data;
  CbVideo *self = peer->video;

  if (peer->id && !peer->over && !g_hash_table_contains (self->leaving, peer->id))
    {
      Leaving *leaving = g_new0 (Leaving, 1);

      leaving->video = self;
      leaving->id = g_strdup (peer->id);
      g_hash_table_insert (self->leaving, g_strdup (peer->id),
                           GUINT_TO_POINTER (g_timeout_add_full (G_PRIORITY_DEFAULT, LEAVE_GRACE_MS,
                                                                 on_leave_grace_over, leaving,
                                                                 (GDestroyNotify)leaving_free)));
    }
  g_ptr_array_remove (self->peers, peer);
}

void
cb_video_on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                       SoupWebsocketConnection *connection, gpointer user_data)
{
  CbVideo *self = user_data;
  Peer *peer = g_new0 (Peer, 1);
  const char *host = soup_server_message_get_remote_host (msg);

  peer->video = self;
  peer->connection = g_object_ref (connection);
  peer->host = g_strdup (host ? host : "");
  cb_rate_init (&peer->rate, BURST);
  /* Longer messages are closed by libsoup (1009, too big). */
  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_MESSAGE_BYTES);
  peer->join_timeout = g_timeout_add_seconds (JOIN_TIMEOUT_S, on_join_timeout, peer);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), peer);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), peer);
  g_ptr_array_add (self->peers, peer);
}

/* ---- the service's signals ---- */

static void
on_candidate (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
              const char *name, GVariant *parameters, gpointer data)
{
  const char *id, *text;
  guint32 mline;
  Peer *peer;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sus)")))
    return;
  g_variant_get (parameters, "(&su&s)", &id, &mline, &text);
  if (!(peer = peer_of_id (data, id)))
    return;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "candidate");
  json_builder_set_member_name (builder, "mline");
  json_builder_add_int_value (builder, mline);
  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  send_node (peer, builder);
}

static void
end_peer (Peer *peer, const char *reason)
{
  send_strings (peer, "ended", "reason", reason, NULL);
  g_clear_pointer (&peer->id, g_free);
  close_peer (peer, CLOSE_ENDED, "the video ended");
}

static void
on_ended (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
          const char *name, GVariant *parameters, gpointer data)
{
  const char *id, *reason;
  Peer *peer;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ss)")))
    return;
  g_variant_get (parameters, "(&s&s)", &id, &reason);
  if ((peer = peer_of_id (data, id)))
    end_peer (peer, reason);
}

static void
on_service_vanished (GDBusConnection *bus, const char *name, gpointer data)
{
  CbVideo *self = data;

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->id)
        end_peer (peer, "service-stopped");
    }
}

static guint
subscribe (CbVideo *self, const char *member, GDBusSignalCallback callback)
{
  return g_dbus_connection_signal_subscribe (self->bus, self->bus_name, VIDEO_IFACE, member,
                                             ROOT_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, callback,
                                             self, NULL);
}

static void
remove_source (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

CbVideo *
cb_video_new (CbServer *server, GDBusConnection *bus, const char *bus_name)
{
  CbVideo *self = g_new0 (CbVideo, 1);

  self->server = server;
  self->bus = g_object_ref (bus);
  self->bus_name = g_strdup (bus_name);
  self->cancellable = g_cancellable_new ();
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)peer_free);
  self->leaving = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, remove_source);
  self->candidate_subscription = subscribe (self, "Candidate", on_candidate);
  self->ended_subscription = subscribe (self, "Ended", on_ended);
  self->name_watch = g_bus_watch_name_on_connection (bus, bus_name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                     NULL, on_service_vanished, self, NULL);
  return self;
}

void
cb_video_free (CbVideo *self)
{
  if (!self)
    return;
  g_dbus_connection_signal_unsubscribe (self->bus, self->candidate_subscription);
  g_dbus_connection_signal_unsubscribe (self->bus, self->ended_subscription);
  g_bus_unwatch_name (self->name_watch);
  g_ptr_array_unref (self->peers);
  g_hash_table_unref (self->leaving);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_free (self->bus_name);
  g_object_unref (self->bus);
  g_free (self);
}
