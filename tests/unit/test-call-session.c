/* Browser video through the media port (SpCallSession as SpMediaSession): a voice call to an
 * in-process Opus peer, then a browser (a second webrtcbin, test-browser.c) carries the video.
 * The browser must see what the SIP path would send (the green PipeWire camera, a pushed
 * yellow clip, the camera again), its blue picture must reach the REMOTE picture, and the
 * voice must go on; the browser video stops and starts again for a new browser, whose red
 * replaces the blue. Run inside with-pipewire.sh (a private PipeWire with a virtual camera). */
#include "test-gst-exit.h"
#include "test-browser.h"
#include "test-camera.h"
#include "test-pipeline.h"
#include "sp-call-session.h"
#include "sp-media-error.h"

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <string.h>

#define CAMERA_NODE "test-session-camera"
#define WAIT_MS 20000

typedef struct
{
  SpMediaSession *media;
  SpCameraMonitor *monitor;
  GSubprocess *camera;    /* green */
  GstElement *voice_peer; /* decodes what we send as voice */
  GstElement *remote;     /* reads the REMOTE picture */
  TestBrowser *browser;
  GPtrArray *states; /* "browser-state" values, in order */
  char *answer;
  GError *answer_error;
  gboolean answered;
} Fixture;

static guint16
free_udp_port (void)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) socket
    = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ---- signals of the port ---- */

static void
on_browser_candidate (SpMediaSession *media, guint mline, const char *candidate, gpointer data)
{
  Fixture *f = data;

  g_assert_nonnull (f->browser);
  test_browser_add_candidate (f->browser, mline, candidate);
}

static void
on_browser_state (SpMediaSession *media, const char *state, gpointer data)
{
  g_ptr_array_add (((Fixture *)data)->states, g_strdup (state));
}

static void
on_media_error (SpMediaSession *media, const char *message, gpointer data)
{
  g_error ("media error: %s", message);
}

static gboolean
saw_state (Fixture *f, const char *state)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_strcmp0 (g_ptr_array_index (f->states, i), state) == 0)
      return TRUE;
  return FALSE;
}

/* ---- fixture: a voice call with the camera ---- */

static SpMediaSession *
new_session (Fixture *f)
{
  guint base = 30000 + g_random_int_range (0, 300) * 100;
  SpCallSessionSettings settings = {
    .audio_source = "test",
    .audio_sink = "null",
    .rtp_port_min = base,
    .rtp_port_max = base + 99,
    .video_width = 320,
    .video_height = 240,
    .video_framerate = 15,
    .video_bitrate_kbps = 500,
    .camera = "pipewire:" CAMERA_NODE,
    .monitor = f->monitor,
  };

  return SP_MEDIA_SESSION (sp_call_session_new (&settings));
}

static void
start_voice (Fixture *f)
{
  guint16 peer_port = free_udp_port ();
  g_autofree char *description = g_strdup_printf (
    "udpsrc address=127.0.0.1 port=%u caps=\"application/x-rtp,media=audio,clock-rate=48000,"
    "encoding-name=OPUS,payload=111\" ! rtpjitterbuffer latency=50 ! rtpopusdepay ! opusdec ! "
    "fakesink name=voice sync=false",
    peer_port);
  SpMediaAudioParams audio
    = { "127.0.0.1", peer_port, 0, 111, "opus", 48000, 0, SP_MEDIA_DIRECTION_SENDRECV };
  g_autoptr (GError) error = NULL;

  f->voice_peer = test_pipeline_launch (description);
  g_assert_true (sp_media_session_prepare_audio (f->media, "127.0.0.1", NULL, NULL, &error));
  g_assert_true (sp_media_session_start_audio (f->media, &audio, &error));
  g_assert_no_error (error);
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->states = g_ptr_array_new_with_free_func (g_free);
  f->monitor = sp_camera_monitor_new ();
  f->camera = test_camera_start (CAMERA_NODE, "00ff00", FALSE);
  TEST_WAIT_UNTIL (test_camera_listed (f->monitor, CAMERA_NODE), 15000);
  g_assert_true (test_camera_listed (f->monitor, CAMERA_NODE));
  f->media = new_session (f);
  g_signal_connect (f->media, "browser-candidate", G_CALLBACK (on_browser_candidate), f);
  g_signal_connect (f->media, "browser-state", G_CALLBACK (on_browser_state), f);
  g_signal_connect (f->media, "error", G_CALLBACK (on_media_error), f);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->browser, test_browser_free);
  test_pipeline_stop (&f->remote);
  if (f->media)
    {
      sp_media_session_stop (f->media);
      g_signal_handlers_disconnect_by_data (f->media, f);
      g_clear_object (&f->media);
    }
  test_pipeline_stop (&f->voice_peer);
  test_camera_kill (&f->camera);
  g_clear_object (&f->monitor);
  g_ptr_array_unref (f->states);
  g_free (f->answer);
  g_clear_error (&f->answer_error);
}

