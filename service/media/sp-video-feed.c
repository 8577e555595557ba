/* The agent's outgoing picture: the camera (or the "Camera unavailable" card) normalised and
 * written into an intervideo channel, each in a small pipeline of its own. Decisions (which of
 * the two shows, when to give up on the camera, when to try it again) are taken on the main
 * context from the bus, the camera monitor and a tick that reads the frame counts the pad
 * probes keep on the streaming threads. */
#include "sp-video-feed.h"
#include "sp-gst.h"

#include <gst/gst.h>
#include <string.h>

#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 480
#define DEFAULT_FRAMERATE 30
#define TICK_MS 100
/* A camera that is shown but gives no picture for CARD_AFTER_SILENCE (or no first picture
 * within it) is covered by the card, but its capture stays open behind the card: on a busy
 * machine a live camera's frames can stop for a second or two (starved threads, a slow
 * PipeWire graph), and reopening it then costs more than waiting (the reconnection itself
 * took over 4 s under load). It is closed only when it errors, ends, disappears from the
 * monitor, or stays silent for GIVE_UP_SILENCE; a PipeWire camera whose node vanished does
 * not end the capture stream, it just stalls. */
#define CARD_AFTER_SILENCE_US (3 * G_USEC_PER_SEC)
#define GIVE_UP_SILENCE_US (10 * G_USEC_PER_SEC)
/* A tick this late means this process was starved: what was not seen meanwhile is no
 * evidence against the camera. */
#define LATE_TICK_US (5 * TICK_MS * 1000)
#define TRIAL_US (G_USEC_PER_SEC / 2) /* see trial_passed() */
/* Attempts to get the camera back: at most one per MIN_RETRY_INTERVAL however often the
 * monitor reports changes, and every RETRY_AFTER_FAILURE while a camera is reported (or
 * nothing tells us) but the last attempt failed. */
#define MIN_RETRY_INTERVAL_US (1 * G_USEC_PER_SEC)
#define RETRY_AFTER_FAILURE_US (5 * G_USEC_PER_SEC)
/* A teardown slower than this is worth telling admins about (a wedged PipeWire client). */
#define SLOW_TEARDOWN_US (1 * G_USEC_PER_SEC)
/* See stop_pipewire_capture_safely(). */
#define PIPEWIRE_DRAIN_US (G_USEC_PER_SEC / 5)
#define CARD_TEXT "Camera unavailable"
#define CARD_COLOUR 0xff303030

typedef enum
{
  CAMERA_PIPEWIRE,
  CAMERA_TEST,
} CameraKind;

/* Shared between a pipeline's pad probe (streaming thread) and the feed (main context). */
typedef struct
{
  gatomicrefcount ref;
  gint seen;   /* buffers that reached the sink */
  gint passed; /* of those, the ones let into the channel */
  gint open;   /* 0 while a camera is on trial behind the card, and once torn down */
} Tally;

typedef struct
{
  GstElement *pipeline; /* owned by the last task of `states` */
  GThreadPool *states;  /* one thread: set_state calls, in order */
  GSource *bus_watch;
  Tally *tally;
  gint64 started_at;
  gint last_seen;
  gint64 last_progress;
  gint64 first_frame_at; /* 0 until a first frame arrived */
  gboolean confirmed;    /* trusted: frames go into the channel */
} Branch;

struct _SpVideoFeed
{
  GObject parent_instance;

  char *camera;
  SpCameraMonitor *monitor;
  char *channel;
  guint width;
  guint height;
  guint framerate;

  CameraKind kind;
  char *node; /* the PipeWire node of "pipewire:NODE", else NULL */

  gboolean started;
  GMainContext *context;
  SpVideoFeedSource source;
  Branch *camera_branch; /* shown, or on trial behind the card; NULL when none runs */
  Branch *card_branch;
  gulong monitor_handler;
  GSource *tick;
  gint64 last_attempt;
  gint64 next_attempt;
  gint64 last_tick;
  guint64 frames_done; /* frames of the pipelines already torn down */
};

enum
{
  PROP_0,
  PROP_CAMERA,
  PROP_MONITOR,
  PROP_CHANNEL,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FRAMERATE,
  PROP_SOURCE,
  PROP_FRAMES,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (SpVideoFeedSource, sp_video_feed_source,
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_FEED_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_FEED_CAMERA, "camera"),
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_FEED_CARD, "card"))

