/* The video stream of SpCallMedia against an in-process GStreamer peer on 127.0.0.1: the
 * agent's picture (a red channel standing in for the camera feed) reaches the peer, the peer's
 * blue picture is decoded into the remote channel, the valves stop and restart video, and a
 * restart begins with a key frame. */
#include "test-gst-exit.h"
#include "test-pipeline.h"
#include "sp-call-media.h"
#include "sp-video-codec.h"

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>

#define WIDTH 320
#define HEIGHT 240

typedef struct
{
  guint8 r, g, b;
} Rgb;

typedef struct
{
  SpCallMedia *media;
  GstElement *audio_peer; /* decodes what we send as voice (Opus) */
  GstElement *camera;     /* writes the camera channel */
  GstElement *peer_recv;
  GstElement *peer_send;
  GstElement *remote_reader;
  GstElement *preview_reader;
  guint16 peer_port;
  gboolean media_error;
  gboolean slow_start; /* the main thread is slow while video starts (SlowTracer) */
} Fixture;

typedef struct
{
  const char *codec;
  const char *encoder;
  const char *payloader;
  const char *depayloader;
  const char *decoder;
  guint8 pt;
} Case;

/* A slow main thread, as on a busy machine, while the video stream starts: a tracer hook makes
 * every state change the main thread makes during sp_call_media_start_video() take 15 ms. */
struct _SlowTracer
{
  GstTracer parent_instance;
};
G_DECLARE_FINAL_TYPE (SlowTracer, slow_tracer, TEST, SLOW_TRACER, GstTracer)
G_DEFINE_FINAL_TYPE (SlowTracer, slow_tracer, GST_TYPE_TRACER)

static GThread *slowed_thread; /* set only around start_video */

static void
on_change_state_post (GObject *tracer, GstClockTime ts, GstElement *element, GstStateChange change,
                      GstStateChangeReturn result)
{
  if (g_atomic_pointer_get (&slowed_thread) == g_thread_self ())
    g_usleep (15000);
}

static void
slow_tracer_class_init (SlowTracerClass *klass)
{
}

static void
slow_tracer_init (SlowTracer *self)
{
  gst_tracing_register_hook (GST_TRACER (self), "element-change-state-post",
                             G_CALLBACK (on_change_state_post));
}

static const Case case_vp8
  = { "VP8", "vp8enc deadline=1", "rtpvp8pay", "rtpvp8depay", "vp8dec", 96 };
/* A peer sending a stream of tiny packets, so that some are always in flight. */
static const Case case_vp8_small_packets = {
  "VP8", "vp8enc deadline=1 target-bitrate=2000000", "rtpvp8pay mtu=150", "rtpvp8depay", "vp8dec",
  96
};
static const Case case_h264 = {
  "H264", "openh264enc", "rtph264pay config-interval=-1", "rtph264depay", "h264parse ! openh264dec",
  97
};

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static gboolean
wait_until (gboolean (*predicate) (Fixture *), Fixture *f, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (predicate (f))
        return TRUE;
      spin (20);
    }
  return predicate (f);
}

static guint16
free_udp_port (GSocket **keep)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  GSocket *socket
    = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  guint16 port;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  if (keep)
    *keep = socket;
  else
    g_object_unref (socket);
  return port;
}

/* The mean colour of the newest picture an appsink named "in" holds, if any. */
static gboolean
latest_colour (GstElement *pipeline, Rgb *colour)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "in");
  g_autoptr (GstSample) sample = NULL;
  GstMapInfo map;
  guint64 sum[3] = { 0 };
  gsize pixels;

  while (TRUE)
    {
      GstSample *next = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0);

      if (next == NULL)
        break;
      g_clear_pointer (&sample, gst_sample_unref);
      sample = next;
    }
  if (sample == NULL)
    return FALSE;
  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  pixels = map.size / 3;
  for (gsize i = 0; i < pixels; i++)
    for (guint c = 0; c < 3; c++)
      sum[c] += map.data[i * 3 + c];
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  colour->r = sum[0] / pixels;
  colour->g = sum[1] / pixels;
  colour->b = sum[2] / pixels;
  return TRUE;
}

