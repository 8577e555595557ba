/* sp-browser-video.c against a browser played by a second webrtcbin in this process, over ICE
 * host candidates on loopback with DTLS-SRTP: the browser offers VP8 under payload type 100
 * and sends blue; our side sends the red picture of its send channel. Each side must decode the
 * other's colour; then bad input: text that is not SDP, an offer without video, a second
 * offer, a candidate before the offer, a stopped session. */
#include "test-pipeline.h"
#include "sp-browser-video.h"
#include "sp-media-error.h"

#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

static const char *const LOOPBACK[] = { "127.0.0.1", NULL };

#define WAIT_MS 20000

typedef struct
{
  SpBrowserVideo *video;
  GstElement *browser; /* the browser's pipeline */
  GstElement *browser_webrtc;
  GstElement *feed;   /* red into our send channel */
  GstElement *window; /* our receive channel, read back */
  char *offer;
  char *answer;
  GError *answer_error;
  gboolean answered;
  guint8 browser_saw[3];
  guint browser_frames; /* atomic */
} Fixture;

static void
spin_until (gboolean (*done) (Fixture *), Fixture *f, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (!done (f) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

/* ---- the browser ---- */

static GstFlowReturn
on_browser_sample (GstAppSink *sink, gpointer data)
{
  Fixture *f = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstMapInfo map;

  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  memcpy (f->browser_saw, map.data + (map.size / 2 / 3) * 3, 3); /* the middle of the picture */
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  g_atomic_int_inc (&f->browser_frames);
  return GST_FLOW_OK;
}

static void
on_browser_pad (GstElement *webrtc, GstPad *pad, gpointer data)
{
  Fixture *f = data;
  GstElement *bin;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_browser_sample };

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  bin = gst_parse_bin_from_description ("rtpvp8depay ! vp8dec ! videoconvert ! "
                                        "video/x-raw,format=RGB ! appsink name=seen sync=false",
                                        TRUE, NULL);
  gst_bin_add (GST_BIN (f->browser), bin);
  sink = gst_bin_get_by_name (GST_BIN (bin), "seen");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, f, NULL);
  gst_element_sync_state_with_parent (bin);
  sink_pad = gst_element_get_static_pad (bin, "sink");
  gst_pad_link (pad, sink_pad);
}

typedef struct
{
  Fixture *f;
  guint mline;
  char *candidate;
} Candidate;

/* The browser's candidates reach us on the main context, as from a signalling channel. */
static gboolean
deliver_browser_candidate (gpointer data)
{
  Candidate *c = data;
  g_autoptr (GError) error = NULL;

  if (c->f->video != NULL && c->f->answered)
    g_assert_true (sp_browser_video_add_candidate (c->f->video, c->mline, c->candidate, &error));
  g_free (c->candidate);
  g_free (c);
  return G_SOURCE_REMOVE;
}

static void
on_browser_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
  Candidate *c = g_new0 (Candidate, 1);

  c->f = data;
  c->mline = mline;
  c->candidate = g_strdup (candidate);
  /* After the answer: a candidate before the offer is refused (tested apart). */
  g_timeout_add (200, deliver_browser_candidate, c);
}

static void
on_local_candidate (SpBrowserVideo *video, guint mline, const char *candidate, gpointer data)
{
  Fixture *f = data;

  g_signal_emit_by_name (f->browser_webrtc, "add-ice-candidate", mline, candidate);
}

static void
on_offer_created (GstPromise *promise, gpointer data)
{
  Fixture *f = data;
  GstWebRTCSessionDescription *offer = NULL;

  gst_structure_get (gst_promise_get_reply (promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                     &offer, NULL);
  gst_promise_unref (promise);
  g_signal_emit_by_name (f->browser_webrtc, "set-local-description", offer, NULL);
  g_atomic_pointer_set (&f->offer, gst_sdp_message_as_text (offer->sdp));
  gst_webrtc_session_description_free (offer);
}

static void
on_negotiation_needed (GstElement *webrtc, gpointer data)
{
  g_signal_emit_by_name (webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created, data, NULL));
}

