/* GStreamer's opusdec decodes through libopus's multistream API even for one stream, and
 * libopus 1.3's multistream decode asks for its decoders' sizes on every packet: each asks the
 * CPU for its features (CPUID), which a virtual machine's hypervisor has to answer. Profiled on
 * the bench machine, that was half of the receive thread's CPU in a voice call; baresip, on the
 * single-stream API, never paid it. A call's voice is one stream, so this decoder is that API
 * behind GstAudioDecoder. RFC 7587 §7: whatever the channels sent, a receiver may decode to
 * mono; the agent's side is mono throughout. */
#include "sp-opus-decoder.h"

#include <opus.h>

#define RATE 48000
#define MAX_PACKET_SAMPLES (RATE * 120 / 1000) /* RFC 6716 §3.2.1: 120 ms at most */
#define PLC_STEP_SAMPLES (RATE / 400)          /* concealment comes in 2.5 ms steps */

struct _SpOpusDecoder
{
  GstAudioDecoder parent_instance;
  OpusDecoder *decoder;
};

G_DEFINE_FINAL_TYPE (SpOpusDecoder, sp_opus_decoder, GST_TYPE_AUDIO_DECODER)

static GstStaticPadTemplate sink_template
  = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                             GST_STATIC_CAPS ("audio/x-opus, channel-mapping-family = (int) 0"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE (
  "src", GST_PAD_SRC, GST_PAD_ALWAYS,
  GST_STATIC_CAPS ("audio/x-raw, format = (string) " GST_AUDIO_NE (
    S16) ", layout = (string) interleaved, rate = (int) 48000, channels = (int) 1"));

static gboolean
sp_opus_decoder_start (GstAudioDecoder *decoder)
{
  SpOpusDecoder *self = SP_OPUS_DECODER (decoder);
  int status = OPUS_OK;

  self->decoder = opus_decoder_create (RATE, 1, &status);
  if (self->decoder == NULL)
    {
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("The Opus decoder cannot start"),
                         ("%s", opus_strerror (status)));
      return FALSE;
    }
  return TRUE;
}

static gboolean
sp_opus_decoder_stop (GstAudioDecoder *decoder)
{
  SpOpusDecoder *self = SP_OPUS_DECODER (decoder);

  g_clear_pointer (&self->decoder, opus_decoder_destroy);
  return TRUE;
}

/* Any channel count is taken whatever is downstream (mono): the base class would otherwise
 * ask upstream for what downstream takes, and a peer announcing stereo could not be decoded. */
static GstCaps *
sp_opus_decoder_getcaps (GstAudioDecoder *decoder, GstCaps *filter)
{
  GstCaps *caps = gst_static_pad_template_get_caps (&sink_template);

  if (filter != NULL)
    {
      GstCaps *both = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);

      gst_caps_unref (caps);
      caps = both;
    }
  return caps;
}

static gboolean
sp_opus_decoder_set_format (GstAudioDecoder *decoder, GstCaps *caps)
{
  GstAudioInfo info;

  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_S16, RATE, 1, NULL);
  return gst_audio_decoder_set_output_format (decoder, &info);
}

/* An empty buffer stands for missing packets (when concealment is on): as many 2.5 ms steps
 * as its duration holds. */
static int
concealed_samples (GstBuffer *buffer)
{
  guint64 samples = GST_BUFFER_DURATION_IS_VALID (buffer)
                      ? gst_util_uint64_scale (GST_BUFFER_DURATION (buffer), RATE, GST_SECOND)
                      : RATE / 50;

  samples = MIN (samples, MAX_PACKET_SAMPLES);
  return (int)MAX (samples - samples % PLC_STEP_SAMPLES, PLC_STEP_SAMPLES);
}

static GstFlowReturn
sp_opus_decoder_handle_frame (GstAudioDecoder *decoder, GstBuffer *buffer)
{
  SpOpusDecoder *self = SP_OPUS_DECODER (decoder);
  GstBuffer *out;
  GstMapInfo in, pcm;
  int samples;

  if (buffer == NULL) /* a drain: nothing is held back */
    return GST_FLOW_OK;
  if (!gst_buffer_map (buffer, &in, GST_MAP_READ))
    return GST_FLOW_ERROR;
  out
    = gst_audio_decoder_allocate_output_buffer (decoder, MAX_PACKET_SAMPLES * sizeof (opus_int16));
  gst_buffer_map (out, &pcm, GST_MAP_WRITE);
  if (in.size > 0)
    samples = opus_decode (self->decoder, in.data, (opus_int32)in.size, (opus_int16 *)pcm.data,
                           MAX_PACKET_SAMPLES, 0);
  else
    samples
      = opus_decode (self->decoder, NULL, 0, (opus_int16 *)pcm.data, concealed_samples (buffer), 0);
  gst_buffer_unmap (out, &pcm);
  gst_buffer_unmap (buffer, &in);
  if (samples < 0)
    {
      /* A packet that is not Opus is the peer's fault: it is dropped, the call goes on. */
      GST_DEBUG_OBJECT (self, "An undecodable packet: %s", opus_strerror (samples));
      gst_buffer_unref (out);
      return gst_audio_decoder_finish_frame (decoder, NULL, 1);
    }
  gst_buffer_resize (out, 0, (gssize)(samples * sizeof (opus_int16)));
  return gst_audio_decoder_finish_frame (decoder, out, 1);
}

static void
sp_opus_decoder_class_init (SpOpusDecoderClass *klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAudioDecoderClass *decoder_class = GST_AUDIO_DECODER_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Sportello Opus decoder",
                                         "Codec/Decoder/Audio", "Decodes a call's Opus voice",
                                         "Sportello");
  decoder_class->start = sp_opus_decoder_start;
  decoder_class->stop = sp_opus_decoder_stop;
  decoder_class->set_format = sp_opus_decoder_set_format;
  decoder_class->getcaps = sp_opus_decoder_getcaps;
  decoder_class->handle_frame = sp_opus_decoder_handle_frame;
}

static void
sp_opus_decoder_init (SpOpusDecoder *self)
{
  gst_audio_decoder_set_plc_aware (GST_AUDIO_DECODER (self), TRUE);
  gst_audio_decoder_set_use_default_pad_acceptcaps (GST_AUDIO_DECODER (self), TRUE);
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_AUDIO_DECODER_SINK_PAD (self));
}
