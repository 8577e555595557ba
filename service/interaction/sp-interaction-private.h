/* The parts of SpInteraction shared by its files: the record (sp-interaction.c), the call
 * control (sp-interaction-call.c) and the media binding (sp-interaction-media.c). */
#pragma once

#include "sp-interaction.h"
#include "sp-sdp.h"

G_BEGIN_DECLS

typedef struct _SpCallMedia SpCallMedia;

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
  char *record_id;
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
};

void
sp_interaction_set_state (SpInteraction *self, SpInteractionState state);
void
sp_interaction_set_end (SpInteraction *self, const char *actor, const char *reason,
                        const char *error_name, const char *message);
void
sp_interaction_notify (SpInteraction *self, const char *property);

/* sp-interaction-call.c */
void
sp_interaction_attach_leg (SpInteraction *self, SpCallLeg *leg);
void
sp_interaction_release_call (SpInteraction *self);
gboolean
sp_interaction_start_outbound_call (SpInteraction *self, const char *target, GError **error);

/* sp-interaction-media.c: the GStreamer side, behind four calls. */
gboolean
sp_interaction_media_prepare (SpInteraction *self, GError **error);
gboolean
sp_interaction_media_apply (SpInteraction *self, const SpSdpStream *audio, GError **error);
void
sp_interaction_media_stop (SpInteraction *self);

G_END_DECLS
