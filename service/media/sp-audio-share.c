/* Inputs:  interaudiosrc(channel) → audioconvert → audioresample → a pad of the send mixer
 * Outputs: a pad of the heard tee → audioconvert → audioresample → caps → interaudiosink(channel)
 *
 * Both ends of a channel carry 48 kHz mono S16: the two pipelines never negotiate with each
 * other, and the source knows its format before the first sample arrives. The source reads in
 * 10 ms periods and reports 20 ms of latency (the send mixer waits that long for it, so it is
 * what a conference adds to each voice); it holds 100 ms at most, so a stall cannot build up
 * a delay that lasts. */
#include "sp-audio-share.h"
#include "sp-gst.h"
#include "sp-media-error.h"

#include <string.h>

#define SHARE_CAPS "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"
#define PERIOD_NS (10 * GST_MSECOND)
#define LATENCY_NS (20 * GST_MSECOND)
#define BUFFER_NS (100 * GST_MSECOND)

typedef struct
{
  GstElement *bin;
  GstPad *pad; /* the mixer's or the tee's request pad */
} Link;

struct _SpAudioShare
{
  GstBin *pipeline;
  GstElement *mixer;
  GstElement *tee;
  GHashTable *inputs;  /* channel → Link */
  GHashTable *outputs; /* channel → Link */
};

static void
link_free (gpointer data)
{
  Link *link = data;

  g_clear_object (&link->bin);
  g_clear_object (&link->pad);
  g_free (link);
}

SpAudioShare *
sp_audio_share_new (GstBin *pipeline, GstElement *mixer, GstElement *tee)
{
  SpAudioShare *self = g_new0 (SpAudioShare, 1);

  self->pipeline = gst_object_ref (pipeline);
  self->mixer = gst_object_ref (mixer);
  self->tee = gst_object_ref (tee);
  self->inputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, link_free);
  self->outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, link_free);
  return self;
}

static GstElement *
make_branch (const char *description, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, &parse_error);

  if (bin == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The shared audio cannot be built: %s", parse_error->message);
      return NULL;
    }
  return gst_object_ref_sink (bin);
}

static gboolean
check_new (GHashTable *links, const char *channel, GError **error)
{
  if (channel == NULL || *channel == '\0' || strpbrk (channel, " !\"'") != NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a channel name", channel ? channel : "");
      return FALSE;
    }
  if (g_hash_table_contains (links, channel))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "The channel %s is already linked",
                   channel);
      return FALSE;
    }
  return TRUE;
}

/* BIN joins the pipeline and meets the running element's PAD in the order that lets nothing
 * be lost: an output starts before the tee pushes into it (an element not started refuses
 * data), an input is linked before it starts (a source that pushes unlinked stops with
 * "not-linked", which is an error of the whole pipeline). */
static gboolean
attach (SpAudioShare *self, GstElement *bin, GstPad *pad, gboolean bin_is_upstream, GError **error)
{
  g_autoptr (GstPad) end = gst_element_get_static_pad (bin, bin_is_upstream ? "src" : "sink");
  GstPadLinkReturn linked;

  gst_bin_add (self->pipeline, bin); /* the bin takes a reference of its own */
  if (!bin_is_upstream)
    gst_element_sync_state_with_parent (bin);
  linked = bin_is_upstream ? gst_pad_link (end, pad) : gst_pad_link (pad, end);
  if (linked != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The shared audio cannot be linked (%s)", gst_pad_link_get_name (linked));
      gst_element_set_state (bin, GST_STATE_NULL);
      gst_bin_remove (self->pipeline, bin);
      return FALSE;
    }
  if (bin_is_upstream)
    gst_element_sync_state_with_parent (bin);
  return TRUE;
}

