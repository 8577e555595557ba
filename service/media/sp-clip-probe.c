/* Checks a push clip by decoding it in a private pipeline, filesrc ! decodebin: the first video
 * stream goes, scaled to thumbnail size, into an appsink, every other stream into a fakesink.
 * It runs in a worker thread and polls its own bus, so sportellod's main context never waits on
 * it. A header can claim any length (a file cut short keeps the muxer's duration): the end of
 * the clip is decoded too, which is what catches a truncated file. */
#include "sp-clip-probe.h"
#include "sp-gst.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

/* How long one step (preroll, a seek, decoding to the end) may take before we give up. */
#define STEP_TIMEOUT_S 30
#define POLL_INTERVAL (100 * GST_MSECOND)
/* The end check decodes the last tenth of a clip, at most its last second; something must be
 * decoded from the second half of that window. */
#define TAIL_MAX (1 * GST_SECOND)

typedef struct
{
  GstElement *pipeline;
  GstElement *video_branch; /* a bin, put into the pipeline for the first video stream */
  GstElement *appsink;
  GCancellable *cancellable;

  GMutex lock;          /* the fields below are written from streaming threads */
  char *media_type;     /* what typefind found: "video/webm", "image/png", … */
  GString *undecodable; /* the streams decodebin found no decoder for */
  gboolean has_video;
  gboolean has_audio;
  guint width;
  guint height;
  GstClockTime end; /* the furthest end of any decoded buffer since the last reset */
  guint pictures;   /* decoded since the start */
} Probe;

const char *
sp_clip_kind_to_string (SpClipKind kind)
{
  return kind == SP_CLIP_KIND_IMAGE ? "image" : "video";
}

static GstElement *
make (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                 "The GStreamer element '%s' is missing", factory);
  return element;
}

static void
probe_clear (Probe *probe)
{
  if (probe->pipeline)
    gst_element_set_state (probe->pipeline, GST_STATE_NULL);
  g_clear_object (&probe->pipeline);
  g_clear_object (&probe->video_branch);
  probe->appsink = NULL;
  g_free (probe->media_type);
  if (probe->undecodable)
    g_string_free (probe->undecodable, TRUE);
  g_mutex_clear (&probe->lock);
}

/* ---- streaming-thread callbacks ---- */

/* The first stream decodebin finds is the file itself, as typefind saw it. */
static gboolean
on_decodebin_autoplug_continue (GstElement *decodebin, GstPad *pad, GstCaps *caps, gpointer data)
{
  Probe *probe = data;

  g_mutex_lock (&probe->lock);
  if (probe->media_type == NULL && !gst_caps_is_empty (caps) && !gst_caps_is_any (caps))
    probe->media_type = g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0)));
  g_mutex_unlock (&probe->lock);
  return TRUE;
}

/* Names a stream by its media type and, for Matroska, its codec id: the full caps carry binary
 * codec data nobody wants to read in an error message. */
static void
on_decodebin_unknown_type (GstElement *decodebin, GstPad *pad, GstCaps *caps, gpointer data)
{
  Probe *probe = data;
  const GstStructure *structure = gst_caps_get_structure (caps, 0);
  const char *codec_id = gst_structure_get_string (structure, "codec-id");

  g_mutex_lock (&probe->lock);
  if (probe->undecodable->len)
    g_string_append (probe->undecodable, ", ");
  g_string_append (probe->undecodable, gst_structure_get_name (structure));
  if (codec_id)
    g_string_append_printf (probe->undecodable, " (codec %s)", codec_id);
  g_mutex_unlock (&probe->lock);
}

static void
note_buffer (Probe *probe, GstBuffer *buffer, gboolean video)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime end = GST_CLOCK_TIME_NONE;

  if (GST_CLOCK_TIME_IS_VALID (pts))
    end = pts + (GST_BUFFER_DURATION_IS_VALID (buffer) ? GST_BUFFER_DURATION (buffer) : 0);
  g_mutex_lock (&probe->lock);
  if (GST_CLOCK_TIME_IS_VALID (end) && (!GST_CLOCK_TIME_IS_VALID (probe->end) || end > probe->end))
    probe->end = end;
  if (video)
    probe->pictures++;
  g_mutex_unlock (&probe->lock);
}

static GstPadProbeReturn
on_video_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  note_buffer (data, GST_PAD_PROBE_INFO_BUFFER (info), TRUE);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_other_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  note_buffer (data, GST_PAD_PROBE_INFO_BUFFER (info), FALSE);
  return GST_PAD_PROBE_OK;
}

