/* The call's Opus elements (service/media/sp-opus-encoder.c, sp-opus-decoder.c) against
 * GStreamer's own opusenc/opusdec, in both directions: a 1 kHz tone survives the round trip
 * (measured by a Goertzel filter), every 20 ms of sound makes one packet, and packets that are
 * not Opus are dropped without stopping the stream. */
#include "test-gst-exit.h"
#include "sp-gst.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#define RATE 48000
#define TONE_HZ 1000.0

typedef struct
{
  GstElement *pipeline;
  GstElement *sink;
} Run;

static void
run_start (Run *run, const char *description)
{
  g_autoptr (GError) error = NULL;

  run->pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  run->sink = gst_bin_get_by_name (GST_BIN (run->pipeline), "out");
  g_assert_nonnull (run->sink);
  g_assert_cmpint (gst_element_set_state (run->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
}

static void
run_stop (Run *run)
{
  gst_element_set_state (run->pipeline, GST_STATE_NULL);
  gst_clear_object (&run->sink);
  gst_clear_object (&run->pipeline);
}

/* Every buffer the pipeline's "out" appsink gets until EOS; an error fails the test. */
static GPtrArray *
collect (Run *run)
{
  GPtrArray *buffers = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_buffer_unref);
  g_autoptr (GstBus) bus = gst_element_get_bus (run->pipeline);
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (run->sink), 10 * GST_SECOND)))
    {
      g_ptr_array_add (buffers, gst_buffer_ref (gst_sample_get_buffer (sample)));
      gst_sample_unref (sample);
    }
  g_autoptr (GstMessage) error = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (error != NULL)
    {
      g_autoptr (GError) e = NULL;
      gst_message_parse_error (error, &e, NULL);
      g_error ("The pipeline failed: %s", e->message);
    }
  g_assert_true (gst_app_sink_is_eos (GST_APP_SINK (run->sink)));
  return buffers;
}

/* Runs DESCRIPTION to its end: every buffer its "out" appsink got. */
static GPtrArray *
run_to_end (const char *description)
{
  Run run = { 0 };
  GPtrArray *buffers;

  run_start (&run, description);
  buffers = collect (&run);
  run_stop (&run);
  return buffers;
}

static gsize
total_bytes (GPtrArray *buffers)
{
  gsize bytes = 0;

  for (guint i = 0; i < buffers->len; i++)
    bytes += gst_buffer_get_size (buffers->pdata[i]);
  return bytes;
}

/* The power at FREQUENCY relative to the whole signal's, over S16 mono samples. */
static double
tone_share (const gint16 *samples, gsize count, double frequency)
{
  double coefficient = 2.0 * cos (2.0 * G_PI * frequency / RATE);
  double s1 = 0, s2 = 0, energy = 0;

  for (gsize i = 0; i < count; i++)
    {
      double s0 = samples[i] + coefficient * s1 - s2;

      s2 = s1;
      s1 = s0;
      energy += (double)samples[i] * samples[i];
    }
  if (energy == 0)
    return 0;
  return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (energy * count / 2.0);
}

static double
tone_share_of (GPtrArray *buffers, gsize skip_samples)
{
  g_autoptr (GByteArray) all = g_byte_array_new ();

  for (guint i = 0; i < buffers->len; i++)
    {
      GstMapInfo map;

      gst_buffer_map (buffers->pdata[i], &map, GST_MAP_READ);
      g_byte_array_append (all, map.data, map.size);
      gst_buffer_unmap (buffers->pdata[i], &map);
    }
  g_assert_cmpuint (all->len / 2, >, skip_samples + RATE / 2);
  return tone_share ((const gint16 *)all->data + skip_samples, all->len / 2 - skip_samples,
                     TONE_HZ);
}

static void
test_encoder_to_opusdec (void)
{
  g_autoptr (GPtrArray) packets = NULL;
  g_autoptr (GPtrArray) decoded = NULL;

  /* One second of tone: 50 packets of 20 ms. */
  packets = run_to_end ("audiotestsrc freq=1000 samplesperbuffer=960 num-buffers=50 volume=0.5"
                        " ! audio/x-raw,rate=48000,channels=1,format=S16LE ! sportelloopusenc"
                        " ! appsink name=out sync=false");
  g_assert_cmpuint (packets->len, ==, 50);
  for (guint i = 0; i < packets->len; i++)
    g_assert_cmpuint (gst_buffer_get_size (packets->pdata[i]), <=, 1275);

  decoded = run_to_end ("audiotestsrc freq=1000 samplesperbuffer=960 num-buffers=50 volume=0.5"
                        " ! audio/x-raw,rate=48000,channels=1,format=S16LE ! sportelloopusenc"
                        " ! opusdec ! audioconvert ! audio/x-raw,format=S16LE,channels=1,rate=48000"
                        " ! appsink name=out sync=false");
  g_assert_cmpfloat (tone_share_of (decoded, 960), >, 0.9);
}

