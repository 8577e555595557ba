/* Source and sink bins for the agent's audio. PipeWire streams carry media.role=Communication
 * so the session manager routes them like any softphone (and applies its ducking policy);
 * capture streams also need media.type/category or WirePlumber may not link them (TESTENV §3). */
#include "sp-audio-devices.h"
#include "sp-gst.h"
#include "sp-media-error.h"

#include <string.h>

#define FILE_PREFIX "file:"

static void
ghost (GstBin *bin, GstElement *element, const char *pad_name)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);

  gst_element_add_pad (GST_ELEMENT (bin), gst_ghost_pad_new (pad_name, pad));
}

static void
set_stream_properties (GstElement *element, const char *category)
{
  g_autoptr (GstStructure) props = gst_structure_new (
    "props", "media.type", G_TYPE_STRING, "Audio", "media.category", G_TYPE_STRING, category,
    "media.role", G_TYPE_STRING, "Communication", NULL);

  g_object_set (element, "stream-properties", props, "client-name", "Sportello", NULL);
}

static GstElement *
new_bin (void)
{
  return gst_object_ref_sink (gst_bin_new (NULL));
}

static GstElement *
live_tone (GstBin *bin, const char *wave, gdouble frequency, GError **error)
{
  GstElement *src = sp_gst_add (bin, "audiotestsrc", NULL, error);

  if (src == NULL)
    return NULL;
  gst_util_set_object_arg (G_OBJECT (src), "wave", wave);
  /* 20 ms buffers, a packet's worth at 48 kHz (the default 1024 samples do not divide a packet) */
  g_object_set (src, "is-live", TRUE, "freq", frequency, "samplesperbuffer", 960, NULL);
  return src;
}

static void
on_decodebin_pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  GstElement *convert = user_data;
  g_autoptr (GstPad) sink = gst_element_get_static_pad (convert, "sink");
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstStructure *s = caps != NULL ? gst_caps_get_structure (caps, 0) : NULL;

  /* A file may also hold video; only its first audio stream is ours. */
  if (s != NULL && gst_structure_has_name (s, "audio/x-raw") && !gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);
}

/* The file is mixed over live silence: the mixer, timed by the live branch, paces the file in
 * real time (udpsink has sync=false, so nothing else would), and when the file ends the mixer
 * carries on with silence instead of passing EOS on, which would end our RTP stream. */
static GstElement *
file_source (const char *path, GError **error)
{
  g_autoptr (GstElement) bin = new_bin ();
  GstElement *filesrc, *decodebin, *convert, *resample, *mixer, *silence;

  if (!(filesrc = sp_gst_add (GST_BIN (bin), "filesrc", NULL, error))
      || !(decodebin = sp_gst_add (GST_BIN (bin), "decodebin", NULL, error))
      || !(convert = sp_gst_add (GST_BIN (bin), "audioconvert", NULL, error))
      || !(resample = sp_gst_add (GST_BIN (bin), "audioresample", NULL, error))
      || !(mixer = sp_gst_add (GST_BIN (bin), "audiomixer", NULL, error))
      || !(silence = live_tone (GST_BIN (bin), "silence", 0, error)))
    return NULL;

  g_object_set (filesrc, "location", path, NULL);
  /* One buffer per 20 ms packet, not the default 10 ms: half the wake-ups on the send path. */
  g_object_set (mixer, "output-buffer-duration", (guint64)(20 * GST_MSECOND), NULL);
  /* The handler lives as long as decodebin, which the bin owns with convert. */
  g_signal_connect_object (decodebin, "pad-added", G_CALLBACK (on_decodebin_pad_added), convert, 0);
  gst_element_link (filesrc, decodebin);
  gst_element_link_many (convert, resample, mixer, NULL);
  gst_element_link (silence, mixer);
  ghost (GST_BIN (bin), mixer, "src");
  return g_steal_pointer (&bin);
}

/* A device's format is whatever its stream gives; the send path takes 48 kHz mono as it is
 * (conversions that have nothing to do pass buffers through). */
static GstElement *
device_source (GstElement *element, GError **error)
{
  g_autoptr (GstElement) bin = new_bin ();
  GstElement *convert, *resample;

  gst_bin_add (GST_BIN (bin), element);
  if (!(convert = sp_gst_add (GST_BIN (bin), "audioconvert", NULL, error))
      || !(resample = sp_gst_add (GST_BIN (bin), "audioresample", NULL, error)))
    return NULL;
  gst_element_link_many (element, convert, resample, NULL);
  ghost (GST_BIN (bin), resample, "src");
  return g_steal_pointer (&bin);
}