static void
on_decodebin_pad_added (GstElement *decodebin, GstPad *pad, gpointer data)
{
  Probe *probe = data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr (GstPad) sink_pad = NULL;
  const GstStructure *structure;
  const char *name;
  GstElement *sink = NULL;
  gboolean video = FALSE;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  structure = gst_caps_get_structure (caps, 0);
  name = gst_structure_get_name (structure);
  g_mutex_lock (&probe->lock);
  if (g_str_has_prefix (name, "video/") && !probe->has_video)
    {
      int width = 0, height = 0;

      gst_structure_get_int (structure, "width", &width);
      gst_structure_get_int (structure, "height", &height);
      probe->width = (guint)MAX (width, 0);
      probe->height = (guint)MAX (height, 0);
      probe->has_video = video = TRUE;
      sink = probe->video_branch;
    }
  else if (g_str_has_prefix (name, "audio/"))
    probe->has_audio = TRUE;
  g_mutex_unlock (&probe->lock);

  if (sink == NULL)
    {
      /* Sound and any second video stream are decoded too, so a damaged one is noticed. */
      sink = gst_element_factory_make ("fakesink", NULL);
      if (sink == NULL)
        return; /* unlinked: decodebin posts not-linked, and the probe reports it */
      g_object_set (sink, "sync", FALSE, NULL);
    }
  gst_bin_add (GST_BIN (probe->pipeline), sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, video ? on_video_buffer : on_other_buffer,
                     probe, NULL);
  gst_pad_link (pad, sink_pad);
  gst_element_sync_state_with_parent (sink);
}

/* ---- the pipeline ---- */

static GstElement *
make_video_branch (Probe *probe, GError **error)
{
  g_autoptr (GstElement) bin = gst_object_ref_sink (gst_bin_new ("thumbnail"));
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  GstElement *convert, *scale, *filter, *appsink;

  if (!(convert = make ("videoconvert", error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), convert);
  if (!(scale = make ("videoscale", error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), scale);
  if (!(filter = make ("capsfilter", error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), filter);
  if (!(appsink = make ("appsink", error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), appsink);
  caps
    = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB", "width", G_TYPE_INT,
                           SP_CLIP_THUMBNAIL_WIDTH, "height", G_TYPE_INT, SP_CLIP_THUMBNAIL_HEIGHT,
                           "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set (filter, "caps", caps, NULL);
  /* Decode as fast as possible and never block, not even at the end (wait-on-eos): only the
   * prerolled picture is ever read. */
  g_object_set (appsink, "sync", FALSE, "max-buffers", 1, "drop", TRUE, "wait-on-eos", FALSE, NULL);
  if (!gst_element_link_many (convert, scale, filter, appsink, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "cannot link the thumbnail elements");
      return NULL;
    }
  sink_pad = gst_element_get_static_pad (convert, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", sink_pad));
  probe->appsink = appsink;
  return g_steal_pointer (&bin);
}

static gboolean
build_pipeline (Probe *probe, const char *path, GError **error)
{
  GstElement *source, *decodebin;

  probe->pipeline = gst_object_ref_sink (gst_pipeline_new ("clip-probe"));
  probe->video_branch = make_video_branch (probe, error);
  if (!probe->video_branch || !(source = make ("filesrc", error)))
    return FALSE;
  gst_bin_add (GST_BIN (probe->pipeline), source);
  if (!(decodebin = make ("decodebin", error)))
    return FALSE;
  gst_bin_add (GST_BIN (probe->pipeline), decodebin);
  g_object_set (source, "location", path, NULL);
  g_signal_connect (decodebin, "autoplug-continue", G_CALLBACK (on_decodebin_autoplug_continue),
                    probe);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decodebin_pad_added), probe);
  g_signal_connect (decodebin, "unknown-type", G_CALLBACK (on_decodebin_unknown_type), probe);
  if (!gst_element_link (source, decodebin))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "cannot link the probe elements");
      return FALSE;
    }
  return TRUE;
}

/* ---- waiting on the bus ---- */

static void
set_error_from_message (Probe *probe, GstMessage *message, GError **error)
{
  g_autoptr (GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *undecodable = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("clip probe: %s (%s)", gst_error->message, debug ? debug : "");
  g_mutex_lock (&probe->lock);
  if (probe->undecodable->len)
    undecodable = g_strdup (probe->undecodable->str);
  g_mutex_unlock (&probe->lock);
  if (undecodable)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                 "needs a decoder that is not installed: %s", undecodable);
  else if (g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND)
           || g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE))
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                 "is not in a video or image format GStreamer can read (%s)", gst_error->message);
  else if (gst_error->domain == GST_RESOURCE_ERROR)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA, "cannot be read: %s",
                 gst_error->message);
  else
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                 "cannot be decoded, it may be damaged or truncated: %s", gst_error->message);
}

