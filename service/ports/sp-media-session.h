/* The domain's view of the media of one leg: ports to write in SDP, streams started and
 * updated from each completed offer/answer, the agent's camera or a pushed clip in what is
 * sent, and counters. Implemented by the GStreamer layer (SpCallSession) and by the fakes of
 * the unit tests; made by an SpMediaFactory. */
#pragma once

#include "sp-media-direction.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* SRTP (RFC 3711) for one stream, with the keys SDES (RFC 4568) exchanged: the suite both sides
 * agreed, our master key and salt (what we send with) and the peer's (what we receive with). */
typedef enum
{
  SP_MEDIA_SRTP_NONE, /* plain RTP */
  SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
  SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
  SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80,
  SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32,
} SpMediaSrtpSuite;

#define SP_MEDIA_SRTP_MAX_KEY 46

typedef struct
{
  SpMediaSrtpSuite suite;
  gsize key_length; /* 30 for AES_CM_128, 46 for AES_256_CM */
  guint8 send_key[SP_MEDIA_SRTP_MAX_KEY];
  guint8 recv_key[SP_MEDIA_SRTP_MAX_KEY];
} SpMediaSrtp;

/* What the offer/answer settled for the audio stream. */
typedef struct
{
  const char *remote_address; /* c= of the peer */
  guint16 remote_rtp_port;
  guint16 remote_rtcp_port;   /* a=rtcp (RFC 3605), else remote_rtp_port + 1 */
  guint8 payload_type;        /* static (0, 8) or dynamic */
  const char *encoding_name;  /* rtpmap name: "opus", "PCMU", "PCMA" (any case) */
  guint clock_rate;           /* rtpmap clock rate: 48000 for Opus, 8000 for G.711 */
  guint8 telephone_event_pt;  /* RFC 4733 payload type; 0 = not negotiated */
  SpMediaDirection direction; /* ours, as in our SDP */
  SpMediaSrtp srtp;
} SpMediaAudioParams;

/* What the offer/answer settled for the video stream. */
typedef struct
{
  const char *remote_address;
  guint16 remote_rtp_port;
  guint16 remote_rtcp_port; /* 0: remote_rtp_port + 1 */
  guint8 payload_type;
  const char *encoding_name; /* "VP8", "H264" */
  gboolean pli, fir, nack;   /* RTCP feedback both sides listed */
  guint8 rtx_send_pt;        /* RFC 4588: our retransmissions' PT, 0 when not agreed */
  guint8 rtx_recv_pt;        /* the peer's retransmissions' PT, 0 when not agreed */
  SpMediaDirection direction;
  SpMediaSrtp srtp;
} SpMediaVideoParams;

/* The pictures of a call's video, for a window: PREVIEW is what the contact is sent, REMOTE
 * the contact's decoded picture. */
typedef enum
{
  SP_MEDIA_PICTURE_PREVIEW,
  SP_MEDIA_PICTURE_REMOTE,
} SpMediaPicture;

typedef struct
{
  const char *codec; /* NULL before video starts */
  guint rtp_packets_sent;
  guint rtp_packets_received;
  guint64 frames_encoded;
  guint64 key_frames_sent;
  guint64 frames_decoded;
  guint nacks_sent; /* RTCP NACK messages (RFC 4585 generic NACK) */
  guint nacks_received;
  guint key_frame_requests_sent; /* PLI + FIR */
  guint key_frame_requests_received;
  guint rtx_packets_sent;     /* RFC 4588 retransmissions */
  guint rtx_packets_received; /* the peer's retransmissions that filled a gap */
  gboolean camera_live;       /* the camera is sent (not the camera-unavailable card) */
} SpMediaVideoStatistics;

/* Browser video (WebRTC, issue 17): ICE servers as "stun://host:port" and
 * "turn://user:pass@host:port", or NULL; the local IP addresses ICE may offer (NULL or empty:
 * every interface but loopback). */
typedef struct
{
  const char *stun_server;
  const char *turn_server;
  const char *const *addresses;
} SpMediaBrowserVideoConfig;

#define SP_TYPE_MEDIA_SESSION (sp_media_session_get_type ())
G_DECLARE_INTERFACE (SpMediaSession, sp_media_session, SP, MEDIA_SESSION, GObject)

