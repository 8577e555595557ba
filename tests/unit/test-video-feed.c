/* The agent's outgoing picture (service/media/sp-video-feed.c) against a real PipeWire and
 * WirePlumber (started by with-pipewire.sh) and a virtual camera that shows plain green: what
 * the far end would see, read back from the intervideo channel. The camera goes away and comes
 * back; the channel must show the "Camera unavailable" card in between. */
#include "test-gst-exit.h"
#include "test-camera.h"
#include "sp-video-feed.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <signal.h>
#include <string.h>

#define CAMERA_NODE "test-camera"
/* Under AddressSanitizer every allocation unwinds the stack (fast_unwind_on_malloc=0), which
 * makes building a GStreamer pipeline take a few hundred ms instead of a few. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOWDOWN 4
#else
#define SLOWDOWN 1
#endif
/* The longest the feed may keep the main loop busy at once. Not a timing goal: a pipewiresrc
 * state change that blocked the main loop would take 30 s (TESTENV §3.2). The bound grows with
 * the machine's load, as the integration tests' deadlines do (tests/integration/timescale.py):
 * a correct feed on a machine whose cores are all busy takes longer, and still stays far below
 * 30 s (at most 3 s, or 12 s under AddressSanitizer). */
static double
load_factor (void)
{
  g_autofree char *text = NULL;
  double load = 0;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    load = g_ascii_strtod (text, NULL) / MAX (1, g_get_num_processors ());
  return CLAMP (load, 1.0, 3.0);
}

#define MAX_BLOCK_MS (1000 * SLOWDOWN * load_factor ())

/* ---- waiting (generous deadlines, never exact timing) ---- */

/* The longest single main-context iteration seen: the feed must never block the loop. */
static gint64 longest_iteration_us;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      gboolean more;

      do
        {
          gint64 begin = g_get_monotonic_time ();

          more = g_main_context_iteration (NULL, FALSE);
          longest_iteration_us = MAX (longest_iteration_us, g_get_monotonic_time () - begin);
        }
      while (more);
      g_usleep (5000);
    }
}

#define WAIT_UNTIL(expr, ms)                                                                       \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 wait_deadline = g_get_monotonic_time () + (gint64)(ms)*1000;                            \
    while (!(expr) && g_get_monotonic_time () < wait_deadline)                                     \
      spin (10);                                                                                   \
  }                                                                                                \
  G_STMT_END

static double
ms_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / 1000.0;
}

/* ---- the feed's sources, seen through a tracer: to inject errors and end-of-stream ---- */

/* GStreamer has no list of live pipelines: a tracer hook sees every element being made, and
 * the test keeps weak references to the sources so that it can make one fail. */
struct _TestTracer
{
  GstTracer parent_instance;
};
G_DECLARE_FINAL_TYPE (TestTracer, test_tracer, TEST, TRACER, GstTracer)
G_DEFINE_FINAL_TYPE (TestTracer, test_tracer, GST_TYPE_TRACER)

static GMutex sources_lock;
static GPtrArray *sources; /* of GWeakRef*, every pipewiresrc and videotestsrc made */

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
on_element_new (GObject *tracer, GstClockTime ts, GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory ? GST_OBJECT_NAME (factory) : NULL;
  GWeakRef *ref;

  if (g_strcmp0 (name, "pipewiresrc") != 0 && g_strcmp0 (name, "videotestsrc") != 0)
    return;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, element);
  g_mutex_lock (&sources_lock);
  g_ptr_array_add (sources, ref);
  g_mutex_unlock (&sources_lock);
}

static void
test_tracer_class_init (TestTracerClass *klass)
{
}

static void
test_tracer_init (TestTracer *self)
{
  gst_tracing_register_hook (GST_TRACER (self), "element-new", G_CALLBACK (on_element_new));
}

