/* A pushed clip's own pipeline:
 *
 *   uridecodebin ─ video → [imagefreeze] → videoconvert → videoscale → videorate → caps →
 * intervideosink └ audio → audioconvert → audioresample → caps → interaudiosink
 *
 * The sinks synchronise on the clock, which is what paces a file in real time (nothing
 * downstream of the call's encoder would: its udpsink does not sync). */
#include "sp-clip-player.h"
#include "sp-gst.h"

#include <gio/gio.h>
#include <gst/gst.h>

struct _SpClipPlayer
{
  GObject parent_instance;

  char *path;
  guint image_ms;
  char *video_channel;
  char *audio_channel;
  guint width;
  guint height;
  guint framerate;

  GstElement *pipeline;
  GstElement *video_in; /* first element of the video chain */
  guint bus_watch;
  gboolean first_frame;
  gboolean has_audio; /* set on a streaming thread before the first frame is announced */
  gboolean video_linked;
};

enum
{
  SIGNAL_FIRST_FRAME,
  SIGNAL_FINISHED,
  SIGNAL_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpClipPlayer, sp_clip_player, G_TYPE_OBJECT)

/* [imagefreeze] → videoconvert → videoscale → videorate → caps → intervideosink */
static gboolean
build_video_chain (SpClipPlayer *self, GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *freeze = NULL, *convert, *scale, *rate, *filter, *sink;
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
    "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, (gint)self->width,
    "height", G_TYPE_INT, (gint)self->height, "framerate", GST_TYPE_FRACTION, (gint)self->framerate,
    1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);

  if ((self->image_ms > 0 && !(freeze = sp_gst_add (bin, "imagefreeze", NULL, error)))
      || !(convert = sp_gst_add (bin, "videoconvert", NULL, error))
      || !(scale = sp_gst_add (bin, "videoscale", NULL, error))
      || !(rate = sp_gst_add (bin, "videorate", NULL, error))
      || !(filter = sp_gst_add (bin, "capsfilter", NULL, error))
      || !(sink = sp_gst_add (bin, "intervideosink", NULL, error)))
    return FALSE;
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (sink, "channel", self->video_channel, NULL);
  /* Letterboxing keeps a clip's proportions in the negotiated size. */
  g_object_set (scale, "add-borders", TRUE, NULL);
  if (freeze)
    g_object_set (freeze, "num-buffers",
                  (gint)MAX (1, (guint64)self->image_ms * self->framerate / 1000), NULL);
  if (!gst_element_link_many (convert, scale, rate, filter, sink, NULL)
      || (freeze && !gst_element_link (freeze, convert)))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link the clip's video");
      return FALSE;
    }
  self->video_in = freeze ? freeze : convert;
  return TRUE;
}

/* Streaming thread: uridecodebin found the sound track. */
static void
link_audio (SpClipPlayer *self, GstPad *pad)
{
  GstBin *bin = GST_BIN (self->pipeline);
  g_autoptr (GstCaps) caps = gst_caps_from_string (SP_CLIP_PLAYER_AUDIO_CAPS);
  g_autoptr (GstPad) sink_pad = NULL;
  GstElement *convert, *resample, *filter, *sink;

  if (self->has_audio || !(convert = sp_gst_add (bin, "audioconvert", NULL, NULL))
      || !(resample = sp_gst_add (bin, "audioresample", NULL, NULL))
      || !(filter = sp_gst_add (bin, "capsfilter", NULL, NULL))
      || !(sink = sp_gst_add (bin, "interaudiosink", NULL, NULL)))
    return;
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (sink, "channel", self->audio_channel, NULL);
  gst_element_link_many (convert, resample, filter, sink, NULL);
  sink_pad = gst_element_get_static_pad (convert, "sink");
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (filter);
  gst_element_sync_state_with_parent (resample);
  gst_element_sync_state_with_parent (convert);
  if (gst_pad_link (pad, sink_pad) == GST_PAD_LINK_OK)
    g_atomic_int_set (&self->has_audio, TRUE);
}

