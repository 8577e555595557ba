/* See test-browser.h. */
#include "test-browser.h"
#include "test-pipeline.h"
#include "sp-browser-video.h"

#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

const char *const TEST_BROWSER_LOOPBACK[] = { "127.0.0.1", NULL };

/* Reference-counted (g_atomic_rc_box): webrtcbin's threads queue candidates for the main
 * context, and those may run after the test freed the browser. */
struct _TestBrowser
{
  GstElement *pipeline; /* NULL once freed */
  GstElement *webrtc;
  TestBrowserDeliver deliver;
  gpointer data;
  char *offer;       /* atomic */
  gboolean answered; /* main context */
  GPtrArray *held;   /* candidates waiting for the answer, main context */
  guint frames;      /* atomic */
  guint colour;      /* atomic: 0xRRGGBB of the middle of the newest picture */
};

typedef struct
{
  TestBrowser *browser; /* a reference */
  guint mline;
  char *candidate;
} Candidate;

static void
browser_clear (TestBrowser *self)
{
  g_free (self->offer);
  g_ptr_array_unref (self->held);
}

static void
candidate_free (Candidate *c)
{
  g_atomic_rc_box_release_full (c->browser, (GDestroyNotify)browser_clear);
  g_free (c->candidate);
  g_free (c);
}

static GstFlowReturn
on_sample (GstAppSink *sink, gpointer data)
{
  TestBrowser *self = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstMapInfo map;
  const guint8 *middle;

  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  middle = map.data + (map.size / 2 / 3) * 3;
  g_atomic_int_set (&self->colour, middle[0] << 16 | middle[1] << 8 | middle[2]);
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  g_atomic_int_inc (&self->frames);
  return GST_FLOW_OK;
}

static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  TestBrowser *self = data;
  GstElement *bin;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_sample };

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  bin = gst_parse_bin_from_description ("rtpvp8depay ! vp8dec ! videoconvert ! "
                                        "video/x-raw,format=RGB ! appsink name=seen sync=false",
                                        TRUE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), bin);
  sink = gst_bin_get_by_name (GST_BIN (bin), "seen");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  gst_element_sync_state_with_parent (bin);
  sink_pad = gst_element_get_static_pad (bin, "sink");
  gst_pad_link (pad, sink_pad);
}

/* Main context: delivered at once after the answer, held before it. */
static gboolean
deliver_candidate (gpointer data)
{
  Candidate *c = data;
  TestBrowser *self = c->browser;

  if (self->pipeline == NULL)
    candidate_free (c);
  else if (self->answered)
    {
      self->deliver (c->mline, c->candidate, self->data);
      candidate_free (c);
    }
  else
    g_ptr_array_add (self->held, c);
  return G_SOURCE_REMOVE;
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
  Candidate *c = g_new0 (Candidate, 1);

  c->browser = g_atomic_rc_box_acquire ((TestBrowser *)data);
  c->mline = mline;
  c->candidate = g_strdup (candidate);
  g_idle_add (deliver_candidate, c);
}

static void
on_offer_created (GstPromise *promise, gpointer data)
{
  TestBrowser *self = data;
  GstWebRTCSessionDescription *offer = NULL;

  gst_structure_get (gst_promise_get_reply (promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                     &offer, NULL);
  gst_promise_unref (promise);
  g_signal_emit_by_name (self->webrtc, "set-local-description", offer, NULL);
  g_atomic_pointer_set (&self->offer, gst_sdp_message_as_text (offer->sdp));
  gst_webrtc_session_description_free (offer);
}

static void
on_negotiation_needed (GstElement *webrtc, gpointer data)
{
  g_signal_emit_by_name (webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created, data, NULL));
}

gboolean
test_browser_available (void)
{
  g_autoptr (GstElementFactory) webrtc = gst_element_factory_find ("webrtcbin");
  g_autoptr (GstElementFactory) nice = gst_element_factory_find ("nicesrc");

  if (webrtc == NULL || nice == NULL)
    g_printerr ("webrtcbin or libnice's GStreamer elements are missing (gstreamer1.0-nice)\n");
  return webrtc != NULL && nice != NULL;
}

TestBrowser *
test_browser_new (const char *pattern, TestBrowserDeliver deliver, gpointer data)
{
  TestBrowser *self = g_atomic_rc_box_new0 (TestBrowser);
  g_autofree char *description
    = g_strdup_printf ("webrtcbin name=w bundle-policy=max-bundle "
                       "videotestsrc is-live=true pattern=%s ! "
                       "video/x-raw,width=320,height=240,framerate=15/1 ! "
                       "vp8enc deadline=1 ! rtpvp8pay pt=100 ! "
                       "application/x-rtp,media=video,encoding-name=VP8,payload=100 ! w.",
                       pattern);

  self->deliver = deliver;
  self->data = data;
  self->held = g_ptr_array_new ();
  /* The signal handlers are connected before the pipeline plays. */
  self->pipeline = gst_parse_launch (description, NULL);
  g_assert_nonnull (self->pipeline);
  self->webrtc = gst_bin_get_by_name (GST_BIN (self->pipeline), "w");
  g_assert_true (sp_browser_video_configure_ice (self->webrtc, TEST_BROWSER_LOOPBACK, NULL));
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed),
                    self);
  g_assert_cmpint (gst_element_set_state (self->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return self;
}

void
test_browser_free (TestBrowser *self)
{
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  gst_clear_object (&self->webrtc);
  gst_clear_object (&self->pipeline);
  /* Held candidates own a reference each. */
  for (guint i = 0; i < self->held->len; i++)
    candidate_free (g_ptr_array_index (self->held, i));
  g_ptr_array_set_size (self->held, 0);
  g_atomic_rc_box_release_full (self, (GDestroyNotify)browser_clear);
}

const char *
test_browser_wait_offer (TestBrowser *self, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_atomic_pointer_get (&self->offer) == NULL && g_get_monotonic_time () < end)
    test_spin (10);
  return g_atomic_pointer_get (&self->offer);
}

void
test_browser_set_answer (TestBrowser *self, const char *answer)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *description;

  g_assert_cmpint (gst_sdp_message_new_from_text (answer, &sdp), ==, GST_SDP_OK);
  description = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", description, NULL);
  gst_webrtc_session_description_free (description);
  self->answered = TRUE;
  for (guint i = 0; i < self->held->len; i++)
    {
      Candidate *c = g_ptr_array_index (self->held, i);

      self->deliver (c->mline, c->candidate, self->data);
      candidate_free (c);
    }
  g_ptr_array_set_size (self->held, 0);
}

void
test_browser_add_candidate (TestBrowser *self, guint mline, const char *candidate)
{
  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline, candidate);
}

guint
test_browser_get_frames (TestBrowser *self)
{
  return g_atomic_int_get (&self->frames);
}

gboolean
test_browser_wait_colour (TestBrowser *self, guint8 r, guint8 g, guint8 b, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;
  guint colour = 0;
  gint distance = G_MAXINT;

  while (distance >= 60 && g_get_monotonic_time () < end)
    {
      test_spin (20);
      if (test_browser_get_frames (self) == 0)
        continue;
      colour = g_atomic_int_get (&self->colour);
      distance = ABS ((gint)(colour >> 16) - r) + ABS ((gint)(colour >> 8 & 0xff) - g)
                 + ABS ((gint)(colour & 0xff) - b);
    }
  g_test_message ("the browser sees %u,%u,%u after %u pictures (expected %u,%u,%u)", colour >> 16,
                  colour >> 8 & 0xff, colour & 0xff, test_browser_get_frames (self), r, g, b);
  return distance < 60;
}