/* ---- the browser's side of the exchange, as the domain would carry it ---- */

static void
deliver_browser_candidate (guint mline, const char *candidate, gpointer data)
{
  Fixture *f = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_media_session_add_browser_candidate (f->media, mline, candidate, &error));
  g_assert_no_error (error);
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  f->answer = sp_media_session_answer_browser_offer_finish (SP_MEDIA_SESSION (source), result,
                                                            &f->answer_error);
  f->answered = TRUE;
}

static guint64
frames_decoded (Fixture *f)
{
  SpMediaVideoStatistics stats = { 0 };

  sp_media_session_get_video_statistics (f->media, &stats);
  return stats.frames_decoded;
}

/* A new browser sending PATTERN joins: offer, our answer, candidates both ways, until it is
 * connected. */
static void
join_browser (Fixture *f, const char *pattern)
{
  const char *offer;

  g_clear_pointer (&f->browser, test_browser_free);
  g_ptr_array_set_size (f->states, 0);
  g_clear_pointer (&f->answer, g_free);
  f->answered = FALSE;
  f->browser = test_browser_new (pattern, deliver_browser_candidate, f);
  offer = test_browser_wait_offer (f->browser, WAIT_MS);
  g_assert_nonnull (offer);
  sp_media_session_answer_browser_offer_async (f->media, offer, NULL, on_answered, f);
  TEST_WAIT_UNTIL (f->answered, WAIT_MS);
  g_assert_no_error (f->answer_error);
  g_assert_nonnull (f->answer);
  g_assert_nonnull (strstr (f->answer, "VP8/90000"));
  test_browser_set_answer (f->browser, f->answer);
  TEST_WAIT_UNTIL (saw_state (f, "connected"), WAIT_MS);
  g_assert_true (saw_state (f, "connecting"));
  g_assert_true (saw_state (f, "connected"));
}

static void
start_browser_video (Fixture *f)
{
  SpMediaBrowserVideoConfig config = { .addresses = TEST_BROWSER_LOOPBACK };
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_media_session_start_browser_video (f->media, &config, &error));
  g_assert_no_error (error);
  g_assert_true (sp_media_session_has_browser_video (f->media));
}

/* Voice packets keep leaving for the peer. */
static void
assert_voice_flows (Fixture *f)
{
  guint before = sp_media_session_get_rtp_packets_sent (f->media);

  test_spin (500);
  g_assert_cmpuint (sp_media_session_get_rtp_packets_sent (f->media), >, before + 10);
}

/* ---- tests ---- */

/* Before the voice runs there is no call pipeline to take the picture from; twice is refused;
 * SIP video and browser video exclude each other. */