/* Waits for a message of @types from the pipeline; an error message fails, so does a step that
 * takes longer than STEP_TIMEOUT_S or a cancellation. */
static gboolean
wait_for_message (Probe *probe, GstMessageType types, GError **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (probe->pipeline);
  gint64 deadline = g_get_monotonic_time () + STEP_TIMEOUT_S * G_USEC_PER_SEC;

  while (TRUE)
    {
      g_autoptr (GstMessage) message
        = gst_bus_timed_pop_filtered (bus, POLL_INTERVAL, types | GST_MESSAGE_ERROR);

      if (message && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          set_error_from_message (probe, message, error);
          return FALSE;
        }
      if (message && GST_MESSAGE_SRC (message) == GST_OBJECT (probe->pipeline))
        return TRUE;
      if (g_cancellable_set_error_if_cancelled (probe->cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                       "could not be decoded within %d s", STEP_TIMEOUT_S);
          return FALSE;
        }
    }
}

static gboolean
set_state (Probe *probe, GstState state, GError **error)
{
  GstStateChangeReturn ret = gst_element_set_state (probe->pipeline, state);

  if (ret == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr (GstBus) bus = gst_element_get_bus (probe->pipeline);
      g_autoptr (GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

      if (message)
        set_error_from_message (probe, message, error);
      else
        g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                     "cannot be decoded (the pipeline refused to start)");
      return FALSE;
    }
  if (ret == GST_STATE_CHANGE_ASYNC && state == GST_STATE_PAUSED)
    return wait_for_message (probe, GST_MESSAGE_ASYNC_DONE, error);
  return TRUE;
}

static void
reset_end (Probe *probe)
{
  g_mutex_lock (&probe->lock);
  probe->end = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&probe->lock);
}

static GstClockTime
get_end (Probe *probe)
{
  GstClockTime end;

  g_mutex_lock (&probe->lock);
  end = probe->end;
  g_mutex_unlock (&probe->lock);
  return end;
}

/* A flushing, accurate seek in PAUSED; *seeked is FALSE when the file cannot seek. */
static gboolean
seek_to (Probe *probe, GstClockTime position, gboolean *seeked, GError **error)
{
  *seeked = gst_element_seek_simple (probe->pipeline, GST_FORMAT_TIME,
                                     GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, position);
  return !*seeked || wait_for_message (probe, GST_MESSAGE_ASYNC_DONE, error);
}

/* The picture the appsink holds in PAUSED; NULL at the end of the stream. */
static GstSample *
pull_preroll (Probe *probe)
{
  GstSample *sample = NULL;

  if (probe->appsink)
    g_signal_emit_by_name (probe->appsink, "try-pull-preroll", (GstClockTime)0, &sample);
  return sample;
}

static gboolean
play_to_end (Probe *probe, GError **error)
{
  return set_state (probe, GST_STATE_PLAYING, error)
         && wait_for_message (probe, GST_MESSAGE_EOS, error);
}

/* ---- the thumbnail ---- */

static gboolean
write_thumbnail (GstSample *sample, const char *path, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new ("clip-thumbnail"));
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = NULL;
  GstElement *source, *encoder, *sink;
  GstFlowReturn flow = GST_FLOW_ERROR;

  if (!(source = make ("appsrc", error)))
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), source);
  if (!(encoder = make ("pngenc", error)))
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), encoder);
  if (!(sink = make ("filesink", error)))
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), sink);
  g_object_set (source, "caps", gst_sample_get_caps (sample), "format", GST_FORMAT_TIME, NULL);
  g_object_set (sink, "location", path, NULL);
  if (!gst_element_link_many (source, encoder, sink, NULL)
      || gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      gst_element_set_state (pipeline, GST_STATE_NULL);
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "cannot start the thumbnail encoder for %s", path);
      return FALSE;
    }
  g_signal_emit_by_name (source, "push-sample", sample, &flow);
  g_signal_emit_by_name (source, "end-of-stream", &flow);
  message = gst_bus_timed_pop_filtered (bus, STEP_TIMEOUT_S * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (message && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    return TRUE;
  g_unlink (path);
  if (message)
    {
      g_autoptr (GError) gst_error = NULL;

      gst_message_parse_error (message, &gst_error, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write the thumbnail %s: %s", path,
                   gst_error->message);
    }
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "writing the thumbnail %s took longer than %d s", path, STEP_TIMEOUT_S);
  return FALSE;
}