static void
assert_colour (GstElement *pipeline, guint8 r, guint8 g, guint8 b)
{
  Rgb colour = { 0 };
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gboolean seen = FALSE;

  while (g_get_monotonic_time () < end)
    {
      if (latest_colour (pipeline, &colour) && ABS (colour.r - r) < 40 && ABS (colour.g - g) < 40
          && ABS (colour.b - b) < 40)
        return;
      seen = seen || colour.r || colour.g || colour.b;
      spin (50);
    }
  g_error ("expected rgb(%u,%u,%u), saw rgb(%u,%u,%u)%s", r, g, b, colour.r, colour.g, colour.b,
           seen ? "" : " (no picture at all)");
}

static const char *const reader_format
  = "intervideosrc channel=%s ! videoconvert ! video/x-raw,format=RGB ! appsink name=in sync=false "
    "max-buffers=2 drop=true";

static void
on_media_error (SpCallMedia *media, const char *message, gpointer data)
{
  Fixture *f = data;

  g_printerr ("media error: %s\n", message);
  f->media_error = TRUE;
}

static void
setup (Fixture *f, gconstpointer data)
{
  const Case *c = data;
  guint16 audio_rtp, audio_rtcp, video_rtp, video_rtcp, sink_port;
  g_autofree char *description = NULL;
  g_autoptr (GError) error = NULL;
  guint base = 30000 + g_random_int_range (0, 300) * 100;
  SpCallMediaAudio audio
    = { "127.0.0.1", 0, 0, 111, "opus", 48000, 0, SP_MEDIA_DIRECTION_SENDRECV };
  SpCallMediaVideo video = { 0 };

  f->media = sp_call_media_new ("test", "null", base, base + 99);
  g_object_set (f->media, "video-width", WIDTH, "video-height", HEIGHT, "rtcp-interval", 500, NULL);
  g_signal_connect (f->media, "error", G_CALLBACK (on_media_error), f);
  g_assert_true (
    sp_call_media_prepare_audio (f->media, "127.0.0.1", &audio_rtp, &audio_rtcp, &error));
  g_assert_true (
    sp_call_media_prepare_video (f->media, "127.0.0.1", &video_rtp, &video_rtcp, &error));
  g_assert_no_error (error);

  description = g_strdup_printf (
    "videotestsrc is-live=true pattern=solid-color foreground-color=0xffff0000 ! "
    "video/x-raw,format=I420,width=%u,height=%u,framerate=30/1 ! intervideosink channel=%s",
    WIDTH, HEIGHT, sp_call_media_get_video_channel (f->media, SP_CALL_MEDIA_CHANNEL_CAMERA));
  f->camera = test_pipeline_launch (description);

  sink_port = free_udp_port (NULL);
  audio.remote_rtp_port = sink_port;
  g_free (description);
  description = g_strdup_printf (
    "udpsrc address=127.0.0.1 port=%u caps=\"application/x-rtp,media=audio,clock-rate=48000,"
    "encoding-name=OPUS,payload=111\" ! rtpjitterbuffer latency=50 ! rtpopusdepay ! opusdec ! "
    "audioconvert ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! appsink name=in sync=false "
    "max-buffers=25 drop=true",
    sink_port);
  f->audio_peer = test_pipeline_launch (description);
  g_clear_pointer (&description, g_free);
  g_assert_true (sp_call_media_start_audio (f->media, &audio, &error));

  f->peer_port = free_udp_port (NULL);
  g_free (description);
  description = g_strdup_printf (
    "udpsrc address=127.0.0.1 port=%u caps=\"application/x-rtp,media=video,clock-rate=90000,"
    "encoding-name=%s,payload=%u\" ! rtpjitterbuffer latency=50 ! %s ! %s ! videoconvert ! "
    "video/x-raw,format=RGB ! appsink name=in sync=false max-buffers=2 drop=true",
    f->peer_port, c->codec, c->pt, c->depayloader, c->decoder);
  f->peer_recv = test_pipeline_launch (description);
  g_free (description);
  description = g_strdup_printf (
    "videotestsrc is-live=true pattern=solid-color foreground-color=0xff0000ff ! "
    "video/x-raw,width=%u,height=%u,framerate=30/1 ! %s ! %s pt=%u ! udpsink host=127.0.0.1 "
    "port=%u",
    WIDTH, HEIGHT, c->encoder, c->payloader, c->pt, video_rtp);
  f->peer_send = test_pipeline_launch (description);

  video.remote_address = "127.0.0.1";
  video.remote_rtp_port = f->peer_port;
  video.payload_type = c->pt;
  video.encoding_name = c->codec;
  video.pli = video.fir = TRUE;
  video.direction = SP_MEDIA_DIRECTION_SENDRECV;
  if (f->slow_start)
    {
      /* Let the peer's first packets reach our socket before we start reading it. */
      spin (300);
      g_atomic_pointer_set (&slowed_thread, g_thread_self ());
    }
  g_assert_true (sp_call_media_start_video (f->media, &video, &error));
  g_atomic_pointer_set (&slowed_thread, NULL);
  g_assert_no_error (error);
  g_assert_true (sp_call_media_has_video (f->media));

  g_free (description);
  description = g_strdup_printf (
    reader_format, sp_call_media_get_video_channel (f->media, SP_CALL_MEDIA_CHANNEL_REMOTE));
  f->remote_reader = test_pipeline_launch (description);
  g_free (description);
  description = g_strdup_printf (
    reader_format, sp_call_media_get_video_channel (f->media, SP_CALL_MEDIA_CHANNEL_PREVIEW));
  f->preview_reader = test_pipeline_launch (description);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  test_pipeline_stop (&f->remote_reader);
  test_pipeline_stop (&f->preview_reader);
  test_pipeline_stop (&f->peer_send);
  test_pipeline_stop (&f->peer_recv);
  sp_call_media_stop (f->media);
  test_pipeline_stop (&f->camera);
  g_clear_object (&f->media);
  test_pipeline_stop (&f->audio_peer);
  g_assert_false (f->media_error);
}