static void
on_pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  SpClipPlayer *self = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *name;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (g_str_has_prefix (name, "video/") && !self->video_linked)
    {
      g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (self->video_in, "sink");

      self->video_linked = gst_pad_link (pad, sink_pad) == GST_PAD_LINK_OK;
    }
  else if (g_str_has_prefix (name, "audio/") && self->image_ms == 0)
    link_audio (self, pad);
}

static void
stop_pipeline (SpClipPlayer *self)
{
  if (self->pipeline == NULL)
    return;
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  g_clear_object (&self->pipeline);
}

static void
fail (SpClipPlayer *self, const char *message)
{
  g_autofree char *text = g_strdup (message);

  stop_pipeline (self);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, text);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  SpClipPlayer *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
      case GST_MESSAGE_ASYNC_DONE:
        /* Prerolled: the sinks hold their first buffer, so the first picture is in the
         * channel (a probe before the sink fired before it was, and under load the call
         * read an empty channel: black frames). */
        if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->pipeline) && !self->first_frame)
          {
            self->first_frame = TRUE;
            g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0);
          }
        break;
      case GST_MESSAGE_EOS:
        self->bus_watch = 0;
        stop_pipeline (self);
        /* A file that ends before a single picture was decoded never showed anything. */
        if (self->first_frame)
          g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
        else
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, "the clip has no picture");
        return G_SOURCE_REMOVE;
      case GST_MESSAGE_ERROR:
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *debug = NULL;
          g_autofree char *text = NULL;

          gst_message_parse_error (message, &error, &debug);
          text = g_strdup_printf ("%s: %s", self->path, error->message);
          self->bus_watch = 0;
          fail (self, text);
          return G_SOURCE_REMOVE;
        }
      default:
        break;
    }
  return G_SOURCE_CONTINUE;
}

SpClipPlayer *
sp_clip_player_new (const char *path, guint image_ms, const char *video_channel,
                    const char *audio_channel, guint width, guint height, guint framerate)
{
  SpClipPlayer *self = g_object_new (SP_TYPE_CLIP_PLAYER, NULL);

  self->path = g_strdup (path);
  self->image_ms = image_ms;
  self->video_channel = g_strdup (video_channel);
  self->audio_channel = g_strdup (audio_channel);
  self->width = width;
  self->height = height;
  self->framerate = framerate;
  return self;
}

gboolean
sp_clip_player_start (SpClipPlayer *self, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (self->path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr (GstBus) bus = NULL;
  GstElement *decode;

  g_return_val_if_fail (self->pipeline == NULL, FALSE);
  if (!g_file_test (self->path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DEVICE, "The clip %s is not there",
                   self->path);
      return FALSE;
    }
  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("sportello-clip"));
  if (!(decode = sp_gst_add (GST_BIN (self->pipeline), "uridecodebin", NULL, error))
      || !build_video_chain (self, error))
    {
      g_clear_object (&self->pipeline);
      return FALSE;
    }
  g_object_set (decode, "uri", uri, NULL);
  g_signal_connect (decode, "pad-added", G_CALLBACK (on_pad_added), self);
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  /* Errors from here on (an undecodable file) come as bus messages, hence "failed". */
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  return TRUE;
}

void
sp_clip_player_stop (SpClipPlayer *self)
{
  g_return_if_fail (SP_IS_CLIP_PLAYER (self));
  stop_pipeline (self);
}

gboolean
sp_clip_player_has_audio (SpClipPlayer *self)
{
  return g_atomic_int_get (&self->has_audio);
}

static void
sp_clip_player_dispose (GObject *object)
{
  stop_pipeline (SP_CLIP_PLAYER (object));
  G_OBJECT_CLASS (sp_clip_player_parent_class)->dispose (object);
}

static void
sp_clip_player_finalize (GObject *object)
{
  SpClipPlayer *self = SP_CLIP_PLAYER (object);

  g_free (self->path);
  g_free (self->video_channel);
  g_free (self->audio_channel);
  G_OBJECT_CLASS (sp_clip_player_parent_class)->finalize (object);
}

static void
sp_clip_player_class_init (SpClipPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_clip_player_dispose;
  object_class->finalize = sp_clip_player_finalize;
  signals[SIGNAL_FIRST_FRAME]
    = g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sp_clip_player_init (SpClipPlayer *self)
{
}