static void
start_browser (Fixture *f)
{
  f->browser
    = test_pipeline_launch ("webrtcbin name=w bundle-policy=max-bundle "
                            "videotestsrc is-live=true pattern=blue ! "
                            "video/x-raw,width=320,height=240,framerate=15/1 ! "
                            "vp8enc deadline=1 ! rtpvp8pay pt=100 ! "
                            "application/x-rtp,media=video,encoding-name=VP8,payload=100 ! w.");
  f->browser_webrtc = gst_bin_get_by_name (GST_BIN (f->browser), "w");
  /* No SSDP multicast from a test, and ICE on loopback only. */
  g_assert_true (sp_browser_video_configure_ice (f->browser_webrtc, LOOPBACK, NULL));
  g_signal_connect (f->browser_webrtc, "pad-added", G_CALLBACK (on_browser_pad), f);
  g_signal_connect (f->browser_webrtc, "on-ice-candidate", G_CALLBACK (on_browser_candidate), f);
  g_signal_connect (f->browser_webrtc, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed),
                    f);
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
                            "video/x-raw,format=RGB ! appsink name=window max-buffers=1 drop=true");
  f->video = sp_browser_video_new ("test-browser-send", "test-browser-receive", &encoding,
                                   &(SpBrowserVideoIce){ .addresses = LOOPBACK }, &error);
  g_assert_no_error (error);
  g_signal_connect (f->video, "local-candidate", G_CALLBACK (on_local_candidate), f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->video);
  for (GstElement **p = &f->browser; p <= &f->window; p++)
    if (*p != NULL)
      {
        gst_element_set_state (*p, GST_STATE_NULL);
        gst_clear_object (p);
      }
  g_free (f->offer);
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
has_offer (Fixture *f)
{
  return g_atomic_pointer_get (&f->offer) != NULL;
}

static gboolean
is_answered (Fixture *f)
{
  return f->answered;
}

static gboolean
both_see_colour (Fixture *f)
{
  return g_atomic_int_get (&f->browser_frames) > 10
         && sp_browser_video_get_frames_received (f->video) > 10;
}

static void
answer (Fixture *f, const char *offer)
{
  f->answered = FALSE;
  g_clear_pointer (&f->answer, g_free);
  g_clear_error (&f->answer_error);
  sp_browser_video_answer_async (f->video, offer, NULL, on_answered, f);
  spin_until (is_answered, f, WAIT_MS);
  g_assert_true (f->answered);
}

/* The window's channel shows R,G,B within WAIT_MS (it shows black until pictures come). */
static void
assert_window_colour (Fixture *f, guint8 r, guint8 g, guint8 b)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (f->window), "window");
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
  guint8 seen[3] = { 0 };
  gint distance = G_MAXINT;

  while (distance >= 60 && g_get_monotonic_time () < end)
    {
      g_autoptr (GstSample) sample
        = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), GST_SECOND / 10);
      GstMapInfo map;

      if (sample == NULL)
        continue;
      gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
      memcpy (seen, map.data + (map.size / 2 / 3) * 3, 3);
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      distance = ABS (seen[0] - r) + ABS (seen[1] - g) + ABS (seen[2] - b);
    }
  g_test_message ("the window shows %u,%u,%u", seen[0], seen[1], seen[2]);
  g_assert_cmpint (distance, <, 60);
}

static void
test_two_way (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (sp_browser_video_get_state (f->video), ==, SP_BROWSER_VIDEO_NEW);
  /* A candidate before any offer is refused. */
  g_assert_false (sp_browser_video_add_candidate (
    f->video, 0, "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);

  start_browser (f);
  spin_until (has_offer, f, WAIT_MS);
  g_assert_nonnull (f->offer);
  answer (f, f->offer);
  g_assert_no_error (f->answer_error);
  g_assert_nonnull (strstr (f->answer, "VP8/90000"));
  g_assert_nonnull (strstr (f->answer, "a=fingerprint:"));
  {
    GstSDPMessage *sdp = NULL;
    GstWebRTCSessionDescription *description;

    g_assert_cmpint (gst_sdp_message_new_from_text (f->answer, &sdp), ==, GST_SDP_OK);
    description = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    g_signal_emit_by_name (f->browser_webrtc, "set-remote-description", description, NULL);
    gst_webrtc_session_description_free (description);
  }
  spin_until (both_see_colour, f, WAIT_MS);
  g_test_message ("the browser sees %u,%u,%u after %u frames; we decoded %u", f->browser_saw[0],
                  f->browser_saw[1], f->browser_saw[2], g_atomic_int_get (&f->browser_frames),
                  sp_browser_video_get_frames_received (f->video));
  g_assert_true (both_see_colour (f));
  g_assert_cmpint (f->browser_saw[0], >, 200);
  g_assert_cmpint (f->browser_saw[2], <, 60);
  assert_window_colour (f, 0, 0, 255);
  g_assert_cmpint (sp_browser_video_get_state (f->video), ==, SP_BROWSER_VIDEO_CONNECTED);

  /* A second offer is refused; the media goes on. */
  answer (f, f->offer);
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
  if (gst_element_factory_find ("webrtcbin") == NULL
      || gst_element_factory_find ("nicesrc") == NULL)
    {
      g_printerr ("webrtcbin or libnice's GStreamer elements are missing (gstreamer1.0-nice)\n");
      return 1;
    }
  g_test_add ("/browser-video/two-way", Fixture, NULL, fixture_setup, test_two_way,
              fixture_teardown);
  g_test_add ("/browser-video/bad-offers", Fixture, NULL, fixture_setup, test_bad_offers,
              fixture_teardown);
  return g_test_run ();
}
