/* One interaction with a contact: the call (a state machine over its legs, SDP and media,
 * reached through the ports SpTelephony, SpLeg and SpMediaSession) and its record (notepad,
 * attached and case data, dispositions). Observers store the record ("record" signal) and show
 * the video window (the window-* calls). Knows nothing of D-Bus, SIP or GStreamer. */
#pragma once

#include <gio/gio.h>

#include "sp-cobrowse-registry.h"
#include "sp-config.h"
#include "sp-media-session.h"
#include "sp-store.h"
#include "sp-telephony.h"

G_BEGIN_DECLS

#define SP_INTERACTION_ERROR (sp_interaction_error_quark ())
GQuark
sp_interaction_error_quark (void);

typedef enum
{
  SP_INTERACTION_ERROR_FAILED,
  SP_INTERACTION_ERROR_INVALID_ARGUMENT,
  SP_INTERACTION_ERROR_INVALID_STATE,
  SP_INTERACTION_ERROR_NOT_ALLOWED,
  SP_INTERACTION_ERROR_NOT_FOUND,
  SP_INTERACTION_ERROR_DISPOSITION_REQUIRED,
  SP_INTERACTION_ERROR_UNAVAILABLE,
  SP_INTERACTION_ERROR_NO_CAMERA,
  SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO,
  SP_INTERACTION_ERROR_TRANSFER_FAILED, /* the message carries the SIP status */
  SP_INTERACTION_ERROR_NOBODY_ANSWERED, /* CompleteConference before any agent answered */
} SpInteractionError;

typedef enum
{
  SP_INTERACTION_DIALING,
  SP_INTERACTION_RINGING,
  SP_INTERACTION_TALKING,
  SP_INTERACTION_HELD,
  SP_INTERACTION_CONSULTING,
  SP_INTERACTION_DISCONNECTED,
  SP_INTERACTION_DONE,
} SpInteractionState;

/* Video, orthogonal to the call state: none -> requested -> active <-> paused, or declined. */
typedef enum
{
  SP_INTERACTION_VIDEO_NONE,
  SP_INTERACTION_VIDEO_REQUESTED, /* asked by the agent (re-INVITE out) or by the contact (ask) */
  SP_INTERACTION_VIDEO_ACTIVE,
  SP_INTERACTION_VIDEO_PAUSED,   /* the stream exists but is inactive both ways */
  SP_INTERACTION_VIDEO_DECLINED, /* the contact's phone refused the agent's request */
} SpInteractionVideo;

/* The layouts of the video window. */
typedef enum
{
  SP_INTERACTION_LAYOUT_REMOTE_LARGE,  /* the contact's picture fills it, ours small */
  SP_INTERACTION_LAYOUT_PREVIEW_LARGE, /* the other way round */
} SpInteractionLayout;

/* What changed in the record, for the observers that store it ("record" signal). */
typedef enum
{
  SP_RECORD_BEGIN, /* the interaction exists (emitted by the manager once observed) */
  SP_RECORD_NOTES, /* the agent's changes: refused with UNAVAILABLE when not stored */
  SP_RECORD_CASE_DATA,
  SP_RECORD_DISPOSITIONS,
  SP_RECORD_PUSH_STARTED,
  SP_RECORD_PUSH_ENDED, /* what the call does: never refused */
  SP_RECORD_ANSWERED,
  SP_RECORD_ENDED,
  SP_RECORD_VIDEO_USED,
  SP_RECORD_ENCRYPTED, /* the media became SRTP: never refused */
  SP_RECORD_PARTICIPANTS,
  SP_RECORD_COBROWSE_STARTED, /* sp_interaction_get_cobrowse() says what: never refused */
  SP_RECORD_COBROWSE_JOINED,
  SP_RECORD_COBROWSE_PAGE,
  SP_RECORD_COBROWSE_ENDED,
  SP_RECORD_FINISH, /* Mark Done: refused with UNAVAILABLE when not stored */
} SpRecordChange;

/* What the interaction needs from the service around it (borrowed, outlive it). */
typedef struct
{
  SpConfig *config;
  SpStore *store; /* NULL: the database is unavailable (no push catalogue) */
  SpTelephony *telephony;
  SpMediaFactory *media;
  SpCoBrowseRegistry *cobrowse; /* the co-browse sessions; NULL: co-browse is not offered */
} SpInteractionContext;

#define SP_TYPE_INTERACTION (sp_interaction_get_type ())
G_DECLARE_FINAL_TYPE (SpInteraction, sp_interaction, SP, INTERACTION, GObject)