static SpCallMediaVideoStatistics
stats (Fixture *f)
{
  SpCallMediaVideoStatistics s;

  sp_call_media_get_video_statistics (f->media, &s);
  return s;
}

static gboolean
has_decoded (Fixture *f)
{
  return stats (f).frames_decoded > 10;
}

static void
test_two_way (Fixture *f, gconstpointer data)
{
  const Case *c = data;

  /* The peer decodes the agent's red; the agent decodes the peer's blue. */
  assert_colour (f->peer_recv, 255, 0, 0);
  g_assert_true (wait_until (has_decoded, f, 5000));
  assert_colour (f->remote_reader, 0, 0, 255);
  /* The preview shows what the contact is sent. */
  assert_colour (f->preview_reader, 255, 0, 0);
  g_assert_cmpstr (stats (f).codec, ==, c->codec);
  g_assert_cmpuint (stats (f).key_frames_sent, >=, 1);
  g_assert_cmpuint (stats (f).rtp_packets_sent, >, 0);
  g_assert_cmpuint (stats (f).rtp_packets_received, >, 0);
}

static void
test_pause_and_resume (Fixture *f, gconstpointer data)
{
  SpCallMediaVideoStatistics before, after;
  guint64 keys;

  g_assert_true (wait_until (has_decoded, f, 5000));
  assert_colour (f->peer_recv, 255, 0, 0);

  /* Inactive: nothing leaves, nothing is decoded, though the peer still sends. */
  sp_call_media_set_video_direction (f->media, SP_MEDIA_DIRECTION_INACTIVE);
  spin (300);
  before = stats (f);
  spin (700);
  after = stats (f);
  g_assert_cmpuint (after.rtp_packets_sent, ==, before.rtp_packets_sent);
  g_assert_cmpuint (after.frames_decoded, ==, before.frames_decoded);

  /* Sendrecv again: video flows both ways and starts with a forced key frame. */
  keys = after.key_frames_sent;
  sp_call_media_set_video_direction (f->media, SP_MEDIA_DIRECTION_SENDRECV);
  spin (700);
  g_assert_cmpuint (stats (f).rtp_packets_sent, >, after.rtp_packets_sent);
  g_assert_cmpuint (stats (f).frames_decoded, >, after.frames_decoded);
  g_assert_cmpuint (stats (f).key_frames_sent, >, keys);
}

