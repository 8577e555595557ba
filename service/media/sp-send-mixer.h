/* The mixer of what a leg sends: it is in the send path only while something is mixed with the
 * agent's voice (a pushed clip's sound, a conference), so a plain call's voice goes straight to
 * the encoder. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpSendMixer SpSendMixer;

/* SOURCE_PAD (the voice) is linked to SINK_PAD (the fixed send format) in PIPELINE, and stays
 * so until a pad is first requested. */
SpSendMixer *
sp_send_mixer_new (GstBin *pipeline, GstPad *source_pad, GstPad *sink_pad);
/* After the pipeline has stopped. */
void
sp_send_mixer_free (SpSendMixer *self);

/* A new input to mix with the voice (transfer full; link something to it). The mixer joins
 * between the voice and the send format with the first one. NULL with an error when it cannot
 * be made. */
GstPad *
sp_send_mixer_request_pad (SpSendMixer *self, GError **error);
/* Gives PAD back once what fed it is unlinked or stopped; with the last one the mixer leaves
 * and the voice goes straight to the send format again. */
void
sp_send_mixer_release_pad (SpSendMixer *self, GstPad *pad);
/* VOICE (a source's pad linked to nothing, not started yet) takes the place of the voice now in
 * the path, between two of the old voice's buffers; the old one's pad is then linked to nothing:
 * stop it. A conference's leg sends the conference's mix this way instead of its own voice. */
void
sp_send_mixer_set_voice (SpSendMixer *self, GstPad *voice);
/* The voice now in the path (owned by the mixer). */
GstPad *
sp_send_mixer_get_voice (SpSendMixer *self);
/* Whether the mixer is in the path (for statistics and tests). */
gboolean
sp_send_mixer_is_inserted (SpSendMixer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSendMixer, sp_send_mixer_free)

G_END_DECLS
