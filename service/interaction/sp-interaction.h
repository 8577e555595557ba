/* One interaction with a contact: the call (state machine over a SIP leg, SDP and media) and
 * its record (notepad, attached and case data, dispositions), written to the store as it
 * changes and to the history at Mark Done. Knows nothing of D-Bus. */
#pragma once

#include <gio/gio.h>

#include "sp-call-leg.h"
#include "sp-config.h"
#include "sp-sip-agent.h"
#include "sp-store.h"

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

typedef struct _SpCameraMonitor SpCameraMonitor;

/* What the interaction needs from the service around it (borrowed, outlive it). */
typedef struct
{
  SpConfig *config;
  SpStore *store; /* NULL: nothing is recorded (the database is unavailable) */
  SpSipAgent *agent;
  SpCameraMonitor *camera; /* NULL: no PipeWire camera can ever be present */
} SpInteractionContext;

#define SP_TYPE_INTERACTION (sp_interaction_get_type ())
G_DECLARE_FINAL_TYPE (SpInteraction, sp_interaction, SP, INTERACTION, GObject)

/* Signals: "done" () after Mark Done. Every property notifies when it changes. */
SpInteraction *
sp_interaction_new_inbound (const SpInteractionContext *context, guint number, SpCallLeg *leg,
                            GVariant *attached_data, const char *contact_id,
                            const char *contact_name);
SpInteraction *
sp_interaction_new_outbound (const SpInteractionContext *context, guint number, const char *target,
                             GVariant *attached_data, GError **error);

guint
sp_interaction_get_number (SpInteraction *self);
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
sp_interaction_get_record_id (SpInteraction *self); /* the store's interaction id, or NULL */
const char *
sp_interaction_get_call_id (SpInteraction *self);
const char *
sp_interaction_get_notepad (SpInteraction *self);
GVariant *
sp_interaction_get_attached_data (SpInteraction *self); /* a{ss} */
GVariant *
sp_interaction_get_case_data (SpInteraction *self); /* a{ss} */
const char *const *
sp_interaction_get_dispositions (SpInteraction *self);
/* (actor, reason, error name, message); empty strings while live. */
GVariant *
sp_interaction_get_end_reason (SpInteraction *self);
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
sp_interaction_get_layout (SpInteraction *self); /* "remote-large", "preview-large" */
gboolean
sp_interaction_get_always_on_top (SpInteraction *self);
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

G_END_DECLS
