/* Every 20 ms a thread of the bridge takes one frame of what each member heard, sums them once,
 * and pushes to each member the sum less its own frame: n members cost n frames in, one sum and
 * n frames out, where one channel per ordered pair of members cost n·(n−1) of each.
 *
 * A member's frames come from its leg's streaming thread whenever the leg decodes a packet; the
 * bridge keeps 20–40 ms of them in hand so that a packet arriving just after a tick still makes
 * the next one: a member starts with two frames (and again after running dry), and more than
 * 100 ms behind, the oldest are dropped so that a stall cannot build a lasting delay. */
#include "sp-audio-bridge.h"
#include "sp-agent-audio.h"

#include <string.h>

#define FRAME_SAMPLES 960 /* 20 ms at 48 kHz */
#define FRAME_BYTES (FRAME_SAMPLES * sizeof (gint16))
#define TICK_US 20000
#define PRIME_FRAMES 2
#define MAX_FRAMES 5

struct _SpAudioBridgeMember
{
  SpAudioBridge *bridge;
  GstAppSink *heard;
  GstAppSrc *mix;
  GstAdapter *pending; /* heard, not yet mixed */
  gboolean primed;
  gboolean has_frame;
  gint16 frame[FRAME_SAMPLES];
};

struct _SpAudioBridge
{
  gint refs; /* under registry_lock */
  char *name;
  GMutex lock;
  GCond wake;
  GPtrArray *members;
  GThread *ticker;
  gboolean stopping;
  SpAgentAudio *agent; /* main thread only */
  SpAudioBridgeMember *agent_member;
};

static GMutex registry_lock;
static GHashTable *registry; /* name → bridge */

/* ---- one tick ---- */

static void
take_frame (SpAudioBridgeMember *member)
{
  gsize available = gst_adapter_available (member->pending);

  if (!member->primed && available >= PRIME_FRAMES * FRAME_BYTES)
    member->primed = TRUE;
  member->has_frame = member->primed && available >= FRAME_BYTES;
  if (member->has_frame)
    {
      gst_adapter_copy (member->pending, member->frame, 0, FRAME_BYTES);
      gst_adapter_flush (member->pending, FRAME_BYTES);
    }
  else
    member->primed = FALSE; /* ran dry: gather two frames again */
}

static void
push_mix (SpAudioBridgeMember *member, const gint32 *sum)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, FRAME_BYTES, NULL);
  GstMapInfo map;
  gint16 *out;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  out = (gint16 *)map.data;
  for (guint i = 0; i < FRAME_SAMPLES; i++)
    out[i]
      = (gint16)CLAMP (sum[i] - (member->has_frame ? member->frame[i] : 0), G_MININT16, G_MAXINT16);
  gst_buffer_unmap (buffer, &map);
  gst_app_src_push_buffer (member->mix, buffer); /* FLUSHING once the leg has stopped: dropped */
}

static void
mix_once (SpAudioBridge *self)
{
  gint32 sum[FRAME_SAMPLES] = { 0 };

  for (guint m = 0; m < self->members->len; m++)
    {
      SpAudioBridgeMember *member = g_ptr_array_index (self->members, m);

      take_frame (member);
      if (member->has_frame)
        for (guint i = 0; i < FRAME_SAMPLES; i++)
          sum[i] += member->frame[i];
    }
  for (guint m = 0; m < self->members->len; m++)
    push_mix (g_ptr_array_index (self->members, m), sum);
}

static gpointer
tick (gpointer data)
{
  SpAudioBridge *self = data;
  gint64 next = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      next += TICK_US;
      if (g_get_monotonic_time () > next + 5 * TICK_US)
        next = g_get_monotonic_time (); /* after a stall, no catching up in a burst */
      while (!self->stopping && g_get_monotonic_time () < next)
        g_cond_wait_until (&self->wake, &self->lock, next);
      if (!self->stopping)
        mix_once (self);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* ---- members ---- */

/* Takes every sample waiting, not only the one announced: samples that came before the
 * callback was set would otherwise stay queued ahead of the new ones, a delay for good. */
static GstFlowReturn
on_heard (GstAppSink *sink, gpointer data)
{
  SpAudioBridgeMember *member = data;
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (sink, 0)) != NULL)
    {
      g_mutex_lock (&member->bridge->lock);
      gst_adapter_push (member->pending, gst_buffer_ref (gst_sample_get_buffer (sample)));
      while (gst_adapter_available (member->pending) > MAX_FRAMES * FRAME_BYTES)
        gst_adapter_flush (member->pending, FRAME_BYTES);
      g_mutex_unlock (&member->bridge->lock);
      gst_sample_unref (sample);
    }
  return GST_FLOW_OK;
}

