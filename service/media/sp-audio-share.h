/* Audio shared between the pipelines of one interaction's legs, the ground of a local
 * conference's mix-minus: what a leg hears leaves on named channels, and named channels join
 * what a leg sends. A party hears the others because each of its inputs is another party's
 * output; it never hears itself because nobody routes its own output back to it. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpAudioShare SpAudioShare;

/* PIPELINE holds MIXER (what the leg sends: each input gets a pad of its own) and TEE (what
 * the leg hears: each output gets a branch of its own). */
SpAudioShare *
sp_audio_share_new (GstBin *pipeline, GstElement *mixer, GstElement *tee);
/* Stops and removes every input and output. */
void
sp_audio_share_free (SpAudioShare *self);

/* CHANNEL joins what the leg sends (FALSE with SP_MEDIA_ERROR_STATE when it already does). */
gboolean
sp_audio_share_add_input (SpAudioShare *self, const char *channel, GError **error);
gboolean
sp_audio_share_remove_input (SpAudioShare *self, const char *channel);
/* What the leg hears also goes to CHANNEL. */
gboolean
sp_audio_share_add_output (SpAudioShare *self, const char *channel, GError **error);
gboolean
sp_audio_share_remove_output (SpAudioShare *self, const char *channel);
/* The channels, sorted (for statistics and tests). */
GStrv
sp_audio_share_list_inputs (SpAudioShare *self);
GStrv
sp_audio_share_list_outputs (SpAudioShare *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpAudioShare, sp_audio_share_free)

G_END_DECLS