static void
test_refused (Fixture *f, gconstpointer data)
{
  SpMediaBrowserVideoConfig config = { .addresses = TEST_BROWSER_LOOPBACK };
  SpMediaVideoParams video = { "127.0.0.1", free_udp_port (), 0, 96, "VP8" };
  g_autoptr (GError) error = NULL;

  video.direction = SP_MEDIA_DIRECTION_SENDRECV;
  g_assert_false (sp_media_session_start_browser_video (f->media, &config, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (sp_media_session_has_browser_video (f->media));

  start_voice (f);
  start_browser_video (f);
  g_assert_false (sp_media_session_start_browser_video (f->media, &config, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);
  /* SIP video while the browser carries the video. */
  g_assert_true (sp_media_session_prepare_video (f->media, "127.0.0.1", NULL, NULL, &error));
  g_assert_false (sp_media_session_start_video (f->media, &video, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);

  /* And browser video while SIP video runs. */
  sp_media_session_stop_browser_video (f->media);
  sp_media_session_stop_browser_video (f->media);
  g_assert_false (sp_media_session_has_browser_video (f->media));
  g_assert_true (sp_media_session_start_video (f->media, &video, &error));
  g_assert_no_error (error);
  g_assert_false (sp_media_session_start_browser_video (f->media, &config, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_assert_false (sp_media_session_has_browser_video (f->media));
  assert_voice_flows (f);
}

static void
test_two_way (Fixture *f, gconstpointer data)
{
  g_autofree char *clip = test_pipeline_make_clip ("0xffffff00", 10, FALSE, 320, 240);
  g_autofree char *reader = NULL;
  SpMediaVideoStatistics stats = { 0 };
  g_autoptr (GError) error = NULL;

  start_voice (f);
  start_browser_video (f);
  reader = g_strdup_printf (
    "intervideosrc channel=%s ! videoconvert ! video/x-raw,format=RGB ! appsink name=in "
    "sync=false max-buffers=1 drop=true",
    sp_media_session_get_picture (f->media, SP_MEDIA_PICTURE_REMOTE));
  f->remote = test_pipeline_launch (reader);
  join_browser (f, "blue");

  /* The browser sees the agent's green camera; its blue is the REMOTE picture. */
  g_assert_true (test_browser_wait_colour (f->browser, 0, 255, 0, WAIT_MS));
  g_assert_true (test_pipeline_wait_colour (f->remote, 0, 0, 255, WAIT_MS));
  TEST_WAIT_UNTIL (frames_decoded (f) > 10, WAIT_MS);
  sp_media_session_get_video_statistics (f->media, &stats);
  g_assert_cmpstr (stats.codec, ==, "VP8");
  g_assert_cmpuint (stats.frames_decoded, >, 10);
  g_assert_true (stats.camera_live);

  /* A pushed clip replaces the camera for the browser, as it would for a phone. */
  g_assert_true (sp_media_session_start_push (f->media, clip, 0, &error));
  g_assert_no_error (error);
  g_assert_true (test_browser_wait_colour (f->browser, 255, 255, 0, WAIT_MS));
  sp_media_session_stop_push (f->media);
  g_assert_true (test_browser_wait_colour (f->browser, 0, 255, 0, WAIT_MS));
  assert_voice_flows (f);

  /* The browser leaves: the call goes on; a new browser (red) gets the camera again. */
  sp_media_session_stop_browser_video (f->media);
  g_assert_false (sp_media_session_has_browser_video (f->media));
  g_assert_true (saw_state (f, "closed"));
  assert_voice_flows (f);
  start_browser_video (f);
  join_browser (f, "red");
  g_assert_true (test_browser_wait_colour (f->browser, 0, 255, 0, WAIT_MS));
  g_assert_true (test_pipeline_wait_colour (f->remote, 255, 0, 0, WAIT_MS));
  assert_voice_flows (f);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  if (!test_browser_available ())
    return 1;
  g_test_add ("/call-session/browser-video/refused", Fixture, NULL, setup, test_refused, teardown);
  g_test_add ("/call-session/browser-video/two-way", Fixture, NULL, setup, test_two_way, teardown);
  return test_gst_exit (g_test_run ());
}
