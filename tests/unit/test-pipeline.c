/* See test-pipeline.h. */
#include "test-pipeline.h"

#include <gst/app/gstappsink.h>
#include <string.h>

GstElement *
test_pipeline_launch (const char *description)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return pipeline;
}

void
test_pipeline_stop (GstElement **pipeline)
{
  if (*pipeline == NULL)
    return;
  gst_element_set_state (*pipeline, GST_STATE_NULL);
  gst_clear_object (pipeline);
}

void
test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

gboolean
test_pipeline_wait_colour (GstElement *pipeline, guint8 r, guint8 g, guint8 b, guint ms)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "in");
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;
  guint8 seen[3] = { 0 };
  gint distance = G_MAXINT;

  while (distance >= 60 && g_get_monotonic_time () < end)
    {
      g_autoptr (GstSample) sample
        = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), GST_SECOND / 20);
      GstMapInfo map;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (sample == NULL)
        continue;
      gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
      memcpy (seen, map.data + (map.size / 2 / 3) * 3, 3);
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      distance = ABS (seen[0] - r) + ABS (seen[1] - g) + ABS (seen[2] - b);
    }
  g_test_message ("the channel shows %u,%u,%u (expected %u,%u,%u)", seen[0], seen[1], seen[2], r, g,
                  b);
  return distance < 60;
}

char *
test_pipeline_make_clip (const char *colour, guint seconds, gboolean audio, guint width,
                         guint height)
{
  g_autofree char *dir = g_dir_make_tmp ("sp-clip-XXXXXX", NULL);
  char *path = g_build_filename (dir, "clip.webm", NULL);
  g_autofree char *description = g_strdup_printf (
    "webmmux name=mux ! filesink location=%s "
    "videotestsrc num-buffers=%u pattern=solid-color foreground-color=%s ! "
    "video/x-raw,width=%u,height=%u,framerate=30/1 ! vp8enc deadline=1 ! mux. %s",
    path, seconds * 30, colour, width, height,
    audio ? "audiotestsrc num-buffers=100 freq=1500 ! audioconvert ! opusenc ! mux." : "");
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = NULL;

  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return path;
}
