/* HTTP routes of the relay. Joining asks the service (CoBrowse1.Join/JoinAgent, which owns the
 * codes and their rules); the relay adds a per-address limit on failed joins and hands out a
 * ticket for the WebSocket. Pages come from the program's resources, with headers that keep the
 * code and the ticket from leaking (no-store, no referrer) and the pages from being framed. */
#include "cb-server.h"

#include "cb-video.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define RESOURCES "/org/sportello/co-browse/"
#define ROOT_PATH "/org/sportello/Sportello1"
#define COBROWSE_IFACE "org.sportello.CoBrowse1"
#define MAX_JOIN_BODY 1024
#define MAX_TRACKED_ADDRESSES 1024
#define ATTEMPT_WINDOW_US ((gint64)60 * G_USEC_PER_SEC)

struct _CbServer
{
  CbRelay *relay;
  SoupServer *server;
  char *public_origin;
  GStrv origins;
  guint max_attempts;
  GHashTable *failures; /* remote address → Failures */
  CbVideo *video;       /* the browser video's signalling (/video/ws) */
};

typedef struct
{
  gint64 window_started;
  guint count;
} Failures;

static const char page_policy[]
  = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/* The video page shows camera streams (MediaStream objects, not fetched URLs). */
static const char video_page_policy[]
  = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "media-src 'self' blob: mediastream:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

static void
common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
}

static void
send_json (SoupServerMessage *msg, guint status, const char *text)
{
  common_headers (msg);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
send_error (SoupServerMessage *msg, guint status, const char *name, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  send_json (msg, status, text);
}

static void
send_resource (SoupServerMessage *msg, const char *name, const char *type)
{
  g_autofree char *path = g_strconcat (RESOURCES, name, NULL);
  g_autoptr (GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (!bytes)
    {
      send_error (msg, 404, "org.sportello.CoBrowse.NotFound", "no such page");
      return;
    }
  common_headers (msg);
  if (g_str_has_prefix (type, "text/html"))
    soup_message_headers_replace (headers, "Content-Security-Policy",
                                  g_str_has_prefix (name, "video") ? video_page_policy
                                                                   : page_policy);
  /* The video page may use the camera, nothing else; the others nothing at all. */
  if (g_str_has_prefix (type, "text/html"))
    soup_message_headers_replace (headers, "Permissions-Policy",
                                  g_str_has_prefix (name, "video")
                                    ? "camera=(self), microphone=(), geolocation=()"
                                    : "camera=(), microphone=(), geolocation=()");
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes));
}

/* ---- failed joins per address ---- */

static const char *
remote_host (SoupServerMessage *msg)
{
  return soup_server_message_get_remote_host (msg) ? soup_server_message_get_remote_host (msg) : "";
}

/* Addresses whose minute is over are forgotten, so many addresses cannot grow the table. */
static void
forget_old_failures (CbServer *self, gint64 now)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->failures);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - ((Failures *)value)->window_started >= ATTEMPT_WINDOW_US)
      g_hash_table_iter_remove (&iter);
}

static Failures *
failures_of_host (CbServer *self, const char *host)
{
  Failures *failures = g_hash_table_lookup (self->failures, host);
  gint64 now = g_get_monotonic_time ();

  if (!failures && g_hash_table_size (self->failures) >= MAX_TRACKED_ADDRESSES)
    forget_old_failures (self, now);
  if (!failures)
    {
      failures = g_new0 (Failures, 1);
      g_hash_table_insert (self->failures, g_strdup (host), failures);
    }
  if (now - failures->window_started >= ATTEMPT_WINDOW_US)
    {
      failures->window_started = now;
      failures->count = 0;
    }
  return failures;
}

static Failures *
failures_of (CbServer *self, SoupServerMessage *msg)
{
  return failures_of_host (self, remote_host (msg));
}

gboolean
cb_server_joins_blocked (CbServer *self, const char *host)
{
  return failures_of_host (self, host)->count >= self->max_attempts;
}

void
cb_server_count_failed_join (CbServer *self, const char *host)
{
  failures_of_host (self, host)->count++;
}

/* ---- joining ---- */

typedef struct
{
  CbServer *server;
  SoupServerMessage *msg;
  CbRole role;
} Join;

