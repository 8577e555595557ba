/* A leg's side of the local conferences it is in: what the leg hears goes to a named mix
 * (sp-audio-bridge.c), and the mix of every other member joins what the leg sends. A party
 * hears the others and never itself because the bridge gives each member the sum less its own. */
#pragma once

#include "sp-send-mixer.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpAudioShare SpAudioShare;

/* PIPELINE holds SEND_MIXER's mixer (what the leg sends: each mix gets a pad of its own; the
 * share borrows SEND_MIXER and is freed first) and TEE (what the leg hears: each mix gets a
 * branch of its own). */
SpAudioShare *
sp_audio_share_new (GstBin *pipeline, SpSendMixer *send_mixer, GstElement *tee);
/* Leaves every mix. */
void
sp_audio_share_free (SpAudioShare *self);

/* The leg joins the mix called MIX (FALSE with SP_MEDIA_ERROR_STATE when it already has). */
gboolean
sp_audio_share_join (SpAudioShare *self, const char *mix, GError **error);
/* FALSE when the leg was not in MIX. */
gboolean
sp_audio_share_leave (SpAudioShare *self, const char *mix);
/* The mixes, sorted (for statistics and tests). */
GStrv
sp_audio_share_list_mixes (SpAudioShare *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpAudioShare, sp_audio_share_free)

G_END_DECLS
