/* A leg's side of the local conference it is in: what the leg hears goes to a named mix
 * (sp-audio-bridge.c), and the mix of every other member is what the leg sends. A party hears
 * the others and never itself because the bridge gives each member the sum less its own. The
 * agent's voice and ear are a member of the mix too (sp-agent-audio.h): while the leg is in a
 * mix its own voice source is stopped and its own playback is shut, so that a conference
 * captures and plays the agent's audio once, not once per leg. */
#pragma once

#include "sp-send-mixer.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpAudioShare SpAudioShare;

/* The parts of a leg's pipeline that a mix changes; the share borrows them and is freed first. */
typedef struct
{
  GstBin *pipeline;
  SpSendMixer *send_mixer; /* what the leg sends: the mix takes the voice's place */
  GstElement *voice;       /* the leg's own voice source, in the send mixer's voice place */
  GstElement *tee;         /* what the leg hears: the mix gets a branch of its own */
  GstElement *ear_valve;   /* between the tee and the leg's own playback */
  const char *source_spec; /* the agent's devices, for the mix's member of the agent */
  gdouble tone_frequency;
  const char *sink_spec;
} SpAudioShareLeg;

SpAudioShare *
sp_audio_share_new (const SpAudioShareLeg *leg);
/* Leaves the mix, after the leg's pipeline has stopped. */
void
sp_audio_share_free (SpAudioShare *self);

/* The leg joins the mix called MIX (FALSE with SP_MEDIA_ERROR_STATE when it is in a mix
 * already: a leg is in one conference at a time). */
gboolean
sp_audio_share_join (SpAudioShare *self, const char *mix, GError **error);
/* FALSE when the leg was not in MIX. */
gboolean
sp_audio_share_leave (SpAudioShare *self, const char *mix);
/* The mix the leg is in, as a list of none or one (for statistics and tests). */
GStrv
sp_audio_share_list_mixes (SpAudioShare *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpAudioShare, sp_audio_share_free)

G_END_DECLS