/* The service's refusal as an HTTP status (docs/co-browse.md, "Flow"). */
guint
cb_server_status_for (const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);

  if (!name)
    return 503;
  if (g_str_equal (name, "org.sportello.Error.NotFound"))
    return 404;
  if (g_str_equal (name, "org.sportello.Error.InvalidState"))
    return 410;
  if (g_str_equal (name, "org.sportello.Error.InvalidArgument"))
    return 400;
  if (g_str_equal (name, "org.sportello.Error.NotAllowed"))
    return strstr (error->message, "too many") ? 429 : 409;
  return 503;
}

static void
reply_joined (Join *join, GVariant *reply)
{
  const char *session;
  g_autoptr (GVariant) site = NULL;
  g_autofree char *ticket = NULL;
  g_autofree char *start = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_variant_get (reply, "(&s@a{sv})", &session, &site);
  ticket = cb_relay_issue_ticket (join->server->relay, session, join->role, site);
  if (!ticket || !g_variant_lookup (site, "start-url", "s", &start))
    {
      send_error (join->msg, 500, "org.sportello.CoBrowse.Failed", "no ticket could be made");
      return;
    }
  if (join->role == CB_ROLE_AGENT)
    {
      g_autofree char *location = g_strdup_printf ("%s#sportello-cobrowse=%s", start, ticket);

      common_headers (join->msg);
      soup_server_message_set_redirect (join->msg, 302, location);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ticket");
  json_builder_add_string_value (builder, ticket);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, start);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  send_json (join->msg, 200, text);
}

static void
on_joined (GObject *source, GAsyncResult *result, gpointer data)
{
  Join *join = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
    = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply)
    reply_joined (join, reply);
  else
    {
      guint status = cb_server_status_for (error);
      g_autofree char *name = g_dbus_error_get_remote_error (error);

      g_dbus_error_strip_remote_error (error);
      if (status == 404 || status == 400)
        failures_of (join->server, join->msg)->count++;
      g_message ("co-browse: the %s's join from %s was refused: %u %s",
                 cb_role_to_string (join->role), remote_host (join->msg), status, error->message);
      /* The bus's own errors (no owner, no reply) say only that the service is not there. */
      if (status == 503)
        send_error (join->msg, status, "org.sportello.CoBrowse.Unavailable",
                    "the service is not running");
      else
        send_error (join->msg, status, name, error->message);
    }
  soup_server_message_unpause (join->msg);
  g_object_unref (join->msg);
  g_free (join);
}

