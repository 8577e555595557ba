/* One pipeline of two independent halves:
 *   source → audioconvert → audioresample → 48 kHz mono S16 → appsink "voice"   (to the bridge)
 *   appsrc "ear" → audioconvert → audioresample → sink                         (from the bridge)
 * The appsink does not wait for the clock (the source is live and paces itself; the bridge's
 * tick paces the mix); the appsrc is live, stamps each frame as the bridge pushes it, reports
 * 20 ms of latency and holds 100 ms at most, dropping the oldest. Errors of either half are
 * logged: a conference goes on without the agent's device rather than dropping everybody. */
#include "sp-agent-audio.h"
#include "sp-audio-bridge.h"
#include "sp-audio-devices.h"
#include "sp-gst.h"
#include "sp-media-error.h"

#include <string.h>

struct _SpAgentAudio
{
  GstElement *pipeline;
  GstElement *sink;
  GstElement *ear_src;
  GstAppSink *voice;
  GstAppSrc *ear;
  gboolean records; /* the sink writes a file */
};

static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, &error, &debug);
      g_warning ("The agent's audio in the conference failed: %s: %s",
                 GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
    }
  gst_message_unref (message); /* a sync handler that drops a message unrefs it */
  return GST_BUS_DROP;
}

static gboolean
build_voice (SpAgentAudio *self, GstElement *source, GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  g_autoptr (GstCaps) caps = gst_caps_from_string (SP_AUDIO_BRIDGE_CAPS);
  GstElement *convert, *resample, *voice;

  gst_bin_add (bin, source); /* a reference of its own: SOURCE is not floating */
  if (!(convert = sp_gst_add (bin, "audioconvert", NULL, error))
      || !(resample = sp_gst_add (bin, "audioresample", NULL, error))
      || !(voice = sp_gst_add (bin, "appsink", "voice", error)))
    return FALSE;
  g_object_set (voice, "caps", caps, "sync", FALSE, "async", FALSE, "max-buffers", 10, "drop", TRUE,
                NULL);
  self->voice = GST_APP_SINK (voice);
  return gst_element_link_many (source, convert, resample, voice, NULL)
         || (g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                          "Cannot link the agent's voice"),
             FALSE);
}

static gboolean
build_ear (SpAgentAudio *self, GstElement *sink, GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  g_autoptr (GstCaps) caps = gst_caps_from_string (SP_AUDIO_BRIDGE_CAPS);
  GstElement *ear, *convert, *resample;

  if (!(ear = sp_gst_add (bin, "appsrc", "ear", error))
      || !(convert = sp_gst_add (bin, "audioconvert", NULL, error))
      || !(resample = sp_gst_add (bin, "audioresample", NULL, error)))
    return FALSE;
  g_object_set (ear, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE,
                "min-latency", (gint64)SP_AUDIO_BRIDGE_LATENCY_NS, "max-bytes",
                (guint64)SP_AUDIO_BRIDGE_MAX_BYTES, NULL);
  gst_util_set_object_arg (G_OBJECT (ear), "leaky-type", "downstream");
  gst_bin_add (bin, sink);
  self->sink = gst_object_ref (sink);
  self->ear_src = ear;
  self->ear = GST_APP_SRC (ear);
  return gst_element_link_many (ear, convert, resample, sink, NULL)
         || (g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                          "Cannot link the agent's ear"),
             FALSE);
}

SpAgentAudio *
sp_agent_audio_new (const char *source_spec, gdouble tone_frequency, const char *sink_spec,
                    GError **error)
{
  g_autoptr (SpAgentAudio) self = g_new0 (SpAgentAudio, 1);
  g_autofree char *ear_spec = sp_audio_sink_spec_with_suffix (sink_spec, "conference");
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstBus) bus = NULL;

  if (!(source = sp_audio_source_new (source_spec, tone_frequency, error))
      || !(sink = sp_audio_sink_new (ear_spec, error)))
    return NULL;
  self->records = sp_audio_sink_spec_needs_eos (ear_spec);
  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("sp-agent-audio"));
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, NULL, NULL);
  if (!build_voice (self, source, error) || !build_ear (self, sink, error))
    return NULL;
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DEVICE,
                   "The agent's audio devices for the conference did not start");
      return NULL;
    }
  return g_steal_pointer (&self);
}

GstAppSink *
sp_agent_audio_get_voice (SpAgentAudio *self)
{
  return self->voice;
}

GstAppSrc *
sp_agent_audio_get_ear (SpAgentAudio *self)
{
  return self->ear;
}

/* wavenc writes its header's sizes on EOS: the ear's source stops first, so that nothing is
 * pushed after it. Nothing ever played: no stream to end. */
static void
finalize_recording (SpAgentAudio *self)
{
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstEvent) started = NULL;

  if (self->sink == NULL || !self->records)
    return;
  gst_element_set_state (self->ear_src, GST_STATE_NULL);
  pad = gst_element_get_static_pad (self->sink, "sink");
  started = gst_pad_get_sticky_event (pad, GST_EVENT_STREAM_START, 0);
  if (started != NULL)
    gst_pad_send_event (pad, gst_event_new_eos ());
}

void
sp_agent_audio_free (SpAgentAudio *self)
{
  if (self == NULL)
    return;
  if (self->pipeline != NULL)
    {
      finalize_recording (self);
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_object_unref (self->pipeline);
    }
  g_clear_object (&self->sink);
  g_free (self);
}
