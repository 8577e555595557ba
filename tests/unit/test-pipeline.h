/* GStreamer pipelines the media unit tests play the far end with. */
#pragma once

#include <gst/gst.h>

/* DESCRIPTION (gst-launch syntax) built and set PLAYING; the test fails if either fails. */
GstElement *
test_pipeline_launch (const char *description);
