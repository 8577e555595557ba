/* The parts of SpInteraction shared by its files: identity, state and record
 * (sp-interaction.c), call control over the legs (sp-interaction-call.c), the media of a leg
 * (sp-interaction-media.c), the video region (sp-interaction-video.c) and push. Storage and
 * the window are not here: observers do them (service/observers/). */
#pragma once

#include "sp-interaction.h"
#include "sp-participant.h"
#include "sp-sdp.h"

G_BEGIN_DECLS

/* The video region (DESIGN.md: none -> requested -> active <-> paused, or declined) with the
 * steps in between that wait for the contact's phone or for the CRM. The D-Bus value is
 * derived (sp_interaction_get_video). */
typedef enum
{
  SP_VIDEO_NONE,
  SP_VIDEO_ASKING,     /* our re-offer adding video is out (ActivateVideo waits) */
  SP_VIDEO_HELD_OFFER, /* the contact's video offer waits for the CRM ([video] remote-offers = ask)
                        */
  SP_VIDEO_ACCEPTING,  /* the contact's video offer is accepted; its exchange completes it */
  SP_VIDEO_ACTIVE,
  SP_VIDEO_PAUSING, /* our re-offer making video inactive is out (DeactivateVideo waits) */
  SP_VIDEO_PAUSED,
  SP_VIDEO_RESUMING, /* our re-offer making video active again is out (ActivateVideo waits) */
  SP_VIDEO_DECLINED, /* the contact's phone refused the agent's request */
} SpVideoRegion;

/* Video through the customer's browser (sp-interaction-browser-video.c): a link is out, the
 * browser's offer is answered, its media connected. */
typedef enum
{
  SP_BROWSER_NONE,
  SP_BROWSER_INVITED,
  SP_BROWSER_CONNECTING,
  SP_BROWSER_ACTIVE,
  SP_BROWSER_PAUSED, /* DeactivateVideo: connected, nothing shown either way */
} SpBrowserRegion;

struct _SpInteraction
{
  GObject parent_instance;

  SpInteractionContext context;
  guint number;
  SpInteractionState state;
  gboolean outbound;
  char *remote;
  char *remote_name;
  char *contact_id;
  char *call_id;
  char *referred_by;       /* who transferred the call to us, "" when nobody */
  GVariant *attached_data; /* a{ss} */
  GVariant *case_data;     /* a{ss} */
  char *notepad;
  GStrv dispositions;
  char *end_actor;
  char *end_reason;
  int end_error; /* an SpInteractionError, or -1 when the call ended normally */
  char *end_message;
  gint64 started;
  gint64 answered;
  gint64 ended;

  /* the legs (sp-participant.h), in the order they joined; contact is the first */
  GPtrArray *participants;
  SpParticipant *contact;

  /* call control on the contact's leg (sp-interaction-call.c) */
  gboolean media_started;
  GPtrArray *pending_streams; /* agreed in our 200 OK; their media start once it is out */
  guint pending_media_id;
  guint rtp_sent;
  guint rtp_received;
  char *audio_codec;       /* "PCMU/8000" once media runs; kept for the statistics after the call */
  SpSdpSession *local_sdp; /* our last description in this dialog */
  gboolean local_hold;
  gboolean remote_hold;
  guint audio_rtp_port;
  guint audio_rtcp_port;
  GTask *hold_task;
  gboolean reoffer_queued;
  guint glare_id;

  /* video (sp-interaction-video.c) */
  SpVideoRegion video;
  const char *video_requester; /* "", "agent", "contact" (static strings) */
  guint video_rtp_port;
  guint video_rtcp_port;
  GTask *video_task;      /* Activate/DeactivateVideo waiting for the contact's answer */
  char *held_video_offer; /* in SP_VIDEO_HELD_OFFER: the contact's offer */
  guint video_ask_id;
  int layout; /* SpInteractionLayout */
  gboolean on_top_wish;
  char *window;          /* as the window observer reports it: "none", "open", "closed" */
  gboolean on_top;       /* as the window observer reports it */
  GVariant *video_stats; /* the last video statistics, kept after the call */
  gboolean video_used;   /* video was active at some point: recorded in the history */

  gboolean encrypted; /* every active stream of the contact is SRTP (sp-interaction-srtp.c) */

  /* blind transfer (sp-interaction-transfer.c) */
  GTask *transfer_task;
  char *transfer_label; /* the target as the notepad names it */
  char *transfer_reason;
  gboolean transfer_accepted; /* the phone took the REFER (202 or a NOTIFY came) */
  guint transfer_timeout_id;

  /* consultation (sp-interaction-consult.c) */
  SpParticipant *consult; /* the consulted person's leg, NULL when none */
  GTask *consult_task;    /* ConsultTransfer waiting for the answer */
  char *consult_label;
  char *consult_reason;
  guint consult_count; /* for the participants' ids: consult-1, consult-2, … */

