/* A browser's side of a call's video (WebRTC: ICE, DTLS-SRTP), in a pipeline of its own: the
 * agent's outgoing picture, read from an intervideo channel, goes to the browser, and the
 * browser's camera picture goes to another channel (the video window's). The browser makes the
 * offer; the caller carries the SDP and the ICE candidates between the two. Voice stays on the
 * SIP leg. */
#pragma once

#include "sp-video-codec.h"

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum
{
  SP_BROWSER_VIDEO_NEW,        /* waiting for the browser's offer */
  SP_BROWSER_VIDEO_CONNECTING, /* answered; ICE and DTLS under way */
  SP_BROWSER_VIDEO_CONNECTED,  /* media flows */
  SP_BROWSER_VIDEO_FAILED,     /* ICE or DTLS failed, or the media broke */
  SP_BROWSER_VIDEO_CLOSED,     /* stopped */
} SpBrowserVideoState;

#define SP_TYPE_BROWSER_VIDEO (sp_browser_video_get_type ())
G_DECLARE_FINAL_TYPE (SpBrowserVideo, sp_browser_video, SP, BROWSER_VIDEO, GObject)

/* Where ICE looks for a path: STUN_SERVER / TURN_SERVER "stun://host:port" /
 * "turn://user:password@host:port", or NULL (host candidates only); ADDRESSES, the local IP
 * addresses to offer (NULL or empty: every interface but loopback). */
typedef struct
{
  const char *stun_server;
  const char *turn_server;
  const char *const *addresses;
} SpBrowserVideoIce;

/* SEND_CHANNEL: the intervideo channel of the picture to send; RECEIVE_CHANNEL: where the
 * browser's decoded picture goes. Signals and the answer's callback come on the thread-default
 * main context of the caller. An address that is not an IP address is an
 * SP_MEDIA_ERROR_INVALID_ARGUMENT. */
SpBrowserVideo *
sp_browser_video_new (const char *send_channel, const char *receive_channel,
                      const SpVideoEncoding *encoding, const SpBrowserVideoIce *ice,
                      GError **error);

/* Answers the browser's OFFER (SDP text, with a VP8 video section the browser sends and
 * receives). Errors: SP_MEDIA_ERROR_INVALID_ARGUMENT (not SDP, no video, no VP8),
 * SP_MEDIA_ERROR_STATE (an offer already taken, or stopped), SP_MEDIA_ERROR_GSTREAMER. */
void
sp_browser_video_answer_async (SpBrowserVideo *self, const char *offer, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
/* The answer's SDP text. */
char *
sp_browser_video_answer_finish (SpBrowserVideo *self, GAsyncResult *result, GError **error);

/* A candidate from the browser for the media section MLINE ("candidate:…" as in SDP, with or
 * without the "a=" prefix); SP_MEDIA_ERROR_STATE before the offer or after the end. */
gboolean
sp_browser_video_add_candidate (SpBrowserVideo *self, guint mline, const char *candidate,
                                GError **error);

/* Ends the media (state CLOSED); the pipeline is stopped. */
void
sp_browser_video_stop (SpBrowserVideo *self);

/* ICE as Sportello uses it, on any WEBRTC (webrtcbin): no UPnP, no TCP candidates, and only
 * ADDRESSES when given (see SpBrowserVideoIce). */
gboolean
sp_browser_video_configure_ice (GstElement *webrtc, const char *const *addresses, GError **error);

SpBrowserVideoState
sp_browser_video_get_state (SpBrowserVideo *self);
const char *
sp_browser_video_state_to_string (SpBrowserVideoState state);
/* Paused: no picture goes to the browser and none of its pictures to the window (the media
 * stays connected); resuming starts with a key frame. */
void
sp_browser_video_set_paused (SpBrowserVideo *self, gboolean paused);
gboolean
sp_browser_video_get_paused (SpBrowserVideo *self);
/* Pictures decoded from the browser and shown so far (none while paused). */
guint
sp_browser_video_get_frames_received (SpBrowserVideo *self);

G_END_DECLS
