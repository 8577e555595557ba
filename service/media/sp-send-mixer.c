/* The send mixer, in the path only while needed. An audiomixer always in the path cost a plain
 * call about 40 % of its CPU: a thread of its own, a clock wait and a copy for every 20 ms
 * packet, to mix one input. It joins the running pipeline with the first extra input:
 *   voice → format   becomes   voice → audiomixer → format
 * and leaves with the last one. Each swap happens in an idle probe on the voice's pad, between
 * two of its buffers, so no buffer of the voice is lost and none meets an unlinked pad; the
 * caller waits for it (one buffer's push at most), so the pads it then links onto the mixer
 * always lead somewhere. */
#include "sp-send-mixer.h"
#include "sp-gst.h"

#define OUTPUT_BUFFER_NS (20 * GST_MSECOND)
#define SWAP_TIMEOUT_US (2 * G_USEC_PER_SEC)

typedef void (*SwapFunc) (SpSendMixer *self);

struct _SpSendMixer
{
  GstBin *pipeline;
  GstPad *source_pad; /* the voice now in the path */
  GstPad *sink_pad;
  GstPad *next_voice; /* the voice that replaces it at the next swap_voice */
  GstPad *parked;     /* the voice it replaced: what it still pushes is dropped */
  gulong parked_probe;
  GstElement *mixer; /* NULL while out of the path */
  GstPad *voice_pad; /* the mixer's pad for the voice */
  guint inputs;      /* requested pads not yet released */

  GMutex lock; /* a swap may run on the voice's streaming thread */
  GCond swapped_cond;
  SwapFunc swap; /* the swap waiting for the voice's pad to be idle, or NULL */
  gulong probe;
  guint64 swaps_done;
  gboolean inserted;
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
  gboolean inserted;

  g_mutex_lock (&self->lock);
  inserted = self->inserted;
  g_mutex_unlock (&self->lock);
  return inserted;
}

