/* The agent's own voice and ear in a local conference: captured once and played once for every
 * leg of the mix. The voice is a member of the conference's bridge like any leg, so each leg
 * sends the bridge's mix (the agent and the other legs) instead of a capture of its own, and
 * the agent hears the sum of the legs, less its own voice, on one playback stream. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpAgentAudio SpAgentAudio;

/* The devices are those of the call's legs ([media] audio-source and audio-sink, the test tone's
 * frequency). A sink "file:PATH" records what the agent hears in the conference apart, in
 * PATH with "-conference" before its extension. Built and started; NULL with an error when a device
 * cannot be made. */
SpAgentAudio *
sp_agent_audio_new (const char *source_spec, gdouble tone_frequency, const char *sink_spec,
                    GError **error);
/* Stops both halves (a recording is finalized first). */
void
sp_agent_audio_free (SpAgentAudio *self);

/* What the agent says, 48 kHz mono S16 (SP_AUDIO_BRIDGE_CAPS): the bridge reads it. */
GstAppSink *
sp_agent_audio_get_voice (SpAgentAudio *self);
/* What the agent hears: the bridge pushes into it. */
GstAppSrc *
sp_agent_audio_get_ear (SpAgentAudio *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpAgentAudio, sp_agent_audio_free)

G_END_DECLS
