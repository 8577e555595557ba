/* A conference's mixing point: the legs of one local conference each hand over what they hear,
 * and each gets back the sum of what every other member hears (mix-minus), computed once for
 * all of them every 20 ms. The agent's own voice and ear are one more member. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/base/gstadapter.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* 48 kHz mono S16 frames of 20 ms on both sides. */
#define SP_AUDIO_BRIDGE_CAPS "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"
/* What a member's live appsrc of the bridge's frames reports as its latency (one frame) and holds
 * at most (five frames, the oldest dropped first), so that a stall cannot build a lasting delay. */
#define SP_AUDIO_BRIDGE_LATENCY_NS (20 * GST_MSECOND)
#define SP_AUDIO_BRIDGE_MAX_BYTES (5 * 960 * 2)

typedef struct _SpAudioBridge SpAudioBridge;
typedef struct _SpAudioBridgeMember SpAudioBridgeMember;

/* The bridge called NAME, made on first use; it lives while it has members. */
SpAudioBridge *
sp_audio_bridge_get (const char *name);
void
sp_audio_bridge_unref (SpAudioBridge *self);

/* A member reads what its leg hears from HEARD and pushes the mix of the others into MIX
 * (a live appsrc in the leg's send path); the bridge takes references of both. */
SpAudioBridgeMember *
sp_audio_bridge_add (SpAudioBridge *self, GstAppSink *heard, GstAppSrc *mix);
/* The agent's own voice and ear (sp-agent-audio.h) join as a member, made from these devices
 * (the legs' [media] audio-source, test tone and audio-sink) unless the bridge already has
 * them; they leave with the bridge. FALSE with an error when a device cannot be made. */
gboolean
sp_audio_bridge_add_agent (SpAudioBridge *self, const char *source_spec, gdouble tone_frequency,
                           const char *sink_spec, GError **error);
/* From now on the member gets nothing and its voice reaches nobody. */
void
sp_audio_bridge_remove (SpAudioBridge *self, SpAudioBridgeMember *member);
guint
sp_audio_bridge_count (SpAudioBridge *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpAudioBridge, sp_audio_bridge_unref)

G_END_DECLS
