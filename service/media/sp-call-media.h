/* The media of one interaction: one GStreamer pipeline (one clock) around one rtpbin. This
 * version carries the voice stream (rtpbin session 0); video (session 1) and conference legs
 * (sessions 2k, 2k+1) are meant to be added as further streams of the same pipeline.
 *
 * Order of use: sp_call_media_prepare_audio() binds the ports to write in our SDP; once the
 * offer/answer is done, sp_call_media_start_audio() builds and plays the stream;
 * sp_call_media_set_direction() and sp_call_media_update_remote() follow re-INVITEs;
 * sp_call_media_stop() (or the last unref) ends it.
 *
 * Signals are emitted on the thread-default main context of the thread that called
 * prepare: "error" (a GStreamer error; the pipeline is not usable any more, stop it),
 * "rtp-timeout" (no RTP for rtp-timeout seconds while the direction expects some: a dead or
 * silent peer; emitted once per silence, again after RTP came back and stopped again) and
 * "first-rtp-received" (once, with the g_get_monotonic_time() of the packet's arrival). */
#pragma once

#include "sp-media-error.h"
#include "sp-media-session.h"

#include <glib-object.h>

G_BEGIN_DECLS

/* What the offer/answer settled for each stream (sp-media-session.h). */
typedef SpMediaAudioParams SpCallMediaAudio;
typedef SpMediaVideoParams SpCallMediaVideo;

/* The intervideo channels of a call's video: CAMERA is read (an SpVideoFeed writes the
 * agent's picture into it), PREVIEW (what the contact is sent) and REMOTE (the contact's
 * decoded picture) are written, for the window. */
typedef enum
{
  SP_CALL_MEDIA_CHANNEL_CAMERA,
  SP_CALL_MEDIA_CHANNEL_PREVIEW,
  SP_CALL_MEDIA_CHANNEL_REMOTE,
} SpCallMediaChannel;

typedef SpMediaVideoStatistics SpCallMediaVideoStatistics;

#define SP_TYPE_CALL_MEDIA (sp_call_media_get_type ())
G_DECLARE_FINAL_TYPE (SpCallMedia, sp_call_media, SP, CALL_MEDIA, GObject)

/* AUDIO_SOURCE / AUDIO_SINK as in the [media] configuration (see sp-audio-devices.h);
 * RTP_PORT_MIN..RTP_PORT_MAX the rtp-ports range. Nothing is bound or loaded yet: GStreamer
 * is initialised on the first prepare, so an idle service never loads it. */
SpCallMedia *
sp_call_media_new (const char *audio_source, const char *audio_sink, guint rtp_port_min,
                   guint rtp_port_max);

/* Binds the audio RTP/RTCP socket pair on LOCAL_ADDRESS (NULL: every IPv4 address) and
 * returns its ports for our SDP. Called again, it returns the same ports. */
gboolean
sp_call_media_prepare_audio (SpCallMedia *self, const char *local_address, guint16 *rtp_port,
                             guint16 *rtcp_port, GError **error);
/* Builds the audio stream for the negotiated PARAMS and sets the pipeline playing. Fails on
 * unusable parameters or an unsupported codec (nothing changes then), or on a bad source/sink
 * spec or a missing element (the media is stopped then: prepare again). What goes wrong later
 * inside GStreamer (a device, a file) is reported with the "error" signal. */
gboolean
sp_call_media_start_audio (SpCallMedia *self, const SpCallMediaAudio *params, GError **error);
/* SENDRECV: both ways. RECVONLY: we only listen. SENDONLY (our hold) and INACTIVE: nothing is
 * sent and what arrives is not played. Either way the pipeline keeps playing and RTCP flows. */
void
sp_call_media_set_direction (SpCallMedia *self, SpMediaDirection direction);
SpMediaDirection
sp_call_media_get_direction (SpCallMedia *self);
/* A re-INVITE or UPDATE moved the peer (PBX re-anchoring), changed the direction, or agreed
 * another codec or payload type: the sender is replaced in the running pipeline and what
 * arrives under the new numbers is decoded. SP_MEDIA_ERROR_UNSUPPORTED_CODEC for a codec we
 * do not have (nothing changes then). */
gboolean
sp_call_media_update_remote (SpCallMedia *self, const SpCallMediaAudio *params, GError **error);
/* Finalizes a recording sink, stops the pipeline and closes the sockets. Idempotent. */
void
sp_call_media_stop (SpCallMedia *self);