/* Signals: "done" () after Mark Done; "browser-candidate" (guint mline, const char *candidate):
 * an ICE candidate of ours for the browser carrying the video; "participant-declined" (const char
 * *id, guint status, const char *phrase): a conferenced agent did not answer; "record"
 * (SpRecordChange change, GError
 * **error) → gboolean: an observer stores CHANGE, or returns FALSE with an error (the first FALSE
 * stops the emission); "keep-on-top" (gboolean above, GError **error) → gboolean: the window
 * observer applies the agent's wish now. Every property notifies when it changes.
 *
 * An inbound call rings only if its offer can be answered as the config stands (codecs,
 * [security] media-encryption): otherwise LEG is refused with 488 before it rings, and NULL
 * comes back with the reason. */
SpInteraction *
sp_interaction_new_inbound (const SpInteractionContext *context, guint number, SpLeg *leg,
                            const char *contact_id, const char *contact_name, GError **error);
SpInteraction *
sp_interaction_new_outbound (const SpInteractionContext *context, guint number, const char *target,
                             GVariant *attached_data, const char *contact_id,
                             const char *contact_name, GError **error);

guint
sp_interaction_get_number (SpInteraction *self);
gint64
sp_interaction_get_started (SpInteraction *self); /* g_get_real_time() */
gint64
sp_interaction_get_answered (SpInteraction *self); /* 0: not answered */
gint64
sp_interaction_get_ended (SpInteraction *self); /* 0: live */
gboolean
sp_interaction_get_video_used (SpInteraction *self);
/* Every active stream of the call is SRTP (SDES keys agreed in the last exchange). */
gboolean
sp_interaction_get_encrypted (SpInteraction *self);
gint64
sp_interaction_get_push_started (SpInteraction *self);
/* What ended the last push: "stop", "end-of-clip", "error" or "call-ended". */
const char *
sp_interaction_get_push_ended_by (SpInteraction *self);
SpInteractionState
sp_interaction_get_state (SpInteraction *self);
const char *
sp_interaction_state_to_string (SpInteractionState state);
const char *
sp_interaction_get_direction (SpInteraction *self);
const char *
sp_interaction_get_remote (SpInteraction *self);
const char *
sp_interaction_get_remote_name (SpInteraction *self);
const char *
sp_interaction_get_contact_id (SpInteraction *self);
const char *
sp_interaction_get_call_id (SpInteraction *self);
/* Who transferred the call to this agent (Referred-By), "" when nobody. */
const char *
sp_interaction_get_referred_by (SpInteraction *self);
const char *
sp_interaction_get_notepad (SpInteraction *self);
GVariant *
sp_interaction_get_attached_data (SpInteraction *self); /* a{ss} */
GVariant *
sp_interaction_get_case_data (SpInteraction *self); /* a{ss} */
const char *const *
sp_interaction_get_dispositions (SpInteraction *self);
/* How the call ended: ACTOR, REASON and MESSAGE are "" while live; ERROR is an
 * SpInteractionError when it ended on a failure, -1 otherwise. */
void
sp_interaction_get_end (SpInteraction *self, const char **actor, const char **reason, int *error,
                        const char **message);
GVariant *
sp_interaction_get_participants (SpInteraction *self); /* aa{sv} */

/* a{sv}: rtp-packets-sent, rtp-packets-received (u), audio-codec (s). Floating. */
GVariant *
sp_interaction_get_media_statistics (SpInteraction *self);

/* Video (sp-interaction-video.c). The strings are the D-Bus property values. */
SpInteractionVideo
sp_interaction_get_video (SpInteraction *self);
const char *
sp_interaction_video_to_string (SpInteractionVideo video);
const char *
sp_interaction_get_video_requester (SpInteraction *self); /* "", "agent", "contact" */
const char *
sp_interaction_get_window (SpInteraction *self); /* "none", "open", "closed" */
const char *
sp_interaction_layout_to_string (SpInteractionLayout layout);
SpInteractionLayout
sp_interaction_get_layout_value (SpInteraction *self);
const char *
sp_interaction_get_layout (SpInteraction *self); /* "remote-large", "preview-large" */
gboolean
sp_interaction_get_always_on_top (SpInteraction *self);
/* The agent's wish, kept for a window that opens later. */
gboolean
sp_interaction_get_on_top_wish (SpInteraction *self);
/* The window observer: the channel a window reads PICTURE from ("" without video). */
const char *
sp_interaction_get_picture (SpInteraction *self, SpMediaPicture picture);
/* The window observer reports what the window is: STATE "none", "open" or "closed", and
 * whether the window manager keeps it above. */
