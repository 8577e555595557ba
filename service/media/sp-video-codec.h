/* The video codecs we can send and receive (VP8 always, H.264 when an encoder and a decoder
 * are installed), matched by rtpmap name, and the GStreamer elements for each. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpVideoCodec SpVideoCodec;

/* Encoder settings, from the [media] configuration. */
typedef struct
{
  guint framerate;        /* frames per second */
  guint bitrate_kbps;     /* target bit rate */
  guint keyframe_seconds; /* a key frame at least this often, besides those asked for */
} SpVideoEncoding;

/* ENCODING_NAME compared case-insensitively; NULL when unknown or not installed. */
const SpVideoCodec *
sp_video_codec_lookup (const char *encoding_name);
const char *
sp_video_codec_get_name (const SpVideoCodec *codec);
/* TRUE when H.264 can be both encoded and decoded here (what we may offer). */
gboolean
sp_video_codec_h264_available (void);

/* application/x-rtp caps for rtpbin's request-pt-map; PLI/FIR/NACK as negotiated, so that
 * rtpsession turns a decoder's key-frame request into RTCP PLI or FIR (RFC 4585, 5104). */
GstCaps *
sp_video_codec_rtp_caps (const SpVideoCodec *codec, guint pt, gboolean pli, gboolean fir,
                         gboolean nack);

/* A bin from raw I420 video (sink pad) to RTP packets with payload type PT (src pad); the
 * encoder is named "encoder" so a key frame can be forced on it. */
GstElement *
sp_video_codec_make_sender (const SpVideoCodec *codec, guint pt, const SpVideoEncoding *encoding,
                            GError **error);
/* A bin from RTP packets (sink pad) to decoded raw video (src pad). The depayloader waits for
 * a key frame and asks for one (upstream, turned into PLI by rtpsession) when it misses one. */
GstElement *
sp_video_codec_make_receiver (const SpVideoCodec *codec, GError **error);

/* Asks ENCODER (or a bin holding an element named "encoder") for a key frame now. */
void
sp_video_codec_force_key_frame (GstElement *sender);

G_END_DECLS