/* Video, once audio is started. prepare_video binds the video ports for our SDP (again: the
 * same ports); start_video adds the stream to the playing pipeline (RTCP PLI/FIR/NACK as
 * negotiated; a key frame is sent first); update_video follows re-INVITEs, a change of codec
 * or payload type included. The video
 * direction is separate from the audio one: Deactivate is video INACTIVE with audio on.
 * Re-opening a direction forces our key frame and asks the peer for one. "first-video-frame"
 * (time as g_get_monotonic_time()) is emitted when the first remote picture is decoded. */
gboolean
sp_call_media_prepare_video (SpCallMedia *self, const char *local_address, guint16 *rtp_port,
                             guint16 *rtcp_port, GError **error);
gboolean
sp_call_media_start_video (SpCallMedia *self, const SpCallMediaVideo *params, GError **error);
gboolean
sp_call_media_update_video (SpCallMedia *self, const SpCallMediaVideo *params, GError **error);
gboolean
sp_call_media_has_video (SpCallMedia *self);
/* Video with no SIP stream (the browser's, sp-browser-video.h): the agent's outgoing picture
 * (camera, push, relay, as the SIP path would send it) goes into the preview channel only,
 * where another pipeline reads it. Needs the voice started and no SIP video; stop removes it
 * (the camera feed is the caller's). */
gboolean
sp_call_media_start_local_video (SpCallMedia *self, GError **error);
void
sp_call_media_stop_local_video (SpCallMedia *self);
gboolean
sp_call_media_has_local_video (SpCallMedia *self);
void
sp_call_media_set_video_direction (SpCallMedia *self, SpMediaDirection direction);
void
sp_call_media_request_key_frames (SpCallMedia *self);
const char *
sp_call_media_get_video_channel (SpCallMedia *self, SpCallMediaChannel channel);
void
sp_call_media_get_video_statistics (SpCallMedia *self, SpCallMediaVideoStatistics *stats);

/* Video push: the clip at PATH (or, with IMAGE_MS > 0, a still image for that long) replaces
 * the camera in what is sent, paced in real time and scaled to the video size, without
 * renegotiation; its sound is mixed into the outgoing voice. "push-started" () when its first
 * picture is sent (a key frame); "push-ended" (reason "end-of-clip" or "error", message) when
 * it ends by itself, after which the camera is sent again. Another start switches clips; stop
 * returns to the camera without a signal. SP_MEDIA_ERROR_STATE without video,
 * SP_MEDIA_ERROR_DEVICE for a file that is not there. */
/* A local conference's mix-minus (sp-audio-share.h, sp-audio-bridge.h): this leg joins the mix
 * called MIX, where every member hears every other member and never itself. Joining needs the
 * audio started (SP_MEDIA_ERROR_STATE), as does joining a mix twice. Leaving answers FALSE for
 * a mix the leg is not in. The stream's end leaves every mix. */
gboolean
sp_call_media_join_mix (SpCallMedia *self, const char *mix, GError **error);
gboolean
sp_call_media_leave_mix (SpCallMedia *self, const char *mix);

/* A conference's relay: the video sent shows CHANNEL (another leg's decoded picture,
 * sp_call_media_get_video_channel REMOTE of that leg) instead of the camera; NULL or "" returns
 * to the camera. Kept for a video stream that starts later. */
void
sp_call_media_relay_video (SpCallMedia *self, const char *channel);
gboolean
sp_call_media_start_push (SpCallMedia *self, const char *path, guint image_ms, GError **error);
void
sp_call_media_stop_push (SpCallMedia *self);
gboolean
sp_call_media_is_pushing (SpCallMedia *self);
/* Whether something is mixed with what the leg sends (a clip's sound), i.e. the send mixer is
 * in the path: for tests. */
gboolean
sp_call_media_is_mixing_voice (SpCallMedia *self);
/* Whether the leg sends its own capture of the agent's voice (FALSE while it sends a
 * conference's mix, which has the agent's voice in it): for tests. */
gboolean
sp_call_media_sends_own_voice (SpCallMedia *self);

guint
sp_call_media_get_rtp_packets_sent (SpCallMedia *self);
guint
sp_call_media_get_rtp_packets_received (SpCallMedia *self);
/* Voice packets of a payload type nobody agreed to, dropped before they reach rtpbin. */
guint
sp_call_media_get_rtp_packets_dropped (SpCallMedia *self);

G_END_DECLS
