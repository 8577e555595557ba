#include "wb-server.h"
#include "sp-dbus-generated.h"
#include "wb-dbus-call.h"
#include "wb-events.h"
#include "wb-gate.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define OBJECT_PATH "/org/sportello/Sportello1"
#define SESSION_PREFIX OBJECT_PATH "/session/"
#define API_PREFIX "/api/v1/"
#define EVENTS_PATH "/api/v1/events"
#define PANEL_PREFIX "/panel/"
#define PANEL_RESOURCES "/org/sportello/web-bridge/panel/"
/* Transfer and conference answer when the far end does: as long as sportelloctl waits. */
#define CALL_TIMEOUT_MS 120000

struct _WbServer
{
  SoupServer *server;
  WbGate *gate;
  WbEvents *events;
  GDBusConnection *bus;
  char *bus_name;
  gsize max_body;
  char *panel_policy; /* Content-Security-Policy of the panel's files */
};

/* ---- answers ---- */

static void
send_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize length = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), length);
}

static void
send_error (SoupServerMessage *msg, guint status, const char *name, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  send_json (msg, status, node);
}

/* ---- the gate, as soon as the headers are in (a refused body is never read) ---- */

static gint64
declared_length (SoupMessageHeaders *headers)
{
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    return soup_message_headers_get_content_length (headers);
  return -1;
}

static void
gate_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  WbServer *self = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *answer = soup_server_message_get_response_headers (msg);
  WbRequest request = {
    .method = soup_server_message_get_method (msg),
    .host = soup_message_headers_get_one (headers, "Host"),
    .origin = soup_message_headers_get_one (headers, "Origin"),
    .authorization = soup_message_headers_get_one (headers, "Authorization"),
    .private_network = g_strcmp0 (soup_message_headers_get_one (
                                    headers, "Access-Control-Request-Private-Network"),
                                  "true")
                       == 0,
    .body_length = declared_length (headers),
    .websocket = g_str_equal (path, EVENTS_PATH)
                 && soup_message_headers_header_equals (headers, "Upgrade", "websocket"),
    .public_file = g_str_has_prefix (path, PANEL_PREFIX)
                   && g_str_equal (soup_server_message_get_method (msg), "GET"),
  };
  WbVerdict verdict;

  wb_gate_check (self->gate, &request, &verdict);
  for (guint i = 0; i + 1 < verdict.headers->len; i += 2)
    soup_message_headers_append (answer, g_ptr_array_index (verdict.headers, i),
                                 g_ptr_array_index (verdict.headers, i + 1));
  if (verdict.status == 204)
    soup_server_message_set_status (msg, 204, NULL);
  else if (verdict.status != 0)
    {
      g_message ("refused %s %s: %u %s (Host %s, Origin %s)", request.method, path,
                 verdict.status, verdict.error, request.host ? request.host : "none",
                 request.origin ? request.origin : "none");
      send_error (msg, verdict.status, verdict.error, verdict.reason);
    }
  wb_verdict_clear (&verdict);
}

/* ---- D-Bus calls ---- */

typedef struct
{
  SoupServerMessage *msg;
  const GDBusMethodInfo *method; /* NULL: the reply is shaped by REPLY_TO_JSON */
  JsonNode *(*reply_to_json) (GVariant *reply);
} Pending;

static void
on_reply (GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *pending = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                              &error);

  if (reply == NULL)
    {
      g_autofree char *name = g_dbus_error_get_remote_error (error);

      g_dbus_error_strip_remote_error (error);
      send_error (pending->msg, wb_status_for_error (name),
                  name ? name : "org.sportello.WebBridge.Failed", error->message);
    }
  else
    {
      g_autoptr (JsonNode) node = pending->method ? wb_reply_to_json (pending->method, reply)
                                                  : pending->reply_to_json (reply);

      send_json (pending->msg, 200, node);
    }
  soup_server_message_unpause (pending->msg);
  g_object_unref (pending->msg);
  g_free (pending);
}

static void
call (WbServer *self, SoupServerMessage *msg, const char *path, const char *iface,
      const char *member, GVariant *args, const GDBusMethodInfo *method,
      JsonNode *(*reply_to_json) (GVariant *reply))
{
  Pending *pending = g_new0 (Pending, 1);

  pending->msg = g_object_ref (msg);
  pending->method = method;
  pending->reply_to_json = reply_to_json;
  soup_server_message_pause (msg);
  g_dbus_connection_call (self->bus, self->bus_name, path, iface, member, args, NULL,
                          G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, on_reply, pending);
}

