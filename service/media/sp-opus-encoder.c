/* The encoding side of sp-opus-decoder.c: GStreamer's opusenc also goes through libopus's
 * multistream API and pays the same per-packet CPUID on a virtual machine. Settings as the
 * call had with opusenc: 20 ms frames (RFC 7587 §4.2), the VoIP application (tuned for speech),
 * constrained VBR at a set bitrate. */
#include "sp-opus-encoder.h"

#include <opus.h>

#define RATE 48000
#define FRAME_SAMPLES (RATE / 50)
#define MAX_PACKET_BYTES 1275 /* RFC 6716 §3.2.1: one frame's largest code */
#define DEFAULT_BITRATE 32000

struct _SpOpusEncoder
{
  GstAudioEncoder parent_instance;
  OpusEncoder *encoder;
  gint bitrate;
};

enum
{
  PROP_0,
  PROP_BITRATE,
};

G_DEFINE_FINAL_TYPE (SpOpusEncoder, sp_opus_encoder, GST_TYPE_AUDIO_ENCODER)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE (
  "sink", GST_PAD_SINK, GST_PAD_ALWAYS,
  GST_STATIC_CAPS ("audio/x-raw, format = (string) " GST_AUDIO_NE (
    S16) ", layout = (string) interleaved, rate = (int) 48000, channels = (int) 1"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE (
  "src", GST_PAD_SRC, GST_PAD_ALWAYS,
  GST_STATIC_CAPS ("audio/x-opus, rate = (int) 48000, channels = (int) 1, "
                   "channel-mapping-family = (int) 0"));

static gboolean
sp_opus_encoder_start (GstAudioEncoder *encoder)
{
  SpOpusEncoder *self = SP_OPUS_ENCODER (encoder);
  int status = OPUS_OK;

  self->encoder = opus_encoder_create (RATE, 1, OPUS_APPLICATION_VOIP, &status);
  if (self->encoder == NULL)
    {
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("The Opus encoder cannot start"),
                         ("%s", opus_strerror (status)));
      return FALSE;
    }
  opus_encoder_ctl (self->encoder, OPUS_SET_BITRATE (self->bitrate));
  opus_encoder_ctl (self->encoder, OPUS_SET_VBR_CONSTRAINT (1));
  return TRUE;
}

static gboolean
sp_opus_encoder_stop (GstAudioEncoder *encoder)
{
  SpOpusEncoder *self = SP_OPUS_ENCODER (encoder);

  g_clear_pointer (&self->encoder, opus_encoder_destroy);
  return TRUE;
}

static gboolean
sp_opus_encoder_set_format (GstAudioEncoder *encoder, GstAudioInfo *info)
{
  SpOpusEncoder *self = SP_OPUS_ENCODER (encoder);
  g_autoptr (GstCaps) caps = gst_static_pad_template_get_caps (&src_template);
  opus_int32 lookahead = 0;

  opus_encoder_ctl (self->encoder, OPUS_GET_LOOKAHEAD (&lookahead));
  gst_audio_encoder_set_frame_samples_min (encoder, FRAME_SAMPLES);
  gst_audio_encoder_set_frame_samples_max (encoder, FRAME_SAMPLES);
  gst_audio_encoder_set_frame_max (encoder, 1);
  gst_audio_encoder_set_lookahead (encoder, lookahead);
  return gst_audio_encoder_set_output_format (encoder, caps);
}

static GstFlowReturn
sp_opus_encoder_handle_frame (GstAudioEncoder *encoder, GstBuffer *buffer)
{
  SpOpusEncoder *self = SP_OPUS_ENCODER (encoder);
  opus_int16 frame[FRAME_SAMPLES] = { 0 };
  GstBuffer *out;
  GstMapInfo packet;
  opus_int32 bytes;

  if (buffer == NULL) /* a drain: nothing is held back */
    return GST_FLOW_OK;
  /* The last frame before EOS may be short: it is padded with silence. */
  gst_buffer_extract (buffer, 0, frame, sizeof (frame));
  out = gst_audio_encoder_allocate_output_buffer (encoder, MAX_PACKET_BYTES);
  gst_buffer_map (out, &packet, GST_MAP_WRITE);
  bytes = opus_encode (self->encoder, frame, FRAME_SAMPLES, packet.data, MAX_PACKET_BYTES);
  gst_buffer_unmap (out, &packet);
  if (bytes < 0)
    {
      gst_buffer_unref (out);
      GST_ELEMENT_ERROR (self, STREAM, ENCODE, ("Opus encoding failed"),
                         ("%s", opus_strerror (bytes)));
      return GST_FLOW_ERROR;
    }
  gst_buffer_resize (out, 0, bytes);
  return gst_audio_encoder_finish_frame (encoder, out, FRAME_SAMPLES);
}

static void
sp_opus_encoder_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  SpOpusEncoder *self = SP_OPUS_ENCODER (object);

  switch (id)
    {
      case PROP_BITRATE:
        self->bitrate = g_value_get_int (value);
        if (self->encoder != NULL)
          opus_encoder_ctl (self->encoder, OPUS_SET_BITRATE (self->bitrate));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
sp_opus_encoder_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  SpOpusEncoder *self = SP_OPUS_ENCODER (object);

  switch (id)
    {
      case PROP_BITRATE:
        g_value_set_int (value, self->bitrate);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
sp_opus_encoder_class_init (SpOpusEncoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAudioEncoderClass *encoder_class = GST_AUDIO_ENCODER_CLASS (klass);

  object_class->set_property = sp_opus_encoder_set_property;
  object_class->get_property = sp_opus_encoder_get_property;
  /* The range libopus takes (OPUS_SET_BITRATE). */
  g_object_class_install_property (
    object_class, PROP_BITRATE,
    g_param_spec_int ("bitrate", "Bitrate", "Target bitrate in bit/s", 500, 512000, DEFAULT_BITRATE,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Sportello Opus encoder",
                                         "Codec/Encoder/Audio", "Encodes a call's voice in Opus",
                                         "Sportello");
  encoder_class->start = sp_opus_encoder_start;
  encoder_class->stop = sp_opus_encoder_stop;
  encoder_class->set_format = sp_opus_encoder_set_format;
  encoder_class->handle_frame = sp_opus_encoder_handle_frame;
}

static void
sp_opus_encoder_init (SpOpusEncoder *self)
{
  self->bitrate = DEFAULT_BITRATE;
}