void
sp_send_mixer_free (SpSendMixer *self)
{
  if (self == NULL)
    return;
  /* No streaming thread is left to run a swap still pending. */
  if (self->swap != NULL)
    gst_pad_remove_probe (self->source_pad, self->probe);
  g_clear_object (&self->mixer); /* the pipeline's, which has stopped it */
  g_clear_object (&self->voice_pad);
  g_clear_object (&self->next_voice);
  if (self->parked != NULL)
    gst_pad_remove_probe (self->parked, self->parked_probe);
  g_clear_object (&self->parked);
  gst_object_unref (self->sink_pad);
  gst_object_unref (self->source_pad);
  gst_object_unref (self->pipeline);
  g_cond_clear (&self->swapped_cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static void
set_swapped (SpSendMixer *self, gboolean inserted)
{
  g_mutex_lock (&self->lock);
  self->inserted = inserted;
  self->swaps_done++;
  g_cond_broadcast (&self->swapped_cond);
  g_mutex_unlock (&self->lock);
}

static void
link_or_warn (GstPad *src, GstPad *sink)
{
  if (gst_pad_link (src, sink) != GST_PAD_LINK_OK)
    g_warning ("The send path could not be relinked; the contact may stop hearing the agent");
}

static void
swap_in (SpSendMixer *self)
{
  g_autoptr (GstPad) mixer_src = gst_element_get_static_pad (self->mixer, "src");

  gst_pad_unlink (self->source_pad, self->sink_pad);
  link_or_warn (self->source_pad, self->voice_pad);
  link_or_warn (mixer_src, self->sink_pad);
  sp_gst_forward_sticky_events (self->source_pad, self->voice_pad);
  set_swapped (self, TRUE);
}

static GstPadProbeReturn
drop_everything (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_PAD_PROBE_DROP;
}

/* What the mixer still pushes is dropped before its link goes (a push already under way ends
 * in the format's chain; the voice's next one waits for it there). */
static void
swap_out (SpSendMixer *self)
{
  g_autoptr (GstPad) mixer_src = gst_element_get_static_pad (self->mixer, "src");

  gst_pad_unlink (self->source_pad, self->voice_pad);
  gst_pad_add_probe (mixer_src, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, drop_everything, NULL, NULL);
  gst_pad_unlink (mixer_src, self->sink_pad);
  link_or_warn (self->source_pad, self->sink_pad);
  sp_gst_forward_sticky_events (self->source_pad, self->sink_pad);
  set_swapped (self, FALSE);
}

/* The old voice is parked: until its owner has stopped it, what it still pushes is dropped
 * (pushed unlinked, it would stop the whole pipeline with "not-linked"). A parked voice that
 * comes back is let go first. */
static void
park (SpSendMixer *self, GstPad *voice)
{
  if (self->parked != NULL)
    {
      gst_pad_remove_probe (self->parked, self->parked_probe);
      g_clear_object (&self->parked);
    }
  if (voice == NULL)
    return;
  self->parked_probe
    = gst_pad_add_probe (voice, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, drop_everything, NULL, NULL);
  self->parked = voice;
}

/* The new voice takes the old one's place, before the mixer or the send format; it is linked
 * before it starts, so it brings its own caps and segment. */
static void
swap_voice (SpSendMixer *self)
{
  GstPad *peer = self->inserted ? self->voice_pad : self->sink_pad;
  GstPad *old = self->source_pad;

  if (self->next_voice == self->parked)
    park (self, NULL);
  park (self, old); /* takes the reference */
  gst_pad_unlink (old, peer);
  link_or_warn (self->next_voice, peer);
  self->source_pad = g_steal_pointer (&self->next_voice);
  set_swapped (self, self->inserted);
}

/* The pending swap, for whoever runs it: the probe, or the caller when the voice is stalled. */
static SwapFunc
claim_swap (SpSendMixer *self)
{
  SwapFunc swap;

  g_mutex_lock (&self->lock);
  swap = self->swap;
  self->swap = NULL;
  g_mutex_unlock (&self->lock);
  return swap;
}

static GstPadProbeReturn
on_source_idle (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  SpSendMixer *self = data;
  SwapFunc swap = claim_swap (self);

  if (swap != NULL)
    swap (self);
  return GST_PAD_PROBE_REMOVE;
}

/* Whether the swap numbered SWAP has run by DEADLINE (monotonic µs; -1: however long it
 * takes). */
static gboolean
wait_until_swapped (SpSendMixer *self, guint64 swap, gint64 deadline)
{
  gboolean in_time = TRUE;
  gboolean done;

  g_mutex_lock (&self->lock);
  while (in_time && self->swaps_done < swap)
    {
      if (deadline < 0)
        g_cond_wait (&self->swapped_cond, &self->lock);
      else
        in_time = g_cond_wait_until (&self->swapped_cond, &self->lock, deadline);
    }
  done = self->swaps_done >= swap;
  g_mutex_unlock (&self->lock);
  return done;
}

/* SWAP runs once the voice's pad is idle: at once, or after the push in flight. A voice that
 * pushes nothing for SWAP_TIMEOUT_US (a stalled device) is relinked from here: nothing is
 * flowing to get in the way. */
static void
swap_when_idle (SpSendMixer *self, SwapFunc swap)
{
  SwapFunc unclaimed;
  guint64 number;

  g_mutex_lock (&self->lock);
  self->swap = swap;
  number = self->swaps_done + 1;
  g_mutex_unlock (&self->lock);
  self->probe
    = gst_pad_add_probe (self->source_pad, GST_PAD_PROBE_TYPE_IDLE, on_source_idle, self, NULL);
  if (!wait_until_swapped (self, number, g_get_monotonic_time () + SWAP_TIMEOUT_US))
    {
      unclaimed = claim_swap (self);
      if (unclaimed != NULL)
        {
          g_message ("The agent's voice is stalled; its send path is changed without waiting");
          gst_pad_remove_probe (self->source_pad, self->probe);
          unclaimed (self);
        }
      wait_until_swapped (self, number, -1); /* a swap the probe had claimed ends soon */
    }
  gst_bin_recalculate_latency (self->pipeline);
}

/* Started before the swap, so the voice's first buffer finds it playing; "first" makes its
 * output begin at that buffer's running time (the default, zero, would have it produce the
 * whole call so far as silence at once). The latency query after the swap makes it live:
 * without one it waits for a buffer on every pad before each output, and an idle conference
 * pad would stall the agent's voice. */
static gboolean
insert (SpSendMixer *self, GError **error)
{
  GstElement *mixer = sp_gst_add (self->pipeline, "audiomixer", NULL, error);

  if (mixer == NULL)
    return FALSE;
  g_object_set (mixer, "output-buffer-duration", (guint64)OUTPUT_BUFFER_NS, NULL);
  gst_util_set_object_arg (G_OBJECT (mixer), "start-time-selection", "first");
  self->mixer = gst_object_ref (mixer);
  self->voice_pad = gst_element_request_pad_simple (mixer, "sink_%u");
  gst_element_sync_state_with_parent (mixer);
  swap_when_idle (self, swap_in);
  return TRUE;
}

static void
take_out (SpSendMixer *self)
{
  swap_when_idle (self, swap_out);
  gst_element_set_state (self->mixer, GST_STATE_NULL);
  gst_element_release_request_pad (self->mixer, self->voice_pad);
  gst_bin_remove (self->pipeline, self->mixer);
  g_clear_object (&self->voice_pad);
  g_clear_object (&self->mixer);
}

GstPad *
sp_send_mixer_request_pad (SpSendMixer *self, GError **error)
{
  if (self->mixer == NULL && !insert (self, error))
    return NULL;
  self->inputs++;
  return gst_element_request_pad_simple (self->mixer, "sink_%u");
}

void
sp_send_mixer_release_pad (SpSendMixer *self, GstPad *pad)
{
  g_return_if_fail (self->mixer != NULL && self->inputs > 0);

  gst_element_release_request_pad (self->mixer, pad);
  if (--self->inputs == 0)
    take_out (self);
}

void
sp_send_mixer_set_voice (SpSendMixer *self, GstPad *voice)
{
  g_return_if_fail (voice != NULL && !gst_pad_is_linked (voice));

  if (voice == self->source_pad)
    return;
  self->next_voice = gst_object_ref (voice);
  swap_when_idle (self, swap_voice);
}

GstPad *
sp_send_mixer_get_voice (SpSendMixer *self)
{
  return self->source_pad;
}