G_DEFINE_FINAL_TYPE (SpVideoFeed, sp_video_feed, G_TYPE_OBJECT)

const char *
sp_video_feed_source_to_string (SpVideoFeedSource source)
{
  switch (source)
    {
      case SP_VIDEO_FEED_CAMERA:
        return "camera";
      case SP_VIDEO_FEED_CARD:
        return "card";
      case SP_VIDEO_FEED_STOPPED:
      default:
        return "stopped";
    }
}

/* ---- frame tallies (any thread) ---- */

static Tally *
tally_new (gboolean open)
{
  Tally *tally = g_new0 (Tally, 1);

  g_atomic_ref_count_init (&tally->ref);
  tally->open = open;
  return tally;
}

static Tally *
tally_ref (Tally *tally)
{
  g_atomic_ref_count_inc (&tally->ref);
  return tally;
}

static void
tally_unref (Tally *tally)
{
  if (g_atomic_ref_count_dec (&tally->ref))
    g_free (tally);
}

static GstPadProbeReturn
on_sink_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Tally *tally = data;

  g_atomic_int_inc (&tally->seen);
  if (!g_atomic_int_get (&tally->open))
    return GST_PAD_PROBE_DROP;
  g_atomic_int_inc (&tally->passed);
  return GST_PAD_PROBE_OK;
}

/* ---- GStreamer set-up ---- */

static gboolean
parse_camera (const char *spec, CameraKind *kind, char **node, GError **error)
{
  *node = NULL;
  if (g_strcmp0 (spec, "pipewire") == 0)
    {
      *kind = CAMERA_PIPEWIRE;
      return TRUE;
    }
  if (spec != NULL && g_str_has_prefix (spec, "pipewire:") && spec[strlen ("pipewire:")] != '\0')
    {
      *kind = CAMERA_PIPEWIRE;
      *node = g_strdup (spec + strlen ("pipewire:"));
      return TRUE;
    }
  if (g_strcmp0 (spec, "test") == 0)
    {
      *kind = CAMERA_TEST;
      return TRUE;
    }
  if (spec == NULL || *spec == '\0' || g_strcmp0 (spec, "none") == 0)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_CAMERA, "No camera is configured");
  else
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_CAMERA,
                 "Unknown camera '%s' (expected pipewire, pipewire:NODE or test)", spec);
  return FALSE;
}

static gboolean
check_elements (CameraKind kind, GError **error)
{
  static const char *const common[]
    = { "videotestsrc",   "videoconvert", "videoscale",  "videorate", "capsfilter",
        "intervideosink", "textoverlay",  "imagefreeze", NULL };

  for (guint i = 0; common[i] != NULL; i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (common[i]);

      if (factory == NULL)
        {
          g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                       "The GStreamer element '%s' is missing", common[i]);
          return FALSE;
        }
    }
  if (kind == CAMERA_PIPEWIRE)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find ("pipewiresrc");

      if (factory == NULL)
        {
          g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                       "The GStreamer element 'pipewiresrc' is missing (gstreamer1.0-pipewire)");
          return FALSE;
        }
    }
  return TRUE;
}

static GstCaps *
channel_caps (SpVideoFeed *self)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                              (int)self->width, "height", G_TYPE_INT, (int)self->height,
                              "framerate", GST_TYPE_FRACTION, (int)self->framerate, 1,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
}

/* Links UPSTREAM to a capsfilter with the channel's caps and the intervideosink, whose sink pad
 * counts into TALLY. The sink neither syncs (the sources are live and pace themselves) nor
 * waits for preroll: a camera on trial has its frames dropped before the sink, and the first
 * frame is what tells us it works. */
static gboolean
add_channel_sink (SpVideoFeed *self, GstBin *bin, GstElement *upstream, Tally *tally,
                  GError **error)
{
  GstElement *filter, *sink;
  g_autoptr (GstCaps) caps = channel_caps (self);
  g_autoptr (GstPad) pad = NULL;

  if (!(filter = sp_gst_add (bin, "capsfilter", NULL, error))
      || !(sink = sp_gst_add (bin, "intervideosink", NULL, error)))
    return FALSE;
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (sink, "channel", self->channel, "sync", FALSE, "async", FALSE, NULL);
  if (!gst_element_link_many (upstream, filter, sink, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Cannot link the video feed's elements");
      return FALSE;
    }
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_sink_buffer, tally_ref (tally),
                     (GDestroyNotify)tally_unref);
  return TRUE;
}

