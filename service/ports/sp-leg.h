/* The domain's view of one call leg (one dialog with one party): what it can ask of it and the
 * events it hears from it. Implemented by the SIP layer (SpCallLeg) and by the fakes of the
 * unit tests. SDP travels as text: negotiation is the domain's job. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_LEG_ERROR (sp_leg_error_quark ())
GQuark
sp_leg_error_quark (void);

typedef enum
{
  SP_LEG_ERROR_FAILED,
  SP_LEG_ERROR_INVALID, /* a bad target, or attached data that cannot travel */
} SpLegError;

typedef enum
{
  SP_LEG_END_LOCAL,              /* we sent BYE/CANCEL or rejected */
  SP_LEG_END_REMOTE_BYE,         /* the party hung up */
  SP_LEG_END_REMOTE_CANCEL,      /* the caller gave up before we answered */
  SP_LEG_END_ANSWERED_ELSEWHERE, /* CANCEL with Reason: SIP;cause=200 */
  SP_LEG_END_FAILED,             /* our INVITE got a final error (status tells which) */
  SP_LEG_END_NETWORK,            /* transport error, timeout, 481 */
} SpLegEndCause;

#define SP_TYPE_LEG (sp_leg_get_type ())
G_DECLARE_INTERFACE (SpLeg, sp_leg, SP, LEG, GObject)

/* Signals (every implementation emits them on the main context):
 * "offer" (const char *sdp_or_null): the party sent a (re-)offer; answer with
 *   sp_leg_answer_offer(). NULL: a re-INVITE without SDP — answer with our offer; the party's
 *   answer then arrives as "answer".
 * "answer" (const char *sdp): the party answered our offer.
 * "progress" (guint status): a provisional response to our INVITE (180, 183).
 * "established" (): the dialog is confirmed.
 * "offer-failed" (guint status, const char *phrase): our re-offer was refused; the call goes on.
 * "ended" (SpLegEndCause cause, guint status, const char *phrase): the dialog is over.
 * "refer-progress" (guint status, const char *phrase, gboolean final): what became of our
 *   sp_leg_refer(): the REFER's own refusal, then each NOTIFY; a final one ends it. */
struct _SpLegInterface
{
  GTypeInterface parent_iface;

  const char *(*get_call_id) (SpLeg *self);
  const char *(*get_remote_uri) (SpLeg *self);
  const char *(*get_remote_name) (SpLeg *self);
  const char *(*get_initial_offer) (SpLeg *self);
  GVariant *(*get_attached_data) (SpLeg *self);
  const char *(*get_referred_by) (SpLeg *self);
  gboolean (*is_established) (SpLeg *self);
  gboolean (*is_ended) (SpLeg *self);
  gboolean (*has_pending_offer) (SpLeg *self);

  void (*ring) (SpLeg *self);
  void (*accept) (SpLeg *self, const char *answer_sdp);
  void (*reject) (SpLeg *self, guint status, const char *phrase);
  void (*send_offer) (SpLeg *self, const char *offer_sdp);
  void (*answer_offer) (SpLeg *self, guint status, const char *answer_sdp);
  void (*hangup) (SpLeg *self);
  gboolean (*refer) (SpLeg *self, const char *target_uri, SpLeg *replaces, GVariant *attached_data,
                     GError **error);
  gboolean (*send_text) (SpLeg *self, const char *text, GError **error);
};

const char *
sp_leg_get_call_id (SpLeg *self);
const char *
sp_leg_get_remote_uri (SpLeg *self);
const char *
sp_leg_get_remote_name (SpLeg *self);
/* Inbound: the INVITE's SDP, or NULL. */
const char *
sp_leg_get_initial_offer (SpLeg *self);
/* Inbound: the attached data the INVITE carried (a{ss}, never NULL). */
GVariant *
sp_leg_get_attached_data (SpLeg *self);
/* Inbound: who transferred this call to us (Referred-By, RFC 3892), "" when nobody. */
const char *
sp_leg_get_referred_by (SpLeg *self);
gboolean
sp_leg_is_established (SpLeg *self);
gboolean
sp_leg_is_ended (SpLeg *self);
/* We sent an offer and wait for its answer (never two offers in flight). */
gboolean
sp_leg_has_pending_offer (SpLeg *self);

void
sp_leg_ring (SpLeg *self);
void
sp_leg_accept (SpLeg *self, const char *answer_sdp);
void
sp_leg_reject (SpLeg *self, guint status, const char *phrase);
void
sp_leg_send_offer (SpLeg *self, const char *offer_sdp);
void
sp_leg_answer_offer (SpLeg *self, guint status, const char *answer_sdp);
void
sp_leg_hangup (SpLeg *self);
/* Asks the party of this leg to call TARGET_URI (blind transfer) or, with REPLACES, to replace
 * that other leg of ours (attended transfer), carrying ATTACHED_DATA (a{ss} or NULL) along.
 * Progress comes as "refer-progress". Fails at once when the leg cannot transfer now. */
gboolean
sp_leg_refer (SpLeg *self, const char *target_uri, SpLeg *replaces, GVariant *attached_data,
              GError **error);
/* Sends TEXT to the party's phone as a text message in this call (SIP MESSAGE, text/plain);
 * fails at once when its phone did not say it accepts one (Allow) or the call is not up. */
gboolean
sp_leg_send_text (SpLeg *self, const char *text, GError **error);

G_END_DECLS