  /* conference (sp-interaction-conference.c) */
  GTask *conference_task;        /* Conference waiting for the contact to be held */
  GPtrArray *conference_invited; /* its agents (SpDirectoryEntry, the config's) */
  gboolean conference_round;     /* agents called by Conference wait for CompleteConference */
  guint conference_count;        /* for the participants' ids: conference-1, conference-2, … */
  GHashTable *mix_links;         /* ids of the parties whose legs are in the mix */

  /* push (sp-interaction-push.c) */
  char *push_item; /* the catalogue id being pushed, or NULL */
  gint64 push_started;
  char *push_ended_by; /* what ended the last push: stop, end-of-clip, error, call-ended */

  /* co-browse (sp-interaction-cobrowse.c) */
  SpCoBrowse *cobrowse; /* the last session, NULL when none */
  /* video through the customer's browser (sp-interaction-browser-video.c) */
  SpCoBrowse *browser_link; /* the last invitation (a join link of the video kind), or NULL */
  SpBrowserRegion browser;
  gboolean browser_media; /* the contact's media runs the browser's video */
  char *browser_ended_by; /* why we ended the last invitation, NULL when the registry did */
};

void
sp_interaction_set_state (SpInteraction *self, SpInteractionState state);
/* The agent's action needs the contact's leg free: no hold, video change or transfer waits. */
gboolean
sp_interaction_busy (SpInteraction *self, GError **error);
/* ERROR: an SpInteractionError when the call ended on a failure, -1 otherwise. */
void
sp_interaction_set_end (SpInteraction *self, const char *actor, const char *reason, int error,
                        const char *message);
void
sp_interaction_notify (SpInteraction *self, const char *property);

/* sp-interaction-call.c */
void
sp_interaction_attach_contact (SpInteraction *self, SpLeg *leg);
void
sp_interaction_release_call (SpInteraction *self);
gboolean
sp_interaction_start_outbound_call (SpInteraction *self, const char *target, GError **error);

/* sp-interaction-call.c, for the video region */
void
sp_interaction_send_reoffer (SpInteraction *self);
void
sp_interaction_answer_held_offer (SpInteraction *self, const char *sdp);
gboolean
sp_interaction_offer_acceptable (SpInteraction *self, const char *offer, GError **error);

/* sp-interaction-video.c: the video region of the call. */
gboolean
sp_interaction_video_slot_enabled (SpInteraction *self);
SpSdpDirection
sp_interaction_video_intent (SpInteraction *self);
/* A contact's offer: TRUE when the video region keeps it for the CRM (no answer yet). */
gboolean
sp_interaction_video_review_offer (SpInteraction *self, const SpSdpSession *offer,
                                   const char *text);
gboolean
sp_interaction_video_apply (SpInteraction *self, const SpSdpStream *video, GError **error);
void
sp_interaction_video_exchange_done (SpInteraction *self);
/* TRUE when the refused re-offer was the video region's (it then completed its request). */
gboolean
sp_interaction_video_offer_failed (SpInteraction *self, guint status, const char *phrase);
gboolean
sp_interaction_video_busy (SpInteraction *self, GError **error);
void
sp_interaction_video_stop (SpInteraction *self);
GVariantDict *
sp_interaction_video_add_statistics (SpInteraction *self, GVariantDict *dict);

/* sp-interaction-transfer.c: the directory agent or queue, number or URI TARGET names. */
gboolean
sp_interaction_resolve_target (SpInteraction *self, const char *target, char **uri, char **label,
                               GError **error);
/* Refers the contact to URI (replacing our leg REPLACES when set); TASK (taken) completes with
 * the outcome. */
void
sp_interaction_refer_contact (SpInteraction *self, GTask *task, const char *uri, const char *label,
                              const char *reason, SpLeg *replaces);
/* sp-interaction-consult.c: hangs up a consultation (the call ends). */
void
sp_interaction_consult_stop (SpInteraction *self);
/* The consulted person's leg answered, or ended (PARTY is then dropped). */
void
sp_interaction_consult_answered (SpInteraction *self);
void
sp_interaction_consult_lost (SpInteraction *self, SpParticipant *party, guint status,
                             const char *phrase);

/* A log line about the session: "session N: …", with the fields SPORTELLO_SESSION and
 * SIP_CALL_ID. */
void
sp_interaction_log (SpInteraction *self, GLogLevelFlags level, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* sp-interaction-side.c: the legs the agent dials besides the contact's (consultation,
 * conference), voice only. Dialling adds the participant; when the call cannot be placed it
 * is returned ended (no leg) with ERROR set. */
SpParticipant *
sp_interaction_dial_side (SpInteraction *self, const char *id, SpParticipantRole role,
                          const char *uri, const char *name, GError **error);
