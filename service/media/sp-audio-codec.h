/* The audio codecs we can send and receive, matched by rtpmap name and clock rate (never by a
 * static payload-type table), and the GStreamer elements for each. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpAudioCodec SpAudioCodec;

/* ENCODING_NAME is compared case-insensitively ("opus" and "OPUS" are the same rtpmap). */
const SpAudioCodec *
sp_audio_codec_lookup (const char *encoding_name, guint clock_rate);
const char *
sp_audio_codec_get_name (const SpAudioCodec *codec);
guint
sp_audio_codec_get_clock_rate (const SpAudioCodec *codec);

/* application/x-rtp caps for rtpbin's request-pt-map. */
GstCaps *
sp_audio_codec_rtp_caps (const SpAudioCodec *codec, guint pt);
GstCaps *
sp_audio_codec_telephone_event_caps (guint pt, guint clock_rate);

/* A bin from raw audio (sink pad) to RTP packets with payload type PT (src pad). */
GstElement *
sp_audio_codec_make_sender (const SpAudioCodec *codec, guint pt, GError **error);
void
sp_audio_codec_sender_set_pt (GstElement *sender, guint pt);
/* A bin from RTP packets (sink pad) to decoded raw audio (src pad). */
GstElement *
sp_audio_codec_make_receiver (const SpAudioCodec *codec, GError **error);

G_END_DECLS
