/* One SIP dialog (INVITE session) with a peer: ringing, answering, re-INVITEs with SDP, ending.
 * It is the SIP implementation of SpLeg (sp-leg.h), whose signals it emits. SDP travels as
 * text; negotiation happens above. No Sofia types here. */
#pragma once

#include "sp-leg.h"

G_BEGIN_DECLS

#define SP_TYPE_CALL_LEG (sp_call_leg_get_type ())
G_DECLARE_FINAL_TYPE (SpCallLeg, sp_call_leg, SP, CALL_LEG, GObject)

/* The signals are SpLeg's (sp-leg.h). */

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
/* Blind transfer (RFC 3515): a REFER in this established dialog asking the peer to call TARGET,
 * with ATTACHED_DATA (a{ss} or NULL) embedded in the Refer-To URI as headers; Referred-By is
 * our address. "refer-progress" follows: 202 (not final), then each NOTIFY's sipfrag status,
 * final from 200 or when the subscription ends; a refusal of the REFER is final. An incoming
 * REFER is always refused with 603 "Transfer Not Allowed". */
gboolean
sp_call_leg_refer (SpCallLeg *self, const char *target, GVariant *attached_data, GError **error);

G_END_DECLS
