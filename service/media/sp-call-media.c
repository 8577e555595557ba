/* One interaction's media pipeline. Threads: the public API, the bus watch and the dead-peer
 * tick run on the main context of whoever prepared the media; rtpbin's pad-added and
 * request-pt-map run on streaming threads, so what they read (the negotiated payload types,
 * the receive branches) sits behind `lock`, and what they want to tell the main context goes
 * through bus messages. */
#include "sp-call-media.h"
#include "sp-gst.h"
#include "sp-audio-codec.h"
#include "sp-audio-devices.h"
#include "sp-audio-share.h"
#include "sp-clip-player.h"
#include "sp-recv-branches.h"
#include "sp-rtp-transport.h"
#include "sp-send-mixer.h"
#include "sp-srtp.h"
#include "sp-video-picture.h"
#include "sp-video-stream.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>

#define AUDIO_SESSION 0
#define VIDEO_SESSION 1
#define DEFAULT_VIDEO_WIDTH 640
#define DEFAULT_VIDEO_HEIGHT 480
#define DEFAULT_VIDEO_FRAMERATE 30
#define DEFAULT_VIDEO_BITRATE_KBPS 1000
#define VIDEO_KEYFRAME_SECONDS 3
#define JITTER_LATENCY_MS 100
#define DEFAULT_RTP_TIMEOUT_S 30
#define DEFAULT_RTCP_INTERVAL_MS 5000 /* RFC 3550 §6.2 minimum */
#define DEFAULT_TONE_HZ 440.0
#define TICK_MS 200
#define SEND_RATE 48000
#define PAD_REMOVED_MESSAGE "sp-pad-removed"

struct _SpCallMedia
{
  GObject parent_instance;

  char *audio_source;
  char *audio_sink;
  guint rtp_port_min;
  guint rtp_port_max;
  guint rtp_timeout_s;
  guint rtcp_interval_ms;
  gdouble tone_frequency;

  GMainContext *context;
  GstElement *pipeline;
  GstElement *rtpbin;
  gboolean bus_watch;
  GSource *tick;
  gulong pt_map_handler;
  gulong pad_added_handler;
  gulong pad_removed_handler;

  SpRtpTransport *audio;
  SpSrtp *audio_srtp; /* NULL for plain RTP */
  GstElement *source; /* the agent's voice (or a file): starts once the rest of the pipeline runs */
  GstElement *send_valve;
  GstElement *sender;     /* encoder + payloader, after send_valve */
  SpSendMixer *mixer;     /* the agent's voice, with a clip's sound or a conference while needed */
  GstElement *clip_audio; /* interaudiosrc → convert → resample bin on the mixer, or NULL */
  GstPad *clip_audio_pad;
  GstElement *recv_valve;
  GstElement *heard_tee; /* after recv_valve: what the leg hears, for the sink and the share */
  GstElement *ear_valve; /* after heard_tee: shut while a conference's mix plays for the agent */
  SpAudioShare *share;   /* audio to and from the other legs of a conference */
  GstElement *selector;
  GstElement *sink_bin;
  gboolean started;
  gboolean failed;
  SpMediaDirection direction;

  GMutex lock; /* guards the fields below, read on streaming threads */
  const SpAudioCodec *codec;
  guint8 pt;
  guint8 te_pt;
  /* What was agreed before the last change: packets taken then may still sit in the
   * jitterbuffer, and rtpptdemux ends the stream on a payload type it cannot map. */
  const SpAudioCodec *former_codec;
  guint8 former_pt;
  guint8 former_te_pt;
  gboolean stopping;
  SpRecvBranches *branches; /* the audio session's, once built */

  /* Dead-peer detection, main context only. */
  guint last_rx_count;
  gint64 last_rx_change;
  gboolean timeout_emitted;
  gboolean first_rtp_emitted;

  /* Video: the stream exists from prepare_video, its elements from start_video. */
  SpVideoStream *video;
  guint video_width;
  guint video_height;
  guint video_framerate;
  guint video_bitrate_kbps;
  char *camera_channel;
  char *preview_channel;
  char *remote_channel;
  char *clip_channel;
  char *clip_audio_channel;
  SpClipPlayer *player; /* the pushed clip, or NULL */
  gboolean push_shown;  /* its pictures are what the contact sees */
  char *relay_channel;  /* another leg's picture sent instead of the camera, or NULL */
  /* Video with no SIP stream (a browser's): the picture into the preview channel only. */
  SpVideoPicture *local_picture;
  GstElement *local_queue;
  GstElement *local_sink;
  GstPad *local_tee_pad;
};

enum
{
  PROP_0,
  PROP_AUDIO_SOURCE,
  PROP_AUDIO_SINK,
  PROP_RTP_PORT_MIN,
  PROP_RTP_PORT_MAX,
  PROP_RTP_TIMEOUT,
  PROP_RTCP_INTERVAL,
  PROP_TONE_FREQUENCY,
  PROP_DIRECTION,
  PROP_RTP_PACKETS_SENT,
  PROP_RTP_PACKETS_RECEIVED,
  PROP_VIDEO_WIDTH,
  PROP_VIDEO_HEIGHT,
  PROP_VIDEO_FRAMERATE,
  PROP_VIDEO_BITRATE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_ERROR,
  SIGNAL_RTP_TIMEOUT,
  SIGNAL_FIRST_RTP_RECEIVED,
  SIGNAL_FIRST_VIDEO_FRAME,
  SIGNAL_PUSH_STARTED,
  SIGNAL_PUSH_ENDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpCallMedia, sp_call_media, G_TYPE_OBJECT)

/* ---- receive branches (streaming threads) ---- */

static void
post_error (SpCallMedia *self, GstElement *source, GError *error)
{
  gst_element_post_message (source, gst_message_new_error (GST_OBJECT (source), error, NULL));
}

/* The audio decoder of a new SSRC; NULL (and an error on the bus) if it cannot be made. */
static GstElement *
make_decoder (SpCallMedia *self)
{
  g_autoptr (GError) error = NULL;
  GstElement *receiver = sp_audio_codec_make_receiver (self->codec, &error);

  if (receiver == NULL)
    post_error (self, self->rtpbin, error);
  return receiver;
}

