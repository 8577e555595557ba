/* The direction of one media stream, as the SDP attribute of *our* side says it. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SP_MEDIA_DIRECTION_SENDRECV,
  SP_MEDIA_DIRECTION_SENDONLY,
  SP_MEDIA_DIRECTION_RECVONLY,
  SP_MEDIA_DIRECTION_INACTIVE,
} SpMediaDirection;

GType
sp_media_direction_get_type (void);
#define SP_TYPE_MEDIA_DIRECTION (sp_media_direction_get_type ())

const char *
sp_media_direction_to_string (SpMediaDirection direction);
gboolean
sp_media_direction_from_string (const char *string, SpMediaDirection *direction);

/* Whether our microphone goes out. Only sendrecv: a=sendonly is what we write while the agent
 * holds the call, and without a music-on-hold source the microphone must never reach a held
 * customer. */
gboolean
sp_media_direction_sends (SpMediaDirection direction);
/* Whether we play what the peer sends, and so expect RTP from it (dead-peer detection). */
gboolean
sp_media_direction_receives (SpMediaDirection direction);

G_END_DECLS