void
sp_interaction_report_window (SpInteraction *self, const char *state, gboolean on_top);
/* Escalates to video, resumes paused video, or accepts the contact's pending request; completes
 * when the contact's phone has answered. NOT_ALLOWED, NO_CAMERA, INVALID_STATE at once;
 * PEER_DECLINED_VIDEO when the answer refuses video (the voice call goes on). */
void
sp_interaction_activate_video_async (SpInteraction *self, GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean
sp_interaction_activate_video_finish (SpInteraction *self, GAsyncResult *result, GError **error);
/* Pauses video both ways (the m-line stays, inactive), or declines the contact's request. */
void
sp_interaction_deactivate_video_async (SpInteraction *self, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean
sp_interaction_deactivate_video_finish (SpInteraction *self, GAsyncResult *result, GError **error);
gboolean
sp_interaction_swap_layout (SpInteraction *self, GError **error);

/* Video push (sp-interaction-push.c): "push" is the item id or "". Signal "push-ended"
 * (item id, reason "end-of-clip" or "error", message) when a clip ends by itself. */
const char *
sp_interaction_get_push (SpInteraction *self);
gboolean
sp_interaction_start_push (SpInteraction *self, const char *item_id, GError **error);
gboolean
sp_interaction_stop_push (SpInteraction *self, GError **error);
gboolean
sp_interaction_set_always_on_top (SpInteraction *self, gboolean above, GError **error);

/* Asks the observers to store CHANGE ("record" signal); FALSE with their error (UNAVAILABLE)
 * when one could not. */
gboolean
sp_interaction_record (SpInteraction *self, SpRecordChange change, GError **error);

/* Finishes any of the asynchronous actions (hold, video, transfer, consultation): TRUE, or FALSE
 * with the action's error. */
gboolean
sp_interaction_action_finish (SpInteraction *self, GAsyncResult *result, GError **error);

gboolean
sp_interaction_answer (SpInteraction *self, GError **error);
gboolean
sp_interaction_reject (SpInteraction *self, GError **error);
void
sp_interaction_hold_async (SpInteraction *self, gboolean hold, GAsyncReadyCallback callback,
                           gpointer user_data);
gboolean
sp_interaction_hold_finish (SpInteraction *self, GAsyncResult *result, GError **error);
gboolean
sp_interaction_disconnect (SpInteraction *self, GError **error);

/* RFC 3891: when OLD is the contact's leg, LEG (an INVITE with Replaces) takes its place: LEG
 * is answered from the same media, OLD hung up, and the session goes on with the new party
 * (Remote, ReferredBy and Participants follow). FALSE when OLD is not this interaction's. */
gboolean
sp_interaction_replace_contact (SpInteraction *self, SpLeg *old, SpLeg *leg);

/* Blind transfer (sp-interaction-transfer.c): asks the contact's phone to call TARGET (an
 * agent or queue id of the directory, a number or a SIP URI) with the attached data. Completes
 * when the target answered: the contact's leg ends (EndReason local/transferred) and the
 * notepad gets "Transferred to NAME: REASON". TRANSFER_FAILED (with the SIP status) when the
 * phone refuses, the target does not answer or nothing final comes within [transfer] timeout:
 * the contact stays as before. INVALID_ARGUMENT, NOT_FOUND, INVALID_STATE at once. */
void
sp_interaction_transfer_async (SpInteraction *self, const char *target, const char *reason,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_interaction_transfer_finish (SpInteraction *self, GAsyncResult *result, GError **error);

/* Consultation (sp-interaction-consult.c): holds the contact and calls NUMBER (a number, URI,
 * or directory agent or queue) on a leg of its own; State is consulting from the dial on.
 * Completes when the person answered; TRANSFER_FAILED with the SIP status when they do not
 * (the contact stays on hold). CompleteTransfer refers the contact to them with Replaces and
 * completes like Transfer; EndConsultation hangs up on them and retrieves the contact. */
void
sp_interaction_consult_async (SpInteraction *self, const char *number, const char *reason,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_interaction_consult_finish (SpInteraction *self, GAsyncResult *result, GError **error);
void
sp_interaction_complete_transfer_async (SpInteraction *self, GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean
sp_interaction_complete_transfer_finish (SpInteraction *self, GAsyncResult *result, GError **error);
void
sp_interaction_end_consultation_async (SpInteraction *self, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean
sp_interaction_end_consultation_finish (SpInteraction *self, GAsyncResult *result, GError **error);
/* Conference (sp-interaction-conference.c). Conference holds the contact (and a running
 * conference) and calls each of AGENT_IDS (agents of the directory) on a leg of its own:
 * participants "conference-N", role agent; State is consulting. Completes once they are called.
 * INVALID_ARGUMENT (no agent, one named twice), NOT_FOUND (not in the directory), INVALID_STATE
 * (no call in progress, a consultation, a transfer, a push, an agent already in it). An agent
 * who does not answer is "declined" in Participants and "participant-declined" (id, SIP status,
 * phrase) is emitted; the others go on. */
void
sp_interaction_conference_async (SpInteraction *self, const char *const *agent_ids,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_interaction_conference_finish (SpInteraction *self, GAsyncResult *result, GError **error);
/* Agents still ringing are cancelled; those who answered join the contact in a mix-minus
 * (everybody hears everybody else, never themselves), then the contact is retrieved.
 * INVALID_STATE without agents called; NOBODY_ANSWERED when none answered (they go on
 * ringing). EndConsultation instead hangs up on the agents called and retrieves the others. */
void
sp_interaction_complete_conference_async (SpInteraction *self, GAsyncReadyCallback callback,
                                          gpointer user_data);
gboolean
sp_interaction_complete_conference_finish (SpInteraction *self, GAsyncResult *result,
                                           GError **error);
/* Hangs up on the conferenced (or called) agent ID; the others go on. NOT_FOUND (no such
 * participant), INVALID_ARGUMENT (the contact, a consultation), INVALID_STATE (gone already). */
gboolean
sp_interaction_drop_participant (SpInteraction *self, const char *id, GError **error);
/* Ends a live call because the service stops (end reason system / service-stopped). */
void
sp_interaction_end_for_shutdown (SpInteraction *self);
gboolean
sp_interaction_mark_done (SpInteraction *self, GError **error);

gboolean
sp_interaction_set_notepad (SpInteraction *self, const char *text, GError **error);
gboolean
sp_interaction_append_note (SpInteraction *self, const char *text, GError **error);
gboolean
sp_interaction_set_case_data (SpInteraction *self, GVariant *values, GError **error);
gboolean
sp_interaction_set_dispositions (SpInteraction *self, const char *const *codes, GError **error);

/* Co-browse (sp-interaction-cobrowse.c, docs/co-browse.md). */
gboolean
sp_interaction_start_cobrowse (SpInteraction *self, char **code, char **url, GError **error);
gboolean
sp_interaction_stop_cobrowse (SpInteraction *self, GError **error);
/* The last co-browse session (live or ended), NULL when none. */
SpCoBrowse *
sp_interaction_get_cobrowse (SpInteraction *self);
/* "none", "waiting", "joined" or "ended". */
const char *
sp_interaction_get_cobrowse_state (SpInteraction *self);
/* The agent's link while the co-browse is waiting or joined, else "" (free with g_free). */
char *
sp_interaction_dup_cobrowse_agent_url (SpInteraction *self);

/* Video through the customer's browser (sp-interaction-browser-video.c, docs/browser-video.md).
 * A one-time link for this call: talking, video allowed, no video with the phone and no browser
 * connected (a link nobody used yet is replaced). Video is then requested until the browser's
 * media connects, then active. */
gboolean
sp_interaction_invite_browser_video (SpInteraction *self, char **code, char **url, GError **error);
/* The last invitation (live or ended), NULL when none. */
SpCoBrowse *
sp_interaction_get_browser_link (SpInteraction *self);
/* Which path carries the video: "", "sip" or "browser". */
const char *
sp_interaction_get_video_path (SpInteraction *self);
/* none, invited, joined, connecting, active or ended; and why it ended ("" before). */
const char *
sp_interaction_get_browser_video (SpInteraction *self);
const char *
sp_interaction_get_browser_video_ended_by (SpInteraction *self);
/* The joined browser's WebRTC offer: completes with the answer (SDP text). A second offer is the
 * same browser reloading: its old media is replaced. Errors: INVALID_STATE when no browser
 * joined or the voice does not run; the media's own errors for an offer it cannot take. */
void
sp_interaction_browser_offer_async (SpInteraction *self, const char *offer,
                                    GAsyncReadyCallback callback, gpointer user_data);
char *
sp_interaction_browser_offer_finish (SpInteraction *self, GAsyncResult *result, GError **error);
gboolean
sp_interaction_browser_candidate (SpInteraction *self, guint mline, const char *candidate,
                                  GError **error);
/* The browser went away: REASON closed, camera-denied or camera-error (else INVALID_ARGUMENT). */
gboolean
sp_interaction_browser_left (SpInteraction *self, const char *reason, GError **error);

G_END_DECLS