/* The source of the feed's current camera pipeline (a new reference), or NULL. */
static GstElement *
camera_source (void)
{
  GstElement *found = NULL;

  g_mutex_lock (&sources_lock);
  for (guint i = sources->len; found == NULL && i > 0; i--)
    {
      g_autoptr (GstElement) element = g_weak_ref_get (g_ptr_array_index (sources, i - 1));
      g_autoptr (GstObject) parent = element ? gst_object_get_parent (GST_OBJECT (element)) : NULL;

      if (parent != NULL && g_strcmp0 (GST_OBJECT_NAME (parent), "sp-video-feed-camera") == 0)
        found = g_steal_pointer (&element);
    }
  g_mutex_unlock (&sources_lock);
  return found;
}

/* ---- reading the channel back ---- */

typedef struct
{
  int width;
  int height;
  double r, g, b; /* mean per channel, 0..255 */
  double bright;  /* share of near-white pixels (the card's text) */
  GBytes *pixels; /* RGB rows */
} Frame;

static void
frame_clear (Frame *frame)
{
  g_clear_pointer (&frame->pixels, g_bytes_unref);
}

static GstElement *
reader_new (const char *channel)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description
    = g_strdup_printf ("intervideosrc channel=%s ! videoconvert ! video/x-raw,format=RGB "
                       "! appsink name=sink max-buffers=1 drop=true sync=false",
                       channel);
  GstElement *reader = gst_parse_launch (description, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (reader, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  return reader;
}

static void
reader_free (GstElement *reader)
{
  gst_element_set_state (reader, GST_STATE_NULL);
  gst_object_unref (reader);
}

/* The next frame out of the channel, FALSE if none came within TIMEOUT_MS. The feed's main
 * context keeps running meanwhile. */
static gboolean
read_frame (GstElement *reader, guint timeout_ms, Frame *frame)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (reader), "sink");
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  GstSample *sample = NULL;

  /* The appsink keeps one frame: it may be older than what the caller just did. */
  g_signal_emit_by_name (sink, "try-pull-sample", (GstClockTime)0, &sample);
  g_clear_pointer (&sample, gst_sample_unref);
  while (sample == NULL && g_get_monotonic_time () < deadline)
    {
      spin (1);
      g_signal_emit_by_name (sink, "try-pull-sample", (GstClockTime)(10 * GST_MSECOND), &sample);
    }
  if (sample == NULL)
    return FALSE;

  GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstMapInfo map;
  guint64 sum[3] = { 0, 0, 0 }, bright = 0;
  int stride;

  memset (frame, 0, sizeof *frame);
  g_assert_true (gst_structure_get_int (s, "width", &frame->width));
  g_assert_true (gst_structure_get_int (s, "height", &frame->height));
  stride = (frame->width * 3 + 3) & ~3;
  g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
  g_assert_cmpuint (map.size, >=, (gsize)stride * frame->height);
  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      {
        const guint8 *p = map.data + (gsize)y * stride + (gsize)x * 3;

        sum[0] += p[0];
        sum[1] += p[1];
        sum[2] += p[2];
        if (p[0] > 160 && p[1] > 160 && p[2] > 160)
          bright++;
      }
  double n = (double)frame->width * frame->height;
  frame->r = sum[0] / n;
  frame->g = sum[1] / n;
  frame->b = sum[2] / n;
  frame->bright = bright / n;
  frame->pixels = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);
  gst_sample_unref (sample);
  return TRUE;
}

static gboolean
is_green (const Frame *f)
{
  return f->g > 180 && f->r < 70 && f->b < 70;
}

/* Dark grey with some white text: neither the camera's green nor intervideosrc's black. */
static gboolean
is_card (const Frame *f)
{
  return f->g > 25 && f->g < 110 && ABS (f->r - f->g) < 20 && ABS (f->b - f->g) < 20
         && f->bright > 0.001;
}

