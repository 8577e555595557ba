/* What we refuse in an INVITE that Sofia parsed (the decisions per RFC 4475 message are in
 * tests/integration/test_sip_torture.py):
 * - headers escaped into the Request-URI (RFC 4475 §3.1.2.11): 400; they must never become
 *   real headers or attached data, and a liberal reading would have to drop them silently;
 * - a body that is not SDP (RFC 3261 §21.4.13, RFC 4475 §3.3.6): 415 with Accept;
 * - an Accept that leaves out application/sdp (RFC 4475 §3.3.15): our answer would be SDP, which
 *   the caller says it cannot take: 406.
 * Messages Sofia cannot parse never get here: its transaction layer answers or drops them. */
#include "sp-invite-check.h"

#define SDP_TYPE "application/sdp"

static gboolean
refuse (SpInviteRefusal *refusal, int status, const char *phrase, const char *accept,
        const char *reason)
{
  *refusal = (SpInviteRefusal){ status, phrase, accept, reason };
  return FALSE;
}

static gboolean
has_body (const sip_t *sip)
{
  return sip->sip_payload && sip->sip_payload->pl_len > 0;
}

static gboolean
accepts_sdp (const sip_accept_t *accept)
{
  gboolean listed = FALSE;

  for (; accept; accept = accept->ac_next)
    {
      if (!accept->ac_type || !*accept->ac_type)
        continue;
      listed = TRUE;
      if (g_ascii_strcasecmp (accept->ac_type, SDP_TYPE) == 0
          || g_ascii_strcasecmp (accept->ac_type, "application/*") == 0
          || g_ascii_strcasecmp (accept->ac_type, "*/*") == 0)
        return TRUE;
    }
  /* An Accept without any type is read as absent: be liberal in what we accept. */
  return !listed;
}

gboolean
sp_invite_check (const sip_t *sip, SpInviteRefusal *refusal)
{
  const url_t *uri = sip->sip_request ? sip->sip_request->rq_url : NULL;

  if (uri && uri->url_headers)
    return refuse (refusal, 400, "Bad Request", NULL, "headers in the Request-URI");
  if (has_body (sip)
      && (!sip->sip_content_type || !sip->sip_content_type->c_type
          || g_ascii_strcasecmp (sip->sip_content_type->c_type, SDP_TYPE) != 0))
    return refuse (refusal, 415, "Unsupported Media Type", SDP_TYPE, "a body that is not SDP");
  if (!accepts_sdp (sip->sip_accept))
    return refuse (refusal, 406, "Not Acceptable", NULL,
                   "an Accept header without application/sdp");
  return TRUE;
}
