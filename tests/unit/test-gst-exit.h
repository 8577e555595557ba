/* For the main() of a unit test that runs GStreamer.
 *
 * LeakSanitizer checks for leaks when the program exits, with every other thread stopped. A
 * thread caught on its way out (its stack being unmapped) crashes that check ("Tracer caught
 * signal 11": the test fails after all of it passed). GLib's thread pools, which run
 * GStreamer's streaming tasks, stop idle threads at any moment: after 15 s of idleness, or at
 * once beyond two unused ones. test_gst_keep_threads() keeps them, so that no pool thread exits
 * by itself; test_gst_exit() then waits for the streaming tasks to end (gst_deinit). */
#pragma once

#include <glib.h>
#include <gst/gst.h>

static inline void
test_gst_keep_threads (void)
{
  g_thread_pool_set_max_unused_threads (-1);
  g_thread_pool_set_max_idle_time (0);
}

static inline int
test_gst_exit (int status)
{
  gst_deinit ();
  return status;
}