static void
ask_service (CbServer *self, SoupServerMessage *msg, CbRole role, const char *method,
             GVariant *args)
{
  Join *join = g_new0 (Join, 1);

  join->server = self;
  join->msg = g_object_ref (msg);
  join->role = role;
  soup_server_message_pause (msg);
  g_dbus_connection_call (cb_relay_get_bus (self->relay), cb_relay_get_bus_name (self->relay),
                          ROOT_PATH, COBROWSE_IFACE, method, args, G_VARIANT_TYPE ("(sa{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, on_joined, join);
}

/* POST /join {"code": "123456", "browser": KEY}, from the join page only (same origin). */
static void
handle_join (CbServer *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *code, *browser;

  if (g_strcmp0 (origin, self->public_origin) != 0)
    {
      g_message ("co-browse: a join from origin %s was refused", origin ? origin : "(none)");
      send_error (msg, 403, "org.sportello.CoBrowse.OriginNotAllowed", "join from the join page");
      return;
    }
  if (failures_of (self, msg)->count >= self->max_attempts)
    {
      send_error (msg, 429, "org.sportello.CoBrowse.TooManyAttempts",
                  "too many wrong codes from this address: try again in a minute");
      return;
    }
  if (body->length > MAX_JOIN_BODY
      || !json_parser_load_from_data (parser, body->data, (gssize)body->length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      send_error (msg, 400, "org.sportello.Error.InvalidArgument", "a JSON object {code, browser}");
      return;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  code = json_object_get_string_member_with_default (object, "code", "");
  browser = json_object_get_string_member_with_default (object, "browser", "");
  ask_service (self, msg, CB_ROLE_CUSTOMER, "Join", g_variant_new ("(ss)", code, browser));
}

static void
handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer data)
{
  CbServer *self = data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/join") && g_str_equal (method, "POST"))
    handle_join (self, msg);
  else if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
    send_error (msg, 405, "org.sportello.CoBrowse.MethodNotAllowed", "GET, or POST /join");
  else if (g_str_equal (path, "/cobrowse.js"))
    send_resource (msg, "cobrowse.js", "text/javascript; charset=utf-8");
  else if (g_str_equal (path, "/join.js"))
    send_resource (msg, "join.js", "text/javascript; charset=utf-8");
  else if (g_str_equal (path, "/join.css"))
    send_resource (msg, "join.css", "text/css; charset=utf-8");
  else if (g_str_has_prefix (path, "/j/") && !strchr (path + 3, '/'))
    send_resource (msg, "join.html", "text/html; charset=utf-8");
  else if (g_str_equal (path, "/video.js"))
    send_resource (msg, "video.js", "text/javascript; charset=utf-8");
  else if (g_str_equal (path, "/video.css"))
    send_resource (msg, "video.css", "text/css; charset=utf-8");
  else if (g_str_equal (path, "/v") || (g_str_has_prefix (path, "/v/") && !strchr (path + 3, '/')))
    send_resource (msg, "video.html", "text/html; charset=utf-8");
  else if (g_str_has_prefix (path, "/a/") && path[3] && !strchr (path + 3, '/'))
    ask_service (self, msg, CB_ROLE_AGENT, "JoinAgent", g_variant_new ("(s)", path + 3));
  else
    send_error (msg, 404, "org.sportello.CoBrowse.NotFound", "no such page");
}

/* The WebSocket only for pages of the co-browsed site: others are refused before the upgrade. */
static void
gate_websocket (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer data)
{
  CbServer *self = data;
  const char *origin
    = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin");

  if (origin && g_strv_contains ((const char *const *)self->origins, origin))
    return;
  g_message ("co-browse: a WebSocket from %s was refused (not a site origin)",
             origin ? origin : "no origin");
  send_error (msg, 403, "org.sportello.CoBrowse.OriginNotAllowed", "not a co-browsed site");
}

/* The video page is the relay's own: its WebSocket comes from the relay's origin only. */
static void
gate_video_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                      GHashTable *query, gpointer data)
{
  CbServer *self = data;
  const char *origin
    = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin");

  if (g_strcmp0 (origin, self->public_origin) == 0)
    return;
  g_message ("browser video: a WebSocket from %s was refused (not the relay's page)",
             origin ? origin : "no origin");
  send_error (msg, 403, "org.sportello.CoBrowse.OriginNotAllowed", "not the video page");
}

/* ---- the server ---- */

static GSocketAddress *
parse_listen (const char *listen, GError **error)
{
  const char *colon = strrchr (listen, ':');
  g_autofree char *host = colon ? g_strndup (listen, (gsize)(colon - listen)) : NULL;
  g_autoptr (GInetAddress) address = NULL;
  guint64 port;

  if (host && host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);
      g_free (host);
      host = inner;
    }
  address = host ? g_inet_address_new_from_string (host) : NULL;
  if (!address || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "[co-browse] listen = %s: not an IP address and a port", listen);
      return NULL;
    }
  return g_inet_socket_address_new (address, (guint16)port);
}

static char *
origin_of (const char *url)
{
  return cb_origin_of (url);
}

CbServer *
cb_server_new (CbRelay *relay, const CbServerOptions *options, GError **error)
{
  g_autoptr (CbServer) self = g_new0 (CbServer, 1);
  g_autoptr (GSocketAddress) address = parse_listen (options->listen, error);

  if (!address)
    return NULL;
  self->relay = relay;
  self->max_attempts = MAX (1, options->max_attempts);
  self->public_origin = origin_of (options->public_url);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->server = soup_server_new ("server-header", "sportello-cobrowse", NULL);
  self->origins = g_strdupv ((char **)options->origins);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  self->video = cb_video_new (self, cb_relay_get_bus (relay), cb_relay_get_bus_name (relay));
  soup_server_add_early_handler (self->server, "/ws", gate_websocket, self, NULL);
  soup_server_add_early_handler (self->server, "/video/ws", gate_video_websocket, self, NULL);
  soup_server_add_websocket_handler (self->server, "/video/ws", NULL, NULL, cb_video_on_websocket,
                                     self->video, NULL);
  soup_server_add_websocket_handler (self->server, "/ws", NULL, NULL, cb_relay_on_websocket, relay,
                                     NULL);
  if (!soup_server_listen (self->server, address, 0, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
cb_server_free (CbServer *self)
{
  if (!self)
    return;
  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->video, cb_video_free);
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_free (self->public_origin);
  g_strfreev (self->origins);
  g_free (self);
}
