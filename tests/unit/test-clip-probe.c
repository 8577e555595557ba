/* sp_clip_probe() on real files made by GStreamer for each run: a red VP8 WebM, a green H.264
 * MP4 (when openh264 is installed), a blue WebM with Opus sound, PNG and JPEG stills; and files
 * it must refuse: the first half of the WebM, text named .webm, an unknown codec, sound only,
 * a missing path. Thumbnails are decoded back and their colour checked. */
#include "test-gst-exit.h"
#include "sp-clip-probe.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

typedef struct
{
  char *dir;
} Fixture;

typedef struct
{
  guint8 r, g, b;
} Rgb;

static char *
make_file (Fixture *f, const char *name, const char *pipeline_text)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("%s ! filesink location=%s", pipeline_text, path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (text, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return g_steal_pointer (&path);
}

#define RED_VP8                                                                                    \
  "videotestsrc num-buffers=60 pattern=solid-color foreground-color=0xffff0000"                    \
  " ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc ! webmmux"

static char *
make_red_webm (Fixture *f)
{
  return make_file (f, "red.webm", RED_VP8);
}

/* The mean colour of a PNG, decoded by GStreamer. */
static Rgb
png_colour (const char *path, guint *width, guint *height)
{
  g_autofree char *text = g_strdup_printf (
    "filesrc location=%s ! pngdec ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink",
    path);
  g_autoptr (GstElement) pipeline = gst_parse_launch (text, NULL);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_autoptr (GstSample) sample = NULL;
  GstStructure *structure;
  GstMapInfo map;
  int w = 0, h = 0;
  guint64 sum[3] = { 0 };
  Rgb mean;

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  g_signal_emit_by_name (sink, "try-pull-preroll", (GstClockTime)(10 * GST_SECOND), &sample);
  g_assert_nonnull (sample);
  structure = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  gst_structure_get_int (structure, "width", &w);
  gst_structure_get_int (structure, "height", &h);
  g_assert_true (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ));
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        sum[c] += map.data[(gsize)y * GST_ROUND_UP_4 ((gsize)w * 3) + (gsize)x * 3 + (gsize)c];
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  *width = (guint)w;
  *height = (guint)h;
  mean.r = (guint8)(sum[0] / ((guint64)w * (guint64)h));
  mean.g = (guint8)(sum[1] / ((guint64)w * (guint64)h));
  mean.b = (guint8)(sum[2] / ((guint64)w * (guint64)h));
  return mean;
}

