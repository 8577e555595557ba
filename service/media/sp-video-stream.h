/* The video stream of a call (one rtpbin session of the call pipeline): the outgoing picture
 * read from an intervideo channel (the camera feed, later a pushed clip), encoded and sent;
 * what arrives decoded into another channel (for the window) and counted. Internal to the
 * media layer: SpCallMedia owns it and routes rtpbin's signals to it.
 *
 * Threads: build/set/free on the main context; pt_caps and link_pad on streaming threads
 * (they only read what `lock` guards). */
#pragma once

#include "sp-media-direction.h"
#include "sp-media-session.h"
#include "sp-video-codec.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpVideoStream SpVideoStream;

/* The negotiated video stream. */
typedef struct
{
  const char *remote_address;
  guint16 remote_rtp_port;
  guint16 remote_rtcp_port; /* 0: remote_rtp_port + 1 */
  guint8 payload_type;
  const char *encoding_name; /* "VP8", "H264" */
  gboolean pli, fir, nack;   /* RTCP feedback both sides agreed on */
  guint8 rtx_send_pt;        /* RFC 4588 retransmissions we send, 0: none */
  guint8 rtx_recv_pt;        /* the contact's retransmissions, 0: none */
  SpMediaDirection direction;
  SpMediaSrtp srtp;
} SpVideoStreamParams;

/* Where the raw pictures go: intervideo channel names. */
typedef struct
{
  const char *camera;  /* read: the agent's picture (SpVideoFeed writes it) */
  const char *preview; /* written: what the contact is sent, for the window's preview */
  const char *remote;  /* written: the contact's decoded picture */
  guint width;
  guint height;
  SpVideoEncoding encoding;
} SpVideoStreamFormat;

/* Binds the RTP/RTCP pair now, so its ports can go into our SDP. */
SpVideoStream *
sp_video_stream_new (const char *local_address, guint port_min, guint port_max, GError **error);
void
sp_video_stream_free (SpVideoStream *self);
guint16
sp_video_stream_get_rtp_port (SpVideoStream *self);
guint16
sp_video_stream_get_rtcp_port (SpVideoStream *self);
gboolean
sp_video_stream_is_built (SpVideoStream *self);

gboolean
sp_video_stream_check_params (const SpVideoStreamParams *params, GError **error);
/* Adds the send and receive paths to PIPELINE for SESSION of RTPBIN and syncs them with the
 * pipeline's state. On failure the caller must discard the pipeline. */
gboolean
sp_video_stream_build (SpVideoStream *self, GstBin *pipeline, GstElement *rtpbin, guint session,
                       const SpVideoStreamParams *params, const SpVideoStreamFormat *format,
                       GError **error);
/* A new remote address, direction, codec or payload type (the sender is replaced in the
 * running pipeline); a codec that is not installed is refused with nothing changed. */
gboolean
sp_video_stream_update (SpVideoStream *self, const SpVideoStreamParams *params, GError **error);
/* Valves: nothing is sent unless the direction sends, nothing decoded unless it receives.
 * Re-opening either way asks for key frames (ours forced, the peer's by PLI/FIR). */
void
sp_video_stream_set_direction (SpVideoStream *self, SpMediaDirection direction);
SpMediaDirection
sp_video_stream_get_direction (SpVideoStream *self);
void
sp_video_stream_request_key_frames (SpVideoStream *self);
/* What is sent: the picture of intervideo CHANNEL (a pushed clip) instead of the camera, or
 * the camera again with NULL. Inside the running pipeline (no renegotiation), and the first
 * picture after the switch is a key frame. */
void
sp_video_stream_show_channel (SpVideoStream *self, const char *channel);

/* rtpbin's request-pt-map for this session (transfer full, or NULL). */
GstCaps *
sp_video_stream_pt_caps (SpVideoStream *self, guint pt);
/* Links a recv_rtp_src pad of this session: a decoder for the negotiated PT (the newest
 * SSRC is shown), a discarding sink for anything else. */
void
sp_video_stream_link_pad (SpVideoStream *self, GstPad *pad, guint pt);
/* The main-context side of rtpbin's pad-removed; FALSE when PAD_NAME is not ours. */
gboolean
sp_video_stream_remove_pad (SpVideoStream *self, const char *pad_name);
/* Unlinks nothing, but stops every streaming-thread action (the pipeline is going down). */
void
sp_video_stream_shutdown (SpVideoStream *self);

guint
sp_video_stream_get_packets_sent (SpVideoStream *self);
guint
sp_video_stream_get_packets_received (SpVideoStream *self);
guint64
sp_video_stream_get_frames_decoded (SpVideoStream *self);
guint64
sp_video_stream_get_frames_encoded (SpVideoStream *self);
guint64
sp_video_stream_get_key_frames_sent (SpVideoStream *self);
const char *
sp_video_stream_get_codec_name (SpVideoStream *self);

/* Loss recovery so far: RTCP feedback of the video session and RTX packets. */
typedef struct
{
  guint nacks_sent, nacks_received;
  guint key_frame_requests_sent, key_frame_requests_received;
  guint rtx_packets_sent, rtx_packets_received;
} SpVideoStreamRecovery;
void
sp_video_stream_get_recovery (SpVideoStream *self, SpVideoStreamRecovery *recovery);

/* The application message posted on the pipeline's bus when the first remote picture is
 * decoded: field "time" (gint64, g_get_monotonic_time()). */
#define SP_VIDEO_STREAM_FIRST_FRAME_MESSAGE "sp-first-video-frame"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpVideoStream, sp_video_stream_free)

G_END_DECLS
