/* GStreamer start-up and element creation shared by the media layer. */
#include "sp-gst.h"
#include "sp-opus-decoder.h"
#include "sp-opus-encoder.h"

gboolean
sp_gst_init (GError **error)
{
  static gsize initialised = 0;
  static GError *init_error = NULL;

  if (g_once_init_enter (&initialised))
    {
      /* Our own elements are static: no plugin file, nothing to scan. */
      if (gst_init_check (NULL, NULL, &init_error))
        {
          gst_element_register (NULL, "sportelloopusenc", GST_RANK_NONE, SP_TYPE_OPUS_ENCODER);
          gst_element_register (NULL, "sportelloopusdec", GST_RANK_NONE, SP_TYPE_OPUS_DECODER);
        }
      g_once_init_leave (&initialised, 1);
    }
  if (init_error != NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "GStreamer cannot start: %s",
                   init_error->message);
      return FALSE;
    }
  return TRUE;
}

/* What every voice call is built of, whatever its devices and codec. */
static const char *const call_factories[]
  = { "rtpbin",        "udpsrc",       "udpsink",          "valve",
      "capsfilter",    "tee",          "input-selector",   "audioconvert",
      "audioresample", "fakesink",     "rtpopuspay",       "rtpopusdepay",
      "rtppcmupay",    "rtppcmudepay", "sportelloopusenc", "sportelloopusdec" };

static GThread *warm_up_thread;
static GMutex warm_up_lock;

/* Loads each plugin (dlopen, its types registered) and initialises each element class, as
 * building the first pipeline would. */
static gpointer
warm_up (gpointer data)
{
  g_autoptr (GError) error = NULL;

  if (!sp_gst_init (&error))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (call_factories); i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (call_factories[i]);
      g_autoptr (GstPluginFeature) loaded = NULL;

      if (factory != NULL && (loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory))))
        g_type_class_unref (
          g_type_class_ref (gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded))));
    }
  return NULL;
}

void
sp_gst_warm_up (void)
{
  g_mutex_lock (&warm_up_lock);
  if (warm_up_thread == NULL)
    warm_up_thread = g_thread_new ("sp-gst-warm-up", warm_up, NULL);
  g_mutex_unlock (&warm_up_lock);
}

void
sp_gst_finish_warm_up (void)
{
  g_mutex_lock (&warm_up_lock);
  if (warm_up_thread != NULL)
    g_thread_join (g_steal_pointer (&warm_up_thread));
  g_mutex_unlock (&warm_up_lock);
}

GstElement *
sp_gst_add (GstBin *bin, const char *factory, const char *name, GError **error)
{
  GstElement *element = factory != NULL ? gst_element_factory_make (factory, name) : NULL;

  if (element == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The GStreamer element '%s' is missing", factory ? factory : "(none installed)");
      return NULL;
    }
  gst_bin_add (bin, element);
  return element;
}

typedef struct
{
  GstBin *bin;
  GstElement *old;
  GstElement *replacement;
  GstPad *downstream;
} Swap;

static void
swap_free (gpointer data)
{
  Swap *swap = data;

  gst_object_unref (swap->bin);
  gst_object_unref (swap->old);
  gst_object_unref (swap->replacement);
  gst_object_unref (swap->downstream);
  g_free (swap);
}

/* The stream's sticky events, handed to the replacement itself rather than left to the next
 * push. The pad is idle, but the probe may fire inside the push of a sticky event (the first
 * caps, when a swap meets the stream's start): that push marks its event received once we
 * return, after our relink marked it pending, so the new element would never see those caps. */
static gboolean
forward_sticky_event (GstPad *upstream, GstEvent **event, gpointer data);

void
sp_gst_forward_sticky_events (GstPad *upstream, GstPad *new_sink)
{
  gst_pad_sticky_events_foreach (upstream, forward_sticky_event, new_sink);
}

static gboolean
forward_sticky_event (GstPad *upstream, GstEvent **event, gpointer data)
{
  GstPad *new_sink = data;

  if (GST_EVENT_TYPE (*event) != GST_EVENT_EOS)
    gst_pad_send_event (new_sink, gst_event_ref (*event));
  return TRUE;
}

/* The old element leaves from a thread of GStreamer's own: a streaming thread must not change
 * states, and the pipeline may be stopping at the same moment. */
static void
retire (GstElement *old, gpointer data)
{
  GstBin *bin = data;

  gst_element_set_state (old, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (old) == GST_OBJECT (bin))
    gst_bin_remove (bin, old);
}

/* Only links change here: the replacement is already running, the old one retires later. */
static GstPadProbeReturn
swap_when_idle (GstPad *upstream, GstPadProbeInfo *info, gpointer data)
{
  Swap *swap = data;
  g_autoptr (GstPad) old_sink = gst_element_get_static_pad (swap->old, "sink");
  g_autoptr (GstPad) old_src = gst_element_get_static_pad (swap->old, "src");
  g_autoptr (GstPad) new_sink = gst_element_get_static_pad (swap->replacement, "sink");
  g_autoptr (GstPad) new_src = gst_element_get_static_pad (swap->replacement, "src");

  gst_pad_unlink (upstream, old_sink);
  gst_pad_unlink (old_src, swap->downstream);
  if (gst_pad_link (new_src, swap->downstream) != GST_PAD_LINK_OK
      || gst_pad_link (upstream, new_sink) != GST_PAD_LINK_OK)
    GST_ELEMENT_ERROR (swap->replacement, CORE, NEGOTIATION, ("Cannot link the new encoder"),
                       (NULL));
  sp_gst_forward_sticky_events (upstream, new_sink);
  gst_element_call_async (swap->old, retire, gst_object_ref (swap->bin), gst_object_unref);
  return GST_PAD_PROBE_REMOVE;
}

void
sp_gst_swap (GstBin *bin, GstPad *upstream, GstElement *old, GstElement *replacement,
             GstPad *downstream)
{
  Swap *swap = g_new0 (Swap, 1);

  swap->bin = gst_object_ref (bin);
  swap->old = gst_object_ref (old);
  swap->replacement
    = g_object_is_floating (replacement) ? gst_object_ref_sink (replacement) : replacement;
  swap->downstream = gst_object_ref (downstream);
  /* In the bin and running before it is linked: it stops with the pipeline even if the swap
   * never comes, and no state changes on the streaming thread. */
  gst_bin_add (bin, swap->replacement);
  gst_element_sync_state_with_parent (swap->replacement);
  gst_pad_add_probe (upstream, GST_PAD_PROBE_TYPE_IDLE, swap_when_idle, swap, swap_free);
}