static void
assert_thumbnail (const char *path, Rgb expected)
{
  guint width = 0, height = 0;
  Rgb mean = png_colour (path, &width, &height);

  g_assert_cmpuint (width, ==, SP_CLIP_THUMBNAIL_WIDTH);
  g_assert_cmpuint (height, ==, SP_CLIP_THUMBNAIL_HEIGHT);
  g_assert_cmpint (ABS ((int)mean.r - expected.r), <=, 40);
  g_assert_cmpint (ABS ((int)mean.g - expected.g), <=, 40);
  g_assert_cmpint (ABS ((int)mean.b - expected.b), <=, 40);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("sp-clip-probe-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
assert_video (Fixture *f, const char *path, gboolean audio, const char *extension, Rgb colour)
{
  g_autofree char *thumbnail = g_build_filename (f->dir, "thumb.png", NULL);
  g_autoptr (GError) error = NULL;
  SpClipInfo info;

  sp_clip_probe (path, 0, thumbnail, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.kind, ==, SP_CLIP_KIND_VIDEO);
  g_assert_cmpstr (sp_clip_kind_to_string (info.kind), ==, "video");
  g_assert_cmpuint (info.duration_ms, >=, 1800);
  g_assert_cmpuint (info.duration_ms, <=, 2200);
  g_assert_cmpint (info.has_audio, ==, audio);
  g_assert_cmpuint (info.width, ==, 320);
  g_assert_cmpuint (info.height, ==, 240);
  g_assert_cmpstr (info.extension, ==, extension);
  assert_thumbnail (thumbnail, colour);
}

static void
test_webm (Fixture *f, gconstpointer data)
{
  g_autofree char *path = make_red_webm (f);

  assert_video (f, path, FALSE, "webm", (Rgb){ 255, 0, 0 });
}

static void
test_mp4 (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autoptr (GstElementFactory) encoder = gst_element_factory_find ("openh264enc");
  g_autoptr (GstElementFactory) decoder = gst_element_factory_find ("openh264dec");

  if (!encoder || !decoder)
    {
      g_test_skip ("openh264 is not installed");
      return;
    }
  path = make_file (f, "green.mp4",
                    "videotestsrc num-buffers=60 pattern=solid-color foreground-color=0xff00ff00"
                    " ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert"
                    " ! openh264enc ! h264parse ! mp4mux");
  assert_video (f, path, FALSE, "mp4", (Rgb){ 0, 255, 0 });
}

static void
test_webm_with_sound (Fixture *f, gconstpointer data)
{
  g_autofree char *path
    = make_file (f, "blue.webm",
                 "videotestsrc num-buffers=60 pattern=solid-color foreground-color=0xff0000ff"
                 " ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc ! mux."
                 " audiotestsrc num-buffers=100 samplesperbuffer=960"
                 " ! audio/x-raw,rate=48000,channels=1 ! opusenc ! mux. webmmux name=mux");

  assert_video (f, path, TRUE, "webm", (Rgb){ 0, 0, 255 });
}

static void
test_images (Fixture *f, gconstpointer data)
{
  g_autofree char *png
    = make_file (f, "yellow.png",
                 "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xffffff00"
                 " ! video/x-raw,width=640,height=480 ! pngenc");
  g_autofree char *jpeg
    = make_file (f, "cyan.jpg",
                 "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff00ffff"
                 " ! video/x-raw,width=320,height=240 ! jpegenc");
  g_autofree char *thumbnail = g_build_filename (f->dir, "thumb.png", NULL);
  g_autoptr (GError) error = NULL;
  SpClipInfo info;

  sp_clip_probe (png, 0, thumbnail, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.kind, ==, SP_CLIP_KIND_IMAGE);
  g_assert_cmpstr (sp_clip_kind_to_string (info.kind), ==, "image");
  g_assert_cmpuint (info.duration_ms, ==, SP_CLIP_DEFAULT_IMAGE_MS);
  g_assert_false (info.has_audio);
  g_assert_cmpuint (info.width, ==, 640);
  g_assert_cmpstr (info.extension, ==, "png");
  assert_thumbnail (thumbnail, (Rgb){ 255, 255, 0 });

  sp_clip_probe (jpeg, 12000, thumbnail, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.kind, ==, SP_CLIP_KIND_IMAGE);
  g_assert_cmpuint (info.duration_ms, ==, 12000);
  g_assert_cmpstr (info.extension, ==, "jpg");
  assert_thumbnail (thumbnail, (Rgb){ 0, 255, 255 });
}

static void
assert_refused (const char *path, const char *reason)
{
  g_autoptr (GError) error = NULL;
  SpClipInfo info;

  g_assert_false (sp_clip_probe (path, 0, NULL, &info, NULL, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA);
  g_test_message ("%s: %s", path, error->message);
  if (!strstr (error->message, reason))
    g_error ("'%s' does not say '%s'", error->message, reason);
}

static char *
write_bytes (Fixture *f, const char *name, const char *bytes, gsize length)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, bytes, (gssize)length, &error));
  return g_steal_pointer (&path);
}

static void
test_truncated (Fixture *f, gconstpointer data)
{
  g_autofree char *whole = make_red_webm (f);
  g_autofree char *bytes = NULL;
  g_autofree char *half = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (whole, &bytes, &length, NULL));
  half = write_bytes (f, "half.webm", bytes, length / 2);
  assert_refused (half, "truncated");
}

/* An H.264 elementary stream has no container and no length: it is decoded to the end to
 * measure it (h264parse times the pictures by the frame rate x264 writes); without a rate there
 * is nothing to measure. */
