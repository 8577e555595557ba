/* The web bridge's front gate: what every HTTP request must show before it reaches the D-Bus
 * API. A server on loopback is reachable from any web page the agent opens, so:
 * - Host must name this server on loopback (127.0.0.1, [::1] or localhost, with our port):
 *   a page that rebinds its own DNS name to 127.0.0.1 still sends its own name;
 * - Origin, when a browser sends it, must be one of the configured origins or the bridge's own
 *   (the panel page it serves);
 * - every request but a CORS preflight carries "Authorization: Bearer TOKEN" (never a cookie,
 *   so another page cannot ride on the agent's session);
 * - a request body is at most the configured size.
 * A preflight from an allowed origin is answered here (204 with the CORS headers, and the
 * Private Network Access header when asked for). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WbGate WbGate;

WbGate *
wb_gate_new (guint port, const char *const *origins, const char *token, gsize max_body);
void
wb_gate_free (WbGate *self);

typedef struct
{
  const char *method;
  const char *host;          /* the Host header, NULL if missing */
  const char *origin;        /* the Origin header, NULL if none */
  const char *authorization; /* the Authorization header, NULL if none */
  gboolean private_network;  /* Access-Control-Request-Private-Network: true */
  gint64 body_length;        /* -1 when unknown */
  gboolean websocket;        /* the event stream's upgrade: its token comes in its first message */
  gboolean public_file;      /* a file of the panel page: no token (the page brings it later) */
} WbRequest;

typedef struct
{
  guint status;        /* 0: let the request through; else the HTTP status to answer */
  const char *error;   /* the error name for the JSON body and the log, NULL when 0 or 204 */
  const char *reason;  /* a sentence for the log and the body */
  GPtrArray *headers;  /* name, value, name, value… to add to the answer (CORS) */
} WbVerdict;

/* Fills VERDICT for REQUEST; wb_verdict_clear frees what it holds. */
void
wb_gate_check (const WbGate *self, const WbRequest *request, WbVerdict *verdict);
void
wb_verdict_clear (WbVerdict *verdict);
/* TRUE when TOKEN is the bridge's token (compared in constant time). */
gboolean
wb_gate_token_matches (const WbGate *self, const char *token);

G_END_DECLS
