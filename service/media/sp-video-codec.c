/* Codec table for video: VP8 (RFC 7741) and H.264 packetization-mode 1 (RFC 6184), both
 * tuned for real-time conversation: no look-ahead, constant bit rate, bounded key-frame
 * distance. */
#include "sp-video-codec.h"
#include "sp-gst.h"
#include "sp-media-error.h"

#include <gst/video/video.h>

struct _SpVideoCodec
{
  const char *name;            /* as in the rtpmap */
  const char *const *encoders; /* first installed wins */
  const char *payloader;
  const char *depayloader;
  const char *const *decoders;
  const char *parser; /* between depayloader and decoder, or NULL */
};

static const char *const vp8_encoders[] = { "vp8enc", NULL };
static const char *const vp8_decoders[] = { "vp8dec", NULL };
/* openh264 is what Debian ships in plugins-bad; x264 (plugins-ugly) as an alternative. */
static const char *const h264_encoders[] = { "openh264enc", "x264enc", NULL };
static const char *const h264_decoders[] = { "openh264dec", "avdec_h264", NULL };
static const char *const h264_parsers[] = { "h264parse", NULL };

static const SpVideoCodec codecs[] = {
  { "VP8", vp8_encoders, "rtpvp8pay", "rtpvp8depay", vp8_decoders, NULL },
  /* openh264dec insists on a profile in its caps, which only h264parse reads from the SPS. */
  { "H264", h264_encoders, "rtph264pay", "rtph264depay", h264_decoders, "h264parse" },
};

static const char *
first_installed (const char *const *factories)
{
  for (guint i = 0; factories[i] != NULL; i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (factories[i]);

      if (factory != NULL)
        return factories[i];
    }
  return NULL;
}

static gboolean
installed (const SpVideoCodec *codec)
{
  return first_installed (codec->encoders) != NULL && first_installed (codec->decoders) != NULL
         && (codec->parser == NULL || first_installed (h264_parsers) != NULL);
}

const SpVideoCodec *
sp_video_codec_lookup (const char *encoding_name)
{
  for (guint i = 0; encoding_name != NULL && i < G_N_ELEMENTS (codecs); i++)
    {
      if (g_ascii_strcasecmp (codecs[i].name, encoding_name) == 0 && installed (&codecs[i]))
        return &codecs[i];
    }
  return NULL;
}

const char *
sp_video_codec_get_name (const SpVideoCodec *codec)
{
  return codec->name;
}

gboolean
sp_video_codec_h264_available (void)
{
  return sp_video_codec_lookup ("H264") != NULL;
}

GstCaps *
sp_video_codec_rtp_caps (const SpVideoCodec *codec, guint pt, gboolean pli, gboolean fir,
                         gboolean nack)
{
  GstCaps *caps = gst_caps_new_simple (
    "application/x-rtp", "media", G_TYPE_STRING, "video", "clock-rate", G_TYPE_INT, 90000,
    "encoding-name", G_TYPE_STRING, codec->name, "payload", G_TYPE_INT, (gint)pt, NULL);

  /* The field names rtpsession looks for (gstrtpsession.c) to allow PLI, FIR and NACK. */
  if (pli)
    gst_caps_set_simple (caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, NULL);
  if (fir)
    gst_caps_set_simple (caps, "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, NULL);
  if (nack)
    gst_caps_set_simple (caps, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE, NULL);
  return caps;
}

static void
ghost (GstBin *bin, GstElement *element, const char *pad_name)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);

  gst_element_add_pad (GST_ELEMENT (bin), gst_ghost_pad_new (pad_name, pad));
}

static void
configure_vp8 (GstElement *encoder, const SpVideoEncoding *encoding)
{
  /* deadline=1: libvpx's real-time mode; lag-in-frames=0: no frames held back for look-ahead,
   * which would add latency; cbr with error resilience, as for any conversational use.
   * threads=1: with two, libvpx's threads spin-wait on each other (perf, bench/README.md),
   * which cost up to 80 % of the CPU and dropped a third of the frames on a busy machine. */
  gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
  gst_util_set_object_arg (G_OBJECT (encoder), "error-resilient", "default");
  g_object_set (encoder, "deadline", (gint64)1, "lag-in-frames", 0, "cpu-used", 8, "target-bitrate",
                (gint)(encoding->bitrate_kbps * 1000), "keyframe-max-dist",
                (gint)(encoding->framerate * encoding->keyframe_seconds), "threads", 1, NULL);
}

