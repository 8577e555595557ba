/* Audio source and sink bins built from the [media] audio-source / audio-sink strings. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* SPEC: "pipewire" (the default microphone, as a Communication capture stream), "test" (a live
 * sine at TONE_FREQUENCY Hz), "none" (live silence) or "file:PATH" (any audio file GStreamer
 * can decode, paced in real time; when it ends the source goes on with silence, it never loops).
 * Returns a bin with one "src" pad of raw audio (transfer full, not floating). */
GstElement *
sp_audio_source_new (const char *spec, gdouble tone_frequency, GError **error);

/* SPEC: "pipewire" (a Communication playback stream), "null" (discard) or "file:PATH" (a WAV of
 * what is played, finalized when it receives EOS). Returns a bin with one "sink" pad of raw
 * audio (transfer full, not floating). */
GstElement *
sp_audio_sink_new (const char *spec, GError **error);

/* PATH with "-SUFFIX" before its extension ("a/b.wav", "x" → "a/b-x.wav"). */
char *
sp_audio_file_path_with_suffix (const char *path, const char *suffix);

/* The sink for one more recording beside SPEC's: for "file:PATH", "file:" and PATH with
 * "-SUFFIX" before its extension, so that recordings made at the same time never share a file;
 * any other SPEC as it is. */
char *
sp_audio_sink_spec_with_suffix (const char *spec, const char *suffix);

/* Whether the sink SPEC writes a file that needs an EOS to be complete (the WAV header). */
gboolean
sp_audio_sink_spec_needs_eos (const char *spec);

G_END_DECLS
