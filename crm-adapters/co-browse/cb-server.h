/* The relay's HTTP side (docs/co-browse.md): the customer's join page and its POST /join, the
 * agent's link /a/KEY, the site script /cobrowse.js and the WebSocket /ws; and the browser
 * video's page /v/CODE with its WebSocket /video/ws (docs/browser-video.md, cb-video.h). */
#pragma once

#include "cb-relay.h"

G_BEGIN_DECLS

typedef struct _CbServer CbServer;

typedef struct
{
  const char *listen;         /* "HOST:PORT" */
  const char *public_url;     /* how browsers reach the relay: its origin is the join page's */
  const char *const *origins; /* the co-browsed site's origins */
  guint max_attempts;         /* failed joins per address and minute */
} CbServerOptions;

CbServer *
cb_server_new (CbRelay *relay, const CbServerOptions *options, GError **error);
void
cb_server_free (CbServer *self);

/* Failed joins per address and minute, shared by both kinds of link. */
gboolean
cb_server_joins_blocked (CbServer *self, const char *host);
void
cb_server_count_failed_join (CbServer *self, const char *host);
/* The service's refusal of a join as an HTTP status: 404, 410, 400, 409, 429, else 503. */
guint
cb_server_status_for (const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbServer, cb_server_free)

G_END_DECLS