SpAudioBridgeMember *
sp_audio_bridge_add (SpAudioBridge *self, GstAppSink *heard, GstAppSrc *mix)
{
  SpAudioBridgeMember *member = g_new0 (SpAudioBridgeMember, 1);
  GstAppSinkCallbacks callbacks = { .new_sample = on_heard };

  member->bridge = self;
  member->heard = gst_object_ref (heard);
  member->mix = gst_object_ref (mix);
  member->pending = gst_adapter_new ();
  gst_app_sink_set_callbacks (heard, &callbacks, member, NULL);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->members, member);
  g_mutex_unlock (&self->lock);
  return member;
}

/* The caller has stopped MEMBER's appsink first: no on_heard runs any more. */
void
sp_audio_bridge_remove (SpAudioBridge *self, SpAudioBridgeMember *member)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_remove (self->members, member);
  g_mutex_unlock (&self->lock);
  g_object_unref (member->pending);
  gst_object_unref (member->mix);
  gst_object_unref (member->heard);
  g_free (member);
}

guint
sp_audio_bridge_count (SpAudioBridge *self)
{
  guint count;

  g_mutex_lock (&self->lock);
  count = self->members->len;
  g_mutex_unlock (&self->lock);
  return count;
}

/* ---- the registry ---- */

static SpAudioBridge *
bridge_new (const char *name)
{
  SpAudioBridge *self = g_new0 (SpAudioBridge, 1);

  self->refs = 1;
  self->name = g_strdup (name);
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  self->members = g_ptr_array_new ();
  self->ticker = g_thread_new ("sp-bridge", tick, self);
  return self;
}

gboolean
sp_audio_bridge_add_agent (SpAudioBridge *self, const char *source_spec, gdouble tone_frequency,
                           const char *sink_spec, GError **error)
{
  if (self->agent != NULL)
    return TRUE;
  self->agent = sp_agent_audio_new (source_spec, tone_frequency, sink_spec, error);
  if (self->agent == NULL)
    return FALSE;
  self->agent_member = sp_audio_bridge_add (self, sp_agent_audio_get_voice (self->agent),
                                            sp_agent_audio_get_ear (self->agent));
  return TRUE;
}

/* The agent's devices stop first: then no callback of its voice runs any more. */
static void
remove_agent (SpAudioBridge *self)
{
  if (self->agent == NULL)
    return;
  g_clear_pointer (&self->agent, sp_agent_audio_free);
  sp_audio_bridge_remove (self, self->agent_member);
  self->agent_member = NULL;
}

static void
bridge_free (SpAudioBridge *self)
{
  remove_agent (self);
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->wake);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->ticker);
  g_warn_if_fail (self->members->len == 0);
  g_ptr_array_unref (self->members);
  g_cond_clear (&self->wake);
  g_mutex_clear (&self->lock);
  g_free (self->name);
  g_free (self);
}

SpAudioBridge *
sp_audio_bridge_get (const char *name)
{
  SpAudioBridge *self;

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  self = g_hash_table_lookup (registry, name);
  if (self != NULL)
    self->refs++;
  else
    {
      self = bridge_new (name);
      g_hash_table_insert (registry, self->name, self);
    }
  g_mutex_unlock (&registry_lock);
  return self;
}

void
sp_audio_bridge_unref (SpAudioBridge *self)
{
  gboolean last;

  g_mutex_lock (&registry_lock);
  last = --self->refs == 0;
  if (last)
    g_hash_table_remove (registry, self->name);
  g_mutex_unlock (&registry_lock);
  if (last)
    bridge_free (self);
}