static void
test_no_length (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autofree char *no_rate = NULL;
  g_autofree char *thumbnail = g_build_filename (f->dir, "thumb.png", NULL);
  g_autoptr (GstElementFactory) x264 = gst_element_factory_find ("x264enc");
  g_autoptr (GstElementFactory) openh264 = gst_element_factory_find ("openh264enc");
  g_autoptr (GstElementFactory) decoder = gst_element_factory_find ("openh264dec");
  g_autoptr (GError) error = NULL;
  SpClipInfo info;

  if (!x264 || !openh264 || !decoder)
    {
      g_test_skip ("x264 or openh264 is not installed");
      return;
    }
  path = make_file (f, "magenta.h264",
                    "videotestsrc num-buffers=60 pattern=solid-color foreground-color=0xffff00ff"
                    " ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc"
                    " ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream");
  sp_clip_probe (path, 0, thumbnail, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.kind, ==, SP_CLIP_KIND_VIDEO);
  g_assert_cmpuint (info.duration_ms, >=, 1800);
  g_assert_cmpuint (info.duration_ms, <=, 2200);
  assert_thumbnail (thumbnail, (Rgb){ 255, 0, 255 });

  /* openh264 writes no rate. */
  no_rate
    = make_file (f, "no-rate.h264",
                 "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1"
                 " ! videoconvert ! openh264enc ! h264parse"
                 " ! video/x-h264,stream-format=byte-stream");
  assert_refused (no_rate, "has no length");
}

/* The header of a good clip followed by noise. */
static void
test_damaged (Fixture *f, gconstpointer data)
{
  g_autofree char *whole = make_red_webm (f);
  g_autofree char *bytes = NULL;
  g_autofree char *path = NULL;
  g_autofree char *png = NULL;
  g_autofree char *half_png = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  gsize length = 0;

  g_assert_true (g_file_get_contents (whole, &bytes, &length, NULL));
  for (gsize i = 300; i < length; i++)
    bytes[i] = (char)g_rand_int_range (rand, 0, 256);
  path = write_bytes (f, "noise.webm", bytes, length);
  assert_refused (path, "");

  png = make_file (f, "noisy.png",
                   "videotestsrc num-buffers=1 pattern=snow ! video/x-raw,width=320,height=240"
                   " ! pngenc");
  g_clear_pointer (&bytes, g_free);
  g_assert_true (g_file_get_contents (png, &bytes, &length, NULL));
  half_png = write_bytes (f, "half.png", bytes, length / 2);
  assert_refused (half_png, "");
}

/* One picture in a video container is not a clip. */
static void
test_single_picture (Fixture *f, gconstpointer data)
{
  g_autofree char *path
    = make_file (f, "one.webm",
                 "videotestsrc num-buffers=1 ! video/x-raw,width=320,height=240,framerate=30/1"
                 " ! vp8enc ! webmmux");

  assert_refused (path, "single picture");
}

static void
test_not_media (Fixture *f, gconstpointer data)
{
  static const char text[] = "This is a text file, not a clip.\n";
  g_autofree char *path = write_bytes (f, "text.webm", text, sizeof text - 1);
  g_autofree char *empty = write_bytes (f, "empty.webm", "", 0);

  assert_refused (path, "is not in a video or image format");
  assert_refused (empty, "");
  assert_refused (f->dir, "not a regular file");
}

/* A Matroska codec id nobody knows: the container is fine, no decoder exists. */
static void
test_unknown_codec (Fixture *f, gconstpointer data)
{
  g_autofree char *whole = make_red_webm (f);
  g_autofree char *bytes = NULL;
  g_autofree char *path = NULL;
  gsize length = 0;
  gsize at = 0;

  g_assert_true (g_file_get_contents (whole, &bytes, &length, NULL));
  while (at + 5 <= length && memcmp (bytes + at, "V_VP8", 5) != 0)
    at++;
  g_assert_cmpuint (at + 5, <=, length);
  memcpy (bytes + at, "V_QQ8", 5);
  path = write_bytes (f, "unknown.webm", bytes, length);
  assert_refused (path, "needs a decoder that is not installed: video/x-unknown (codec V_QQ8)");
}