/* Reads frames until one satisfies LOOKS (up to TIMEOUT_MS); the last one read is in FRAME. */
static gboolean
wait_frame (GstElement *reader, gboolean (*looks) (const Frame *), guint timeout_ms, Frame *frame)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      frame_clear (frame);
      if (read_frame (reader, 1000, frame) && looks (frame))
        return TRUE;
    }
  g_test_message ("last frame: %dx%d, mean RGB %.0f/%.0f/%.0f, %.2f%% bright", frame->width,
                  frame->height, frame->r, frame->g, frame->b, frame->bright * 100);
  return FALSE;
}

/* Frames per second written into the channel, over a second. */
static double
channel_rate (SpVideoFeed *feed)
{
  guint64 frames = sp_video_feed_get_frames (feed);
  gint64 begin = g_get_monotonic_time ();
  double rate;

  spin (1000);
  rate = (sp_video_feed_get_frames (feed) - frames) / (ms_since (begin) / 1000);
  g_test_message ("%.1f frames per second into the channel", rate);
  return rate;
}

/* Ten frames over a second all look the same way: nothing else is mixed into the channel. */
static void
assert_steady (GstElement *reader, gboolean (*looks) (const Frame *), const char *what)
{
  for (guint i = 0; i < 10; i++)
    {
      Frame frame = { 0 };

      spin (100);
      g_assert_true (read_frame (reader, 2000, &frame));
      if (!looks (&frame))
        g_error ("frame %u is not %s: mean RGB %.0f/%.0f/%.0f, %.2f%% bright", i, what, frame.r,
                 frame.g, frame.b, frame.bright * 100);
      frame_clear (&frame);
    }
}

static void
assert_size (const Frame *frame, int width, int height)
{
  g_assert_cmpint (frame->width, ==, width);
  g_assert_cmpint (frame->height, ==, height);
}

/* ---- fixture: a feed on its own channel, with or without the camera monitor ---- */

typedef struct
{
  SpCameraMonitor *monitor;
  SpVideoFeed *feed;
  GstElement *reader;
  GSubprocess *camera;
  char *channel;
  guint source_changes;
} Fixture;

static void
on_source_changed (GObject *feed, GParamSpec *pspec, gpointer data)
{
  Fixture *f = data;

  f->source_changes++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  static guint serial;

  f->monitor = sp_camera_monitor_new ();
  WAIT_UNTIL (sp_camera_monitor_get_connected (f->monitor), 10000);
  g_assert_true (sp_camera_monitor_get_connected (f->monitor));
  f->channel = g_strdup_printf ("sp-test-feed-%u", ++serial);
  f->reader = reader_new (f->channel);
  longest_iteration_us = 0;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->feed != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->feed, f);
      sp_video_feed_stop (f->feed);
      g_clear_object (&f->feed);
    }
  test_camera_kill (&f->camera);
  /* The next test starts without a camera. */
  WAIT_UNTIL (!test_camera_listed (f->monitor, CAMERA_NODE), 10000);
  g_assert_false (test_camera_listed (f->monitor, CAMERA_NODE));
  reader_free (f->reader);
  g_clear_object (&f->monitor);
  g_free (f->channel);
  g_test_message ("longest main-loop iteration: %.1f ms", longest_iteration_us / 1000.0);
  g_assert_cmpint (longest_iteration_us, <, MAX_BLOCK_MS * 1000);
}

static void
fixture_camera_up_full (Fixture *f, gboolean frozen)
{
  gint64 begin = g_get_monotonic_time ();

  g_assert_null (f->camera);
  f->camera = test_camera_start (CAMERA_NODE, "00ff00", frozen);
  WAIT_UNTIL (test_camera_listed (f->monitor, CAMERA_NODE), 15000);
  g_assert_true (test_camera_listed (f->monitor, CAMERA_NODE));
  g_test_message ("camera node published after %.0f ms", ms_since (begin));
}

static void
fixture_camera_up (Fixture *f)
{
  fixture_camera_up_full (f, FALSE);
}