/* Every recv_rtp_src pad is linked, or rtpbin's streaming thread stops with not-linked. */
static void
on_rtpbin_pad_added (GstElement *rtpbin, GstPad *pad, gpointer user_data)
{
  SpCallMedia *self = user_data;
  guint session, ssrc, pt;
  gboolean stopping, decode;
  GstElement *decoder = NULL;

  if (sscanf (GST_PAD_NAME (pad), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
    return;
  if (session == VIDEO_SESSION && self->video != NULL)
    {
      sp_video_stream_link_pad (self->video, pad, pt);
      return;
    }

  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  decode = session == AUDIO_SESSION && self->codec != NULL && pt == self->pt;
  g_mutex_unlock (&self->lock);
  if (stopping || self->branches == NULL)
    return;

  /* Built without the lock: linking may query caps, and request-pt-map takes the lock. */
  if (decode && !(decoder = make_decoder (self)))
    return;
  sp_recv_branches_link (self->branches, pad, decoder);
  g_debug ("rtpbin pad %s: SSRC %u, PT %u", GST_PAD_NAME (pad), ssrc, pt);
}

/* Tearing a branch down needs state changes, which a streaming thread must not do to
 * elements it may be feeding: the main context does it. */
static void
on_rtpbin_pad_removed (GstElement *rtpbin, GstPad *pad, gpointer user_data)
{
  GstStructure *s
    = gst_structure_new (PAD_REMOVED_MESSAGE, "pad", G_TYPE_STRING, GST_PAD_NAME (pad), NULL);

  gst_element_post_message (rtpbin, gst_message_new_application (GST_OBJECT (rtpbin), s));
}

static GstCaps *
audio_pt_caps (const SpAudioCodec *codec, guint8 codec_pt, guint8 te_pt, guint pt)
{
  if (codec == NULL)
    return NULL;
  if (pt == codec_pt)
    return sp_audio_codec_rtp_caps (codec, pt);
  if (te_pt != 0 && pt == te_pt)
    /* RFC 4733 §7.1.2: telephone-event runs at the clock rate of the voice codec. */
    return sp_audio_codec_telephone_event_caps (pt, sp_audio_codec_get_clock_rate (codec));
  return NULL;
}

static GstCaps *
on_request_pt_map (GstElement *rtpbin, guint session, guint pt, gpointer user_data)
{
  SpCallMedia *self = user_data;
  GstCaps *caps = NULL;

  if (session == VIDEO_SESSION && self->video != NULL)
    return sp_video_stream_pt_caps (self->video, pt);
  g_mutex_lock (&self->lock);
  if (session == AUDIO_SESSION)
    {
      caps = audio_pt_caps (self->codec, self->pt, self->te_pt, pt);
      if (caps == NULL)
        caps = audio_pt_caps (self->former_codec, self->former_pt, self->former_te_pt, pt);
    }
  g_mutex_unlock (&self->lock);
  return caps;
}

/* The voice's payload types as agreed now (the codec's and telephone-event's). */
static gboolean
audio_pt_agreed (guint pt, gpointer data)
{
  SpCallMedia *self = data;
  gboolean agreed;

  g_mutex_lock (&self->lock);
  agreed = self->codec != NULL && (pt == self->pt || (self->te_pt != 0 && pt == self->te_pt));
  g_mutex_unlock (&self->lock);
  return agreed;
}

/* ---- main-context side ---- */

/* GStreamer's message is generic ("Resource not found."); the detail after the source location
 * in the debug string names the file or device, which is what an admin needs. */
static char *
describe_error (GstObject *source, const GError *error, const char *debug)
{
  const char *detail = debug != NULL ? strrchr (debug, '\n') : NULL;

  if (detail == NULL || detail[1] == '\0')
    return g_strdup_printf ("%s: %s", GST_OBJECT_NAME (source), error->message);
  return g_strdup_printf ("%s: %s (%s)", GST_OBJECT_NAME (source), error->message, detail + 1);
}

static void
handle_error (SpCallMedia *self, GstMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *text = NULL;

  gst_message_parse_error (message, &error, &debug);
  text = describe_error (GST_MESSAGE_SRC (message), error, debug);
  /* The first error is the cause; the ones it triggers downstream would only repeat it. */
  if (self->failed)
    {
      g_message ("Further media error: %s", text);
      return;
    }
  self->failed = TRUE;
  /* A message, not a warning: the signal is the report, and the layer above decides. */
  g_message ("Media error: %s", text);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, text);
}

static void
handle_application (SpCallMedia *self, GstMessage *message)
{
  const GstStructure *s = gst_message_get_structure (message);

  guint session = AUDIO_SESSION;
  gint64 time = 0;

  gst_structure_get_int64 (s, "time", &time);
  gst_structure_get_uint (s, "session", &session);
  if (gst_structure_has_name (s, SP_RTP_TRANSPORT_FIRST_RTP_MESSAGE) && session == AUDIO_SESSION
      && !self->first_rtp_emitted)
    {
      self->first_rtp_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_FIRST_RTP_RECEIVED], 0, time);
    }
  else if (gst_structure_has_name (s, SP_VIDEO_STREAM_FIRST_FRAME_MESSAGE))
    g_signal_emit (self, signals[SIGNAL_FIRST_VIDEO_FRAME], 0, time);
  else if (gst_structure_has_name (s, PAD_REMOVED_MESSAGE))
    {
      const char *pad = gst_structure_get_string (s, "pad");

      if ((self->video == NULL || !sp_video_stream_remove_pad (self->video, pad))
          && self->branches != NULL)
        sp_recv_branches_remove (self->branches, pad);
    }
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  SpCallMedia *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
      case GST_MESSAGE_ERROR:
        handle_error (self, message);
        break;
      case GST_MESSAGE_WARNING:
        {
          g_autoptr (GError) error = NULL;

          gst_message_parse_warning (message, &error, NULL);
          g_message ("Media warning from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                     error->message);
          break;
        }
      case GST_MESSAGE_APPLICATION:
        handle_application (self, message);
        break;
      default:
        break;
    }
  return G_SOURCE_CONTINUE;
}

/* Dead-peer detection by counting, not by rtpbin's SSRC timeout: a peer that never sent at all
 * has no SSRC to time out. */
static gboolean
on_tick (gpointer user_data)
{
  SpCallMedia *self = user_data;
  guint count = sp_rtp_transport_get_packets_received (self->audio);
  gint64 now = g_get_monotonic_time ();

  if (count != self->last_rx_count)
    {
      self->last_rx_count = count;
      self->last_rx_change = now;
      self->timeout_emitted = FALSE;
    }
  else if (self->rtp_timeout_s > 0 && !self->timeout_emitted
           && sp_media_direction_receives (self->direction)
           && now - self->last_rx_change >= (gint64)self->rtp_timeout_s * G_USEC_PER_SEC)
    {
      self->timeout_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_RTP_TIMEOUT], 0);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- building ---- */

static gboolean
ensure_pipeline (SpCallMedia *self, GError **error)
{
  g_autoptr (GstBus) bus = NULL;

  if (self->pipeline != NULL)
    return TRUE;

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("sportello-call"));
  self->rtpbin = sp_gst_add (GST_BIN (self->pipeline), "rtpbin", NULL, error);
  if (self->rtpbin == NULL)
    return FALSE;
  gst_object_ref (self->rtpbin);
  g_object_set (self->rtpbin, "latency", JITTER_LATENCY_MS, NULL);
  self->pt_map_handler
    = g_signal_connect (self->rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), self);
  self->pad_added_handler
    = g_signal_connect (self->rtpbin, "pad-added", G_CALLBACK (on_rtpbin_pad_added), self);
  self->pad_removed_handler
    = g_signal_connect (self->rtpbin, "pad-removed", G_CALLBACK (on_rtpbin_pad_removed), self);

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  g_main_context_push_thread_default (self->context);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self) != 0;
  g_main_context_pop_thread_default (self->context);
  return TRUE;
}

