/* For the main() of a unit test that runs GStreamer: ends GStreamer before the program exits,
 * so that its streaming tasks are over (gst_deinit waits for them) when LeakSanitizer checks
 * for leaks with every other thread stopped. A thread caught on its way out crashes that check
 * ("Tracer caught signal 11", a failure after every test passed). */
#pragma once

#include <gst/gst.h>

static inline int
test_gst_exit (int status)
{
  gst_deinit ();
  return status;
}