static void
fixture_feed (Fixture *f, const char *camera, gboolean use_monitor, guint width, guint height,
              guint framerate)
{
  g_autoptr (GError) error = NULL;
  gint64 begin;

  f->feed = sp_video_feed_new (camera, use_monitor ? f->monitor : NULL, f->channel, width, height,
                               framerate);
  g_signal_connect (f->feed, "notify::source", G_CALLBACK (on_source_changed), f);
  begin = g_get_monotonic_time ();
  g_assert_true (sp_video_feed_start (f->feed, &error));
  g_assert_no_error (error);
  g_test_message ("sp_video_feed_start (%s) returned after %.1f ms", camera, ms_since (begin));
  g_assert_cmpfloat (ms_since (begin), <, MAX_BLOCK_MS);
}

/* ---- tests ---- */

static void
test_spec_errors (void)
{
  static const char *const specs[] = { "none", "bogus", "pipewire:", "", "v4l2:/dev/video0" };

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr (SpVideoFeed) feed = sp_video_feed_new (specs[i], NULL, "sp-test-errors", 0, 0, 0);
      g_autoptr (GError) error = NULL;

      g_assert_false (sp_video_feed_start (feed, &error));
      g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_CAMERA);
      g_assert_cmpint (sp_video_feed_get_source (feed), ==, SP_VIDEO_FEED_STOPPED);
      sp_video_feed_stop (feed);
      sp_video_feed_stop (feed);
    }
}

static gsize
differing_bytes (GBytes *a, GBytes *b)
{
  gsize na, nb, count = 0;
  const guint8 *pa = g_bytes_get_data (a, &na), *pb = g_bytes_get_data (b, &nb);

  for (gsize i = 0; i < MIN (na, nb); i++)
    count += pa[i] != pb[i];
  return count;
}

static void
test_test_pattern (Fixture *f, gconstpointer data)
{
  Frame first = { 0 }, later = { 0 };
  guint64 frames;

  fixture_feed (f, "test", FALSE, 320, 240, 15);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  WAIT_UNTIL (sp_video_feed_get_frames (f->feed) > 3, 5000);
  /* The reader's own intervideosrc sends black until it has seen a picture: on a loaded
   * machine its first frames may come before the feed's. */
  for (guint i = 0; i < 30 && first.bright <= 0.001; i++)
    {
      frame_clear (&first);
      g_assert_true (read_frame (f->reader, 5000, &first));
    }
  spin (300);
  g_assert_true (read_frame (f->reader, 5000, &later));
  assert_size (&first, 320, 240);
  assert_size (&later, 320, 240);
  g_test_message ("test picture: %.2f%% then %.2f%% bright", first.bright * 100,
                  later.bright * 100);
  /* The white ball on black moves: an encoder downstream gets real work. */
  g_assert_cmpfloat (first.bright, >, 0.001);
  g_assert_cmpfloat (later.bright, >, 0.001);
  g_assert_cmpuint (differing_bytes (first.pixels, later.pixels), >, 300);
  frames = sp_video_feed_get_frames (f->feed);
  g_assert_cmpuint (frames, >, 0);
  spin (500);
  g_assert_cmpuint (sp_video_feed_get_frames (f->feed), >, frames);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);

  /* Stop is idempotent, keeps the count, and a stopped feed starts again. */
  sp_video_feed_stop (f->feed);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_STOPPED);
  frames = sp_video_feed_get_frames (f->feed);
  spin (300);
  sp_video_feed_stop (f->feed);
  g_assert_cmpuint (sp_video_feed_get_frames (f->feed), ==, frames);
  g_assert_true (sp_video_feed_start (f->feed, NULL));
  g_assert_true (sp_video_feed_start (f->feed, NULL));
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  WAIT_UNTIL (sp_video_feed_get_frames (f->feed) > 0, 5000);
  g_assert_cmpuint (sp_video_feed_get_frames (f->feed), >, 0);
  g_assert_cmpuint (f->source_changes, ==, 3); /* camera, stopped, camera */
  frame_clear (&first);
  frame_clear (&later);
}

