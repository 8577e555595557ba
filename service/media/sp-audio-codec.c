/* Codec table for voice: Opus (RFC 7587, always "opus/48000/2" in the rtpmap whatever the
 * channel count really sent) and G.711 µ-law/A-law (RFC 3551). */
#include "sp-audio-codec.h"
#include "sp-gst.h"
#include "sp-media-error.h"

#include <string.h>

#define PACKET_DURATION_NS (20 * GST_MSECOND)

struct _SpAudioCodec
{
  const char *name; /* as in the rtpmap, upper case */
  guint clock_rate;
  guint encode_rate; /* what the encoder is fed */
  const char *encoder;
  const char *payloader;
  const char *depayloader;
  const char *decoder;
};

static const SpAudioCodec codecs[] = {
  /* Opus through libopus's single-stream API (sp-opus-encoder.c tells why not opusenc). */
  { "OPUS", 48000, 48000, "sportelloopusenc", "rtpopuspay", "rtpopusdepay", "sportelloopusdec" },
  { "PCMU", 8000, 8000, "mulawenc", "rtppcmupay", "rtppcmudepay", "mulawdec" },
  { "PCMA", 8000, 8000, "alawenc", "rtppcmapay", "rtppcmadepay", "alawdec" },
};

const SpAudioCodec *
sp_audio_codec_lookup (const char *encoding_name, guint clock_rate)
{
  for (guint i = 0; encoding_name != NULL && i < G_N_ELEMENTS (codecs); i++)
    {
      if (g_ascii_strcasecmp (codecs[i].name, encoding_name) == 0
          && codecs[i].clock_rate == clock_rate)
        return &codecs[i];
    }
  return NULL;
}

const char *
sp_audio_codec_get_name (const SpAudioCodec *codec)
{
  return codec->name;
}

guint
sp_audio_codec_get_clock_rate (const SpAudioCodec *codec)
{
  return codec->clock_rate;
}

GstCaps *
sp_audio_codec_rtp_caps (const SpAudioCodec *codec, guint pt)
{
  return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio", "clock-rate",
                              G_TYPE_INT, (gint)codec->clock_rate, "encoding-name", G_TYPE_STRING,
                              codec->name, "payload", G_TYPE_INT, (gint)pt, NULL);
}

GstCaps *
sp_audio_codec_telephone_event_caps (guint pt, guint clock_rate)
{
  return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio", "clock-rate",
                              G_TYPE_INT, (gint)clock_rate, "encoding-name", G_TYPE_STRING,
                              "TELEPHONE-EVENT", "payload", G_TYPE_INT, (gint)pt, NULL);
}

static void
ghost (GstBin *bin, GstElement *element, const char *pad_name, const char *ghost_name)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);

  gst_element_add_pad (GST_ELEMENT (bin), gst_ghost_pad_new (ghost_name, pad));
}

static void
configure_encoder (const SpAudioCodec *codec, GstElement *encoder, GstElement *payloader, guint pt)
{
  g_object_set (payloader, "pt", pt, NULL);
  if (g_str_equal (codec->name, "OPUS"))
    {
      /* 20 ms frames (what every SIP peer expects, RFC 7587 §4.2) are the encoder's own. */
      g_object_set (encoder, "bitrate", 32000, NULL);
      return;
    }
  /* G.711 payloaders pack whatever buffer size arrives; pin 20 ms (RFC 3551 §4.5 default). */
  g_object_set (payloader, "min-ptime", (gint64)PACKET_DURATION_NS, "max-ptime",
                (gint64)PACKET_DURATION_NS, NULL);
}

GstElement *
sp_audio_codec_make_sender (const SpAudioCodec *codec, guint pt, GError **error)
{
  g_autoptr (GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
    "audio/x-raw", "rate", G_TYPE_INT, (gint)codec->encode_rate, "channels", G_TYPE_INT, 1, NULL);
  GstElement *convert, *resample, *filter, *encoder, *payloader;

  if (!(convert = sp_gst_add (GST_BIN (bin), "audioconvert", NULL, error))
      || !(resample = sp_gst_add (GST_BIN (bin), "audioresample", NULL, error))
      || !(filter = sp_gst_add (GST_BIN (bin), "capsfilter", NULL, error))
      || !(encoder = sp_gst_add (GST_BIN (bin), codec->encoder, NULL, error))
      || !(payloader = sp_gst_add (GST_BIN (bin), codec->payloader, NULL, error)))
    return NULL;

  g_object_set (filter, "caps", caps, NULL);
  configure_encoder (codec, encoder, payloader, pt);
  gst_element_link_many (convert, resample, filter, encoder, payloader, NULL);
  ghost (GST_BIN (bin), convert, "sink", "sink");
  ghost (GST_BIN (bin), payloader, "src", "src");
  return g_steal_pointer (&bin);
}

/* The same codec under another number: only the RTP header changes, so the running encoder
 * stays (rebuilding it would restart its stream and renegotiate everything behind it). */
void
sp_audio_codec_sender_set_pt (GstElement *sender, guint pt)
{
  g_autoptr (GstPad) ghost = gst_element_get_static_pad (sender, "src");
  g_autoptr (GstPad) target = gst_ghost_pad_get_target (GST_GHOST_PAD (ghost));
  g_autoptr (GstElement) payloader = gst_pad_get_parent_element (target);

  g_object_set (payloader, "pt", pt, NULL);
  /* Its caps say "payload=N" too: renegotiated before the next packet. */
  gst_pad_mark_reconfigure (target);
}

GstElement *
sp_audio_codec_make_receiver (const SpAudioCodec *codec, GError **error)
{
  g_autoptr (GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  GstElement *depayloader, *decoder;

  if (!(depayloader = sp_gst_add (GST_BIN (bin), codec->depayloader, NULL, error))
      || !(decoder = sp_gst_add (GST_BIN (bin), codec->decoder, NULL, error)))
    return NULL;

  gst_element_link (depayloader, decoder);
  ghost (GST_BIN (bin), depayloader, "sink", "sink");
  ghost (GST_BIN (bin), decoder, "src", "src");
  return g_steal_pointer (&bin);
}