static void
configure_h264 (GstElement *encoder, const char *factory, const SpVideoEncoding *encoding)
{
  guint gop = encoding->framerate * encoding->keyframe_seconds;

  if (g_str_equal (factory, "openh264enc"))
    {
      g_object_set (encoder, "bitrate", encoding->bitrate_kbps * 1000, "gop-size", gop, NULL);
      gst_util_set_object_arg (G_OBJECT (encoder), "rate-control", "bitrate");
      return;
    }
  gst_util_set_object_arg (G_OBJECT (encoder), "tune", "zerolatency");
  gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", "ultrafast");
  g_object_set (encoder, "bitrate", encoding->bitrate_kbps, "key-int-max", gop, NULL);
}

/* H.264 constrained baseline, as our SDP's profile-level-id 42e01f promises. */
static GstElement *
make_h264_profile_filter (GstBin *bin, GError **error)
{
  GstElement *filter = sp_gst_add (bin, "capsfilter", NULL, error);
  g_autoptr (GstCaps) caps = NULL;

  if (filter == NULL)
    return NULL;
  caps
    = gst_caps_from_string ("video/x-h264,profile=constrained-baseline,stream-format=byte-stream");
  g_object_set (filter, "caps", caps, NULL);
  return filter;
}

GstElement *
sp_video_codec_make_sender (const SpVideoCodec *codec, guint pt, const SpVideoEncoding *encoding,
                            GError **error)
{
  g_autoptr (GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  const char *factory = first_installed (codec->encoders);
  gboolean h264 = g_str_equal (codec->name, "H264");
  GstElement *encoder, *profile = NULL, *payloader;

  if (!(encoder = sp_gst_add (GST_BIN (bin), factory, "encoder", error))
      || (h264 && !(profile = make_h264_profile_filter (GST_BIN (bin), error)))
      || !(payloader = sp_gst_add (GST_BIN (bin), codec->payloader, NULL, error)))
    return NULL;

  if (h264)
    {
      configure_h264 (encoder, factory, encoding);
      /* SPS/PPS with every key frame, so a receiver that joins late can start. */
      g_object_set (payloader, "config-interval", -1, NULL);
      gst_element_link_many (encoder, profile, payloader, NULL);
    }
  else
    {
      configure_vp8 (encoder, encoding);
      gst_element_link (encoder, payloader);
    }
  g_object_set (payloader, "pt", pt, "mtu", 1200, NULL);
  ghost (GST_BIN (bin), encoder, "sink");
  ghost (GST_BIN (bin), payloader, "src");
  return g_steal_pointer (&bin);
}

GstElement *
sp_video_codec_make_receiver (const SpVideoCodec *codec, GError **error)
{
  g_autoptr (GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  GstElement *depayloader, *parser = NULL, *decoder;

  if (!(depayloader = sp_gst_add (GST_BIN (bin), codec->depayloader, NULL, error))
      || (codec->parser && !(parser = sp_gst_add (GST_BIN (bin), codec->parser, NULL, error)))
      || !(decoder = sp_gst_add (GST_BIN (bin), first_installed (codec->decoders), NULL, error)))
    return NULL;

  /* Without a key frame a decoder only produces garbage; waiting for one and asking for it
   * (an upstream force-key-unit event, which rtpsession sends as PLI or FIR) is what makes a
   * resumed or late-joined stream show a picture at once. */
  g_object_set (depayloader, "wait-for-keyframe", TRUE, "request-keyframe", TRUE, NULL);
  if (parser)
    gst_element_link_many (depayloader, parser, decoder, NULL);
  else
    gst_element_link (depayloader, decoder);
  ghost (GST_BIN (bin), depayloader, "sink");
  ghost (GST_BIN (bin), decoder, "src");
  return g_steal_pointer (&bin);
}

void
sp_video_codec_force_key_frame (GstElement *sender)
{
  g_autoptr (GstElement) encoder = GST_IS_BIN (sender)
                                     ? gst_bin_get_by_name (GST_BIN (sender), "encoder")
                                     : gst_object_ref (sender);

  if (encoder != NULL)
    gst_element_send_event (
      encoder, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}