/* The named camera vanishes (the monitor tells) and comes back. */
static void
test_camera_comes_and_goes (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  gint64 begin;
  double to_card, to_camera;

  fixture_camera_up (f);
  fixture_feed (f, "pipewire:" CAMERA_NODE, TRUE, 640, 480, 30);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  begin = g_get_monotonic_time ();
  g_assert_true (wait_frame (f->reader, is_green, 10000, &frame));
  g_test_message ("first green frame %.0f ms after start", ms_since (begin));
  assert_size (&frame, 640, 480);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_cmpuint (f->source_changes, ==, 1);

  /* Unplugged. */
  begin = g_get_monotonic_time ();
  test_camera_kill (&f->camera);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CARD, 5000);
  to_card = ms_since (begin);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_assert_true (wait_frame (f->reader, is_card, 5000, &frame));
  g_test_message ("camera gone: card after %.0f ms, in the channel after %.0f ms", to_card,
                  ms_since (begin));
  /* The monitor told, well before the 1 s stall watchdog could have. */
  g_assert_cmpfloat (to_card, <, 900);
  assert_size (&frame, 640, 480);
  g_assert_false (is_green (&frame));
  /* The card stays while there is no camera (no flapping back and forth). */
  spin (1500);
  assert_steady (f->reader, is_card, "the card");
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);

  /* Plugged in again. */
  begin = g_get_monotonic_time ();
  fixture_camera_up (f);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CAMERA, 15000);
  to_camera = ms_since (begin);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  g_test_message ("camera back: source camera after %.0f ms, green in the channel after %.0f ms",
                  to_camera, ms_since (begin));
  assert_size (&frame, 640, 480);
  assert_steady (f->reader, is_green, "the camera");
  /* Only the camera writes now: the channel gets its frame rate, not the card's on top. */
  g_assert_cmpfloat (channel_rate (f->feed), <, 30 * 1.2);
  g_assert_cmpfloat (channel_rate (f->feed), >, 30 * 0.6);
  g_assert_cmpuint (f->source_changes, ==, 3); /* camera, card, camera */
  g_assert_cmpuint (sp_video_feed_get_frames (f->feed), >, 30);
  frame_clear (&frame);
}

/* No camera at first: the card at once; the default camera is used once it appears. */
static void
test_camera_appears_later (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  gint64 begin;

  fixture_feed (f, "pipewire", TRUE, 320, 240, 15);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_assert_true (wait_frame (f->reader, is_card, 5000, &frame));
  assert_size (&frame, 320, 240);

  begin = g_get_monotonic_time ();
  fixture_camera_up (f);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CAMERA, 15000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  g_test_message ("camera appeared: green in the channel after %.0f ms", ms_since (begin));
  assert_size (&frame, 320, 240);
  frame_clear (&frame);
}

/* A camera that is listed but never sends a picture never replaces the card: it has to deliver
 * frames for its trial first. */
static void
test_frozen_camera_never_shown (Fixture *f, gconstpointer data)
{
  fixture_feed (f, "pipewire", TRUE, 320, 240, 15);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  fixture_camera_up_full (f, TRUE);
  spin (3000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_assert_cmpuint (f->source_changes, ==, 1);
}

/* A camera other than the configured one is not used. */
static void
test_other_camera_ignored (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };

  fixture_camera_up (f);
  fixture_feed (f, "pipewire:some-other-camera", TRUE, 320, 240, 15);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  spin (2500);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_assert_true (read_frame (f->reader, 2000, &frame));
  g_assert_true (is_card (&frame));
  frame_clear (&frame);
}

/* Without a monitor only the frames tell: a vanished PipeWire node just stalls the capture,
 * so the watchdog must switch to the card, and the periodic retry must bring the camera back.
 * Stopping the stalled capture must not block the main loop (checked by the teardown). */