/* Signals, on the main context: "error" (const char *message): the media cannot go on;
 * "rtp-timeout" (): nothing came from the peer for the configured time while we expect media;
 * "push-ended" (const char *reason, const char *message): a pushed clip ended by itself
 * ("end-of-clip" or "error") and the camera is sent again; "browser-candidate" (guint mline,
 * const char *candidate): a local ICE candidate of the browser video, to send to the browser;
 * "browser-state" (const char *state): the browser video's media became "connecting",
 * "connected", "failed" or "closed" (also when stop_browser_video ends it). */
struct _SpMediaSessionInterface
{
  GTypeInterface parent_iface;

  gboolean (*prepare_audio) (SpMediaSession *self, const char *local_address, guint16 *rtp_port,
                             guint16 *rtcp_port, GError **error);
  gboolean (*start_audio) (SpMediaSession *self, const SpMediaAudioParams *params, GError **error);
  gboolean (*update_audio) (SpMediaSession *self, const SpMediaAudioParams *params, GError **error);
  gboolean (*prepare_video) (SpMediaSession *self, const char *local_address, guint16 *rtp_port,
                             guint16 *rtcp_port, GError **error);
  gboolean (*start_video) (SpMediaSession *self, const SpMediaVideoParams *params, GError **error);
  gboolean (*update_video) (SpMediaSession *self, const SpMediaVideoParams *params, GError **error);
  gboolean (*has_video) (SpMediaSession *self);
  void (*set_video_direction) (SpMediaSession *self, SpMediaDirection direction);
  const char *(*get_picture) (SpMediaSession *self, SpMediaPicture picture);
  void (*get_video_statistics) (SpMediaSession *self, SpMediaVideoStatistics *stats);
  gboolean (*start_push) (SpMediaSession *self, const char *path, guint image_ms, GError **error);
  void (*stop_push) (SpMediaSession *self);
  void (*relay_video) (SpMediaSession *self, const char *channel);
  gboolean (*join_mix) (SpMediaSession *self, const char *mix, const char *member, GError **error);
  gboolean (*leave_mix) (SpMediaSession *self, const char *mix);
  guint (*get_rtp_packets_sent) (SpMediaSession *self);
  guint (*get_rtp_packets_received) (SpMediaSession *self);
  void (*stop) (SpMediaSession *self);
  gboolean (*start_browser_video) (SpMediaSession *self, const SpMediaBrowserVideoConfig *config,
                                   GError **error);
  void (*answer_browser_offer_async) (SpMediaSession *self, const char *offer,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
  char *(*answer_browser_offer_finish) (SpMediaSession *self, GAsyncResult *result, GError **error);
  gboolean (*add_browser_candidate) (SpMediaSession *self, guint mline, const char *candidate,
                                     GError **error);
  void (*stop_browser_video) (SpMediaSession *self);
  gboolean (*has_browser_video) (SpMediaSession *self);
};

/* Binds the audio ports (again: the same ones) for our SDP. */
gboolean
sp_media_session_prepare_audio (SpMediaSession *self, const char *local_address, guint16 *rtp_port,
                                guint16 *rtcp_port, GError **error);
/* The first exchange starts the voice; later ones update it (address, direction, codec). */
gboolean
sp_media_session_start_audio (SpMediaSession *self, const SpMediaAudioParams *params,
                              GError **error);
gboolean
sp_media_session_update_audio (SpMediaSession *self, const SpMediaAudioParams *params,
                               GError **error);
gboolean
sp_media_session_prepare_video (SpMediaSession *self, const char *local_address, guint16 *rtp_port,
                                guint16 *rtcp_port, GError **error);
/* Starts the agent's camera, then the video stream (its first frame is the camera's). The video
 * direction also pauses (anything but sendrecv) or resumes a browser's video. */
gboolean
sp_media_session_start_video (SpMediaSession *self, const SpMediaVideoParams *params,
                              GError **error);
gboolean
sp_media_session_update_video (SpMediaSession *self, const SpMediaVideoParams *params,
                               GError **error);
gboolean
sp_media_session_has_video (SpMediaSession *self);
void
sp_media_session_set_video_direction (SpMediaSession *self, SpMediaDirection direction);
/* The name of the channel a window reads PICTURE from ("" before video starts). */
const char *
sp_media_session_get_picture (SpMediaSession *self, SpMediaPicture picture);
void
sp_media_session_get_video_statistics (SpMediaSession *self, SpMediaVideoStatistics *stats);
/* A clip (or, with IMAGE_MS > 0, a still image for that long) replaces the camera. */
gboolean
sp_media_session_start_push (SpMediaSession *self, const char *path, guint image_ms,
                             GError **error);
void
sp_media_session_stop_push (SpMediaSession *self);
/* A local conference's video: what this leg sends shows the picture another leg receives
 * (CHANNEL: that leg's get_picture REMOTE) instead of the agent's camera, which this leg then
 * does not open; NULL returns to the camera. Call it before start_video. */
void
sp_media_session_relay_video (SpMediaSession *self, const char *channel);
/* A local conference's mix-minus between the legs of one interaction: this leg, the party
 * MEMBER (a name for logs), joins the mix called MIX, where every member hears every other one
 * and never itself. It needs the voice started; joining a mix twice is an error. Leaving
 * answers FALSE for a mix the leg is not in. */
gboolean
sp_media_session_join_mix (SpMediaSession *self, const char *mix, const char *member,
                           GError **error);
gboolean
sp_media_session_leave_mix (SpMediaSession *self, const char *mix);
guint
sp_media_session_get_rtp_packets_sent (SpMediaSession *self);
guint
sp_media_session_get_rtp_packets_received (SpMediaSession *self);
/* Ends every stream and closes the ports. Idempotent. */
void
sp_media_session_stop (SpMediaSession *self);
/* Browser video (WebRTC): the agent's outgoing picture (camera, push, relay: what the SIP path
 * would send) goes to a browser, the browser's picture to the REMOTE picture; the voice stays
 * on the SIP leg. Start it once the voice runs and no SIP video does; the browser's offer is
 * answered (SDP text); candidates go both ways ("browser-candidate" (guint mline, const char
 * *candidate) brings ours); "browser-state" (const char *state: connecting, connected, failed,
 * closed) follows its media. Stop is idempotent, and start may follow it again. An
 * implementation without them answers G_IO_ERROR_NOT_SUPPORTED. */
gboolean
sp_media_session_start_browser_video (SpMediaSession *self, const SpMediaBrowserVideoConfig *config,
                                      GError **error);
void
sp_media_session_answer_browser_offer_async (SpMediaSession *self, const char *offer,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data);
char *
sp_media_session_answer_browser_offer_finish (SpMediaSession *self, GAsyncResult *result,
                                              GError **error);
gboolean
sp_media_session_add_browser_candidate (SpMediaSession *self, guint mline, const char *candidate,
                                        GError **error);
void
sp_media_session_stop_browser_video (SpMediaSession *self);
gboolean
sp_media_session_has_browser_video (SpMediaSession *self);

/* Makes the media of new legs with the service's settings. */
#define SP_TYPE_MEDIA_FACTORY (sp_media_factory_get_type ())
G_DECLARE_INTERFACE (SpMediaFactory, sp_media_factory, SP, MEDIA_FACTORY, GObject)

struct _SpMediaFactoryInterface
{
  GTypeInterface parent_iface;

  /* LEG_ID: NULL for the contact's leg, else the id of a leg beside it ("consult-1"): a
   * recording sink writes that leg's own file. */
  SpMediaSession *(*create) (SpMediaFactory *self, const char *leg_id);
  /* Whether video can be sent: a camera is configured and, for a PipeWire one, present. */
  gboolean (*camera_present) (SpMediaFactory *self);
  /* Whether H.264 can be sent (an encoder is installed), so that it may be offered. */
  gboolean (*can_encode_h264) (SpMediaFactory *self);
};

SpMediaSession *
sp_media_factory_create (SpMediaFactory *self, const char *leg_id);
gboolean
sp_media_factory_camera_present (SpMediaFactory *self);
gboolean
sp_media_factory_can_encode_h264 (SpMediaFactory *self);

G_END_DECLS
