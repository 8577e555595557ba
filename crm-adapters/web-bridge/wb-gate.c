#include "wb-gate.h"

#include <string.h>

#define ALLOWED_METHODS "GET, POST, PUT, DELETE, OPTIONS"
#define ALLOWED_HEADERS "Authorization, Content-Type"

struct _WbGate
{
  GStrv hosts; /* the Host values that name us: 127.0.0.1:PORT, [::1]:PORT, localhost:PORT */
  GStrv origins;
  char *token;
  gsize max_body;
};

/* The configured origins and the bridge's own (its panel page, http://NAME:PORT). */
static GStrv
allowed_origins (const char *const *configured, const char *const *names, guint n_names, guint port)
{
  g_autoptr (GStrvBuilder) allowed = g_strv_builder_new ();

  if (configured)
    g_strv_builder_addv (allowed, (const char **)configured);
  for (guint i = 0; i < n_names; i++)
    {
      g_autofree char *own = g_strdup_printf ("http://%s:%u", names[i], port);

      g_strv_builder_add (allowed, own);
    }
  return g_strv_builder_end (allowed);
}

WbGate *
wb_gate_new (guint port, const char *const *origins, const char *token, gsize max_body)
{
  WbGate *self = g_new0 (WbGate, 1);
  const char *const names[] = { "127.0.0.1", "[::1]", "localhost" };

  self->hosts = g_new0 (char *, G_N_ELEMENTS (names) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    self->hosts[i] = g_strdup_printf ("%s:%u", names[i], port);
  self->origins = allowed_origins (origins, names, G_N_ELEMENTS (names), port);
  self->token = g_strdup (token);
  self->max_body = max_body;
  return self;
}

void
wb_gate_free (WbGate *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->hosts);
  g_strfreev (self->origins);
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self);
}

static gboolean
host_is_ours (const WbGate *self, const char *host)
{
  for (guint i = 0; host && self->hosts[i]; i++)
    if (g_ascii_strcasecmp (host, self->hosts[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
origin_allowed (const WbGate *self, const char *origin)
{
  return g_strv_contains ((const char *const *)self->origins, origin);
}

/* Compares every byte whatever the first difference, so the time taken tells nothing. */
static gboolean
same_secret (const char *given, const char *expected)
{
  gsize given_length = strlen (given), expected_length = strlen (expected);
  guchar difference = given_length != expected_length;

  for (gsize i = 0; i < expected_length; i++)
    difference |= (guchar)(expected[i] ^ given[i < given_length ? i : 0]);
  return difference == 0;
}

gboolean
wb_gate_token_matches (const WbGate *self, const char *token)
{
  if (token == NULL || self->token == NULL || *self->token == '\0')
    return FALSE;
  return same_secret (token, self->token);
}

static gboolean
token_valid (const WbGate *self, const char *authorization)
{
  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return FALSE;
  return wb_gate_token_matches (self, authorization + 7);
}

static void
refuse (WbVerdict *verdict, guint status, const char *error, const char *reason)
{
  verdict->status = status;
  verdict->error = error;
  verdict->reason = reason;
}

static void
add_header (WbVerdict *verdict, const char *name, const char *value)
{
  g_ptr_array_add (verdict->headers, g_strdup (name));
  g_ptr_array_add (verdict->headers, g_strdup (value));
}

static void
add_cors (WbVerdict *verdict, const char *origin)
{
  add_header (verdict, "Access-Control-Allow-Origin", origin);
  add_header (verdict, "Vary", "Origin");
}

static void
answer_preflight (WbVerdict *verdict, const WbRequest *request)
{
  add_header (verdict, "Access-Control-Allow-Methods", ALLOWED_METHODS);
  add_header (verdict, "Access-Control-Allow-Headers", ALLOWED_HEADERS);
  add_header (verdict, "Access-Control-Max-Age", "600");
  if (request->private_network)
    add_header (verdict, "Access-Control-Allow-Private-Network", "true");
  refuse (verdict, 204, NULL, "preflight answered");
}

/* The checks in order: a request failing one learns nothing of the next ones. */
void
wb_gate_check (const WbGate *self, const WbRequest *request, WbVerdict *verdict)
{
  memset (verdict, 0, sizeof *verdict);
  verdict->headers = g_ptr_array_new_with_free_func (g_free);
  if (!host_is_ours (self, request->host))
    refuse (verdict, 421, "org.sportello.WebBridge.HostNotAllowed",
            "The Host header does not name this server on loopback");
  else if (request->origin != NULL && !origin_allowed (self, request->origin))
    refuse (verdict, 403, "org.sportello.WebBridge.OriginNotAllowed",
            "This web origin is not in [web-bridge] allowed-origins");
  else
    {
      if (request->origin != NULL)
        add_cors (verdict, request->origin);
      if (g_strcmp0 (request->method, "OPTIONS") == 0)
        answer_preflight (verdict, request);
      else if (!request->websocket && !request->public_file
               && !token_valid (self, request->authorization))
        {
          add_header (verdict, "WWW-Authenticate", "Bearer realm=\"sportello\"");
          refuse (verdict, 401, "org.sportello.WebBridge.Unauthorized",
                  "A valid \"Authorization: Bearer TOKEN\" header is required");
        }
      else if (request->body_length > 0 && (guint64)request->body_length > self->max_body)
        refuse (verdict, 413, "org.sportello.WebBridge.TooLarge",
                "The request body is larger than the bridge accepts");
    }
}

void
wb_verdict_clear (WbVerdict *verdict)
{
  g_clear_pointer (&verdict->headers, g_ptr_array_unref);
}