static void
test_stall_watchdog (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  gint64 begin;

  fixture_camera_up (f);
  fixture_feed (f, "pipewire:" CAMERA_NODE, FALSE, 320, 240, 15);
  g_assert_true (wait_frame (f->reader, is_green, 10000, &frame));

  begin = g_get_monotonic_time ();
  test_camera_kill (&f->camera);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CARD, 10000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_test_message ("stalled camera: card after %.0f ms", ms_since (begin));
  g_assert_true (wait_frame (f->reader, is_card, 5000, &frame));

  /* The silent capture is given up and a new one opened, which finds the new camera. */
  begin = g_get_monotonic_time ();
  fixture_camera_up (f);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CAMERA, 40000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  g_test_message ("without a monitor: camera back after %.0f ms", ms_since (begin));
  frame_clear (&frame);
}

/* The camera passes from one capture to the next again and again, as when browser video ends
 * and SIP video starts: each capture is closed soon after it opened, while the next one opens.
 * The picture comes back and the process survives; PipeWire 0.3.65 crashed in its loop thread
 * (SIGSEGV) when a capture's stream was destroyed with a frame callback still queued for it. */
static void
test_camera_handovers (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  guint64 frames;

  fixture_camera_up (f);
  fixture_feed (f, "pipewire:" CAMERA_NODE, TRUE, 320, 240, 15);
  g_assert_true (wait_frame (f->reader, is_green, 10000, &frame));
  for (guint i = 0; i < 100; i++)
    {
      sp_video_feed_stop (f->feed);
      g_assert_true (sp_video_feed_start (f->feed, NULL));
      spin (g_random_int_range (0, 40));
    }
  frames = sp_video_feed_get_frames (f->feed);
  WAIT_UNTIL (sp_video_feed_get_frames (f->feed) > frames + 15, 15000);
  g_assert_cmpuint (sp_video_feed_get_frames (f->feed), >, frames + 15);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  frame_clear (&frame);
}

/* A camera whose frames stop for a moment while it stays listed (a busy machine: starved
 * threads, a slow PipeWire graph) keeps being shown; a longer silence shows the card, and the
 * same capture is shown again once frames flow, without reopening the camera. */
static void
test_camera_pauses (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  g_autoptr (GstElement) capture = NULL;
  g_autoptr (GstElement) capture_after = NULL;
  gint64 begin;

  fixture_camera_up (f);
  fixture_feed (f, "pipewire:" CAMERA_NODE, TRUE, 320, 240, 15);
  g_assert_true (wait_frame (f->reader, is_green, 10000, &frame));
  capture = camera_source ();
  g_assert_nonnull (capture);

  /* 1.5 s without a frame: no card. */
  g_subprocess_send_signal (f->camera, SIGSTOP);
  spin (1500);
  g_subprocess_send_signal (f->camera, SIGCONT);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  spin (500);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_cmpuint (f->source_changes, ==, 1);

  /* 5 s: the card covers the frozen picture; frames again: the camera is back. */
  begin = g_get_monotonic_time ();
  g_subprocess_send_signal (f->camera, SIGSTOP);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CARD, 10000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_test_message ("silent camera: card after %.0f ms", ms_since (begin));
  g_assert_true (wait_frame (f->reader, is_card, 5000, &frame));
  spin (1000);
  begin = g_get_monotonic_time ();
  g_subprocess_send_signal (f->camera, SIGCONT);
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CAMERA, 10000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  g_test_message ("camera resumed: shown again after %.0f ms", ms_since (begin));
  capture_after = camera_source ();
  g_assert_true (capture_after == capture);
  g_assert_cmpuint (f->source_changes, ==, 3); /* camera, card, camera */
  frame_clear (&frame);
}

/* A GStreamer error from the camera: the card at once (not after the watchdog's second); the
 * camera is still listed, so it is tried again and comes back. */
