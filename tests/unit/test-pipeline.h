/* GStreamer pipelines the media unit tests play the far end with. */
#pragma once

#include <gst/gst.h>

/* DESCRIPTION (gst-launch syntax) built and set PLAYING; the test fails if either fails. */
GstElement *
test_pipeline_launch (const char *description);
/* Sets *PIPELINE to NULL state and drops it; nothing for NULL. */
void
test_pipeline_stop (GstElement **pipeline);
/* Runs the main context for MS ms. */
void
test_spin (guint ms);

/* Runs the main context until EXPR holds or MS ms have passed. */
#define TEST_WAIT_UNTIL(expr, ms)                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 test_wait_deadline = g_get_monotonic_time () + (gint64)(ms)*1000;                       \
    while (!(expr) && g_get_monotonic_time () < test_wait_deadline)                                \
      test_spin (10);                                                                              \
  }                                                                                                \
  G_STMT_END
/* The middle of the newest picture the appsink named "in" of PIPELINE holds shows R,G,B (give
 * or take 60 over the three) within MS ms; the main context runs meanwhile. An intervideosrc
 * shows black until pictures come. The colour seen is logged either way. */
gboolean
test_pipeline_wait_colour (GstElement *pipeline, guint8 r, guint8 g, guint8 b, guint ms);
/* A WebM clip (VP8, WIDTHxHEIGHT) of SECONDS seconds of one COLOUR (videotestsrc's
 * foreground-color: "0xAARRGGBB"), with a 1500 Hz tone when AUDIO; the caller owns the path. */
char *
test_pipeline_make_clip (const char *colour, guint seconds, gboolean audio, guint width,
                         guint height);
