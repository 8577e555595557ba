/* The send mixer, inserted on demand. An audiomixer always in the path cost a plain call about
 * 40 % of its CPU: a thread of its own, a clock wait and a copy for every 20 ms packet, to mix
 * one input. It now joins the running pipeline when first needed:
 *   voice → format   becomes   voice → audiomixer → format
 * The swap happens in an idle probe on the voice's pad, between two of its buffers, so no
 * buffer is lost and none meets an unlinked pad; the caller waits for it (one buffer's push at
 * most), so the pads it then links onto the mixer always lead somewhere. */
#include "sp-send-mixer.h"
#include "sp-gst.h"

#define OUTPUT_BUFFER_NS (20 * GST_MSECOND)
#define SWAP_TIMEOUT_US (2 * G_USEC_PER_SEC)

struct _SpSendMixer
{
  GstBin *pipeline;
  GstPad *source_pad;
  GstPad *sink_pad;
  GstElement *mixer; /* NULL until inserted */
  GstPad *voice_pad; /* the mixer's pad for the voice */
  gulong probe;

  GMutex lock; /* the swap may run on the voice's streaming thread */
  GCond swapped_cond;
  gboolean swapped;
};

SpSendMixer *
sp_send_mixer_new (GstBin *pipeline, GstPad *source_pad, GstPad *sink_pad)
{
  SpSendMixer *self = g_new0 (SpSendMixer, 1);

  self->pipeline = gst_object_ref (pipeline);
  self->source_pad = gst_object_ref (source_pad);
  self->sink_pad = gst_object_ref (sink_pad);
  g_mutex_init (&self->lock);
  g_cond_init (&self->swapped_cond);
  return self;
}

gboolean
sp_send_mixer_is_inserted (SpSendMixer *self)
{
  gboolean swapped;

  g_mutex_lock (&self->lock);
  swapped = self->swapped;
  g_mutex_unlock (&self->lock);
  return swapped;
}

void
sp_send_mixer_free (SpSendMixer *self)
{
  if (self == NULL)
    return;
  /* The mixer belongs to the pipeline, which has stopped it (no streaming thread is left to
   * run a swap still pending). */
  if (self->probe != 0 && !sp_send_mixer_is_inserted (self))
    gst_pad_remove_probe (self->source_pad, self->probe);
  g_clear_object (&self->mixer);
  g_clear_object (&self->voice_pad);
  gst_object_unref (self->sink_pad);
  gst_object_unref (self->source_pad);
  gst_object_unref (self->pipeline);
  g_cond_clear (&self->swapped_cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static void
swap (SpSendMixer *self)
{
  g_autoptr (GstPad) mixer_src = gst_element_get_static_pad (self->mixer, "src");

  gst_pad_unlink (self->source_pad, self->sink_pad);
  if (gst_pad_link (self->source_pad, self->voice_pad) != GST_PAD_LINK_OK
      || gst_pad_link (mixer_src, self->sink_pad) != GST_PAD_LINK_OK)
    g_warning ("The send mixer could not be linked in; the contact may stop hearing the agent");
  sp_gst_forward_sticky_events (self->source_pad, self->voice_pad);
  g_mutex_lock (&self->lock);
  self->swapped = TRUE;
  g_cond_broadcast (&self->swapped_cond);
  g_mutex_unlock (&self->lock);
}

static GstPadProbeReturn
on_source_idle (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  swap (data);
  return GST_PAD_PROBE_REMOVE;
}

static void
wait_for_swap (SpSendMixer *self)
{
  gint64 deadline = g_get_monotonic_time () + SWAP_TIMEOUT_US;

  g_mutex_lock (&self->lock);
  while (!self->swapped)
    if (!g_cond_wait_until (&self->swapped_cond, &self->lock, deadline))
      {
        g_message ("The voice is stalled; the send mixer joins when it moves again");
        break;
      }
  g_mutex_unlock (&self->lock);
}

/* Started before the swap, so the voice's first buffer finds it playing; "first" makes its
 * output begin at that buffer's running time (the default, zero, would have it produce the
 * whole call so far as silence at once). The latency query afterwards makes it live: without
 * one it waits for a buffer on every pad before each output, and an idle conference pad would
 * stall the agent's voice. */
static GstElement *
make_mixer (SpSendMixer *self, GError **error)
{
  GstElement *mixer = sp_gst_add (self->pipeline, "audiomixer", NULL, error);

  if (mixer == NULL)
    return NULL;
  g_object_set (mixer, "output-buffer-duration", (guint64)OUTPUT_BUFFER_NS, NULL);
  gst_util_set_object_arg (G_OBJECT (mixer), "start-time-selection", "first");
  self->voice_pad = gst_element_request_pad_simple (mixer, "sink_%u");
  gst_element_sync_state_with_parent (mixer);
  return gst_object_ref (mixer);
}

GstElement *
sp_send_mixer_get (SpSendMixer *self, GError **error)
{
  if (self->mixer != NULL)
    return self->mixer;
  self->mixer = make_mixer (self, error);
  if (self->mixer == NULL)
    return NULL;
  self->probe
    = gst_pad_add_probe (self->source_pad, GST_PAD_PROBE_TYPE_IDLE, on_source_idle, self, NULL);
  wait_for_swap (self);
  gst_bin_recalculate_latency (self->pipeline);
  return self->mixer;
}
