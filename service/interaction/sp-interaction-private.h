/* The parts of SpInteraction shared by its files: identity and state (sp-interaction.c), the
 * record in the store (sp-interaction-record.c), the call control (sp-interaction-call.c), the
 * media binding (sp-interaction-media.c), video and push. */
#pragma once

#include "sp-interaction.h"
#include "sp-sdp.h"

G_BEGIN_DECLS

typedef struct _SpCallMedia SpCallMedia;
typedef struct _SpVideoFeed SpVideoFeed;
typedef struct _SpVideoWindow SpVideoWindow;

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
  char *record_id;    /* the store's row, NULL when the interaction is not recorded */
  char *record_error; /* why record_id is NULL */
  guint heartbeat_id;
  gboolean heartbeat_failed;
  char *call_id;
  GVariant *attached_data; /* a{ss} */
  GVariant *case_data;     /* a{ss} */
  char *notepad;
  GStrv dispositions;
  char *end_actor;
  char *end_reason;
  char *end_error;
  char *end_message;
  gint64 started;
  gint64 answered;
  gint64 ended;

  /* call control */
  SpCallLeg *leg;
  SpCallMedia *media;
  gboolean media_started;
  guint rtp_sent;
  guint rtp_received;
  char *audio_codec;       /* "PCMU/8000" once media runs; kept for the statistics after the call */
  SpSdpSession *local_sdp; /* our last description in this dialog */
  SpSdpDirection audio_intent;
  gboolean local_hold;
  gboolean remote_hold;
  guint audio_rtp_port;
  guint audio_rtcp_port;
  GTask *hold_task;
  gboolean reoffer_queued;
  guint glare_id;

  /* video (sp-interaction-video.c) */
  SpInteractionVideo video;
  const char *video_requester; /* "", "agent", "contact" (static strings) */
  gboolean video_wanted;       /* our video slot is enabled in offers and answers */
  gboolean video_paused;       /* the agent deactivated video */
  guint video_rtp_port;
  guint video_rtcp_port;
  GTask *video_task; /* Activate/DeactivateVideo waiting for the contact's answer */
  gboolean video_task_activates;
  char *held_video_offer; /* the contact's video offer waiting for the CRM ("ask") */
  guint video_ask_id;
  SpVideoFeed *feed;
  SpVideoWindow *window;
  int layout; /* SpVideoLayout */
  gboolean on_top_wish;
  GVariant *video_stats; /* the last video statistics, kept after the call */
  gboolean video_used;   /* video was active at some point: recorded in the history */

  /* push (sp-interaction-push.c) */
  char *push_item; /* the catalogue id being pushed, or NULL */
  gint64 push_started;
  gint64 push_record; /* the store's row of that push, 0 when none */
};

void
sp_interaction_set_state (SpInteraction *self, SpInteractionState state);
void
sp_interaction_set_end (SpInteraction *self, const char *actor, const char *reason,
                        const char *error_name, const char *message);
void
sp_interaction_notify (SpInteraction *self, const char *property);

/* sp-interaction-record.c: the store side of the record. The agent's changes return FALSE
 * with UNAVAILABLE when they cannot be stored; what the call does is stored as it happens. */
void
sp_interaction_record_begin (SpInteraction *self);
void
sp_interaction_record_stop (SpInteraction *self);
gboolean
sp_interaction_record_notes (SpInteraction *self, GError **error);
gboolean
sp_interaction_record_case_data (SpInteraction *self, GError **error);
gboolean
sp_interaction_record_dispositions (SpInteraction *self, GError **error);
gboolean
sp_interaction_record_push_started (SpInteraction *self, GError **error);
void
sp_interaction_record_push_ended (SpInteraction *self, const char *ended_by);
void
sp_interaction_record_answered (SpInteraction *self);
void
sp_interaction_record_ended (SpInteraction *self);
void
sp_interaction_record_video_used (SpInteraction *self);
gboolean
sp_interaction_record_finish (SpInteraction *self, GError **error);

/* sp-interaction-call.c */
void
sp_interaction_attach_leg (SpInteraction *self, SpCallLeg *leg);
void
sp_interaction_release_call (SpInteraction *self);
gboolean
sp_interaction_start_outbound_call (SpInteraction *self, const char *target, GError **error);

/* sp-interaction-call.c, for the video region */
void
sp_interaction_send_reoffer (SpInteraction *self);
void
sp_interaction_answer_held_offer (SpInteraction *self, const char *sdp);

/* sp-interaction-video.c: the video region of the call. */
gboolean
sp_interaction_video_slot_enabled (SpInteraction *self);
SpSdpDirection
sp_interaction_video_intent (SpInteraction *self);
/* Whether an offered video stream may be answered with a real port now. */
gboolean
sp_interaction_video_accepts (SpInteraction *self);
/* A contact's offer: TRUE when the video module keeps it for the CRM (no answer yet). */
gboolean
sp_interaction_video_review_offer (SpInteraction *self, const SpSdpSession *offer,
                                   const char *text);
gboolean
sp_interaction_video_apply (SpInteraction *self, const SpSdpStream *video, GError **error);
void
sp_interaction_video_exchange_done (SpInteraction *self);
void
sp_interaction_video_offer_failed (SpInteraction *self, guint status, const char *phrase);
gboolean
sp_interaction_video_busy (SpInteraction *self, GError **error);
void
sp_interaction_video_stop (SpInteraction *self);
void
sp_interaction_video_close_window (SpInteraction *self);
GVariantDict *
sp_interaction_video_add_statistics (SpInteraction *self, GVariantDict *dict);

/* sp-interaction-push.c */
void
sp_interaction_push_media_ended (SpInteraction *self, const char *reason, const char *message);
void
sp_interaction_push_stop (SpInteraction *self, const char *ended_by);

/* sp-interaction-media.c: the GStreamer side, behind four calls. */
gboolean
sp_interaction_media_prepare (SpInteraction *self, GError **error);
gboolean
sp_interaction_media_apply (SpInteraction *self, const SpSdpStream *audio, GError **error);
gboolean
sp_interaction_media_prepare_video (SpInteraction *self, GError **error);
void
sp_interaction_media_stop (SpInteraction *self);

G_END_DECLS
