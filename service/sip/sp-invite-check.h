/* The incoming INVITEs refused before they ring, and the response each gets. Pure over a parsed
 * message (Sofia's sip_t), so the RFC 4475 corpus can test it; see test-invite-check.c. */
#pragma once

#include <glib.h>
#include <sofia-sip/sip.h>

G_BEGIN_DECLS

typedef struct
{
  int status;
  const char *phrase;
  const char *accept; /* an Accept header value for the response, or NULL */
  const char *reason; /* for the log */
} SpInviteRefusal;

/* TRUE when the INVITE may ring; FALSE with @refusal filled when it must be answered so.
 * URI_HEADERS: the header names (attached data) a Request-URI may carry, NULL for none. */
gboolean
sp_invite_check (const sip_t *sip, const char *const *uri_headers, SpInviteRefusal *refusal);

G_END_DECLS