static gboolean
link_pads (GstElement *src, const char *src_name, GstPad *sink_pad, GError **error)
{
  g_autoptr (GstPad) src_pad = gst_element_get_static_pad (src, src_name);

  if (gst_pad_link (src_pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link %s to %s",
                   GST_OBJECT_NAME (src), GST_OBJECT_NAME (GST_PAD_PARENT (sink_pad)));
      return FALSE;
    }
  return TRUE;
}

static GstElement *
make_valve (GstBin *bin, GError **error)
{
  GstElement *valve = sp_gst_add (bin, "valve", NULL, error);

  /* Caps and segments still pass a closed valve, so the far side is negotiated and ready. */
  if (valve != NULL)
    gst_util_set_object_arg (G_OBJECT (valve), "drop-mode", "forward-sticky-events");
  return valve;
}

/* source → format → valve → sender (encoder → payloader → rtpbin send_rtp_sink_0), with the
 * send mixer between source and format while something is mixed in. The format before the
 * sender is fixed for the call (48 kHz mono, a microphone's and Opus's rate): a codec change
 * only changes what its own sender resamples to. Left open, a new codec's rate renegotiated
 * everything upstream while a file source or a clip was still negotiating its first caps, which
 * could stop the send path "not-negotiated"; and a live tone at 8 kHz came in 128 ms buffers,
 * too coarse to mix. */
static gboolean
build_send_path (SpCallMedia *self, GstElement *source, GstElement *sender, GstPad *send_pad,
                 GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  g_autoptr (GstCaps) caps = gst_caps_new_simple ("audio/x-raw", "rate", G_TYPE_INT, SEND_RATE,
                                                  "channels", G_TYPE_INT, 1, NULL);
  GstElement *format;
  g_autoptr (GstPad) source_pad = NULL;
  g_autoptr (GstPad) format_pad = NULL;

  self->send_valve = make_valve (bin, error);
  if (self->send_valve == NULL || !(format = sp_gst_add (bin, "capsfilter", NULL, error)))
    return FALSE;
  g_object_set (format, "caps", caps, NULL);
  gst_bin_add_many (bin, source, sender, NULL);
  gst_element_set_locked_state (source, TRUE);
  self->source = source;
  self->sender = sender;
  if (!gst_element_link_many (source, format, self->send_valve, sender, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link the audio source");
      return FALSE;
    }
  source_pad = gst_element_get_static_pad (source, "src");
  format_pad = gst_element_get_static_pad (format, "sink");
  self->mixer = sp_send_mixer_new (bin, source_pad, format_pad);
  return link_pads (sender, "src", send_pad, error);
}

/* selector (one input per decoded SSRC) → valve → tee → valve → convert → resample → sink; the
 * tee also feeds what this leg hears to the other legs of a conference (sp-audio-share.c), and
 * the second valve shuts the leg's own playback meanwhile. */
static gboolean
build_receive_path (SpCallMedia *self, GstElement *sink, GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *convert, *resample;

  if (!(self->selector = sp_gst_add (bin, "input-selector", NULL, error))
      || !(self->recv_valve = make_valve (bin, error))
      || !(self->heard_tee = sp_gst_add (bin, "tee", NULL, error))
      || !(self->ear_valve = make_valve (bin, error))
      || !(convert = sp_gst_add (bin, "audioconvert", NULL, error))
      || !(resample = sp_gst_add (bin, "audioresample", NULL, error)))
    return FALSE;
  g_object_set (self->heard_tee, "allow-not-linked", TRUE, NULL);
  /* Buffers of a non-active SSRC are dropped at once rather than held back for sync. */
  g_object_set (self->selector, "sync-streams", FALSE, NULL);
  self->branches = sp_recv_branches_new (bin, self->selector);
  self->sink_bin = gst_object_ref (sink);
  gst_bin_add (bin, sink);
  return gst_element_link_many (self->selector, self->recv_valve, self->heard_tee, self->ear_valve,
                                convert, resample, sink, NULL)
         || (g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                          "Cannot link the audio sink"),
             FALSE);
}

/* The video session may report more often: RFC 3550 §6.2's reduced minimum, 360 s divided by
 * the session bandwidth in kbit/s (0.36 s at 1 Mbit/s). With AVPF only one early feedback
 * packet is allowed per regular interval (RFC 4585 §3.5.2): at the 5 s voice minimum a second
 * loss waited seconds for its NACK, far past the jitterbuffer's wait for the retransmission. */
static guint
rtcp_interval_ms (SpCallMedia *self, guint session)
{
  guint reduced = 360000 / MAX (self->video_bitrate_kbps, 1u);

  return session == VIDEO_SESSION ? MIN (self->rtcp_interval_ms, MAX (reduced, 100u))
                                  : self->rtcp_interval_ms;
}

/* Also: the contact's stream may come from a new address under the same SSRC (a NAT rebinding,
 * a PBX that re-anchors without a new SSRC, a relay taking over). rtpsession took that for a
 * third-party SSRC collision and dropped every packet from the new address for the rest of the
 * call; favor-new makes it follow the stream to its new address, as phones do. */
static void
configure_sessions (SpCallMedia *self)
{
  for (guint id = AUDIO_SESSION; id <= VIDEO_SESSION; id++)
    {
      g_autoptr (GObject) session = NULL;

      g_signal_emit_by_name (self->rtpbin, "get-internal-session", id, &session);
      if (session != NULL)
        g_object_set (session, "rtcp-min-interval",
                      (guint64)rtcp_interval_ms (self, id) * GST_MSECOND, "favor-new", TRUE, NULL);
    }
}

static void
apply_direction (SpCallMedia *self)
{
  if (self->send_valve != NULL)
    g_object_set (self->send_valve, "drop", !sp_media_direction_sends (self->direction), NULL);
  if (self->recv_valve != NULL)
    g_object_set (self->recv_valve, "drop", !sp_media_direction_receives (self->direction), NULL);
}

static gboolean
check_params (SpCallMedia *self, const SpCallMediaAudio *params, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;

  if (params->remote_address != NULL)
    address = g_inet_address_new_from_string (params->remote_address);
  if (address == NULL || params->remote_rtp_port == 0 || params->payload_type > 127
      || params->telephone_event_pt > 127
      || (params->telephone_event_pt != 0 && params->telephone_event_pt == params->payload_type)
      || (guint)params->direction > SP_MEDIA_DIRECTION_INACTIVE)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "Unusable audio parameters (remote %s:%u, PT %u, telephone-event PT %u)",
                   params->remote_address != NULL ? params->remote_address : "(none)",
                   params->remote_rtp_port, params->payload_type, params->telephone_event_pt);
      return FALSE;
    }
  if (sp_audio_codec_lookup (params->encoding_name, params->clock_rate) == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_CODEC, "No support for %s/%u",
                   params->encoding_name ? params->encoding_name : "(none)", params->clock_rate);
      return FALSE;
    }
  return TRUE;
}