/* The power of FREQUENCY in the last half second the audio peer decoded (Goertzel). */
static double
tone_power (Fixture *f, double frequency)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (f->audio_peer), "in");
  GstSample *sample;
  double power = 0, s1 = 0, s2 = 0, coefficient = 2 * cos (2 * G_PI * frequency / 48000);
  gsize count = 0;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0)) != NULL)
    {
      GstMapInfo map;
      const gint16 *pcm;

      gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
      pcm = (const gint16 *)map.data;
      for (gsize i = 0; i < map.size / 2; i++, count++)
        {
          double s0 = pcm[i] / 32768.0 + coefficient * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      gst_sample_unref (sample);
    }
  if (count > 0)
    power = (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / count;
  return power;
}

typedef struct
{
  guint started;
  guint ended;
  char *reason;
} PushLog;

static void
on_push_started (SpCallMedia *media, gpointer data)
{
  ((PushLog *)data)->started++;
}

static void
on_push_ended (SpCallMedia *media, const char *reason, const char *message, gpointer data)
{
  PushLog *log = data;

  log->ended++;
  g_free (log->reason);
  log->reason = g_strdup (reason);
}

static gboolean
push_log_started (gpointer data)
{
  return ((PushLog *)data)->started > 0;
}

static gboolean
push_log_ended (gpointer data)
{
  return ((PushLog *)data)->ended > 0;
}

static gboolean
wait_log (gboolean (*predicate) (gpointer), PushLog *log, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end && !predicate (log))
    spin (10);
  return predicate (log);
}