static void
test_opusenc_to_decoder (void)
{
  g_autoptr (GPtrArray) decoded = NULL;
  gsize bytes;

  /* A stereo stream, as some phones send (RFC 7587 §7: decoded to mono here). */
  decoded = run_to_end ("audiotestsrc freq=1000 samplesperbuffer=960 num-buffers=50 volume=0.5"
                        " ! audio/x-raw,rate=48000,channels=2 ! opusenc frame-size=20"
                        " ! sportelloopusdec ! appsink name=out sync=false");
  bytes = total_bytes (decoded);
  /* Mono, every packet whole (opusenc adds one at the end for its look-ahead). */
  g_assert_cmpuint (bytes % (960 * 2), ==, 0);
  g_assert_cmpuint (bytes, >=, 50 * 960 * 2);
  g_assert_cmpuint (bytes, <=, 51 * 960 * 2);
  g_assert_cmpfloat (tone_share_of (decoded, 960), >, 0.9);
}

static void
push_packet (GstAppSrc *src, const guint8 *data, gsize size, guint index)
{
  GstBuffer *buffer = gst_buffer_new_memdup (data, size);

  GST_BUFFER_PTS (buffer) = index * 20 * GST_MSECOND;
  GST_BUFFER_DURATION (buffer) = 20 * GST_MSECOND;
  g_assert_cmpint (gst_app_src_push_buffer (src, buffer), ==, GST_FLOW_OK);
}

static void
push_packets (GstAppSrc *src, GPtrArray *packets, guint from, guint to, guint *index)
{
  for (guint i = from; i < to; i++)
    {
      GstMapInfo map;

      gst_buffer_map (packets->pdata[i], &map, GST_MAP_READ);
      push_packet (src, map.data, map.size, (*index)++);
      gst_buffer_unmap (packets->pdata[i], &map);
    }
}

static void
test_garbage_is_dropped (void)
{
  Run run = { 0 };
  g_autoptr (GPtrArray) packets = NULL;
  g_autoptr (GPtrArray) decoded = NULL;
  g_autoptr (GstElement) src = NULL;
  /* A TOC byte claiming code 3 with a frame count of 0 (RFC 6716 §3.2.5: invalid). */
  static const guint8 invalid[] = { 0xfb, 0x00 };
  static const guint8 noise[] = { 0x7f, 0x03, 0xff, 0xff, 0xff, 0xff, 0x00 };
  guint index = 0;

  packets = run_to_end ("audiotestsrc freq=1000 samplesperbuffer=960 num-buffers=10"
                        " ! audio/x-raw,rate=48000,channels=1,format=S16LE ! sportelloopusenc"
                        " ! appsink name=out sync=false");

  run_start (&run, "appsrc name=in format=time caps=\"audio/x-opus,channel-mapping-family=0\""
                   " ! sportelloopusdec ! appsink name=out sync=false");
  src = gst_bin_get_by_name (GST_BIN (run.pipeline), "in");
  push_packets (GST_APP_SRC (src), packets, 0, 5, &index);
  /* More bad packets in a row than GstAudioDecoder's default error budget. */
  for (guint i = 0; i < 30; i++)
    push_packet (GST_APP_SRC (src), i % 2 ? invalid : noise, i % 2 ? sizeof invalid : sizeof noise,
                 index++);
  push_packets (GST_APP_SRC (src), packets, 5, packets->len, &index);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  decoded = collect (&run);
  run_stop (&run);
  /* The ten good packets are all there; what the bad ones decode to (if anything) is short. */
  g_assert_cmpuint (total_bytes (decoded), >=, 10 * 960 * 2);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (sp_gst_init (&error));
  g_test_add_func ("/opus/encoder-to-opusdec", test_encoder_to_opusdec);
  g_test_add_func ("/opus/opusenc-to-decoder", test_opusenc_to_decoder);
  g_test_add_func ("/opus/garbage-is-dropped", test_garbage_is_dropped);
  return test_gst_exit (g_test_run ());
}