/* ---- the checks ---- */

static const char *
extension_for (const char *media_type)
{
  static const struct
  {
    const char *media_type;
    const char *extension;
  } names[] = {
    { "video/webm", "webm" },     { "video/x-matroska", "mkv" }, { "video/quicktime", "mp4" },
    { "video/x-msvideo", "avi" }, { "application/ogg", "ogv" },  { "video/mpegts", "ts" },
    { "image/png", "png" },       { "image/jpeg", "jpg" },
  };

  for (guint i = 0; media_type && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (media_type, names[i].media_type))
      return names[i].extension;
  return NULL;
}

static gboolean
check_image (Probe *probe, const char *media_type, GError **error)
{
  if (!g_str_equal (media_type, "image/png") && !g_str_equal (media_type, "image/jpeg"))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                   "is an image of type %s; only PNG and JPEG images can be pushed", media_type);
      return FALSE;
    }
  /* The whole picture, not only its header. */
  return play_to_end (probe, error);
}

static guint
get_pictures (Probe *probe)
{
  guint pictures;

  g_mutex_lock (&probe->lock);
  pictures = probe->pictures;
  g_mutex_unlock (&probe->lock);
  return pictures;
}

/* Plays from the start until a second picture is decoded: a single picture is no clip. Leaves
 * the pipeline in PAUSED. */
static gboolean
decode_first_pictures (Probe *probe, GError **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (probe->pipeline);
  gint64 deadline = g_get_monotonic_time () + STEP_TIMEOUT_S * G_USEC_PER_SEC;

  if (!set_state (probe, GST_STATE_PLAYING, error))
    return FALSE;
  while (get_pictures (probe) < 2)
    {
      g_autoptr (GstMessage) message
        = gst_bus_timed_pop_filtered (bus, 10 * GST_MSECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

      if (message && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          set_error_from_message (probe, message, error);
          return FALSE;
        }
      if (message)
        break; /* the end: a single picture */
      if (g_cancellable_set_error_if_cancelled (probe->cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                       "could not be decoded within %d s", STEP_TIMEOUT_S);
          return FALSE;
        }
    }
  if (get_pictures (probe) < 2)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                   "has a single picture; add a still as a PNG or JPEG image");
      return FALSE;
    }
  return set_state (probe, GST_STATE_PAUSED, error);
}

/* Decodes the picture 10% in (the thumbnail) and the end of the clip. Returns the thumbnail's
 * sample, or NULL with @error set. */
static GstSample *
check_video (Probe *probe, GstSample *first, guint64 *duration_ms, GError **error)
{
  g_autoptr (GstSample) thumbnail = NULL;
  gint64 duration = -1;
  GstClockTime tail, end;
  gboolean seeked = FALSE;

  if (!decode_first_pictures (probe, error))
    return NULL;
  if (!gst_element_query_duration (probe->pipeline, GST_FORMAT_TIME, &duration) || duration <= 0)
    {
      /* No length in the header (a live recording): the whole file is decoded to find it. */
      reset_end (probe);
      if (!play_to_end (probe, error))
        return NULL;
      end = get_end (probe);
      if (!GST_CLOCK_TIME_IS_VALID (end) || end == 0)
        {
          g_set_error (
            error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
            "has no length: its pictures carry neither timestamps nor a frame rate (a raw "
            "stream? put it in a container such as WebM or MP4)");
          return NULL;
        }
      duration = (gint64)end;
      if (!set_state (probe, GST_STATE_PAUSED, error)
          || !seek_to (probe, (GstClockTime)duration / 10, &seeked, error))
        return NULL;
      if (seeked)
        thumbnail = pull_preroll (probe);
    }
  else
    {
      if (!seek_to (probe, (GstClockTime)duration / 10, &seeked, error))
        return NULL;
      if (seeked)
        thumbnail = pull_preroll (probe);
      /* The header's length is only a claim: the end must decode too. A file that cannot seek
       * is decoded from where it is to the end, which proves the same. */
      tail = (GstClockTime)duration - MIN ((GstClockTime)duration / 10, TAIL_MAX);
      reset_end (probe);
      if (!seek_to (probe, tail, &seeked, error) || !play_to_end (probe, error))
        return NULL;
      end = get_end (probe);
      if (!GST_CLOCK_TIME_IS_VALID (end) || end < tail + ((GstClockTime)duration - tail) / 2)
        {
          g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                       "is truncated or damaged: it should last %.1f s, but nothing could be "
                       "decoded after %.1f s",
                       (double)duration / GST_SECOND,
                       GST_CLOCK_TIME_IS_VALID (end) && end > tail ? (double)end / GST_SECOND
                                                                   : (double)tail / GST_SECOND);
          return NULL;
        }
    }
  *duration_ms = (guint64)duration / GST_MSECOND;
  return thumbnail ? g_steal_pointer (&thumbnail) : gst_sample_ref (first);
}