static void
test_camera_error (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GError) error
    = g_error_new (GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ, "injected by the test");
  gint64 begin;

  fixture_camera_up (f);
  fixture_feed (f, "pipewire:" CAMERA_NODE, TRUE, 320, 240, 15);
  g_assert_true (wait_frame (f->reader, is_green, 10000, &frame));
  source = camera_source ();
  g_assert_nonnull (source);

  begin = g_get_monotonic_time ();
  gst_element_post_message (source, gst_message_new_error (GST_OBJECT (source), error, NULL));
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CARD, 5000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_test_message ("camera error: card after %.0f ms", ms_since (begin));
  g_assert_cmpfloat (ms_since (begin), <, 900);
  g_assert_true (wait_frame (f->reader, is_card, 5000, &frame));

  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CAMERA, 15000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  g_assert_true (wait_frame (f->reader, is_green, 5000, &frame));
  g_test_message ("after the error: camera back after %.0f ms", ms_since (begin));
  frame_clear (&frame);
}

/* The camera stream ends (EOS): the card, then the camera again. */
static void
test_camera_eos (Fixture *f, gconstpointer data)
{
  Frame frame = { 0 };
  g_autoptr (GstElement) source = NULL;
  gint64 begin;

  fixture_feed (f, "test", FALSE, 320, 240, 15);
  g_assert_true (read_frame (f->reader, 5000, &frame));
  source = camera_source ();
  g_assert_nonnull (source);

  begin = g_get_monotonic_time ();
  g_assert_true (gst_element_send_event (source, gst_event_new_eos ()));
  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CARD, 5000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CARD);
  g_test_message ("end of stream: card after %.0f ms", ms_since (begin));
  g_assert_cmpfloat (ms_since (begin), <, 900);
  g_assert_true (wait_frame (f->reader, is_card, 5000, &frame));

  WAIT_UNTIL (sp_video_feed_get_source (f->feed) == SP_VIDEO_FEED_CAMERA, 15000);
  g_assert_cmpint (sp_video_feed_get_source (f->feed), ==, SP_VIDEO_FEED_CAMERA);
  frame_clear (&frame);
}

int
main (int argc, char **argv)
{
  g_autoptr (GstTracer) tracer = NULL;
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  sources = g_ptr_array_new_with_free_func ((GDestroyNotify)weak_ref_free);
  tracer = g_object_ref_sink (g_object_new (test_tracer_get_type (), NULL));

  if (g_getenv ("XDG_RUNTIME_DIR") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_test_message ("run me through tests/unit/with-pipewire.sh");

  g_test_add_func ("/video-feed/spec-errors", test_spec_errors);
  g_test_add ("/video-feed/test-pattern", Fixture, NULL, fixture_setup, test_test_pattern,
              fixture_teardown);
  g_test_add ("/video-feed/pipewire/comes-and-goes", Fixture, NULL, fixture_setup,
              test_camera_comes_and_goes, fixture_teardown);
  g_test_add ("/video-feed/pipewire/appears-later", Fixture, NULL, fixture_setup,
              test_camera_appears_later, fixture_teardown);
  g_test_add ("/video-feed/pipewire/frozen-camera", Fixture, NULL, fixture_setup,
              test_frozen_camera_never_shown, fixture_teardown);
  g_test_add ("/video-feed/pipewire/other-camera-ignored", Fixture, NULL, fixture_setup,
              test_other_camera_ignored, fixture_teardown);
  g_test_add ("/video-feed/pipewire/stall-watchdog", Fixture, NULL, fixture_setup,
              test_stall_watchdog, fixture_teardown);
  g_test_add ("/video-feed/pipewire/handovers", Fixture, NULL, fixture_setup, test_camera_handovers,
              fixture_teardown);
  g_test_add ("/video-feed/pipewire/pauses", Fixture, NULL, fixture_setup, test_camera_pauses,
              fixture_teardown);

  g_test_add ("/video-feed/pipewire/error", Fixture, NULL, fixture_setup, test_camera_error,
              fixture_teardown);
  g_test_add ("/video-feed/end-of-stream", Fixture, NULL, fixture_setup, test_camera_eos,
              fixture_teardown);

  status = g_test_run ();
  g_ptr_array_unref (sources);
  return test_gst_exit (status);
}