static GstElement *
make_camera_source (SpVideoFeed *self, GstBin *bin, GError **error)
{
  GstElement *source;

  if (self->kind == CAMERA_TEST)
    {
      if (!(source = sp_gst_add (bin, "videotestsrc", NULL, error)))
        return NULL;
      /* Moving content, so that encoders downstream really have work to do. */
      g_object_set (source, "is-live", TRUE, NULL);
      gst_util_set_object_arg (G_OBJECT (source), "pattern", "ball");
    }
  else
    {
      /* Without media.type WirePlumber cannot link the capture stream to any camera and
       * destroys it; set_state then blocks for 30 s (TESTENV.md §3.2). */
      g_autoptr (GstStructure) props
        = gst_structure_new ("props", "media.type", G_TYPE_STRING, "Video", "media.category",
                             G_TYPE_STRING, "Capture", "media.role", G_TYPE_STRING, "Camera",
                             "node.description", G_TYPE_STRING, "Sportello camera feed", NULL);

      if (!(source = sp_gst_add (bin, "pipewiresrc", NULL, error)))
        return NULL;
      /* always-copy: the channel keeps the last frame after the camera is gone, which must
       * not be memory PipeWire unmaps. No keepalive: a stalled camera must look stalled. */
      g_object_set (source, "stream-properties", props, "always-copy", TRUE, "client-name",
                    "sportello", NULL);
      if (self->node != NULL)
        g_object_set (source, "target-object", self->node, NULL);
    }
  return source;
}

