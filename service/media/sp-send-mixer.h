/* The mixer of what a leg sends: it joins the send path only when something is to be mixed with
 * the agent's voice (a pushed clip's sound, a conference), so a plain call's voice goes straight
 * to the encoder. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpSendMixer SpSendMixer;

/* SOURCE_PAD (the voice) is linked to SINK_PAD (the fixed send format) in PIPELINE, and stays
 * so until sp_send_mixer_get() is first called. */
SpSendMixer *
sp_send_mixer_new (GstBin *pipeline, GstPad *source_pad, GstPad *sink_pad);
void
sp_send_mixer_free (SpSendMixer *self);

/* The mixer, inserted between the voice and the send format on the first call and kept for the
 * rest of the call; the caller requests its own "sink_%u" pad on it. NULL with an error when it
 * cannot be made. */
GstElement *
sp_send_mixer_get (SpSendMixer *self, GError **error);
/* Whether the mixer is in the path (for statistics and tests). */
gboolean
sp_send_mixer_is_inserted (SpSendMixer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSendMixer, sp_send_mixer_free)

G_END_DECLS