static void
test_sound_only (Fixture *f, gconstpointer data)
{
  g_autofree char *path
    = make_file (f, "sound.ogg", "audiotestsrc num-buffers=50 ! audioconvert ! opusenc ! oggmux");

  assert_refused (path, "has no picture to show (only sound)");
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "nope.webm", NULL);
  g_autoptr (GError) error = NULL;
  SpClipInfo info;

  g_assert_false (sp_clip_probe (path, 0, NULL, &info, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

typedef struct
{
  GMainLoop *loop;
  gboolean done;
  gboolean ok;
  GError *error;
  SpClipInfo info;
  guint ticks; /* the main context kept running while the probe worked */
} AsyncResult;

static void
on_probed (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncResult *r = data;

  r->ok = sp_clip_probe_finish (result, &r->info, &r->error);
  r->done = TRUE;
  g_main_loop_quit (r->loop);
}

static gboolean
on_tick (gpointer data)
{
  ((AsyncResult *)data)->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_async (Fixture *f, gconstpointer data)
{
  g_autofree char *path = make_red_webm (f);
  g_autofree char *thumbnail = g_build_filename (f->dir, "thumb.png", NULL);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  AsyncResult r = { loop };
  guint tick = g_timeout_add (1, on_tick, &r);

  sp_clip_probe_async (path, 0, thumbnail, NULL, on_probed, &r);
  /* Nothing was decoded on this thread: the thumbnail comes later. */
  g_assert_false (g_file_test (thumbnail, G_FILE_TEST_EXISTS));
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.info.kind, ==, SP_CLIP_KIND_VIDEO);
  /* The main context kept running while the probe worked. */
  g_assert_cmpuint (r.ticks, >=, 3);
  g_assert_true (g_file_test (thumbnail, G_FILE_TEST_IS_REGULAR));

  /* Cancelled: no result, a cancelled error. */
  r = (AsyncResult){ loop };
  g_cancellable_cancel (cancellable);
  sp_clip_probe_async (path, 0, NULL, cancellable, on_probed, &r);
  g_main_loop_run (loop);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_source_remove (tick);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_add ("/clip-probe/webm", Fixture, NULL, fixture_set_up, test_webm, fixture_tear_down);
  g_test_add ("/clip-probe/mp4", Fixture, NULL, fixture_set_up, test_mp4, fixture_tear_down);
  g_test_add ("/clip-probe/no-length", Fixture, NULL, fixture_set_up, test_no_length,
              fixture_tear_down);
  g_test_add ("/clip-probe/webm-with-sound", Fixture, NULL, fixture_set_up, test_webm_with_sound,
              fixture_tear_down);
  g_test_add ("/clip-probe/images", Fixture, NULL, fixture_set_up, test_images, fixture_tear_down);
  g_test_add ("/clip-probe/truncated", Fixture, NULL, fixture_set_up, test_truncated,
              fixture_tear_down);
  g_test_add ("/clip-probe/damaged", Fixture, NULL, fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add ("/clip-probe/single-picture", Fixture, NULL, fixture_set_up, test_single_picture,
              fixture_tear_down);
  g_test_add ("/clip-probe/not-media", Fixture, NULL, fixture_set_up, test_not_media,
              fixture_tear_down);
  g_test_add ("/clip-probe/unknown-codec", Fixture, NULL, fixture_set_up, test_unknown_codec,
              fixture_tear_down);
  g_test_add ("/clip-probe/sound-only", Fixture, NULL, fixture_set_up, test_sound_only,
              fixture_tear_down);
  g_test_add ("/clip-probe/missing", Fixture, NULL, fixture_set_up, test_missing,
              fixture_tear_down);
  g_test_add ("/clip-probe/async", Fixture, NULL, fixture_set_up, test_async, fixture_tear_down);
  /* Joins GStreamer's task threads (the decoders' and OpenH264's) before LeakSanitizer stops
   * the world at exit: a thread still winding down made its tracer crash (a fatal error, not a
   * leak) on a busy machine. */
  return test_gst_exit (g_test_run ());
}