gboolean
sp_audio_share_add_input (SpAudioShare *self, const char *channel, GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr (GstElement) bin = NULL;
  g_autoptr (GstPad) pad = NULL;
  Link *link;

  if (!check_new (self->inputs, channel, error))
    return FALSE;
  description = g_strdup_printf (
    "interaudiosrc channel=%s period-time=%" G_GUINT64_FORMAT " latency-time=%" G_GUINT64_FORMAT
    " buffer-time=%" G_GUINT64_FORMAT " ! " SHARE_CAPS " ! audioconvert ! audioresample",
    channel, (guint64)PERIOD_NS, (guint64)LATENCY_NS, (guint64)BUFFER_NS);
  if (!(bin = make_branch (description, error)))
    return FALSE;
  pad = gst_element_request_pad_simple (self->mixer, "sink_%u");
  if (!attach (self, bin, pad, TRUE, error))
    {
      gst_element_release_request_pad (self->mixer, pad);
      return FALSE;
    }
  link = g_new0 (Link, 1);
  link->bin = g_steal_pointer (&bin);
  link->pad = g_steal_pointer (&pad);
  g_hash_table_insert (self->inputs, g_strdup (channel), link);
  return TRUE;
}

gboolean
sp_audio_share_add_output (SpAudioShare *self, const char *channel, GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr (GstElement) bin = NULL;
  g_autoptr (GstPad) pad = NULL;
  Link *link;

  if (!check_new (self->outputs, channel, error))
    return FALSE;
  /* No clock wait: the source at the other end is what paces the samples. */
  description = g_strdup_printf ("audioconvert ! audioresample ! " SHARE_CAPS
                                 " ! interaudiosink channel=%s sync=false async=false",
                                 channel);
  if (!(bin = make_branch (description, error)))
    return FALSE;
  pad = gst_element_request_pad_simple (self->tee, "src_%u");
  if (!attach (self, bin, pad, FALSE, error))
    {
      gst_element_release_request_pad (self->tee, pad);
      return FALSE;
    }
  link = g_new0 (Link, 1);
  link->bin = g_steal_pointer (&bin);
  link->pad = g_steal_pointer (&pad);
  g_hash_table_insert (self->outputs, g_strdup (channel), link);
  return TRUE;
}

/* An input leaves the mixer (which takes a pad away while it runs); an output stops getting
 * buffers once its tee pad is gone (the tee waits for a push in progress), then stops. */
static void
detach (SpAudioShare *self, Link *link, GstElement *owner)
{
  if (owner == self->tee)
    gst_element_release_request_pad (owner, link->pad);
  gst_element_set_state (link->bin, GST_STATE_NULL);
  gst_bin_remove (self->pipeline, link->bin);
  if (owner == self->mixer)
    gst_element_release_request_pad (owner, link->pad);
}

static gboolean
remove_link (SpAudioShare *self, GHashTable *links, GstElement *owner, const char *channel)
{
  Link *link = channel != NULL ? g_hash_table_lookup (links, channel) : NULL;

  if (link == NULL)
    return FALSE;
  detach (self, link, owner);
  g_hash_table_remove (links, channel);
  return TRUE;
}

gboolean
sp_audio_share_remove_input (SpAudioShare *self, const char *channel)
{
  return remove_link (self, self->inputs, self->mixer, channel);
}

gboolean
sp_audio_share_remove_output (SpAudioShare *self, const char *channel)
{
  return remove_link (self, self->outputs, self->tee, channel);
}

static int
compare_channels (gconstpointer a, gconstpointer b, gpointer data)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static GStrv
sorted_channels (GHashTable *links)
{
  g_autofree gpointer keys = g_hash_table_get_keys_as_array (links, NULL);
  GStrv channels = g_strdupv (keys);

  g_qsort_with_data (channels, (gint)g_strv_length (channels), sizeof (char *), compare_channels,
                     NULL);
  return channels;
}

GStrv
sp_audio_share_list_inputs (SpAudioShare *self)
{
  return sorted_channels (self->inputs);
}

GStrv
sp_audio_share_list_outputs (SpAudioShare *self)
{
  return sorted_channels (self->outputs);
}

void
sp_audio_share_free (SpAudioShare *self)
{
  GHashTableIter iter;
  Link *link;

  if (self == NULL)
    return;
  g_hash_table_iter_init (&iter, self->outputs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&link))
    detach (self, link, self->tee);
  g_hash_table_iter_init (&iter, self->inputs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&link))
    detach (self, link, self->mixer);
  g_hash_table_unref (self->outputs);
  g_hash_table_unref (self->inputs);
  gst_object_unref (self->tee);
  gst_object_unref (self->mixer);
  gst_object_unref (self->pipeline);
  g_free (self);
}