static void
set_remote (SpCallMedia *self, const SpCallMediaAudio *params)
{
  guint16 rtcp_port = params->remote_rtcp_port;

  if (rtcp_port == 0)
    rtcp_port = params->remote_rtp_port + 1;
  sp_rtp_transport_set_remote (self->audio, params->remote_address, params->remote_rtp_port,
                               rtcp_port);
}

static void
set_negotiated (SpCallMedia *self, const SpCallMediaAudio *params)
{
  g_mutex_lock (&self->lock);
  self->former_codec = self->codec;
  self->former_pt = self->pt;
  self->former_te_pt = self->te_pt;
  self->codec = sp_audio_codec_lookup (params->encoding_name, params->clock_rate);
  self->pt = params->payload_type;
  self->te_pt = params->telephone_event_pt;
  g_mutex_unlock (&self->lock);
}

static gboolean
build_audio (SpCallMedia *self, const SpCallMediaAudio *params, GError **error)
{
  const SpAudioCodec *codec = sp_audio_codec_lookup (params->encoding_name, params->clock_rate);
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstElement) sender = NULL;
  g_autoptr (GstPad) send_pad = NULL;

  /* Everything that can fail on a spec is built before anything joins the pipeline. */
  if (!(source = sp_audio_source_new (self->audio_source, self->tone_frequency, error))
      || !(sink = sp_audio_sink_new (self->audio_sink, error))
      || !(sender = sp_audio_codec_make_sender (codec, params->payload_type, error))
      || !ensure_pipeline (self, error))
    return FALSE;

  if (params->srtp.suite != SP_MEDIA_SRTP_NONE
      && !(self->audio_srtp = sp_srtp_new (self->rtpbin, AUDIO_SESSION, &params->srtp, error)))
    return FALSE;
  set_negotiated (self, params);
  sp_rtp_transport_set_pt_filter (self->audio, audio_pt_agreed, self);
  send_pad = sp_rtp_transport_attach (self->audio, GST_BIN (self->pipeline), self->rtpbin,
                                      AUDIO_SESSION, error);
  if (send_pad == NULL || !build_send_path (self, source, sender, send_pad, error)
      || !build_receive_path (self, sink, error))
    return FALSE;
  return TRUE;
}

static void
make_share (SpCallMedia *self)
{
  SpAudioShareLeg leg = {
    .pipeline = GST_BIN (self->pipeline),
    .send_mixer = self->mixer,
    .voice = self->source,
    .tee = self->heard_tee,
    .ear_valve = self->ear_valve,
    .source_spec = self->audio_source,
    .tone_frequency = self->tone_frequency,
    .sink_spec = self->audio_sink,
  };

  self->share = sp_audio_share_new (&leg);
}

/* The agent's voice starts only once the rest of the pipeline is PLAYING. On its way there the
 * pipeline hands its clock to every element at once but its base time to one element after the
 * other, while a live source already negotiates in PAUSED. The mixer after the voice, with the
 * clock, its caps and still base time 0, took every running time for long past as soon as the
 * sinks let buffers through: when the state change stalled before reaching it (a busy machine)
 * it produced seconds of silence at once and then dropped each of the voice's buffers as too
 * old, and the contact never heard the agent for the whole call. */
static void
start_source (SpCallMedia *self)
{
  gst_element_set_locked_state (self->source, FALSE);
  if (!gst_element_sync_state_with_parent (self->source))
    g_debug ("The audio source did not start; its error message follows");
}

static void
start_tick (SpCallMedia *self)
{
  self->last_rx_change = g_get_monotonic_time ();
  self->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick, on_tick, self, NULL);
  g_source_attach (self->tick, self->context);
}

/* ---- public API ---- */

SpCallMedia *
sp_call_media_new (const char *audio_source, const char *audio_sink, guint rtp_port_min,
                   guint rtp_port_max)
{
  return g_object_new (SP_TYPE_CALL_MEDIA, "audio-source", audio_source, "audio-sink", audio_sink,
                       "rtp-port-min", rtp_port_min, "rtp-port-max", rtp_port_max, NULL);
}

gboolean
sp_call_media_prepare_audio (SpCallMedia *self, const char *local_address, guint16 *rtp_port,
                             guint16 *rtcp_port, GError **error)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);

  if (self->audio == NULL)
    {
      /* The ports are plain sockets; GStreamer is needed only once the call starts. */
      sp_gst_warm_up ();
      self->audio
        = sp_rtp_transport_new (local_address, self->rtp_port_min, self->rtp_port_max, error);
      if (self->audio == NULL)
        return FALSE;
      if (self->context == NULL)
        self->context = g_main_context_ref_thread_default ();
    }
  if (rtp_port != NULL)
    *rtp_port = sp_rtp_transport_get_rtp_port (self->audio);
  if (rtcp_port != NULL)
    *rtcp_port = sp_rtp_transport_get_rtcp_port (self->audio);
  return TRUE;
}

gboolean
sp_call_media_start_audio (SpCallMedia *self, const SpCallMediaAudio *params, GError **error)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (self->audio == NULL || self->started)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                   self->started ? "The audio stream is already started"
                                 : "The audio ports are not prepared");
      return FALSE;
    }
  /* Waits for the warm-up begun by prepare, if it is still starting GStreamer. */
  if (!check_params (self, params, error) || !sp_gst_init (error))
    return FALSE;
  if (!build_audio (self, params, error))
    {
      /* Half a pipeline cannot be completed later: start again from prepare. */
      sp_call_media_stop (self);
      return FALSE;
    }

  make_share (self);
  self->started = TRUE;
  self->direction = params->direction;
  set_remote (self, params);
  configure_sessions (self);
  apply_direction (self);
  start_tick (self);
  /* A failing device or file posts its own error message, which reaches the "error" signal. */
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_debug ("The media pipeline did not start; its error message follows");
  start_source (self);
  return TRUE;
}

void
sp_call_media_set_direction (SpCallMedia *self, SpMediaDirection direction)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));

  if (direction == self->direction)
    return;
  /* The peer gets a full timeout to start sending once we expect it to. */
  if (!sp_media_direction_receives (self->direction) && sp_media_direction_receives (direction))
    {
      self->last_rx_change = g_get_monotonic_time ();
      self->timeout_emitted = FALSE;
    }
  self->direction = direction;
  apply_direction (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTION]);
}

SpMediaDirection
sp_call_media_get_direction (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), SP_MEDIA_DIRECTION_INACTIVE);
  return self->direction;
}

/* A later answer may move the stream to another codec or payload type (RFC 3264 §8.3.2 lets
 * an answerer pick any offered format, linphone does): a new codec's sender replaces the old
 * one in the running pipeline (the same codec only changes its number), and rtpbin forgets its
 * payload map so that the new numbers are looked up again (what arrives under a new PT gets a
 * pad and a decoder of its own; the selector shows it). */
