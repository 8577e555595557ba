/* sp-browser-video.c against a browser played by a second webrtcbin in this process, over ICE
 * host candidates on loopback with DTLS-SRTP: the browser offers VP8 under payload type 100
 * and sends blue; our side sends the red picture of its send channel. Each side must decode the
 * other's colour; then bad input: text that is not SDP, an offer without video, a second
 * offer, a candidate before the offer, a stopped session. */
#include "test-gst-exit.h"
#include "test-browser.h"
#include "test-pipeline.h"
#include "sp-browser-video.h"
#include "sp-media-error.h"

#include <gst/gst.h>
#include <string.h>

#define WAIT_MS 20000

typedef struct
{
  SpBrowserVideo *video;
  TestBrowser *browser;
  GstElement *feed;   /* red into our send channel */
  GstElement *window; /* our receive channel, read back */
  char *answer;
  GError *answer_error;
  gboolean answered;
} Fixture;

/* The browser's candidates, after our answer. */
static void
deliver_browser_candidate (guint mline, const char *candidate, gpointer data)
{
  Fixture *f = data;
  g_autoptr (GError) error = NULL;

  if (f->video != NULL)
    g_assert_true (sp_browser_video_add_candidate (f->video, mline, candidate, &error));
}

static void
on_local_candidate (SpBrowserVideo *video, guint mline, const char *candidate, gpointer data)
{
  Fixture *f = data;

  test_browser_add_candidate (f->browser, mline, candidate);
}

/* ---- our side ---- */

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  SpVideoEncoding encoding = { 15, 500, 3 };
  g_autoptr (GError) error = NULL;

  f->feed = test_pipeline_launch ("videotestsrc is-live=true pattern=red ! "
                                  "video/x-raw,width=320,height=240,framerate=15/1 ! "
                                  "intervideosink channel=test-browser-send");
  f->window
    = test_pipeline_launch ("intervideosrc channel=test-browser-receive ! videoconvert ! "
                            "video/x-raw,format=RGB ! appsink name=in max-buffers=1 drop=true");
  f->video
    = sp_browser_video_new ("test-browser-send", "test-browser-receive", &encoding,
                            &(SpBrowserVideoIce){ .addresses = TEST_BROWSER_LOOPBACK }, &error);
  g_assert_no_error (error);
  g_signal_connect (f->video, "local-candidate", G_CALLBACK (on_local_candidate), f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->video);
  g_clear_pointer (&f->browser, test_browser_free);
  test_pipeline_stop (&f->feed);
  test_pipeline_stop (&f->window);
  g_free (f->answer);
  g_clear_error (&f->answer_error);
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  f->answer = sp_browser_video_answer_finish (SP_BROWSER_VIDEO (source), result, &f->answer_error);
  f->answered = TRUE;
}

static gboolean
both_see_pictures (Fixture *f)
{
  return test_browser_get_frames (f->browser) > 10
         && sp_browser_video_get_frames_received (f->video) > 10;
}

static void
answer (Fixture *f, const char *offer)
{
  f->answered = FALSE;
  g_clear_pointer (&f->answer, g_free);
  g_clear_error (&f->answer_error);
  sp_browser_video_answer_async (f->video, offer, NULL, on_answered, f);
  TEST_WAIT_UNTIL (f->answered, WAIT_MS);
  g_assert_true (f->answered);
}

static void
test_two_way (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *offer;

  g_assert_cmpint (sp_browser_video_get_state (f->video), ==, SP_BROWSER_VIDEO_NEW);
  /* A candidate before any offer is refused. */
  g_assert_false (sp_browser_video_add_candidate (
    f->video, 0, "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);

  f->browser = test_browser_new ("blue", deliver_browser_candidate, f);
  offer = test_browser_wait_offer (f->browser, WAIT_MS);
  g_assert_nonnull (offer);
  answer (f, offer);
  g_assert_no_error (f->answer_error);
  g_assert_nonnull (strstr (f->answer, "VP8/90000"));
  g_assert_nonnull (strstr (f->answer, "a=fingerprint:"));
  test_browser_set_answer (f->browser, f->answer);
  TEST_WAIT_UNTIL (both_see_pictures (f), WAIT_MS);
  g_test_message ("we decoded %u pictures", sp_browser_video_get_frames_received (f->video));
  g_assert_true (both_see_pictures (f));
  g_assert_true (test_browser_wait_colour (f->browser, 255, 0, 0, WAIT_MS));
  g_assert_true (test_pipeline_wait_colour (f->window, 0, 0, 255, WAIT_MS));
  g_assert_cmpint (sp_browser_video_get_state (f->video), ==, SP_BROWSER_VIDEO_CONNECTED);

  /* A second offer is refused; the media goes on. */
  answer (f, offer);
  g_assert_error (f->answer_error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_assert_false (sp_browser_video_add_candidate (f->video, 0, "not a candidate", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  sp_browser_video_stop (f->video);
  g_assert_cmpint (sp_browser_video_get_state (f->video), ==, SP_BROWSER_VIDEO_CLOSED);
  g_assert_false (sp_browser_video_add_candidate (
    f->video, 0, "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
}

static void
test_bad_offers (Fixture *f, gconstpointer data)
{
  static const char *const audio_only
    = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n";
  static const char *const h264_only
    = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:102 H264/90000\r\n";

  answer (f, "hello");
  g_assert_error (f->answer_error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  answer (f, audio_only);
  g_assert_error (f->answer_error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  answer (f, h264_only);
  g_assert_error (f->answer_error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  answer (f, NULL);
  g_assert_error (f->answer_error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  /* Nothing was taken: the session still waits for a real offer. */
  g_assert_cmpint (sp_browser_video_get_state (f->video), ==, SP_BROWSER_VIDEO_NEW);
  sp_browser_video_stop (f->video);
  answer (f, audio_only);
  g_assert_error (f->answer_error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  if (!test_browser_available ())
    return 1;
  g_test_add ("/browser-video/two-way", Fixture, NULL, fixture_setup, test_two_way,
              fixture_teardown);
  g_test_add ("/browser-video/bad-offers", Fixture, NULL, fixture_setup, test_bad_offers,
              fixture_teardown);
  return test_gst_exit (g_test_run ());
}