gboolean
sp_clip_probe (const char *path, guint image_ms, const char *thumbnail_path, SpClipInfo *info,
               GCancellable *cancellable, GError **error)
{
  Probe probe = { 0 };
  g_autoptr (GstSample) first = NULL;
  g_autoptr (GstSample) thumbnail = NULL;
  g_autofree char *media_type = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no file at '%s'", path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                   "is not a regular file");
      return FALSE;
    }
  if (!sp_gst_init (error))
    return FALSE;

  g_mutex_init (&probe.lock);
  probe.cancellable = cancellable;
  probe.undecodable = g_string_new (NULL);
  probe.end = GST_CLOCK_TIME_NONE;
  if (!build_pipeline (&probe, path, error) || !set_state (&probe, GST_STATE_PAUSED, error))
    goto out;

  g_mutex_lock (&probe.lock);
  media_type = g_strdup (probe.media_type);
  info->has_audio = probe.has_audio;
  info->width = probe.width;
  info->height = probe.height;
  if (!probe.has_video && probe.undecodable->len)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                 "needs a decoder that is not installed: %s", probe.undecodable->str);
  else if (!probe.has_video)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                 "has no picture to show (%s)", probe.has_audio ? "only sound" : "no video stream");
  g_mutex_unlock (&probe.lock);
  if (!probe.has_video)
    goto out;
  first = pull_preroll (&probe);
  if (first == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA,
                   "cannot be decoded: its video stream has no picture");
      goto out;
    }
  info->extension = extension_for (media_type);
  if (media_type && g_str_has_prefix (media_type, "image/"))
    {
      if (!check_image (&probe, media_type, error))
        goto out;
      info->kind = SP_CLIP_KIND_IMAGE;
      info->duration_ms = image_ms ? image_ms : SP_CLIP_DEFAULT_IMAGE_MS;
      thumbnail = gst_sample_ref (first);
    }
  else
    {
      thumbnail = check_video (&probe, first, &info->duration_ms, error);
      if (!thumbnail)
        goto out;
      info->kind = SP_CLIP_KIND_VIDEO;
    }
  gst_element_set_state (probe.pipeline, GST_STATE_NULL);
  ok = !thumbnail_path || write_thumbnail (thumbnail, thumbnail_path, error);

out:
  probe_clear (&probe);
  return ok;
}

/* ---- the async pair ---- */

typedef struct
{
  char *path;
  char *thumbnail_path;
  guint image_ms;
  SpClipInfo info;
} ProbeTask;

static void
probe_task_free (gpointer data)
{
  ProbeTask *task = data;

  g_free (task->path);
  g_free (task->thumbnail_path);
  g_free (task);
}

static void
probe_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ProbeTask *probe = data;
  GError *error = NULL;

  if (sp_clip_probe (probe->path, probe->image_ms, probe->thumbnail_path, &probe->info, cancellable,
                     &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_clip_probe_async (const char *path, guint image_ms, const char *thumbnail_path,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ProbeTask *probe = g_new0 (ProbeTask, 1);

  probe->path = g_strdup (path);
  probe->thumbnail_path = g_strdup (thumbnail_path);
  probe->image_ms = image_ms;
  g_task_set_source_tag (task, sp_clip_probe_async);
  g_task_set_task_data (task, probe, probe_task_free);
  g_task_run_in_thread (task, probe_in_thread);
}

gboolean
sp_clip_probe_finish (GAsyncResult *result, SpClipInfo *info, GError **error)
{
  GTask *task = G_TASK (result);

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  *info = ((ProbeTask *)g_task_get_task_data (task))->info;
  return TRUE;
}