static gboolean
change_codec (SpCallMedia *self, const SpCallMediaAudio *params, gboolean same_codec,
              GError **error)
{
  if (same_codec)
    sp_audio_codec_sender_set_pt (self->sender, params->payload_type);
  else
    {
      const SpAudioCodec *codec = sp_audio_codec_lookup (params->encoding_name, params->clock_rate);
      GstElement *sender = sp_audio_codec_make_sender (codec, params->payload_type, error);
      g_autoptr (GstPad) upstream = NULL;
      g_autoptr (GstPad) old_src = NULL;
      g_autoptr (GstPad) downstream = NULL;

      if (sender == NULL)
        return FALSE;
      upstream = gst_element_get_static_pad (self->send_valve, "src");
      old_src = gst_element_get_static_pad (self->sender, "src");
      downstream = gst_pad_get_peer (old_src);
      sp_gst_swap (GST_BIN (self->pipeline), upstream, self->sender, sender, downstream);
      self->sender = sender;
    }
  set_negotiated (self, params);
  g_signal_emit_by_name (self->rtpbin, "clear-pt-map");
  g_message ("The audio stream now sends %s/%u as PT %u (telephone-event PT %u)",
             params->encoding_name, params->clock_rate, params->payload_type,
             params->telephone_event_pt);
  return TRUE;
}

gboolean
sp_call_media_update_remote (SpCallMedia *self, const SpCallMediaAudio *params, GError **error)
{
  gboolean same_codec, same_pt, same_events;

  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (!self->started)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "The audio stream is not started");
      return FALSE;
    }
  if (!check_params (self, params, error))
    return FALSE;
  if ((params->srtp.suite != SP_MEDIA_SRTP_NONE) != (self->audio_srtp != NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "SRTP cannot be turned %s during a call", self->audio_srtp ? "off" : "on");
      return FALSE;
    }
  if (self->audio_srtp)
    sp_srtp_update (self->audio_srtp, &params->srtp);
  g_mutex_lock (&self->lock);
  same_codec = self->codec == sp_audio_codec_lookup (params->encoding_name, params->clock_rate);
  same_pt = self->pt == params->payload_type;
  same_events = self->te_pt == params->telephone_event_pt;
  g_mutex_unlock (&self->lock);
  if ((!same_codec || !same_pt || !same_events) && !change_codec (self, params, same_codec, error))
    return FALSE;
  set_remote (self, params);
  sp_call_media_set_direction (self, params->direction);
  return TRUE;
}

/* wavenc writes its header's sizes on EOS; without it the recording is unreadable. */
static void
finalize_recording (SpCallMedia *self)
{
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstEvent) started = NULL;

  if (self->sink_bin == NULL || !sp_audio_sink_spec_needs_eos (self->audio_sink))
    return;
  g_object_set (self->recv_valve, "drop", TRUE, NULL);
  pad = gst_element_get_static_pad (self->sink_bin, "sink");
  /* Nothing ever played (no packet could be decrypted or decoded): no stream to end, and wavenc
   * would push its header before any stream-start. */
  started = gst_pad_get_sticky_event (pad, GST_EVENT_STREAM_START, 0);
  if (started == NULL)
    return;
  gst_pad_send_event (pad, gst_event_new_eos ());
}

static void
disconnect_rtpbin (SpCallMedia *self)
{
  if (self->rtpbin == NULL)
    return;
  g_clear_signal_handler (&self->pt_map_handler, self->rtpbin);
  g_clear_signal_handler (&self->pad_added_handler, self->rtpbin);
  g_clear_signal_handler (&self->pad_removed_handler, self->rtpbin);
  g_clear_object (&self->rtpbin);
}

static void
release_pipeline (SpCallMedia *self)
{
  if (self->pipeline == NULL)
    return;

  finalize_recording (self);
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_mutex_unlock (&self->lock);
  if (self->video != NULL)
    sp_video_stream_shutdown (self->video);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  if (self->bus_watch)
    {
      g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

      gst_bus_remove_watch (bus);
      self->bus_watch = FALSE;
    }
  if (self->audio_srtp)
    sp_srtp_detach (self->audio_srtp);
  disconnect_rtpbin (self);
  g_clear_pointer (&self->share, sp_audio_share_free);
  g_clear_pointer (&self->mixer, sp_send_mixer_free);
  g_clear_pointer (&self->branches, sp_recv_branches_free);
  g_clear_object (&self->sink_bin);
  self->send_valve = self->recv_valve = self->selector = NULL; /* the pipeline's */
  self->source = NULL;
  self->heard_tee = self->ear_valve = NULL;
  self->sender = NULL;
  self->clip_audio = NULL;
  g_clear_object (&self->clip_audio_pad);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->audio_srtp, sp_srtp_free); /* after rtpbin, which asked it for elements */
}

void
sp_call_media_stop (SpCallMedia *self)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));

  if (self->player)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      sp_clip_player_stop (self->player);
      g_clear_object (&self->player);
    }
  sp_call_media_stop_local_video (self);
  release_pipeline (self);
  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  g_clear_pointer (&self->audio, sp_rtp_transport_free);
  g_clear_pointer (&self->video, sp_video_stream_free);
  self->started = FALSE;
}

guint
sp_call_media_get_rtp_packets_sent (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), 0);
  return self->audio != NULL ? sp_rtp_transport_get_packets_sent (self->audio) : 0;
}

guint
sp_call_media_get_rtp_packets_dropped (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), 0);
  return self->audio != NULL ? sp_rtp_transport_get_packets_dropped (self->audio) : 0;
}

guint
sp_call_media_get_rtp_packets_received (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), 0);
  return self->audio != NULL ? sp_rtp_transport_get_packets_received (self->audio) : 0;
}

/* ---- video ---- */

gboolean
sp_call_media_prepare_video (SpCallMedia *self, const char *local_address, guint16 *rtp_port,
                             guint16 *rtcp_port, GError **error)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);

  if (self->audio == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "The audio ports are not prepared");
      return FALSE;
    }
  if (self->video == NULL)
    {
      self->video
        = sp_video_stream_new (local_address, self->rtp_port_min, self->rtp_port_max, error);
      if (self->video == NULL)
        return FALSE;
    }
  if (rtp_port != NULL)
    *rtp_port = sp_video_stream_get_rtp_port (self->video);
  if (rtcp_port != NULL)
    *rtcp_port = sp_video_stream_get_rtcp_port (self->video);
  return TRUE;
}

static SpVideoStreamParams
video_stream_params (const SpCallMediaVideo *params)
{
  SpVideoStreamParams p = {
    .remote_address = params->remote_address,
    .remote_rtp_port = params->remote_rtp_port,
    .remote_rtcp_port = params->remote_rtcp_port,
    .payload_type = params->payload_type,
    .encoding_name = params->encoding_name,
    .pli = params->pli,
    .fir = params->fir,
    .nack = params->nack,
    .rtx_send_pt = params->rtx_send_pt,
    .rtx_recv_pt = params->rtx_recv_pt,
    .direction = params->direction,
    .srtp = params->srtp,
  };
  return p;
}

