/* The relay's rules for each event: its fields, their ranges, who may send it. */
#include "cb-message.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define MAX_URL 2048
#define MAX_PATH 512
#define MAX_MASKED 1024
#define MAX_COORDINATE 1000000.0

static const char *const type_names[]
  = { "navigate", "scroll", "pointer", "click", "highlight", "input", "control", "leave" };

const char *
cb_role_to_string (CbRole role)
{
  return role == CB_ROLE_AGENT ? "agent" : "customer";
}

void
cb_message_free (CbMessage *message)
{
  if (!message)
    return;
  g_free (message->url);
  g_free (message->forward);
  g_free (message);
}

static gboolean G_GNUC_PRINTF (2, 3) refuse (GError **error, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, text);
  return FALSE;
}

char *
cb_origin_of (const char *url)
{
  g_autoptr (GUri) uri
    = url && strlen (url) <= MAX_URL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  g_autofree char *host = NULL;
  gint port;

  if (!scheme || (g_ascii_strcasecmp (scheme, "http") && g_ascii_strcasecmp (scheme, "https"))
      || !g_uri_get_host (uri) || !*g_uri_get_host (uri) || g_uri_get_userinfo (uri))
    return NULL;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if (port == (g_ascii_strcasecmp (scheme, "https") == 0 ? 443 : 80))
    port = -1;
  return port < 0
           ? g_strdup_printf ("%s://%s", g_ascii_strcasecmp (scheme, "https") ? "http" : "https",
                              host)
           : g_strdup_printf ("%s://%s:%d", g_ascii_strcasecmp (scheme, "https") ? "http" : "https",
                              host, port);
}

/* A CSS path as cobrowse.js writes it: "body > div:nth-child(2) > a#buy.primary". */
static gboolean
is_css_path (const char *path)
{
  gsize length = strlen (path);

  if (length == 0 || length > MAX_PATH)
    return FALSE;
  for (const char *c = path; *c; c++)
    if (!g_ascii_isalnum (*c) && !strchr (" >:()#._-", *c))
      return FALSE;
  return TRUE;
}

static gboolean
get_number (JsonObject *object, const char *name, double min, double max, double *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (!node || !JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_DOUBLE
          && json_node_get_value_type (node) != G_TYPE_INT64))
    return FALSE;
  *out = json_node_get_double (node);
  return isfinite (*out) && *out >= min && *out <= max;
}

static const char *
get_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

static gboolean
find_type (const char *name, CbMessageType *type)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (name, type_names[i]))
      {
        *type = (CbMessageType)i;
        return TRUE;
      }
  return FALSE;
}

/* Who may send what (docs/co-browse.md): the leader moves the page; only the agent highlights;
 * only the customer's fields are mirrored; the customer may take the lead back. */
static gboolean
allowed (CbMessageType type, CbRole from, CbRole leader, GError **error)
{
  gboolean leads = from == leader;

  switch (type)
    {
      case CB_MESSAGE_NAVIGATE:
      case CB_MESSAGE_SCROLL:
      case CB_MESSAGE_CLICK:
        return leads || refuse (error, "%s: only the leader sends it", type_names[type]);
      case CB_MESSAGE_HIGHLIGHT:
        return from == CB_ROLE_AGENT || refuse (error, "highlight: the agent's only");
      case CB_MESSAGE_INPUT:
      case CB_MESSAGE_LEAVE:
        return from == CB_ROLE_CUSTOMER
               || refuse (error, "%s: the customer's only", type_names[type]);
      default:
        return TRUE;
    }
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_double (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

/* Reads TYPE's fields from OBJECT into BUILDER (and MESSAGE); FALSE when one is wrong. */
static gboolean
rebuild (CbMessage *message, JsonObject *object, CbRole from, const char *const *origins,
         JsonBuilder *builder, GError **error)
{
  double x, y, t;
  const char *text;
  g_autofree char *origin = NULL;

  switch (message->type)
    {
      case CB_MESSAGE_NAVIGATE:
        text = get_string (object, "url");
        origin = text ? cb_origin_of (text) : NULL;
        if (!origin || !g_strv_contains (origins, origin))
          return refuse (error, "navigate: not a page of the co-browsed site");
        message->url = g_strdup (text);
        add_string (builder, "url", text);
        return TRUE;
      case CB_MESSAGE_SCROLL:
        if (!get_number (object, "x", 0, 1, &x) || !get_number (object, "y", 0, 1, &y))
          return refuse (error, "scroll: x and y are fractions from 0 to 1");
        add_double (builder, "x", x);
        add_double (builder, "y", y);
        return TRUE;
      case CB_MESSAGE_POINTER:
        if (!get_number (object, "x", 0, MAX_COORDINATE, &x)
            || !get_number (object, "y", 0, MAX_COORDINATE, &y))
          return refuse (error, "pointer: x and y are page coordinates");
        add_double (builder, "x", x);
        add_double (builder, "y", y);
        if (get_number (object, "t", 0, 1e15, &t))
          add_double (builder, "t", t);
        return TRUE;
      case CB_MESSAGE_CLICK:
        text = get_string (object, "path");
        if (!text || !is_css_path (text))
          return refuse (error, "click: not an element path");
        add_string (builder, "path", text);
        return TRUE;
      case CB_MESSAGE_HIGHLIGHT:
        text = get_string (object, "path");
        if (text ? !is_css_path (text) : !json_object_has_member (object, "path"))
          return refuse (error, "highlight: an element path or null");
        add_string (builder, "path", text);
        return TRUE;
      case CB_MESSAGE_INPUT:
        text = get_string (object, "path");
        if (!text || !is_css_path (text))
          return refuse (error, "input: not an element path");
        add_string (builder, "path", text);
        text = get_string (object, "masked");
        if (!text || strlen (text) > MAX_MASKED || !g_utf8_validate (text, -1, NULL))
          return refuse (error, "input: the masked value is missing or too long");
        add_string (builder, "masked", text);
        return TRUE;
      case CB_MESSAGE_CONTROL:
        text = get_string (object, "leader");
        if (!text || (!g_str_equal (text, "agent") && !g_str_equal (text, "customer")))
          return refuse (error, "control: the leader is agent or customer");
        message->leader = g_str_equal (text, "agent") ? CB_ROLE_AGENT : CB_ROLE_CUSTOMER;
        if (from == CB_ROLE_CUSTOMER && message->leader != CB_ROLE_CUSTOMER)
          return refuse (error, "control: the customer can only take the lead");
        add_string (builder, "leader", text);
        return TRUE;
      case CB_MESSAGE_LEAVE:
        return TRUE;
    }
  return FALSE;
}

CbMessage *
cb_message_check (const char *text, gsize length, CbRole from, CbRole leader,
                  const char *const *origins, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (CbMessage) message = g_new0 (CbMessage, 1);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;

  if (length > CB_MESSAGE_MAX_BYTES)
    {
      refuse (error, "more than %d bytes", CB_MESSAGE_MAX_BYTES);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize)length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      refuse (error, "not a JSON object");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (!find_type (get_string (object, "type"), &message->type))
    {
      refuse (error, "unknown type");
      return NULL;
    }
  if (!allowed (message->type, from, leader, error))
    return NULL;
  json_builder_begin_object (builder);
  add_string (builder, "type", type_names[message->type]);
  if (!rebuild (message, object, from, origins, builder, error))
    return NULL;
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  if (message->type != CB_MESSAGE_LEAVE)
    message->forward = json_to_string (root, FALSE);
  return g_steal_pointer (&message);
}