static void
test_push (Fixture *f, gconstpointer data)
{
  g_autofree char *clip = test_pipeline_make_clip ("0xffffff00", 2, TRUE, WIDTH, HEIGHT);
  PushLog log = { 0 };
  g_autoptr (GError) error = NULL;
  guint64 keys;

  g_signal_connect (f->media, "push-started", G_CALLBACK (on_push_started), &log);
  g_signal_connect (f->media, "push-ended", G_CALLBACK (on_push_ended), &log);
  assert_colour (f->peer_recv, 255, 0, 0);
  keys = stats (f).key_frames_sent;

  /* Yellow replaces the red camera, with a key frame; the preview shows it too. */
  g_assert_true (sp_call_media_start_push (f->media, clip, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_log (push_log_started, &log, 3000));
  assert_colour (f->peer_recv, 255, 255, 0);
  assert_colour (f->preview_reader, 255, 255, 0);
  g_assert_cmpuint (stats (f).key_frames_sent, >, keys);
  /* The clip's 1500 Hz is mixed into the agent's 440 Hz test tone: both reach the contact. */
  tone_power (f, 1500);
  spin (500);
  {
    double tone = tone_power (f, 1500);

    spin (500);
    g_test_message ("tone 1500 during push: %f", tone);
    g_assert_cmpfloat (tone_power (f, 440), >, 1.0);
    g_assert_cmpfloat (tone, >, 1.0);
  }
  g_assert_true (sp_call_media_is_mixing_voice (f->media));
  g_assert_true (sp_call_media_is_pushing (f->media));

  /* The clip ends by itself after about 2 s: red again, and the end is reported. */
  g_assert_true (wait_log (push_log_ended, &log, 5000));
  g_assert_cmpstr (log.reason, ==, "end-of-clip");
  g_assert_false (sp_call_media_is_pushing (f->media));
  assert_colour (f->peer_recv, 255, 0, 0);

  /* Stopped by hand: red again at once, without a signal. */
  log.started = log.ended = 0;
  g_assert_true (sp_call_media_start_push (f->media, clip, 0, &error));
  g_assert_true (wait_log (push_log_started, &log, 3000));
  assert_colour (f->peer_recv, 255, 255, 0);
  sp_call_media_stop_push (f->media);
  assert_colour (f->peer_recv, 255, 0, 0);
  g_assert_cmpuint (log.ended, ==, 0);
  /* Back to the agent's voice alone. */
  spin (300);
  tone_power (f, 1500);
  spin (500);
  {
    double after = tone_power (f, 1500);

    g_test_message ("tone 1500 after the push: %f", after);
    g_assert_cmpfloat (after, <, 0.1);
    /* The send mixer has left the path; the agent's voice still reaches the contact. */
    g_assert_false (sp_call_media_is_mixing_voice (f->media));
    spin (500);
    g_assert_cmpfloat (tone_power (f, 440), >, 1.0);
  }
  g_free (log.reason);
  g_signal_handlers_disconnect_by_data (f->media, &log);
}

static void
test_push_bad_files (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("sp-bad-XXXXXX", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.webm", NULL);
  PushLog log = { 0 };
  g_autoptr (GError) error = NULL;

  g_signal_connect (f->media, "push-ended", G_CALLBACK (on_push_ended), &log);
  g_assert_false (sp_call_media_start_push (f->media, "/nonexistent/clip.webm", 0, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DEVICE);
  /* Not a clip: reported as an error of the push, and the camera goes on. */
  g_assert_true (g_file_set_contents (text, "just some text\n", -1, NULL));
  g_assert_true (sp_call_media_start_push (f->media, text, 0, NULL));
  g_assert_true (wait_log (push_log_ended, &log, 5000));
  g_assert_cmpstr (log.reason, ==, "error");
  assert_colour (f->peer_recv, 255, 0, 0);
  g_free (log.reason);
  g_signal_handlers_disconnect_by_data (f->media, &log);
}

/* The contact's video is already arriving when our video stream starts (baresip sends as soon
 * as it answered the re-INVITE), many small packets of it, and the main thread is slow: the
 * first packet makes rtpbin add a receive branch from its streaming thread while the stream's
 * own new elements are being started. Every one of them must end up playing: both pictures
 * flow. (Walking the bin with an iterator stopped at that concurrent change, and the peer got
 * no picture at all.) */
static void
test_start_while_receiving (Fixture *unused, gconstpointer data)
{
  g_autoptr (GstTracer) tracer = g_object_ref_sink (g_object_new (slow_tracer_get_type (), NULL));

  for (guint round = 0; round < 3; round++)
    {
      Fixture f = { .slow_start = TRUE };

      setup (&f, data);
      assert_colour (f.peer_recv, 255, 0, 0);
      g_assert_true (wait_until (has_decoded, &f, 5000));
      assert_colour (f.remote_reader, 0, 0, 255);
      teardown (&f, data);
    }
}

/* A later answer moves video from VP8 to H.264 on another port (RFC 3264 §8.3.2 lets the
 * answerer pick any offered format): the call's sender is replaced, the new peer decodes our red
 * in H.264, and we decode its green. */
static void
test_codec_change (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;
  GstElement *h264_recv, *h264_send;
  guint16 port = free_udp_port (NULL), our_rtp = 0;
  SpCallMediaVideo video
    = { "127.0.0.1", 0, 0, 97, "H264", TRUE, TRUE, FALSE, SP_MEDIA_DIRECTION_SENDRECV };

  assert_colour (f->peer_recv, 255, 0, 0);
  g_assert_true (sp_call_media_prepare_video (f->media, "127.0.0.1", &our_rtp, NULL, &error));
  test_pipeline_stop (&f->peer_send);
  description = g_strdup_printf (
    "udpsrc address=127.0.0.1 port=%u caps=\"application/x-rtp,media=video,clock-rate=90000,"
    "encoding-name=H264,payload=97\" ! rtpjitterbuffer latency=50 ! rtph264depay ! h264parse ! "
    "openh264dec ! videoconvert ! video/x-raw,format=RGB ! appsink name=in sync=false "
    "max-buffers=2 drop=true",
    port);
  h264_recv = test_pipeline_launch (description);
  g_free (description);
  description = g_strdup_printf (
    "videotestsrc is-live=true pattern=solid-color foreground-color=0xff00ff00 ! "
    "video/x-raw,width=%u,height=%u,framerate=30/1 ! openh264enc ! rtph264pay pt=97 "
    "config-interval=-1 ! udpsink host=127.0.0.1 port=%u",
    WIDTH, HEIGHT, our_rtp);
  h264_send = test_pipeline_launch (description);
  video.remote_rtp_port = port;
  g_assert_true (sp_call_media_update_video (f->media, &video, &error));
  g_assert_no_error (error);
  assert_colour (h264_recv, 255, 0, 0);
  assert_colour (f->remote_reader, 0, 255, 0);
  g_assert_cmpstr (stats (f).codec, ==, "H264");

  /* A codec that is not there is refused, and the stream goes on. */
  video.encoding_name = "THEORA";
  g_assert_false (sp_call_media_update_video (f->media, &video, &error));
  g_assert_nonnull (error);
  assert_colour (h264_recv, 255, 0, 0);
  test_pipeline_stop (&h264_recv);
  test_pipeline_stop (&h264_send);
}

static void
test_invalid_video (void)
{
  g_autoptr (SpCallMedia) media = sp_call_media_new ("test", "null", 40000, 40099);
  g_autoptr (GError) error = NULL;
  SpCallMediaVideo video
    = { "127.0.0.1", 5000, 0, 96, "THEORA", FALSE, FALSE, FALSE, SP_MEDIA_DIRECTION_SENDRECV };

  /* Video needs the audio ports first, and a started audio stream. */
  g_assert_false (sp_call_media_prepare_video (media, "127.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (sp_call_media_prepare_audio (media, "127.0.0.1", NULL, NULL, &error));
  g_assert_true (sp_call_media_prepare_video (media, "127.0.0.1", NULL, NULL, &error));
  g_assert_false (sp_call_media_start_video (media, &video, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (sp_call_media_has_video (media));
  g_assert_null (sp_video_codec_lookup ("THEORA"));
  g_assert_nonnull (sp_video_codec_lookup ("vp8"));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/video-media/invalid", test_invalid_video);
  g_test_add ("/video-media/vp8/two-way", Fixture, &case_vp8, setup, test_two_way, teardown);
  g_test_add ("/video-media/vp8/pause-resume", Fixture, &case_vp8, setup, test_pause_and_resume,
              teardown);
  g_test_add ("/video-media/vp8/push", Fixture, &case_vp8, setup, test_push, teardown);
  g_test_add ("/video-media/vp8/start-while-receiving", Fixture, &case_vp8_small_packets, NULL,
              test_start_while_receiving, NULL);
  g_test_add ("/video-media/vp8/push-bad-files", Fixture, &case_vp8, setup, test_push_bad_files,
              teardown);
  if (sp_video_codec_h264_available ())
    {
      g_test_add ("/video-media/h264/two-way", Fixture, &case_h264, setup, test_two_way, teardown);
      g_test_add ("/video-media/vp8/codec-change", Fixture, &case_vp8, setup, test_codec_change,
                  teardown);
    }
  return test_gst_exit (g_test_run ());
}