gboolean
sp_call_media_start_video (SpCallMedia *self, const SpCallMediaVideo *params, GError **error)
{
  SpVideoStreamParams p;
  SpVideoStreamFormat format = {
    .camera = self->camera_channel,
    .preview = self->preview_channel,
    .remote = self->remote_channel,
    .width = self->video_width,
    .height = self->video_height,
    .encoding = { self->video_framerate, self->video_bitrate_kbps, VIDEO_KEYFRAME_SECONDS },
  };

  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (!self->started || self->video == NULL || sp_video_stream_is_built (self->video))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                   !self->started        ? "The audio stream is not started"
                   : self->video == NULL ? "The video ports are not prepared"
                                         : "The video stream is already started");
      return FALSE;
    }
  /* Both would write the preview channel, and the browser would get the SIP path's picture
   * mixed with its own. */
  if (self->local_picture != NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                   "A browser carries the video: no SIP video stream with it");
      return FALSE;
    }
  p = video_stream_params (params);
  if (!sp_video_stream_check_params (&p, error))
    return FALSE;
  if (!sp_video_stream_build (self->video, GST_BIN (self->pipeline), self->rtpbin, VIDEO_SESSION,
                              &p, &format, error))
    {
      /* Half-built video would leave dangling elements in a live call: report it as a media
       * error of the whole pipeline, as GStreamer would. */
      g_message ("Video could not be added: %s", (*error)->message);
      return FALSE;
    }
  configure_sessions (self);
  if (self->relay_channel)
    sp_video_stream_show_channel (self->video, self->relay_channel);
  return TRUE;
}

/* What the agent sends, on whichever path carries the video: CHANNEL, or the camera (NULL). */
static void
show_channel (SpCallMedia *self, const char *channel)
{
  if (self->video != NULL && sp_video_stream_is_built (self->video))
    sp_video_stream_show_channel (self->video, channel);
  else if (self->local_picture != NULL
           && !sp_video_picture_show_channel (self->local_picture, channel))
    g_message ("The pushed clip cannot join the video");
}

void
sp_call_media_relay_video (SpCallMedia *self, const char *channel)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));

  g_free (self->relay_channel);
  self->relay_channel = g_strdup (channel && *channel ? channel : NULL);
  show_channel (self, self->relay_channel);
}

gboolean
sp_call_media_update_video (SpCallMedia *self, const SpCallMediaVideo *params, GError **error)
{
  SpVideoStreamParams p;

  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (self->video == NULL || !sp_video_stream_is_built (self->video))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "The video stream is not started");
      return FALSE;
    }
  p = video_stream_params (params);
  return sp_video_stream_update (self->video, &p, error);
}

gboolean
sp_call_media_has_video (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  return self->video != NULL && sp_video_stream_is_built (self->video);
}

void
sp_call_media_set_video_direction (SpCallMedia *self, SpMediaDirection direction)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));
  if (self->video != NULL)
    sp_video_stream_set_direction (self->video, direction);
}

void
sp_call_media_request_key_frames (SpCallMedia *self)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));
  if (self->video != NULL)
    sp_video_stream_request_key_frames (self->video);
}

const char *
sp_call_media_get_video_channel (SpCallMedia *self, SpCallMediaChannel channel)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), NULL);

  switch (channel)
    {
      case SP_CALL_MEDIA_CHANNEL_CAMERA:
        return self->camera_channel;
      case SP_CALL_MEDIA_CHANNEL_PREVIEW:
        return self->preview_channel;
      case SP_CALL_MEDIA_CHANNEL_REMOTE:
        return self->remote_channel;
      default:
        g_return_val_if_reached (NULL);
    }
}

void
sp_call_media_get_video_statistics (SpCallMedia *self, SpCallMediaVideoStatistics *stats)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));

  memset (stats, 0, sizeof *stats);
  if (self->video == NULL)
    return;
  stats->codec = sp_video_stream_get_codec_name (self->video);
  stats->rtp_packets_sent = sp_video_stream_get_packets_sent (self->video);
  stats->rtp_packets_received = sp_video_stream_get_packets_received (self->video);
  stats->frames_encoded = sp_video_stream_get_frames_encoded (self->video);
  stats->key_frames_sent = sp_video_stream_get_key_frames_sent (self->video);
  stats->frames_decoded = sp_video_stream_get_frames_decoded (self->video);
  {
    SpVideoStreamRecovery recovery;

    sp_video_stream_get_recovery (self->video, &recovery);
    stats->nacks_sent = recovery.nacks_sent;
    stats->nacks_received = recovery.nacks_received;
    stats->key_frame_requests_sent = recovery.key_frame_requests_sent;
    stats->key_frame_requests_received = recovery.key_frame_requests_received;
    stats->rtx_packets_sent = recovery.rtx_packets_sent;
    stats->rtx_packets_received = recovery.rtx_packets_received;
  }
}

/* ---- video without a SIP stream (a browser's) ---- */

static GstElement *
add_local_element (SpCallMedia *self, const char *factory, GError **error)
{
  return sp_gst_add (GST_BIN (self->pipeline), factory, NULL, error);
}

gboolean
sp_call_media_start_local_video (SpCallMedia *self, GError **error)
{
  g_autoptr (GstPad) queue_sink = NULL;

  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  if (!self->started || sp_call_media_has_video (self) || self->local_picture != NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                   !self->started ? "The audio stream is not started"
                                  : "Video already runs in this call");
      return FALSE;
    }
  self->local_picture
    = sp_video_picture_new (GST_BIN (self->pipeline), self->camera_channel, self->video_width,
                            self->video_height, self->video_framerate, error);
  if (self->local_picture == NULL || !(self->local_queue = add_local_element (self, "queue", error))
      || !(self->local_sink = add_local_element (self, "intervideosink", error)))
    {
      sp_call_media_stop_local_video (self);
      return FALSE;
    }
  /* A slow reader drops old pictures instead of delaying new ones. */
  g_object_set (self->local_queue, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time",
                (guint64)0, NULL);
  gst_util_set_object_arg (G_OBJECT (self->local_queue), "leaky", "downstream");
  g_object_set (self->local_sink, "channel", self->preview_channel, "sync", FALSE, "async", FALSE,
                NULL);
  self->local_tee_pad
    = gst_element_request_pad_simple (sp_video_picture_get_tee (self->local_picture), "src_%u");
  queue_sink = gst_element_get_static_pad (self->local_queue, "sink");
  if (gst_pad_link (self->local_tee_pad, queue_sink) != GST_PAD_LINK_OK
      || !gst_element_link (self->local_queue, self->local_sink))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link the preview");
      sp_call_media_stop_local_video (self);
      return FALSE;
    }
  gst_element_sync_state_with_parent (self->local_sink);
  gst_element_sync_state_with_parent (self->local_queue);
  sp_video_picture_start (self->local_picture);
  if (self->relay_channel)
    show_channel (self, self->relay_channel);
  return TRUE;
}

static void
remove_local_element (SpCallMedia *self, GstElement **element)
{
  if (*element == NULL)
    return;
  gst_element_set_state (*element, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self->pipeline), *element);
  *element = NULL;
}

void
sp_call_media_stop_local_video (SpCallMedia *self)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));
  if (self->local_picture == NULL)
    return;
  /* The source first: nothing flows into the branch being taken down. */
  sp_video_picture_remove (self->local_picture);
  remove_local_element (self, &self->local_queue);
  remove_local_element (self, &self->local_sink);
  g_clear_object (&self->local_tee_pad);
  g_clear_pointer (&self->local_picture, sp_video_picture_free);
}