static GstElement *
build_camera_pipeline (SpVideoFeed *self, Tally *tally, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("sp-video-feed-camera");
  GstBin *bin = GST_BIN (pipeline);
  GstElement *source, *convert, *scale, *rate;

  if (!(source = make_camera_source (self, bin, error))
      || !(convert = sp_gst_add (bin, "videoconvert", NULL, error))
      || !(scale = sp_gst_add (bin, "videoscale", NULL, error))
      || !(rate = sp_gst_add (bin, "videorate", NULL, error)))
    return NULL;
  if (!gst_element_link_many (source, convert, scale, rate, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Cannot link the camera's elements");
      return NULL;
    }
  if (!add_channel_sink (self, bin, rate, tally, error))
    return NULL;
  return g_steal_pointer (&pipeline);
}

/* The card is drawn once (one test frame with the text on it) and repeated by imagefreeze at
 * the channel's frame rate: a still picture that costs next to nothing per frame. */
static GstElement *
build_card_pipeline (SpVideoFeed *self, Tally *tally, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("sp-video-feed-card");
  GstBin *bin = GST_BIN (pipeline);
  GstElement *source, *filter, *overlay, *freeze;
  g_autoptr (GstCaps) caps = NULL;
  g_autofree char *font = g_strdup_printf ("Sans %u", MAX (8u, self->height / 16));

  if (!(source = sp_gst_add (bin, "videotestsrc", NULL, error))
      || !(filter = sp_gst_add (bin, "capsfilter", NULL, error))
      || !(overlay = sp_gst_add (bin, "textoverlay", NULL, error))
      || !(freeze = sp_gst_add (bin, "imagefreeze", NULL, error)))
    return NULL;
  g_object_set (source, "num-buffers", 1, "foreground-color", CARD_COLOUR, NULL);
  gst_util_set_object_arg (G_OBJECT (source), "pattern", "solid-color");
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                              (int)self->width, "height", G_TYPE_INT, (int)self->height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (overlay, "text", CARD_TEXT, "font-desc", font, NULL);
  gst_util_set_object_arg (G_OBJECT (overlay), "valignment", "center");
  gst_util_set_object_arg (G_OBJECT (overlay), "halignment", "center");
  g_object_set (freeze, "is-live", TRUE, NULL);
  if (!gst_element_link_many (source, filter, overlay, freeze, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Cannot link the camera card's elements");
      return NULL;
    }
  if (!add_channel_sink (self, bin, freeze, tally, error))
    return NULL;
  return g_steal_pointer (&pipeline);
}

/* ---- branches (main context) ---- */

static gboolean
on_camera_bus_message (GstBus *bus, GstMessage *message, gpointer data);
static gboolean
on_card_bus_message (GstBus *bus, GstMessage *message, gpointer data);

static gboolean
captures_from_pipewire (GstElement *pipeline)
{
  g_autoptr (GstIterator) sources
    = gst_bin_iterate_all_by_element_factory_name (GST_BIN (pipeline), "pipewiresrc");
  GValue source = G_VALUE_INIT;
  gboolean found = gst_iterator_next (sources, &source) == GST_ITERATOR_OK;

  g_value_unset (&source);
  return found;
}

/* PipeWire 0.3.65 (Debian 12) has its stream's data thread ask the main loop thread to run the
 * stream's process callback, and pw_stream_destroy() does not withdraw a request still queued:
 * the loop thread then runs it on the freed stream and the whole process dies (SIGSEGV in
 * libpipewire's stream code). pipewiresrc destroys its stream when it goes to NULL, and a
 * capture stopped while it is starting has such requests queued most often. So a capture is
 * first paused, which deactivates its stream so that no new request is made, and the loop
 * thread is given time to run those already queued before the stream is destroyed. */
static void
stop_pipewire_capture_safely (GstElement *pipeline)
{
  if (GST_STATE (pipeline) < GST_STATE_PAUSED || !captures_from_pipewire (pipeline))
    return;
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  g_usleep (PIPEWIRE_DRAIN_US);
}

/* State changes happen off the main context: pipewiresrc waits in PAUSED→PLAYING until its
 * stream is streaming (up to 30 s when no camera can be linked), and going to NULL waits for
 * the streaming thread. Each pipeline has a pool of one thread, so its start and its stop run
 * in order; the stop also drops the pipeline. */
static void
change_state (gpointer data, gpointer user_data)
{
  GstState state = GPOINTER_TO_INT (data);
  GstElement *pipeline = user_data;
  gint64 begin = g_get_monotonic_time ();
  GstStateChangeReturn result;
  gint64 took;

  if (state == GST_STATE_NULL)
    stop_pipewire_capture_safely (pipeline);
  result = gst_element_set_state (pipeline, state);
  took = (g_get_monotonic_time () - begin) / 1000;

  if (state == GST_STATE_PLAYING)
    {
      if (result == GST_STATE_CHANGE_FAILURE)
        {
          g_autoptr (GError) error = g_error_new (GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                                                  "%s cannot start", GST_OBJECT_NAME (pipeline));

          gst_element_post_message (pipeline,
                                    gst_message_new_error (GST_OBJECT (pipeline), error, NULL));
        }
      g_debug ("%s: PLAYING after %" G_GINT64_FORMAT " ms", GST_OBJECT_NAME (pipeline), took);
      return;
    }
  if (took * 1000 > SLOW_TEARDOWN_US)
    g_message ("stopping the video pipeline %s took %" G_GINT64_FORMAT " ms",
               GST_OBJECT_NAME (pipeline), took);
  else
    g_debug ("stopped %s in %" G_GINT64_FORMAT " ms", GST_OBJECT_NAME (pipeline), took);
  gst_object_unref (pipeline);
}

static void
branch_drop (SpVideoFeed *self, Branch **branch_ptr)
{
  Branch *branch = g_steal_pointer (branch_ptr);

  if (branch == NULL)
    return;
  g_source_destroy (branch->bus_watch);
  g_source_unref (branch->bus_watch);
  /* Close first: nothing more from this pipeline reaches the channel, whatever its teardown. */
  g_atomic_int_set (&branch->tally->open, 0);
  self->frames_done += (guint)g_atomic_int_get (&branch->tally->passed);
  tally_unref (branch->tally);
  if (branch->states != NULL)
    {
      g_thread_pool_push (branch->states, GINT_TO_POINTER (GST_STATE_NULL), NULL);
      /* Returns at once; the pool goes away after its last task. */
      g_thread_pool_free (branch->states, FALSE, FALSE);
    }
  else
    change_state (GINT_TO_POINTER (GST_STATE_NULL), branch->pipeline);
  g_free (branch);
}

static Branch *
branch_start (SpVideoFeed *self, gboolean camera, gboolean open, GError **error)
{
  Tally *tally = tally_new (open);
  GstElement *pipeline = camera ? build_camera_pipeline (self, tally, error)
                                : build_card_pipeline (self, tally, error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GError) pool_error = NULL;
  Branch *branch;

  if (pipeline == NULL)
    {
      tally_unref (tally);
      return NULL;
    }
  branch = g_new0 (Branch, 1);
  branch->pipeline = pipeline;
  branch->tally = tally;
  branch->started_at = branch->last_progress = g_get_monotonic_time ();
  bus = gst_element_get_bus (pipeline);
  branch->bus_watch = gst_bus_create_watch (bus);
  if (camera)
    g_source_set_callback (branch->bus_watch, G_SOURCE_FUNC (on_camera_bus_message), self, NULL);
  else
    g_source_set_callback (branch->bus_watch, G_SOURCE_FUNC (on_card_bus_message), self, NULL);
  g_source_attach (branch->bus_watch, self->context);
  /* A start that fails or never completes shows on the bus or as missing frames (the tick). */
  branch->states = g_thread_pool_new (change_state, pipeline, 1, FALSE, &pool_error);
  if (branch->states != NULL)
    g_thread_pool_push (branch->states, GINT_TO_POINTER (GST_STATE_PLAYING), NULL);
  else
    change_state (GINT_TO_POINTER (GST_STATE_PLAYING), pipeline);
  return branch;
}

static guint64
branch_passed (Branch *branch)
{
  return branch ? (guint)g_atomic_int_get (&branch->tally->passed) : 0;
}

/* ---- switching (main context) ---- */

static void
set_source (SpVideoFeed *self, SpVideoFeedSource source, const char *reason)
{
  if (self->source == source)
    return;
  self->source = source;
  if (source == SP_VIDEO_FEED_STOPPED)
    g_message ("video feed %s: stopped", self->channel);
  else
    g_message ("video feed %s: showing the %s (%s)", self->channel,
               source == SP_VIDEO_FEED_CAMERA ? "camera" : "camera-unavailable card", reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

/* Whether a camera is there to be tried, as far as the monitor knows; WHY says why not. */
static gboolean
camera_expected (SpVideoFeed *self, const char **why)
{
  g_autoptr (GVariant) cameras = NULL;
  GVariantIter iter;
  GVariant *camera;

  if (self->kind == CAMERA_TEST || self->monitor == NULL)
    return TRUE;
  if (!sp_camera_monitor_get_available (self->monitor))
    {
      *why = "PipeWire reports no camera";
      return FALSE;
    }
  if (self->node == NULL)
    return TRUE;
  cameras = g_variant_ref_sink (sp_camera_monitor_dup_cameras (self->monitor));
  g_variant_iter_init (&iter, cameras);
  while ((camera = g_variant_iter_next_value (&iter)))
    {
      const char *name = NULL;
      gboolean found
        = g_variant_lookup (camera, "node-name", "&s", &name) && g_strcmp0 (name, self->node) == 0;

      g_variant_unref (camera);
      if (found)
        return TRUE;
    }
  *why = "PipeWire does not list the configured camera";
  return FALSE;
}

static void
start_card (SpVideoFeed *self)
{
  g_autoptr (GError) error = NULL;

  if (self->card_branch != NULL)
    return;
  self->card_branch = branch_start (self, FALSE, TRUE, &error);
  if (self->card_branch == NULL)
    g_warning ("video feed %s: %s", self->channel, error->message);
}

static void
show_card (SpVideoFeed *self, const char *reason)
{
  start_card (self);
  branch_drop (self, &self->camera_branch);
  self->next_attempt = g_get_monotonic_time () + MIN_RETRY_INTERVAL_US;
  set_source (self, SP_VIDEO_FEED_CARD, reason);
}

/* The shown camera went silent: the card covers it, and its capture goes back on trial
 * behind the card, so that the picture returns as soon as frames flow again. */
static void
cover_camera (SpVideoFeed *self, const char *reason)
{
  Branch *camera = self->camera_branch;

  g_atomic_int_set (&camera->tally->open, 0);
  camera->confirmed = FALSE;
  camera->first_frame_at = 0;
  start_card (self);
  set_source (self, SP_VIDEO_FEED_CARD, reason);
}

/* Opens the camera behind the card: its frames are dropped until it passes its trial. */
static void
try_camera (SpVideoFeed *self)
{
  g_autoptr (GError) error = NULL;

  self->last_attempt = g_get_monotonic_time ();
  self->next_attempt = self->last_attempt + RETRY_AFTER_FAILURE_US;
  g_debug ("video feed %s: trying the camera %s again", self->channel, self->camera);
  self->camera_branch = branch_start (self, TRUE, FALSE, &error);
  if (self->camera_branch == NULL)
    g_message ("video feed %s: the camera is still unavailable: %s", self->channel, error->message);
}

static void
camera_failed (SpVideoFeed *self, const char *reason)
{
  if (self->source == SP_VIDEO_FEED_CAMERA)
    {
      show_card (self, reason);
      return;
    }
  /* A trial behind the card: the card stays, the next try comes later. */
  g_message ("video feed %s: the camera is still unavailable: %s", self->channel, reason);
  branch_drop (self, &self->camera_branch);
  self->next_attempt = g_get_monotonic_time () + RETRY_AFTER_FAILURE_US;
}

static void
camera_delivers (SpVideoFeed *self)
{
  Branch *camera = self->camera_branch;
  gint64 first = (camera->first_frame_at - camera->started_at) / 1000;
  g_autofree char *reason = NULL;

  if (self->source == SP_VIDEO_FEED_CAMERA)
    {
      g_debug ("video feed %s: first camera frame after %" G_GINT64_FORMAT " ms", self->channel,
               first);
      return;
    }
  g_atomic_int_set (&camera->tally->open, 1);
  branch_drop (self, &self->card_branch);
  reason = g_strdup_printf ("the camera is back: first frame after %" G_GINT64_FORMAT
                            " ms, steady for %" G_GINT64_FORMAT " ms",
                            first, (g_get_monotonic_time () - camera->first_frame_at) / 1000);
  set_source (self, SP_VIDEO_FEED_CAMERA, reason);
}

/* The camera shown from the start is trusted with its first frame. One tried behind the card
 * must keep delivering for TRIAL_US first: a camera may send a burst of queued frames when
 * linked and then stall (seen with a resumed PipeWire node), and swapping the card for it
 * would only make the picture flap. */
static gboolean
trial_passed (SpVideoFeed *self, Branch *camera, gint64 now)
{
  gint64 recent = MAX (300 * 1000, 3 * G_USEC_PER_SEC / (gint64)self->framerate);

  if (self->source == SP_VIDEO_FEED_CAMERA)
    return TRUE;
  return camera->first_frame_at != 0 && now - camera->first_frame_at >= TRIAL_US
         && now - camera->last_progress <= recent;
}

static void
note_progress (Branch *camera, gint64 now)
{
  gint seen = g_atomic_int_get (&camera->tally->seen);

  if (seen == camera->last_seen)
    return;
  camera->last_seen = seen;
  camera->last_progress = now;
  if (camera->first_frame_at == 0)
    camera->first_frame_at = now;
}

static void
watch_camera (SpVideoFeed *self, Branch *camera, gint64 now)
{
  gint64 silence = now - camera->last_progress;
  gboolean started = camera->last_seen > 0;

  if (silence >= GIVE_UP_SILENCE_US)
    camera_failed (self, started ? "no picture from the camera for 10 s"
                                 : "no picture from the camera within 10 s");
  else if (self->source == SP_VIDEO_FEED_CAMERA && silence >= CARD_AFTER_SILENCE_US)
    cover_camera (self, started ? "no picture from the camera for 3 s"
                                : "no picture from the camera within 3 s");
  else if (!camera->confirmed && trial_passed (self, camera, now))
    {
      camera->confirmed = TRUE;
      camera_delivers (self);
    }
}

static gboolean
on_tick (gpointer data)
{
  SpVideoFeed *self = data;
  gint64 now = g_get_monotonic_time ();
  gboolean starved = self->last_tick != 0 && now - self->last_tick >= LATE_TICK_US;
  Branch *camera = self->camera_branch;
  const char *why = NULL;

  if (camera != NULL)
    {
      /* Silence is counted from the last time this process was watching: frames that a
       * starved camera thread did not deliver meanwhile say nothing about the camera. */
      if (starved)
        camera->last_progress = MAX (camera->last_progress, self->last_tick);
      note_progress (camera, now);
      watch_camera (self, camera, now);
    }
  else if (self->source == SP_VIDEO_FEED_CARD && now >= self->next_attempt
           && camera_expected (self, &why))
    try_camera (self);
  self->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
on_monitor_available (GObject *monitor, GParamSpec *pspec, gpointer data)
{
  SpVideoFeed *self = data;
  const char *why = NULL;
  gboolean expected = camera_expected (self, &why);

  if (self->source == SP_VIDEO_FEED_CAMERA && !expected)
    show_card (self, why);
  else if (self->source == SP_VIDEO_FEED_CARD && !expected && self->camera_branch != NULL)
    camera_failed (self, why);
  else if (self->source == SP_VIDEO_FEED_CARD && expected && self->camera_branch == NULL)
    /* The tick tries soon, but not more than once per MIN_RETRY_INTERVAL. */
    self->next_attempt = MAX (g_get_monotonic_time (), self->last_attempt + MIN_RETRY_INTERVAL_US);
}

static char *
describe_bus_failure (GstMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    return g_strdup ("the camera stream ended");
  gst_message_parse_error (message, &error, &debug);
  g_debug ("%s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), debug ? debug : "");
  return g_strdup_printf ("camera error: %s", error->message);
}

static gboolean
on_camera_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  SpVideoFeed *self = data;
  g_autofree char *reason = NULL;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR
      && GST_MESSAGE_TYPE (message) != GST_MESSAGE_EOS)
    return G_SOURCE_CONTINUE;
  reason = describe_bus_failure (message);
  /* Destroys this very watch: nothing of the branch may be used after this. */
  camera_failed (self, reason);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_card_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  SpVideoFeed *self = data;
  g_autoptr (GError) error = NULL;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (message, &error, NULL);
  g_warning ("video feed %s: the camera card failed: %s", self->channel, error->message);
  branch_drop (self, &self->card_branch);
  return G_SOURCE_CONTINUE;
}

/* ---- public API ---- */

SpVideoFeed *
sp_video_feed_new (const char *camera, SpCameraMonitor *monitor, const char *channel, guint width,
                   guint height, guint framerate)
{
  g_return_val_if_fail (channel != NULL, NULL);

  return g_object_new (SP_TYPE_VIDEO_FEED, "camera", camera, "monitor", monitor, "channel", channel,
                       "width", width ? width : DEFAULT_WIDTH, "height",
                       height ? height : DEFAULT_HEIGHT, "framerate",
                       framerate ? framerate : DEFAULT_FRAMERATE, NULL);
}

gboolean
sp_video_feed_start (SpVideoFeed *self, GError **error)
{
  g_autoptr (GError) camera_error = NULL;
  g_autofree char *node = NULL;
  const char *why = NULL;
  CameraKind kind;

  g_return_val_if_fail (SP_IS_VIDEO_FEED (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->started)
    return TRUE;
  if (!parse_camera (self->camera, &kind, &node, error) || !sp_gst_init (error)
      || !check_elements (kind, error))
    return FALSE;
  self->kind = kind;
  g_free (self->node);
  self->node = g_steal_pointer (&node);
  self->started = TRUE;
  self->context = g_main_context_ref_thread_default ();
  self->frames_done = 0;
  self->last_tick = 0;
  self->last_attempt = g_get_monotonic_time ();
  if (self->monitor != NULL)
    self->monitor_handler = g_signal_connect (self->monitor, "notify::available",
                                              G_CALLBACK (on_monitor_available), self);
  self->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick, on_tick, self, NULL);
  g_source_attach (self->tick, self->context);

  if (!camera_expected (self, &why))
    show_card (self, why);
  else if ((self->camera_branch = branch_start (self, TRUE, TRUE, &camera_error)) == NULL)
    show_card (self, camera_error->message);
  else
    set_source (self, SP_VIDEO_FEED_CAMERA, "started");
  return TRUE;
}

void
sp_video_feed_stop (SpVideoFeed *self)
{
  g_return_if_fail (SP_IS_VIDEO_FEED (self));

  if (!self->started)
    return;
  self->started = FALSE;
  g_clear_signal_handler (&self->monitor_handler, self->monitor);
  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  branch_drop (self, &self->camera_branch);
  branch_drop (self, &self->card_branch);
  g_clear_pointer (&self->context, g_main_context_unref);
  set_source (self, SP_VIDEO_FEED_STOPPED, NULL);
}

SpVideoFeedSource
sp_video_feed_get_source (SpVideoFeed *self)
{
  g_return_val_if_fail (SP_IS_VIDEO_FEED (self), SP_VIDEO_FEED_STOPPED);

  return self->source;
}

guint64
sp_video_feed_get_frames (SpVideoFeed *self)
{
  g_return_val_if_fail (SP_IS_VIDEO_FEED (self), 0);

  return self->frames_done + branch_passed (self->camera_branch)
         + branch_passed (self->card_branch);
}

/* ---- GObject ---- */

static void
sp_video_feed_dispose (GObject *object)
{
  SpVideoFeed *self = SP_VIDEO_FEED (object);

  sp_video_feed_stop (self);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (sp_video_feed_parent_class)->dispose (object);
}

static void
sp_video_feed_finalize (GObject *object)
{
  SpVideoFeed *self = SP_VIDEO_FEED (object);

  g_free (self->camera);
  g_free (self->channel);
  g_free (self->node);
  G_OBJECT_CLASS (sp_video_feed_parent_class)->finalize (object);
}

static void
sp_video_feed_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpVideoFeed *self = SP_VIDEO_FEED (object);

  switch (prop_id)
    {
      case PROP_CAMERA:
        g_value_set_string (value, self->camera);
        break;
      case PROP_MONITOR:
        g_value_set_object (value, self->monitor);
        break;
      case PROP_CHANNEL:
        g_value_set_string (value, self->channel);
        break;
      case PROP_WIDTH:
        g_value_set_uint (value, self->width);
        break;
      case PROP_HEIGHT:
        g_value_set_uint (value, self->height);
        break;
      case PROP_FRAMERATE:
        g_value_set_uint (value, self->framerate);
        break;
      case PROP_SOURCE:
        g_value_set_enum (value, self->source);
        break;
      case PROP_FRAMES:
        g_value_set_uint64 (value, sp_video_feed_get_frames (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_video_feed_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SpVideoFeed *self = SP_VIDEO_FEED (object);

  switch (prop_id)
    {
      case PROP_CAMERA:
        self->camera = g_value_dup_string (value);
        break;
      case PROP_MONITOR:
        self->monitor = g_value_dup_object (value);
        break;
      case PROP_CHANNEL:
        self->channel = g_value_dup_string (value);
        break;
      case PROP_WIDTH:
        self->width = g_value_get_uint (value);
        break;
      case PROP_HEIGHT:
        self->height = g_value_get_uint (value);
        break;
      case PROP_FRAMERATE:
        self->framerate = g_value_get_uint (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_video_feed_class_init (SpVideoFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = sp_video_feed_dispose;
  object_class->finalize = sp_video_feed_finalize;
  object_class->get_property = sp_video_feed_get_property;
  object_class->set_property = sp_video_feed_set_property;
  properties[PROP_CAMERA] = g_param_spec_string ("camera", NULL, NULL, NULL, construct);
  properties[PROP_MONITOR]
    = g_param_spec_object ("monitor", NULL, NULL, SP_TYPE_CAMERA_MONITOR, construct);
  properties[PROP_CHANNEL] = g_param_spec_string ("channel", NULL, NULL, NULL, construct);
  properties[PROP_WIDTH]
    = g_param_spec_uint ("width", NULL, NULL, 16, 7680, DEFAULT_WIDTH, construct);
  properties[PROP_HEIGHT]
    = g_param_spec_uint ("height", NULL, NULL, 16, 4320, DEFAULT_HEIGHT, construct);
  properties[PROP_FRAMERATE]
    = g_param_spec_uint ("framerate", NULL, NULL, 1, 120, DEFAULT_FRAMERATE, construct);
  properties[PROP_SOURCE]
    = g_param_spec_enum ("source", NULL, NULL, SP_TYPE_VIDEO_FEED_SOURCE, SP_VIDEO_FEED_STOPPED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRAMES] = g_param_spec_uint64 ("frames", NULL, NULL, 0, G_MAXUINT64, 0,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_video_feed_init (SpVideoFeed *self)
{
  self->source = SP_VIDEO_FEED_STOPPED;
}
