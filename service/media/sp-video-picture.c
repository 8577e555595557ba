/* The agent's outgoing picture: camera or another channel, at fixed caps, into a tee. */
#include "sp-video-picture.h"

#include "sp-gst.h"
#include "sp-media-error.h"

/* How long intervideosrc repeats the last picture before it sends black: the feed switches
 * between camera and card well within this. */
#define CHANNEL_TIMEOUT_NS (2 * GST_SECOND)

struct _SpVideoPicture
{
  GstBin *pipeline;
  GstElement *elements[5]; /* camera source, caps, selector, setter, tee: downstream last */
  GstElement *selector;    /* sink_0: the camera; another channel joins while shown */
  GstElement *tee;
  GstPad *camera_pad;
  GstElement *other_source; /* intervideosrc of the other channel, or NULL */
  GstElement *other_filter;
  GstPad *other_pad;
  GstCaps *caps;
};

static GstCaps *
picture_caps (guint width, guint height, guint framerate)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                              (gint)width, "height", G_TYPE_INT, (gint)height, "framerate",
                              GST_TYPE_FRACTION, (gint)framerate, 1, NULL);
}

/* Camera and clip pictures differ in caps fields that do not matter (chroma-site,
 * multiview-mode): without one set of caps after the selector, every switch made the encoder
 * rebuild libvpx and restart its rate control (bench/README.md, push_bench). */
static GstCaps *
fixed_caps (GstCaps *caps)
{
  GstCaps *fixed = gst_caps_copy (caps);

  gst_caps_set_simple (fixed, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, "interlace-mode",
                       G_TYPE_STRING, "progressive", "colorimetry", G_TYPE_STRING, "bt601",
                       "chroma-site", G_TYPE_STRING, "mpeg2", "multiview-mode", G_TYPE_STRING,
                       "mono", NULL);
  return fixed;
}

SpVideoPicture *
sp_video_picture_new (GstBin *pipeline, const char *camera, guint width, guint height,
                      guint framerate, GError **error)
{
  static const char *const factories[]
    = { "intervideosrc", "capsfilter", "input-selector", "capssetter", "tee" };
  SpVideoPicture *self = g_new0 (SpVideoPicture, 1);
  g_autoptr (GstCaps) fixed = NULL;

  self->pipeline = gst_object_ref (pipeline);
  self->caps = picture_caps (width, height, framerate);
  for (guint i = 0; i < G_N_ELEMENTS (factories); i++)
    if (!(self->elements[i] = sp_gst_add (pipeline, factories[i], NULL, error)))
      {
        sp_video_picture_remove (self);
        sp_video_picture_free (self);
        return NULL;
      }
  self->selector = self->elements[2];
  self->tee = self->elements[4];
  fixed = fixed_caps (self->caps);
  g_object_set (self->elements[0], "channel", camera, "timeout", (guint64)CHANNEL_TIMEOUT_NS, NULL);
  g_object_set (self->elements[1], "caps", self->caps, NULL);
  /* Live inputs: the inactive one is dropped at once, never held back for sync. */
  g_object_set (self->selector, "sync-streams", FALSE, NULL);
  g_object_set (self->elements[3], "caps", fixed, "replace", TRUE, "join", FALSE, NULL);
  if (!gst_element_link_many (self->elements[0], self->elements[1], self->selector,
                              self->elements[3], self->tee, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link the video source");
      sp_video_picture_remove (self);
      sp_video_picture_free (self);
      return NULL;
    }
  self->camera_pad = gst_element_get_static_pad (self->selector, "sink_0");
  return self;
}

void
sp_video_picture_free (SpVideoPicture *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->camera_pad);
  g_clear_object (&self->other_pad);
  g_clear_object (&self->other_source);
  g_clear_object (&self->other_filter);
  g_clear_pointer (&self->caps, gst_caps_unref);
  g_clear_object (&self->pipeline);
  g_free (self);
}

GstElement *
sp_video_picture_get_tee (SpVideoPicture *self)
{
  return self->tee;
}

void
sp_video_picture_start (SpVideoPicture *self)
{
  for (int i = G_N_ELEMENTS (self->elements) - 1; i >= 0; i--)
    gst_element_sync_state_with_parent (self->elements[i]);
}

/* ---- another channel ---- */

static gboolean
add_other_source (SpVideoPicture *self, const char *channel)
{
  g_autoptr (GstPad) src = NULL;
  g_autoptr (GstElement) filter = NULL;

  /* A clip comes at the stream's size; another leg's picture (a conference's relay) at the size
   * its phone sends: it is converted and scaled. */
  self->other_source = gst_object_ref (sp_gst_add (self->pipeline, "intervideosrc", NULL, NULL));
  self->other_filter = GST_ELEMENT (gst_object_ref (gst_parse_bin_from_description (
    "videoconvert ! videoscale ! capsfilter name=size", TRUE, NULL)));
  gst_bin_add (self->pipeline, self->other_filter);
  g_object_set (self->other_source, "channel", channel, "timeout", (guint64)CHANNEL_TIMEOUT_NS,
                NULL);
  filter = gst_bin_get_by_name (GST_BIN (self->other_filter), "size");
  g_object_set (filter, "caps", self->caps, NULL);
  self->other_pad = gst_element_request_pad_simple (self->selector, "sink_%u");
  src = gst_element_get_static_pad (self->other_filter, "src");
  if (!gst_element_link (self->other_source, self->other_filter)
      || gst_pad_link (src, self->other_pad) != GST_PAD_LINK_OK)
    return FALSE;
  gst_element_sync_state_with_parent (self->other_filter);
  gst_element_sync_state_with_parent (self->other_source);
  return TRUE;
}

static void
remove_other_source (SpVideoPicture *self)
{
  if (self->other_source == NULL)
    return;
  gst_element_set_state (self->other_source, GST_STATE_NULL);
  gst_element_set_state (self->other_filter, GST_STATE_NULL);
  gst_bin_remove_many (self->pipeline, self->other_source, self->other_filter, NULL);
  if (self->other_pad)
    gst_element_release_request_pad (self->selector, self->other_pad);
  g_clear_object (&self->other_pad);
  g_clear_object (&self->other_source);
  g_clear_object (&self->other_filter);
}

gboolean
sp_video_picture_show_channel (SpVideoPicture *self, const char *channel)
{
  if (channel == NULL)
    {
      g_object_set (self->selector, "active-pad", self->camera_pad, NULL);
      remove_other_source (self);
      return TRUE;
    }
  if (self->other_source == NULL && !add_other_source (self, channel))
    {
      remove_other_source (self);
      return FALSE;
    }
  g_object_set (self->other_source, "channel", channel, NULL);
  g_object_set (self->selector, "active-pad", self->other_pad, NULL);
  return TRUE;
}

void
sp_video_picture_remove (SpVideoPicture *self)
{
  remove_other_source (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->elements); i++)
    if (self->elements[i])
      {
        gst_element_set_state (self->elements[i], GST_STATE_NULL);
        gst_bin_remove (self->pipeline, self->elements[i]);
        self->elements[i] = NULL;
      }
  g_clear_object (&self->camera_pad);
  self->selector = self->tee = NULL;
}