GstElement *
sp_audio_source_new (const char *spec, gdouble tone_frequency, GError **error)
{
  GstElement *element = NULL;

  if (g_str_has_prefix (spec, FILE_PREFIX) && spec[strlen (FILE_PREFIX)] != '\0')
    return file_source (spec + strlen (FILE_PREFIX), error);

  if (g_str_equal (spec, "test") || g_str_equal (spec, "none"))
    {
      g_autoptr (GstElement) bin = new_bin ();
      GstElement *src = live_tone (GST_BIN (bin), g_str_equal (spec, "test") ? "sine" : "silence",
                                   tone_frequency, error);

      if (src == NULL)
        return NULL;
      ghost (GST_BIN (bin), src, "src");
      return g_steal_pointer (&bin);
    }
  if (g_str_equal (spec, "pipewire"))
    {
      element = gst_element_factory_make ("pipewiresrc", NULL);
      if (element != NULL)
        set_stream_properties (element, "Capture");
    }
  else
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DEVICE,
                   "'%s' is not an audio source (pipewire, test, none, file:PATH)", spec);
      return NULL;
    }
  if (element == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The GStreamer element 'pipewiresrc' is missing");
      return NULL;
    }
  return device_source (element, error);
}

/* Unbuffered, so the file holds what was heard so far (a test or an admin can watch it grow);
 * at voice rates that is one small write per packet. */
static GstElement *
file_sink (const char *path, GError **error)
{
  g_autoptr (GstElement) bin = new_bin ();
  g_autoptr (GstCaps) caps
    = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "S16LE", NULL);
  GstElement *convert, *filter, *wavenc, *filesink;

  if (!(convert = sp_gst_add (GST_BIN (bin), "audioconvert", NULL, error))
      || !(filter = sp_gst_add (GST_BIN (bin), "capsfilter", NULL, error))
      || !(wavenc = sp_gst_add (GST_BIN (bin), "wavenc", NULL, error))
      || !(filesink = sp_gst_add (GST_BIN (bin), "filesink", NULL, error)))
    return NULL;

  g_object_set (filter, "caps", caps, NULL);
  g_object_set (filesink, "location", path, "async", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (filesink), "buffer-mode", "unbuffered");
  gst_element_link_many (convert, filter, wavenc, filesink, NULL);
  ghost (GST_BIN (bin), convert, "sink");
  return g_steal_pointer (&bin);
}

static GstElement *
single_sink (GstElement *element)
{
  g_autoptr (GstElement) bin = new_bin ();

  gst_bin_add (GST_BIN (bin), element);
  ghost (GST_BIN (bin), element, "sink");
  return g_steal_pointer (&bin);
}

GstElement *
sp_audio_sink_new (const char *spec, GError **error)
{
  GstElement *element;

  if (sp_audio_sink_spec_needs_eos (spec))
    return file_sink (spec + strlen (FILE_PREFIX), error);

  if (g_str_equal (spec, "null"))
    {
      element = gst_element_factory_make ("fakesink", NULL);
      if (element != NULL)
        g_object_set (element, "sync", FALSE, "async", FALSE, NULL);
    }
  else if (g_str_equal (spec, "pipewire"))
    {
      element = gst_element_factory_make ("pipewiresink", NULL);
      if (element != NULL)
        set_stream_properties (element, "Playback");
    }
  else
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DEVICE,
                   "'%s' is not an audio sink (pipewire, null, file:PATH)", spec);
      return NULL;
    }
  if (element == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The GStreamer element for the audio sink '%s' is missing", spec);
      return NULL;
    }
  return single_sink (element);
}

char *
sp_audio_file_path_with_suffix (const char *path, const char *suffix)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, '/');

  if (dot == NULL || (slash != NULL && dot < slash))
    return g_strconcat (path, "-", suffix, NULL);
  return g_strdup_printf ("%.*s-%s%s", (int)(dot - path), path, suffix, dot);
}

char *
sp_audio_sink_spec_with_suffix (const char *spec, const char *suffix)
{
  g_autofree char *path = NULL;

  if (!sp_audio_sink_spec_needs_eos (spec))
    return g_strdup (spec);
  path = sp_audio_file_path_with_suffix (spec + strlen (FILE_PREFIX), suffix);
  return g_strconcat (FILE_PREFIX, path, NULL);
}

gboolean
sp_audio_sink_spec_needs_eos (const char *spec)
{
  return g_str_has_prefix (spec, FILE_PREFIX) && spec[strlen (FILE_PREFIX)] != '\0';
}