gboolean
sp_call_media_has_local_video (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  return self->local_picture != NULL;
}

/* ---- audio shared with the other legs (a conference) ---- */

static gboolean
require_started (SpCallMedia *self, GError **error)
{
  if (self->share != NULL)
    return TRUE;
  g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "The audio stream is not started");
  return FALSE;
}

gboolean
sp_call_media_join_mix (SpCallMedia *self, const char *mix, GError **error)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  return require_started (self, error) && sp_audio_share_join (self->share, mix, error);
}

gboolean
sp_call_media_leave_mix (SpCallMedia *self, const char *mix)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  return self->share != NULL && sp_audio_share_leave (self->share, mix);
}

/* ---- video push ---- */

/* interaudiosrc → audioconvert → audioresample, on a new pad of the send mixer. */
static void
add_clip_audio (SpCallMedia *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = g_strdup_printf (
    "interaudiosrc channel=%s ! audioconvert ! audioresample", self->clip_audio_channel);
  GstElement *bin;
  g_autoptr (GstPad) src = NULL;

  if (self->clip_audio != NULL || self->mixer == NULL)
    return;
  bin = gst_parse_bin_from_description (description, TRUE, &error);
  if (bin == NULL || !(self->clip_audio_pad = sp_send_mixer_request_pad (self->mixer, &error)))
    {
      g_message ("The pushed clip's sound cannot be mixed in: %s", error->message);
      if (bin != NULL)
        gst_object_unref (gst_object_ref_sink (bin));
      return;
    }
  self->clip_audio = bin;
  gst_bin_add (GST_BIN (self->pipeline), bin);
  src = gst_element_get_static_pad (bin, "src");
  gst_pad_link (src, self->clip_audio_pad);
  gst_element_sync_state_with_parent (bin);
}

static void
remove_clip_audio (SpCallMedia *self)
{
  if (self->clip_audio == NULL)
    return;
  gst_element_set_state (self->clip_audio, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self->pipeline), self->clip_audio);
  sp_send_mixer_release_pad (self->mixer, self->clip_audio_pad);
  g_clear_object (&self->clip_audio_pad);
  self->clip_audio = NULL;
}

static void
end_push (SpCallMedia *self)
{
  if (self->player)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      sp_clip_player_stop (self->player);
      g_clear_object (&self->player);
    }
  if (self->push_shown)
    show_channel (self, self->relay_channel);
  self->push_shown = FALSE;
  remove_clip_audio (self);
}

static void
on_clip_first_frame (SpClipPlayer *player, gpointer data)
{
  SpCallMedia *self = data;

  show_channel (self, self->clip_channel);
  self->push_shown = TRUE;
  if (sp_clip_player_has_audio (player))
    add_clip_audio (self);
  g_signal_emit (self, signals[SIGNAL_PUSH_STARTED], 0);
}

static void
on_clip_finished (SpClipPlayer *player, gpointer data)
{
  SpCallMedia *self = data;

  end_push (self);
  g_signal_emit (self, signals[SIGNAL_PUSH_ENDED], 0, "end-of-clip", "");
}

static void
on_clip_failed (SpClipPlayer *player, const char *message, gpointer data)
{
  SpCallMedia *self = data;
  g_autofree char *text = g_strdup (message);

  end_push (self);
  g_message ("The pushed clip failed: %s", text);
  g_signal_emit (self, signals[SIGNAL_PUSH_ENDED], 0, "error", text);
}

gboolean
sp_call_media_start_push (SpCallMedia *self, const char *path, guint image_ms, GError **error)
{
  g_autoptr (SpClipPlayer) player = NULL;

  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);

  if (!sp_call_media_has_video (self) && !sp_call_media_has_local_video (self))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "There is no video to push into");
      return FALSE;
    }
  player = sp_clip_player_new (path, image_ms, self->clip_channel, self->clip_audio_channel,
                               self->video_width, self->video_height, self->video_framerate);
  g_signal_connect (player, "first-frame", G_CALLBACK (on_clip_first_frame), self);
  g_signal_connect (player, "finished", G_CALLBACK (on_clip_finished), self);
  g_signal_connect (player, "failed", G_CALLBACK (on_clip_failed), self);
  /* Another clip replaces the running one; the picture stays on the old one's last frame
   * until the new one's first. */
  if (self->player)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      sp_clip_player_stop (self->player);
      g_clear_object (&self->player);
      remove_clip_audio (self);
    }
  if (!sp_clip_player_start (player, error))
    {
      end_push (self);
      return FALSE;
    }
  self->player = g_steal_pointer (&player);
  return TRUE;
}

void
sp_call_media_stop_push (SpCallMedia *self)
{
  g_return_if_fail (SP_IS_CALL_MEDIA (self));
  end_push (self);
}

gboolean
sp_call_media_is_pushing (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  return self->player != NULL;
}

gboolean
sp_call_media_is_mixing_voice (SpCallMedia *self)
{
  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  return self->mixer != NULL && sp_send_mixer_is_inserted (self->mixer);
}

gboolean
sp_call_media_sends_own_voice (SpCallMedia *self)
{
  g_autoptr (GstPad) voice = NULL;

  g_return_val_if_fail (SP_IS_CALL_MEDIA (self), FALSE);
  if (self->mixer == NULL)
    return FALSE;
  voice = gst_element_get_static_pad (self->source, "src");
  return sp_send_mixer_get_voice (self->mixer) == voice;
}

/* ---- GObject ---- */