/* Calling, talking or held. */
gboolean
sp_interaction_side_live (const SpParticipant *party);
/* Re-offers sendonly (HOLD) or sendrecv to the party. */
void
sp_interaction_hold_side (SpInteraction *self, SpParticipant *party, gboolean hold);
void
sp_interaction_drop_side (SpInteraction *self, SpParticipant *party, SpParticipantState state);
/* A GAsyncReadyCallback for sp_interaction_hold_async (retrieve) made on behalf of the GTask in
 * its data: the task returns TRUE or the error. */
void
sp_interaction_retrieved_for_task (GObject *source, GAsyncResult *result, gpointer data);

/* sp-interaction-conference.c */
GHashTable *
sp_interaction_conference_links_new (void);
gboolean
sp_interaction_conference_active (SpInteraction *self);
void
sp_interaction_conference_answered (SpInteraction *self, SpParticipant *party);
void
sp_interaction_conference_lost (SpInteraction *self, SpParticipant *party, guint status,
                                const char *phrase);
void
sp_interaction_conference_relink (SpInteraction *self);
void
sp_interaction_conference_hold (SpInteraction *self, gboolean hold);
void
sp_interaction_conference_end_round (SpInteraction *self);
void
sp_interaction_conference_stop (SpInteraction *self);

/* sp-interaction-transfer.c: TRUE when the contact's leg ended because of a transfer (the end
 * reason is then set); fails a waiting transfer otherwise. */
gboolean
sp_interaction_transfer_leg_ended (SpInteraction *self);
void
sp_interaction_transfer_stop (SpInteraction *self);
/* The contact's leg's "refer-progress". */
void
sp_interaction_on_refer_progress (SpLeg *leg, guint status, const char *phrase, gboolean final,
                                  gpointer data);

/* sp-interaction-push.c */
void
sp_interaction_push_media_ended (SpInteraction *self, const char *reason, const char *message);
void
sp_interaction_push_stop (SpInteraction *self, const char *ended_by);

/* sp-interaction-media.c: the contact's media, behind four calls. */
gboolean
sp_interaction_media_prepare (SpInteraction *self, GError **error);
gboolean
sp_interaction_media_apply (SpInteraction *self, const SpSdpStream *audio, GError **error);
gboolean
sp_interaction_media_prepare_video (SpInteraction *self, GError **error);
void
sp_interaction_media_stop (SpInteraction *self);
/* The media side of a negotiated stream. */
SpMediaDirection
sp_interaction_media_direction (SpSdpDirection direction);
SpMediaAudioParams
sp_interaction_audio_params (const SpSdpStream *audio);
/* sp-interaction-video.c: the media side of a negotiated video stream. */
SpMediaVideoParams
sp_interaction_video_params (const SpSdpStream *video);
/* The contact's media, or NULL. */
SpMediaSession *
sp_interaction_media (SpInteraction *self);

/* sp-interaction-cobrowse.c: ends a live co-browse with the call. */
void
sp_interaction_cobrowse_stop (SpInteraction *self, const char *reason);
void
sp_interaction_cobrowse_dispose (SpInteraction *self);

/* sp-interaction-video.c, for the browser's video */
gboolean
sp_interaction_video_over_sip (
  SpInteraction *self); /* requested, active or paused with the phone */
gboolean
sp_interaction_video_check_allowed (SpInteraction *self, GError **error);
void
sp_interaction_video_forget_decline (SpInteraction *self);
void
sp_interaction_video_note_used (SpInteraction *self);
/* sp-interaction-browser-video.c */
SpInteractionVideo
sp_interaction_browser_video_public (SpInteraction *self);
gboolean
sp_interaction_browser_video_live (SpInteraction *self);
/* Ends the browser's video and its link (REASON goes to the relay); nothing when none runs. */
void
sp_interaction_browser_video_stop (SpInteraction *self, const char *reason);
void
sp_interaction_browser_video_dispose (SpInteraction *self);
/* Pauses or resumes the browser's media as DeactivateVideo and Hold want it. */
void
sp_interaction_browser_video_apply (SpInteraction *self);
/* DeactivateVideo and ActivateVideo on the browser's video: TRUE when they were its to take
 * (done, or failed with ERROR). */
gboolean
sp_interaction_browser_video_deactivate (SpInteraction *self, GError **error);
gboolean
sp_interaction_browser_video_activate (SpInteraction *self, GError **error);
/* sp-interaction-srtp.c: SRTP on PARTY's leg (the contact or a side leg). */
void
sp_interaction_srtp_caps (SpInteraction *self, SpParticipant *party, SpSdpLocal *local);
SpMediaSrtp
sp_interaction_srtp_params (const SpSdpStream *stream);
void
sp_interaction_srtp_agreed (SpInteraction *self, SpParticipant *party, const SpSdpStream *audio,
                            const SpSdpStream *video);

G_END_DECLS
