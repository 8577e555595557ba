/* One SIP dialog (INVITE session) with a peer: ringing, answering, re-INVITEs with SDP, ending.
 * SDP travels as text; negotiation happens above (sp-sdp.h is pure). No Sofia types here. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SP_CALL_LEG_END_LOCAL,              /* we sent BYE/CANCEL or rejected */
  SP_CALL_LEG_END_REMOTE_BYE,         /* the peer hung up */
  SP_CALL_LEG_END_REMOTE_CANCEL,      /* the caller gave up before we answered */
  SP_CALL_LEG_END_ANSWERED_ELSEWHERE, /* CANCEL with Reason: SIP;cause=200 */
  SP_CALL_LEG_END_FAILED,             /* our INVITE got a final error (status tells which) */
  SP_CALL_LEG_END_NETWORK,            /* transport error / timeout / 481 */
} SpCallLegEndCause;

#define SP_TYPE_CALL_LEG (sp_call_leg_get_type ())
G_DECLARE_FINAL_TYPE (SpCallLeg, sp_call_leg, SP, CALL_LEG, GObject)

/* Signals:
 * "offer" (const char *sdp_or_null)       the peer sent a (re-)offer; answer with
 * sp_call_leg_answer_offer(). NULL: a re-INVITE without SDP — answer with our offer; the peer's
 * answer then arrives as "answer" (from the ACK). "answer" (const char *sdp)              the peer
 * answered our offer (in a 18x/200 or an ACK). "progress" (guint status)               provisional
 * response to our INVITE (180, 183). "established" ()                        the dialog is
 * confirmed (200 sent and ACKed, or 200 received). "offer-failed" (guint status, const char
 * *phrase)  our re-INVITE was refused; the call goes on. "ended" (SpCallLegEndCause cause, guint
 * status, const char *phrase)  the dialog is over. */

const char *
sp_call_leg_get_call_id (SpCallLeg *self);
const char *
sp_call_leg_get_remote_uri (SpCallLeg *self);
const char *
sp_call_leg_get_remote_name (SpCallLeg *self);
const char *
sp_call_leg_get_initial_offer (SpCallLeg *self); /* inbound: the INVITE's SDP, or NULL */
/* The extra headers of the initial INVITE, a(ss): name, value, in order. */
GVariant *
sp_call_leg_get_headers (SpCallLeg *self);
gboolean
sp_call_leg_is_established (SpCallLeg *self);
gboolean
sp_call_leg_is_ended (SpCallLeg *self);
gboolean
sp_call_leg_has_pending_offer (SpCallLeg *self);

void
sp_call_leg_ring (SpCallLeg *self);
void
sp_call_leg_accept (SpCallLeg *self, const char *answer_sdp);
void
sp_call_leg_reject (SpCallLeg *self, guint status, const char *phrase);
void
sp_call_leg_send_offer (SpCallLeg *self, const char *offer_sdp);
void
sp_call_leg_answer_offer (SpCallLeg *self, guint status, const char *answer_sdp);
void
sp_call_leg_hangup (SpCallLeg *self);

G_END_DECLS