static void
sp_call_media_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpCallMedia *self = SP_CALL_MEDIA (object);

  switch (prop_id)
    {
      case PROP_AUDIO_SOURCE:
        g_value_set_string (value, self->audio_source);
        break;
      case PROP_AUDIO_SINK:
        g_value_set_string (value, self->audio_sink);
        break;
      case PROP_RTP_PORT_MIN:
        g_value_set_uint (value, self->rtp_port_min);
        break;
      case PROP_RTP_PORT_MAX:
        g_value_set_uint (value, self->rtp_port_max);
        break;
      case PROP_RTP_TIMEOUT:
        g_value_set_uint (value, self->rtp_timeout_s);
        break;
      case PROP_RTCP_INTERVAL:
        g_value_set_uint (value, self->rtcp_interval_ms);
        break;
      case PROP_TONE_FREQUENCY:
        g_value_set_double (value, self->tone_frequency);
        break;
      case PROP_DIRECTION:
        g_value_set_enum (value, self->direction);
        break;
      case PROP_RTP_PACKETS_SENT:
        g_value_set_uint (value, sp_call_media_get_rtp_packets_sent (self));
        break;
      case PROP_RTP_PACKETS_RECEIVED:
        g_value_set_uint (value, sp_call_media_get_rtp_packets_received (self));
        break;
      case PROP_VIDEO_WIDTH:
        g_value_set_uint (value, self->video_width);
        break;
      case PROP_VIDEO_HEIGHT:
        g_value_set_uint (value, self->video_height);
        break;
      case PROP_VIDEO_FRAMERATE:
        g_value_set_uint (value, self->video_framerate);
        break;
      case PROP_VIDEO_BITRATE:
        g_value_set_uint (value, self->video_bitrate_kbps);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_call_media_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SpCallMedia *self = SP_CALL_MEDIA (object);

  switch (prop_id)
    {
      case PROP_AUDIO_SOURCE:
        g_free (self->audio_source);
        self->audio_source = g_value_dup_string (value);
        break;
      case PROP_AUDIO_SINK:
        g_free (self->audio_sink);
        self->audio_sink = g_value_dup_string (value);
        break;
      case PROP_RTP_PORT_MIN:
        self->rtp_port_min = g_value_get_uint (value);
        break;
      case PROP_RTP_PORT_MAX:
        self->rtp_port_max = g_value_get_uint (value);
        break;
      case PROP_RTP_TIMEOUT:
        self->rtp_timeout_s = g_value_get_uint (value);
        break;
      case PROP_RTCP_INTERVAL:
        self->rtcp_interval_ms = g_value_get_uint (value);
        if (self->rtpbin != NULL)
          configure_sessions (self);
        break;
      case PROP_TONE_FREQUENCY:
        self->tone_frequency = g_value_get_double (value);
        break;
      case PROP_DIRECTION:
        sp_call_media_set_direction (self, g_value_get_enum (value));
        break;
      case PROP_VIDEO_WIDTH:
        self->video_width = g_value_get_uint (value);
        break;
      case PROP_VIDEO_HEIGHT:
        self->video_height = g_value_get_uint (value);
        break;
      case PROP_VIDEO_FRAMERATE:
        self->video_framerate = g_value_get_uint (value);
        break;
      case PROP_VIDEO_BITRATE:
        self->video_bitrate_kbps = g_value_get_uint (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_call_media_dispose (GObject *object)
{
  SpCallMedia *self = SP_CALL_MEDIA (object);

  sp_call_media_stop (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sp_call_media_parent_class)->dispose (object);
}

static void
sp_call_media_finalize (GObject *object)
{
  SpCallMedia *self = SP_CALL_MEDIA (object);

  g_free (self->audio_source);
  g_free (self->audio_sink);
  g_free (self->relay_channel);
  g_free (self->camera_channel);
  g_free (self->preview_channel);
  g_free (self->remote_channel);
  g_free (self->clip_channel);
  g_free (self->clip_audio_channel);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sp_call_media_parent_class)->finalize (object);
}

static void
install_properties (GObjectClass *object_class)
{
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  properties[PROP_AUDIO_SOURCE]
    = g_param_spec_string ("audio-source", NULL, NULL, "test", construct);
  properties[PROP_AUDIO_SINK] = g_param_spec_string ("audio-sink", NULL, NULL, "null", construct);
  properties[PROP_RTP_PORT_MIN]
    = g_param_spec_uint ("rtp-port-min", NULL, NULL, 1, 65535, 20000, construct);
  properties[PROP_RTP_PORT_MAX]
    = g_param_spec_uint ("rtp-port-max", NULL, NULL, 1, 65535, 20999, construct);
  /* Seconds without RTP, while the direction expects it, before "rtp-timeout"; 0 = never. */
  properties[PROP_RTP_TIMEOUT] = g_param_spec_uint ("rtp-timeout", NULL, NULL, 0, G_MAXUINT,
                                                    DEFAULT_RTP_TIMEOUT_S, rw | G_PARAM_CONSTRUCT);
  /* Minimum RTCP interval in ms; RFC 3550's 5 s unless a test or a monitor wants it quicker. */
  properties[PROP_RTCP_INTERVAL] = g_param_spec_uint (
    "rtcp-interval", NULL, NULL, 100, 60000, DEFAULT_RTCP_INTERVAL_MS, rw | G_PARAM_CONSTRUCT);
  /* The frequency of audio-source=test, so a test can tell the two sides apart. */
  properties[PROP_TONE_FREQUENCY] = g_param_spec_double ("tone-frequency", NULL, NULL, 20, 20000,
                                                         DEFAULT_TONE_HZ, rw | G_PARAM_CONSTRUCT);
  properties[PROP_DIRECTION] = g_param_spec_enum ("direction", NULL, NULL, SP_TYPE_MEDIA_DIRECTION,
                                                  SP_MEDIA_DIRECTION_SENDRECV, rw);
  /* Counters, read on demand: they change 50 times a second, so they never notify. */
  properties[PROP_RTP_PACKETS_SENT]
    = g_param_spec_uint ("rtp-packets-sent", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RTP_PACKETS_RECEIVED]
    = g_param_spec_uint ("rtp-packets-received", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /* The negotiated-independent video format: what the encoder is fed, whatever the camera. */
  properties[PROP_VIDEO_WIDTH] = g_param_spec_uint ("video-width", NULL, NULL, 16, 4096,
                                                    DEFAULT_VIDEO_WIDTH, rw | G_PARAM_CONSTRUCT);
  properties[PROP_VIDEO_HEIGHT] = g_param_spec_uint ("video-height", NULL, NULL, 16, 4096,
                                                     DEFAULT_VIDEO_HEIGHT, rw | G_PARAM_CONSTRUCT);
  properties[PROP_VIDEO_FRAMERATE] = g_param_spec_uint (
    "video-framerate", NULL, NULL, 1, 120, DEFAULT_VIDEO_FRAMERATE, rw | G_PARAM_CONSTRUCT);
  properties[PROP_VIDEO_BITRATE] = g_param_spec_uint (
    "video-bitrate", NULL, NULL, 50, 20000, DEFAULT_VIDEO_BITRATE_KBPS, rw | G_PARAM_CONSTRUCT);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_call_media_class_init (SpCallMediaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sp_call_media_get_property;
  object_class->set_property = sp_call_media_set_property;
  object_class->dispose = sp_call_media_dispose;
  object_class->finalize = sp_call_media_finalize;
  install_properties (object_class);

  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_RTP_TIMEOUT]
    = g_signal_new ("rtp-timeout", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FIRST_RTP_RECEIVED]
    = g_signal_new ("first-rtp-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_PUSH_STARTED]
    = g_signal_new ("push-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PUSH_ENDED]
    = g_signal_new ("push-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_FIRST_VIDEO_FRAME]
    = g_signal_new ("first-video-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
sp_call_media_init (SpCallMedia *self)
{
  g_mutex_init (&self->lock);
  static guint next_id = 0;
  guint id = g_atomic_int_add (&next_id, 1);

  self->direction = SP_MEDIA_DIRECTION_SENDRECV;
  /* intervideo channels are process-wide names: one set per call. */
  self->camera_channel = g_strdup_printf ("sportello-%u-camera", id);
  self->preview_channel = g_strdup_printf ("sportello-%u-preview", id);
  self->remote_channel = g_strdup_printf ("sportello-%u-remote", id);
  self->clip_channel = g_strdup_printf ("sportello-%u-clip", id);
  self->clip_audio_channel = g_strdup_printf ("sportello-%u-clip-audio", id);
}