static JsonNode *
first_child (GVariant *reply)
{
  g_autoptr (GVariant) value = g_variant_get_child_value (reply, 0);

  return json_gvariant_serialize (value);
}

/* GetManagedObjects → [{"number": N, "path": P, "properties": {…}}] for each session. */
static JsonNode *
sessions_to_json (GVariant *reply)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GVariantIter) objects = NULL;
  const char *path;
  GVariant *interfaces;

  json_builder_begin_array (builder);
  g_variant_get (reply, "(a{oa{sa{sv}}})", &objects);
  while (g_variant_iter_next (objects, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr (GVariant) properties
        = g_variant_lookup_value (interfaces, "org.sportello.Session1", G_VARIANT_TYPE_VARDICT);

      if (properties != NULL && g_str_has_prefix (path, SESSION_PREFIX))
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "number");
          json_builder_add_int_value (builder,
                                      g_ascii_strtoll (path + strlen (SESSION_PREFIX), NULL, 10));
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, path);
          json_builder_set_member_name (builder, "properties");
          json_builder_add_value (builder, json_gvariant_serialize (properties));
          json_builder_end_object (builder);
        }
      g_variant_unref (interfaces);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/* ---- routes ---- */

static gboolean
is_number (const char *text)
{
  if (text == NULL || *text == '\0' || strlen (text) > 9)
    return FALSE;
  for (const char *c = text; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

static JsonNode *
read_body (SoupServerMessage *msg, GError **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (JsonParser) parser = NULL;

  if (body == NULL || body->length == 0)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, body->data, body->length, error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static void
call_action (WbServer *self, SoupServerMessage *msg, const char *path,
             GDBusInterfaceInfo *iface, const char *action)
{
  g_autofree char *member = wb_method_name (action);
  const GDBusMethodInfo *method = member ? g_dbus_interface_info_lookup_method (iface, member) : NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  GVariant *args = NULL;

  if (method == NULL)
    {
      send_error (msg, 404, "org.sportello.WebBridge.UnknownAction",
                  "No such action here; actions are the D-Bus methods in lower case with dashes");
      return;
    }
  body = read_body (msg, &error);
  if (error == NULL)
    args = wb_arguments_from_json (method, body, &error);
  if (error != NULL)
    {
      send_error (msg, 400, "org.sportello.Error.InvalidArgument", error->message);
      return;
    }
  call (self, msg, path, iface->name, member, args, method, NULL);
}

static void
route_post (WbServer *self, SoupServerMessage *msg, char **parts)
{
  guint n = g_strv_length (parts);

  if (n == 3 && g_str_equal (parts[0], "sessions") && is_number (parts[1]))
    {
      g_autofree char *path = g_strconcat (SESSION_PREFIX, parts[1], NULL);

      call_action (self, msg, path, sp_session1_interface_info (), parts[2]);
    }
  else if (n == 2 && g_str_equal (parts[0], "agent"))
    call_action (self, msg, OBJECT_PATH, sp_agent1_interface_info (), parts[1]);
  else if (n == 2 && g_str_equal (parts[0], "contacts"))
    call_action (self, msg, OBJECT_PATH, sp_contacts1_interface_info (), parts[1]);
  else if (n == 2 && g_str_equal (parts[0], "responses"))
    call_action (self, msg, OBJECT_PATH, sp_responses1_interface_info (), parts[1]);
  else
    send_error (msg, 404, "org.sportello.WebBridge.NotFound", "No such resource");
}

static void
route_get (WbServer *self, SoupServerMessage *msg, char **parts)
{
  guint n = g_strv_length (parts);

  if (n == 1 && g_str_equal (parts[0], "state"))
    call (self, msg, OBJECT_PATH, "org.freedesktop.DBus.Properties", "GetAll",
          g_variant_new ("(s)", "org.sportello.Agent1"), NULL, first_child);
  else if (n == 1 && g_str_equal (parts[0], "sessions"))
    call (self, msg, OBJECT_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
          NULL, sessions_to_json);
  else
    send_error (msg, 404, "org.sportello.WebBridge.NotFound", "No such resource");
}

/* ---- the panel page, from the program's resources (no file system, so no traversal) ---- */

static const char *
content_type (const char *name)
{
  if (g_str_has_suffix (name, ".html"))
    return "text/html; charset=utf-8";
  if (g_str_has_suffix (name, ".js"))
    return "text/javascript; charset=utf-8";
  if (g_str_has_suffix (name, ".css"))
    return "text/css; charset=utf-8";
  return "application/octet-stream";
}

static void
serve_panel (WbServer *self, SoupServerMessage *msg, const char *path)
{
  const char *name = *(path + strlen (PANEL_PREFIX)) ? path + strlen (PANEL_PREFIX) : "index.html";
  g_autofree char *resource = g_strconcat (PANEL_RESOURCES, name, NULL);
  g_autoptr (GBytes) bytes = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize size;
  const char *data;

  if (strchr (name, '/') != NULL
      || !(bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL)))
    {
      send_error (msg, 404, "org.sportello.WebBridge.NotFound", "No such file");
      return;
    }
  data = g_bytes_get_data (bytes, &size);
  soup_message_headers_replace (headers, "Content-Security-Policy", self->panel_policy);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, content_type (name), SOUP_MEMORY_COPY, data, size);
}

/* Only the configured CRMs may frame the panel (no clickjacking from other pages), and the
 * panel reaches only the bridge. */
static char *
panel_policy (const WbServerOptions *options)
{
  g_autofree char *ancestors = options->origins && options->origins[0]
                                 ? g_strjoinv (" ", (char **)options->origins)
                                 : g_strdup ("'none'");

  /* CSP has no syntax for an IPv6 literal (browsers drop ws://[::1]:PORT as invalid); a panel
   * served on [::1] reaches its event stream through 'self', which CSP 3 extends to ws:. */
  return g_strdup_printf ("default-src 'none'; script-src 'self'; style-src 'self'; "
                          "connect-src 'self' ws://127.0.0.1:%u ws://localhost:%u; "
                          "frame-ancestors %s; base-uri 'none'; form-action 'none'",
                          options->port, options->port, ancestors);
}

static void
handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer data)
{
  WbServer *self = data;
  const char *verb = soup_server_message_get_method (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_auto (GStrv) parts = NULL;

  if (g_str_has_prefix (path, PANEL_PREFIX) && g_str_equal (verb, "GET"))
    {
      serve_panel (self, msg, path);
      return;
    }
  if (!g_str_has_prefix (path, API_PREFIX))
    {
      send_error (msg, 404, "org.sportello.WebBridge.NotFound", "No such resource");
      return;
    }
  if (body != NULL && (gsize)body->length > self->max_body)
    {
      send_error (msg, 413, "org.sportello.WebBridge.TooLarge",
                  "The request body is larger than the bridge accepts");
      return;
    }
  parts = g_strsplit (path + strlen (API_PREFIX), "/", -1);
  if (g_str_equal (verb, "GET"))
    route_get (self, msg, parts);
  else if (g_str_equal (verb, "POST"))
    route_post (self, msg, parts);
  else
    send_error (msg, 405, "org.sportello.WebBridge.MethodNotAllowed", "GET or POST only");
}

/* ---- the server ---- */

static gboolean
listen_loopback (SoupServer *server, guint port, GError **error)
{
  g_autoptr (GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr (GSocketAddress) address4 = g_inet_socket_address_new (v4, port);
  g_autoptr (GSocketAddress) address6 = g_inet_socket_address_new (v6, port);
  g_autoptr (GError) ipv6_error = NULL;

  if (!soup_server_listen (server, address4, 0, error))
    return FALSE;
  if (!soup_server_listen (server, address6, 0, &ipv6_error))
    g_debug ("not listening on [::1]:%u: %s", port, ipv6_error->message);
  return TRUE;
}

WbServer *
wb_server_new (GDBusConnection *bus, const WbServerOptions *options, GError **error)
{
  g_autoptr (WbServer) self = g_new0 (WbServer, 1);

  self->bus = g_object_ref (bus);
  self->bus_name = g_strdup (options->bus_name);
  self->max_body = options->max_body;
  self->panel_policy = panel_policy (options);
  self->gate = wb_gate_new (options->port, options->origins, options->token, options->max_body);
  self->server = soup_server_new ("server-header", "sportello-web-bridge", NULL);
  soup_server_add_early_handler (self->server, NULL, gate_request, self, NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  self->events = wb_events_new (bus, options->bus_name, self->gate);
  /* Handlers are per path: the event stream's path needs the gate of its own. */
  soup_server_add_early_handler (self->server, EVENTS_PATH, gate_request, self, NULL);
  soup_server_add_websocket_handler (self->server, EVENTS_PATH, NULL, NULL,
                                     wb_events_on_connection, self->events, NULL);
  if (!listen_loopback (self->server, options->port, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
wb_server_free (WbServer *self)
{
  if (self == NULL)
    return;
  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->events, wb_events_free);
  g_clear_pointer (&self->gate, wb_gate_free);
  g_clear_object (&self->bus);
  g_free (self->bus_name);
  g_free (self->panel_policy);
  g_free (self);
}
