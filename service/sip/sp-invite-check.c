/* What we refuse in an INVITE that Sofia parsed (the decisions per RFC 4475 message are in
 * tests/integration/test_sip_torture.py):
 * - headers escaped into the Request-URI (RFC 4475 §3.1.2.11): 400, unless every one of them
 *   is attached data we would take as a real header (User-to-User, the configured X- headers):
 *   a phone that took a transfer's REFER may call the Refer-To URI as it is, attached data
 *   included (baresip does). Anything else (Route, Subject, …) never becomes a header;
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

/* Whether every header of QUERY ("a=1&b=2") is one of ALLOWED (case-insensitive). */
static gboolean
only_allowed_headers (const char *query, const char *const *allowed)
{
  g_auto (GStrv) pairs = g_strsplit (query, "&", -1);

  for (guint i = 0; pairs[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (pairs[i], "=", 2);
      gboolean known = FALSE;

      for (guint j = 0; allowed && allowed[j] && !known; j++)
        known = g_ascii_strcasecmp (pair[0] ? pair[0] : "", allowed[j]) == 0;
      if (!known)
        return FALSE;
    }
  return TRUE;
}

gboolean
sp_invite_check (const sip_t *sip, const char *const *uri_headers, SpInviteRefusal *refusal)
{
  const url_t *uri = sip->sip_request ? sip->sip_request->rq_url : NULL;

  if (uri && uri->url_headers && !only_allowed_headers (uri->url_headers, uri_headers))
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
