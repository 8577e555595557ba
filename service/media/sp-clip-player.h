/* Plays one pushed clip (a video file, or a still image for a set time) in real time into an
 * intervideo channel, and its sound, if any, into an interaudio channel, from a pipeline of its
 * own: the call pipeline never sees the clip's segments, caps or EOS (ANCHORS: video push).
 * Pictures are normalised to I420 at the call's size and rate before they leave.
 *
 * Signals (on the thread-default main context of whoever called start): "first-frame" () once
 * the first picture is in the channel; "finished" () at the end of the clip; "failed"
 * (const char *message) when the file cannot be read or decoded, before or during playback.
 * After "finished" or "failed" the player has stopped itself. */
#pragma once

#include "sp-media-error.h"

#include <glib-object.h>

G_BEGIN_DECLS

#define SP_TYPE_CLIP_PLAYER (sp_clip_player_get_type ())
G_DECLARE_FINAL_TYPE (SpClipPlayer, sp_clip_player, SP, CLIP_PLAYER, GObject)

/* IMAGE_MS > 0 shows PATH as a still image for that long; 0 plays it as a clip. */
SpClipPlayer *
sp_clip_player_new (const char *path, guint image_ms, const char *video_channel,
                    const char *audio_channel, guint width, guint height, guint framerate);
/* Starts playing; FALSE (SP_MEDIA_ERROR_DEVICE) only for a file that is not there or an
 * element that is missing. Decoding problems arrive as "failed". */
gboolean
sp_clip_player_start (SpClipPlayer *self, GError **error);
void
sp_clip_player_stop (SpClipPlayer *self);
/* Whether the clip has a sound track (known once "first-frame" was emitted). */
gboolean
sp_clip_player_has_audio (SpClipPlayer *self);

/* The format the sound is written in (what the call's mixer reads). */
#define SP_CLIP_PLAYER_AUDIO_CAPS                                                                  \
  "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"

G_END_DECLS
