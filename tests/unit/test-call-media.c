/* The call media pipeline against real GStreamer RTP peers on 127.0.0.1: what a person on either
 * end would hear (the dominant frequency of the decoded audio), what hold does to the packets,
 * dead-peer detection, port allocation, and errors that must surface instead of crashing. */
#include "test-gst-exit.h"
#include "sp-call-media.h"
#include "sp-audio-devices.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define OUR_TONE 440.0
#define PEER_TONE 1000.0
#define TONE_TOLERANCE 25.0
#define ANALYSIS_RATE 8000
#define FAST_RTCP_MS 300

/* ---- waiting (generous deadlines, never exact timing) ---- */

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

#define WAIT_UNTIL(expr, ms)                                                                       \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 wait_deadline = g_get_monotonic_time () + (gint64)(ms)*1000;                            \
    while (!(expr) && g_get_monotonic_time () < wait_deadline)                                     \
      spin (10);                                                                                   \
  }                                                                                                \
  G_STMT_END

/* ---- tone analysis ---- */

static double
goertzel_power (const gint16 *samples, gsize n, guint rate, double frequency)
{
  double coeff = 2 * cos (2 * G_PI * frequency / rate);
  double s1 = 0, s2 = 0;

  for (gsize i = 0; i < n; i++)
    {
      double s = samples[i] + coeff * s1 - s2;

      s2 = s1;
      s1 = s;
    }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/* The strongest frequency between 100 and 3500 Hz, in 5 Hz steps. */
static double
dominant_frequency (const gint16 *samples, gsize n, guint rate)
{
  double best = 0, best_power = -1;

  for (double f = 100; f <= 3500; f += 5)
    {
      double power = goertzel_power (samples, n, rate, f);

      if (power > best_power)
        {
          best_power = power;
          best = f;
        }
    }
  return best;
}

static double
rms (const gint16 *samples, gsize n)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += (double)samples[i] * samples[i];
  return n > 0 ? sqrt (sum / n) : 0;
}

/* ---- WAV files (what our side played) ---- */

typedef struct
{
  guint rate;
  guint channels;
  GArray *mono; /* gint16, first channel */
} Wav;

static guint32
le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32)p[3] << 24);
}

static guint16
le16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

/* Asserts a finalized PCM16 WAV: the RIFF and data sizes wavenc rewrites on EOS must match the
 * file, or the recording was never finished. */
static Wav
read_wav (const char *path)
{
  g_autofree guint8 *data = NULL;
  gsize length = 0, offset = 12;
  Wav wav = { 0, 0, NULL };

  g_assert_true (g_file_get_contents (path, (char **)&data, &length, NULL));
  g_assert_cmpuint (length, >, 44);
  g_assert_cmpmem (data, 4, "RIFF", 4);
  g_assert_cmpmem (data + 8, 4, "WAVE", 4);
  g_assert_cmpuint (le32 (data + 4), ==, length - 8);
  while (offset + 8 <= length)
    {
      guint32 size = le32 (data + offset + 4);

      if (memcmp (data + offset, "fmt ", 4) == 0)
        {
          g_assert_cmpuint (le16 (data + offset + 8), ==, 1); /* PCM */
          wav.channels = le16 (data + offset + 10);
          wav.rate = le32 (data + offset + 12);
          g_assert_cmpuint (le16 (data + offset + 22), ==, 16);
        }
      else if (memcmp (data + offset, "data", 4) == 0)
        {
          const guint8 *pcm = data + offset + 8;

          g_assert_cmpuint (wav.channels, >, 0);
          g_assert_cmpuint (offset + 8 + size, ==, length);
          wav.mono = g_array_new (FALSE, FALSE, sizeof (gint16));
          for (gsize i = 0; i + 2 * wav.channels <= size; i += 2 * wav.channels)
            {
              gint16 sample = (gint16)le16 (pcm + i);

              g_array_append_val (wav.mono, sample);
            }
          break;
        }
      offset += 8 + size + (size & 1);
    }
  g_assert_nonnull (wav.mono);
  return wav;
}

/* The dominant frequency of [from, to) seconds of the recording. */
static double
wav_frequency (const Wav *wav, double from, double to)
{
  gsize start = (gsize)(from * wav->rate), end = (gsize)(to * wav->rate);

  g_assert_cmpuint (end, <=, wav->mono->len);
  return dominant_frequency (&g_array_index (wav->mono, gint16, start), end - start, wav->rate);
}

/* The part of the energy of [from, to) seconds of the recording that lies at FREQUENCY, over
 * 50 ms blocks (as peer_recent_share). */
static double
wav_share (const Wav *wav, double from, double to, double frequency)
{
  const gsize block = wav->rate / 20;
  gsize start = (gsize)(from * wav->rate), end = (gsize)(to * wav->rate);
  double at_frequency = 0, total = 0;

  g_assert_cmpuint (end, <=, wav->mono->len);
  for (gsize first = start; first + block <= end; first += block)
    {
      const gint16 *samples = &g_array_index (wav->mono, gint16, first);
      double energy = 0;

      for (gsize i = 0; i < block; i++)
        energy += (double)samples[i] * samples[i];
      at_frequency += goertzel_power (samples, block, wav->rate, frequency);
      total += block * energy / 2;
    }
  return total > 0 ? at_frequency / total : 0;
}

static double
wav_seconds (const Wav *wav)
{
  return (double)wav->mono->len / wav->rate;
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gsize)st.st_size : 0;
}

/* ---- the peer: another softphone, as a GStreamer pipeline in this process ---- */

typedef struct
{
  const char *name; /* rtpmap */
  guint clock_rate;
  const char *encoder;
  const char *payloader_options;
  const char *depayloader;
  const char *decoder;
} PeerCodec;

static const PeerCodec peer_opus
  = { "OPUS", 48000, "opusenc frame-size=20", "", "rtpopusdepay", "opusdec" };
static const PeerCodec peer_pcmu = { "PCMU",         8000,
                                     "mulawenc",     "min-ptime=20000000 max-ptime=20000000",
                                     "rtppcmudepay", "mulawdec" };
static const PeerCodec peer_pcma
  = { "PCMA", 8000, "alawenc", "min-ptime=20000000 max-ptime=20000000", "rtppcmadepay", "alawdec" };

typedef struct
{
  GstElement *pipeline;
  GSocket *rtp_socket;
  GSocket *rtcp_socket;
  guint16 rtp_port;
  guint16 rtcp_port;
  guint rtp_in;  /* atomic: RTP packets that reached the peer */
  guint rtcp_in; /* atomic: RTCP packets that reached the peer */
  GMutex lock;
  GArray *samples;  /* gint16 at ANALYSIS_RATE, decoded by the peer */
  SpMediaSrtp srtp; /* an SRTP peer's keys, seen from the peer: send_key is what it sends with */
} Peer;

static GSocket *
bind_loopback (guint16 port, GError **error)
{
  g_autoptr (GSocket) socket
    = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr (GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  g_atomic_int_inc ((guint *)user_data);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
collect_samples (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Peer *peer = user_data;
  GstMapInfo map;

  if (gst_buffer_map (GST_PAD_PROBE_INFO_BUFFER (info), &map, GST_MAP_READ))
    {
      g_mutex_lock (&peer->lock);
      g_array_append_vals (peer->samples, map.data, map.size / sizeof (gint16));
      g_mutex_unlock (&peer->lock);
      gst_buffer_unmap (GST_PAD_PROBE_INFO_BUFFER (info), &map);
    }
  return GST_PAD_PROBE_OK;
}

static void
probe (GstElement *pipeline, const char *element_name, const char *pad_name,
       GstPadProbeCallback callback, gpointer data)
{
  g_autoptr (GstElement) element = gst_bin_get_by_name (GST_BIN (pipeline), element_name);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, callback, data, NULL);
}

static void
give_socket (GstElement *pipeline, const char *element_name, GSocket *socket)
{
  g_autoptr (GstElement) element = gst_bin_get_by_name (GST_BIN (pipeline), element_name);

  g_object_set (element, "socket", socket, "close-socket", FALSE, NULL);
}

/* A peer that sends a FREQUENCY tone with CODEC/PT (and SSRC, unless 0) to our ports and
 * decodes what we send. */
static Peer *
peer_new_full (const PeerCodec *codec, guint pt, guint32 ssrc, double frequency, guint16 our_rtp,
               guint16 our_rtcp)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *payloader_options
    = ssrc != 0 ? g_strdup_printf ("%s ssrc=%u", codec->payloader_options, ssrc)
                : g_strdup (codec->payloader_options);
  Peer *peer = g_new0 (Peer, 1);

  g_mutex_init (&peer->lock);
  peer->samples = g_array_new (FALSE, FALSE, sizeof (gint16));
  peer->rtp_socket = bind_loopback (0, &error);
  g_assert_no_error (error);
  peer->rtcp_socket = bind_loopback (0, &error);
  g_assert_no_error (error);
  peer->rtp_port = local_port (peer->rtp_socket);
  peer->rtcp_port = local_port (peer->rtcp_socket);

  description = g_strdup_printf (
    "rtpbin name=rb latency=100 "
    "audiotestsrc is-live=true freq=%g ! audioconvert ! audioresample "
    "  ! audio/x-raw,rate=%u,channels=1 ! %s ! %s pt=%u %s ! rb.send_rtp_sink_0 "
    "rb.send_rtp_src_0 ! udpsink host=127.0.0.1 port=%u sync=false async=false "
    "rb.send_rtcp_src_0 ! udpsink host=127.0.0.1 port=%u sync=false async=false "
    "udpsrc name=rtpsrc caps=\"application/x-rtp,media=audio,clock-rate=%u,encoding-name=%s,"
    "payload=%u\" ! rb.recv_rtp_sink_0 "
    "udpsrc name=rtcpsrc ! rb.recv_rtcp_sink_0 "
    "rb. ! %s ! %s ! audioconvert ! audioresample "
    "  ! audio/x-raw,format=S16LE,rate=%u,channels=1 ! fakesink name=out sync=false",
    frequency, codec->clock_rate, codec->encoder,
    g_str_equal (codec->name, "OPUS")   ? "rtpopuspay"
    : g_str_equal (codec->name, "PCMU") ? "rtppcmupay"
                                        : "rtppcmapay",
    pt, payloader_options, our_rtp, our_rtcp, codec->clock_rate, codec->name, pt,
    codec->depayloader, codec->decoder, ANALYSIS_RATE);
  peer->pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (peer->pipeline);
  give_socket (peer->pipeline, "rtpsrc", peer->rtp_socket);
  give_socket (peer->pipeline, "rtcpsrc", peer->rtcp_socket);
  probe (peer->pipeline, "rtpsrc", "src", count_buffer, &peer->rtp_in);
  probe (peer->pipeline, "rtcpsrc", "src", count_buffer, &peer->rtcp_in);
  probe (peer->pipeline, "out", "sink", collect_samples, peer);
  g_assert_cmpint (gst_element_set_state (peer->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return peer;
}

static Peer *
peer_new (const PeerCodec *codec, guint pt, double frequency, guint16 our_rtp, guint16 our_rtcp)
{
  return peer_new_full (codec, pt, 0, frequency, our_rtp, our_rtcp);
}

/* ---- an SRTP peer: srtpenc after its rtpbin, srtpdec before it ---- */

static const char *
srtp_cipher (SpMediaSrtpSuite suite)
{
  return suite >= SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80 ? "aes-256-icm" : "aes-128-icm";
}

static const char *
srtp_auth (SpMediaSrtpSuite suite)
{
  return suite == SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32
             || suite == SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32
           ? "hmac-sha1-32"
           : "hmac-sha1-80";
}

static GstCaps *
peer_request_key (GstElement *decoder, guint ssrc, gpointer data)
{
  Peer *peer = data;
  g_autoptr (GstBuffer) key = gst_buffer_new_memdup (peer->srtp.recv_key, peer->srtp.key_length);

  return gst_caps_new_simple ("application/x-srtp", "srtp-key", GST_TYPE_BUFFER, key, "srtp-cipher",
                              G_TYPE_STRING, srtp_cipher (peer->srtp.suite), "srtp-auth",
                              G_TYPE_STRING, srtp_auth (peer->srtp.suite), "srtcp-cipher",
                              G_TYPE_STRING, srtp_cipher (peer->srtp.suite), "srtcp-auth",
                              G_TYPE_STRING, "hmac-sha1-80", NULL);
}

/* A PCMU peer speaking SRTP with KEYS (its own view: send_key is what it encrypts with). */
static Peer *
peer_new_srtp (const SpMediaSrtp *keys, guint16 our_rtp, guint16 our_rtcp)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;
  g_autoptr (GstElement) encoder = NULL;
  g_autoptr (GstElement) decoder = NULL;
  g_autoptr (GstBuffer) key = NULL;
  Peer *peer = g_new0 (Peer, 1);

  g_mutex_init (&peer->lock);
  peer->srtp = *keys;
  peer->samples = g_array_new (FALSE, FALSE, sizeof (gint16));
  peer->rtp_socket = bind_loopback (0, &error);
  peer->rtcp_socket = bind_loopback (0, &error);
  g_assert_no_error (error);
  peer->rtp_port = local_port (peer->rtp_socket);
  peer->rtcp_port = local_port (peer->rtcp_socket);
  description = g_strdup_printf (
    "rtpbin name=rb latency=100 srtpenc name=enc srtpdec name=dec "
    "audiotestsrc is-live=true freq=%g ! audioconvert ! audioresample ! audio/x-raw,rate=8000,"
    "channels=1 ! mulawenc ! rtppcmupay pt=0 min-ptime=20000000 max-ptime=20000000 ! "
    "rb.send_rtp_sink_0 "
    "rb.send_rtp_src_0 ! enc.rtp_sink_0 enc.rtp_src_0 ! udpsink host=127.0.0.1 port=%u sync=false "
    "async=false "
    "rb.send_rtcp_src_0 ! enc.rtcp_sink_0 enc.rtcp_src_0 ! udpsink host=127.0.0.1 port=%u "
    "sync=false async=false "
    "udpsrc name=rtpsrc caps=\"application/x-srtp,media=audio,clock-rate=8000,encoding-name=PCMU,"
    "payload=0\" ! dec.rtp_sink dec.rtp_src ! rb.recv_rtp_sink_0 "
    "udpsrc name=rtcpsrc caps=application/x-srtcp ! dec.rtcp_sink dec.rtcp_src ! "
    "rb.recv_rtcp_sink_0 "
    "rb. ! rtppcmudepay ! mulawdec ! audioconvert ! audioresample "
    "  ! audio/x-raw,format=S16LE,rate=%u,channels=1 ! fakesink name=out sync=false",
    PEER_TONE, our_rtp, our_rtcp, ANALYSIS_RATE);
  peer->pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (peer->pipeline);
  encoder = gst_bin_get_by_name (GST_BIN (peer->pipeline), "enc");
  decoder = gst_bin_get_by_name (GST_BIN (peer->pipeline), "dec");
  key = gst_buffer_new_memdup (keys->send_key, keys->key_length);
  g_object_set (encoder, "key", key, NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "rtp-cipher", srtp_cipher (keys->suite));
  gst_util_set_object_arg (G_OBJECT (encoder), "rtcp-cipher", srtp_cipher (keys->suite));
  gst_util_set_object_arg (G_OBJECT (encoder), "rtp-auth", srtp_auth (keys->suite));
  g_signal_connect (decoder, "request-key", G_CALLBACK (peer_request_key), peer);
  give_socket (peer->pipeline, "rtpsrc", peer->rtp_socket);
  give_socket (peer->pipeline, "rtcpsrc", peer->rtcp_socket);
  probe (peer->pipeline, "rtpsrc", "src", count_buffer, &peer->rtp_in);
  probe (peer->pipeline, "rtcpsrc", "src", count_buffer, &peer->rtcp_in);
  probe (peer->pipeline, "out", "sink", collect_samples, peer);
  g_assert_cmpint (gst_element_set_state (peer->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return peer;
}

/* Keys for both ends of a call: ours, and the peer's mirror image. */
static void
srtp_keys (SpMediaSrtpSuite suite, SpMediaSrtp *ours, SpMediaSrtp *theirs)
{
  ours->suite = theirs->suite = suite;
  ours->key_length = theirs->key_length = suite >= SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80 ? 46 : 30;
  for (gsize i = 0; i < ours->key_length; i++)
    {
      ours->send_key[i] = theirs->recv_key[i] = (guint8)g_random_int ();
      ours->recv_key[i] = theirs->send_key[i] = (guint8)g_random_int ();
    }
}

static void
peer_stop (Peer *peer)
{
  gst_element_set_state (peer->pipeline, GST_STATE_NULL);
}

static void
peer_free (Peer *peer)
{
  peer_stop (peer);
  gst_object_unref (peer->pipeline);
  g_object_unref (peer->rtp_socket);
  g_object_unref (peer->rtcp_socket);
  g_array_unref (peer->samples);
  g_mutex_clear (&peer->lock);
  g_free (peer);
}

static guint
peer_rtp (Peer *peer)
{
  return (guint)g_atomic_int_get (&peer->rtp_in);
}

static guint
peer_rtcp (Peer *peer)
{
  return (guint)g_atomic_int_get (&peer->rtcp_in);
}

static double
peer_seconds_decoded (Peer *peer)
{
  double seconds;

  g_mutex_lock (&peer->lock);
  seconds = (double)peer->samples->len / ANALYSIS_RATE;
  g_mutex_unlock (&peer->lock);
  return seconds;
}

/* Dominant frequency (and RMS) of the last SECONDS the peer decoded. */
static double
peer_recent_frequency (Peer *peer, double seconds, double *level)
{
  gsize n = (gsize)(seconds * ANALYSIS_RATE);
  double frequency;

  g_mutex_lock (&peer->lock);
  g_assert_cmpuint (peer->samples->len, >=, n);
  frequency = dominant_frequency (&g_array_index (peer->samples, gint16, peer->samples->len - n), n,
                                  ANALYSIS_RATE);
  if (level != NULL)
    *level = rms (&g_array_index (peer->samples, gint16, peer->samples->len - n), n);
  g_mutex_unlock (&peer->lock);
  return frequency;
}

/* Dominant frequency (and RMS) of what the peer decoded between FROM and TO seconds after its
 * first sample: a fixed stretch of the stream, whenever the test looks at it. */
static double
peer_frequency_between (Peer *peer, double from, double to, double *level)
{
  gsize start = (gsize)(from * ANALYSIS_RATE), n = (gsize)((to - from) * ANALYSIS_RATE);
  double frequency;

  g_mutex_lock (&peer->lock);
  g_assert_cmpuint (peer->samples->len, >=, start + n);
  frequency = dominant_frequency (&g_array_index (peer->samples, gint16, start), n, ANALYSIS_RATE);
  if (level != NULL)
    *level = rms (&g_array_index (peer->samples, gint16, start), n);
  g_mutex_unlock (&peer->lock);
  return frequency;
}

/* The part of the energy of the last SECONDS the peer decoded that lies at FREQUENCY (a
 * multiple of 20 Hz): about 1 for a pure tone, 1/n for one of n equal tones, about 0 for a tone
 * that is absent. Taken over 50 ms blocks, so that a jump of phase (a lost packet, the jitter
 * buffer's concealment) does not cancel a tone that is there. */
static double
peer_recent_share (Peer *peer, double seconds, double frequency)
{
  const gsize block = ANALYSIS_RATE / 20;
  gsize n = (gsize)(seconds * ANALYSIS_RATE) / block * block;
  const gint16 *samples;
  double at_frequency = 0, total = 0;

  g_mutex_lock (&peer->lock);
  g_assert_cmpuint (peer->samples->len, >=, n);
  samples = &g_array_index (peer->samples, gint16, peer->samples->len - n);
  for (gsize start = 0; start < n; start += block)
    {
      double energy = 0;

      for (gsize i = start; i < start + block; i++)
        energy += (double)samples[i] * samples[i];
      at_frequency += goertzel_power (samples + start, block, ANALYSIS_RATE, frequency);
      total += block * energy / 2;
    }
  g_mutex_unlock (&peer->lock);
  return total > 0 ? at_frequency / total : 0;
}

/* ---- our side ---- */

typedef struct
{
  SpCallMedia *media;
  char *dir;
  char *wav_path;
  guint16 rtp_port;
  guint16 rtcp_port;
  guint errors;
  char *last_error;
  guint timeouts;
  guint first_rtp;
  gint64 first_rtp_time;
} Fixture;

static void
on_error (SpCallMedia *media, const char *message, gpointer user_data)
{
  Fixture *f = user_data;

  f->errors++;
  g_free (f->last_error);
  f->last_error = g_strdup (message);
}

static void
on_rtp_timeout (SpCallMedia *media, gpointer user_data)
{
  ((Fixture *)user_data)->timeouts++;
}

static void
on_first_rtp (SpCallMedia *media, gint64 time, gpointer user_data)
{
  Fixture *f = user_data;

  f->first_rtp++;
  f->first_rtp_time = time;
}

/* A free run of 6 ports (bind probe), so tests never collide with fixed ports on this machine. */
static guint
find_free_range (void)
{
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      guint base = 40000 + 2 * g_random_int_range (0, 9000);
      gboolean free = TRUE;

      for (guint port = base; port < base + 6 && free; port++)
        {
          g_autoptr (GSocket) socket = bind_loopback ((guint16)port, NULL);

          free = socket != NULL;
        }
      if (free)
        return base;
    }
  g_assert_not_reached ();
}

static void
fixture_setup_with (Fixture *f, const char *source, gboolean record)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sink = NULL;
  guint base = find_free_range ();

  f->dir = g_dir_make_tmp ("test-call-media-XXXXXX", &error);
  g_assert_no_error (error);
  f->wav_path = g_build_filename (f->dir, "heard.wav", NULL);
  sink = record ? g_strconcat ("file:", f->wav_path, NULL) : g_strdup ("null");
  f->media = sp_call_media_new (source, sink, base, base + 5);
  g_object_set (f->media, "tone-frequency", OUR_TONE, "rtcp-interval", FAST_RTCP_MS, NULL);
  g_signal_connect (f->media, "error", G_CALLBACK (on_error), f);
  g_signal_connect (f->media, "rtp-timeout", G_CALLBACK (on_rtp_timeout), f);
  g_signal_connect (f->media, "first-rtp-received", G_CALLBACK (on_first_rtp), f);
  g_assert_true (
    sp_call_media_prepare_audio (f->media, "127.0.0.1", &f->rtp_port, &f->rtcp_port, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_with (f, "test", TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->media);
  g_unlink (f->wav_path);
  g_rmdir (f->dir);
  g_free (f->wav_path);
  g_free (f->dir);
  g_free (f->last_error);
}

static SpCallMediaAudio
params_for (Peer *peer, const char *name, guint clock_rate, guint8 pt)
{
  SpCallMediaAudio params = {
    .remote_address = "127.0.0.1",
    .remote_rtp_port = peer->rtp_port,
    .remote_rtcp_port = peer->rtcp_port, /* not RTP+1: a=rtcp must be honoured */
    .payload_type = pt,
    .encoding_name = name,
    .clock_rate = clock_rate,
    .telephone_event_pt = 0,
    .direction = SP_MEDIA_DIRECTION_SENDRECV,
  };

  return params;
}

static void
start (Fixture *f, const SpCallMediaAudio *params)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_call_media_start_audio (f->media, params, &error));
  g_assert_no_error (error);
}

/* ---- tests: ports ---- */

static gboolean
port_is_free (guint16 port)
{
  g_autoptr (GSocket) socket = bind_loopback (port, NULL);

  return socket != NULL;
}

static void
test_ports_pair (void)
{
  g_autoptr (GError) error = NULL;
  guint base = find_free_range ();
  g_autoptr (SpCallMedia) media = sp_call_media_new ("test", "null", base, base + 5);
  guint16 rtp = 0, rtcp = 0, again = 0;

  g_assert_true (sp_call_media_prepare_audio (media, "127.0.0.1", &rtp, &rtcp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rtp, ==, base);
  g_assert_cmpuint (rtcp, ==, rtp + 1);
  /* The pair is held until stop, so nobody else can take the ports written in our SDP. */
  g_assert_false (port_is_free (rtp));
  g_assert_false (port_is_free (rtcp));
  g_assert_true (sp_call_media_prepare_audio (media, "127.0.0.1", &again, NULL, &error));
  g_assert_cmpuint (again, ==, rtp);

  sp_call_media_stop (media);
  g_assert_true (port_is_free (rtp));
  g_assert_true (port_is_free (rtcp));
}

static void
test_ports_busy_skipped (void)
{
  g_autoptr (GError) error = NULL;
  guint base = find_free_range ();
  /* The RTP port of the first pair and the RTCP port of the second are taken by others. */
  g_autoptr (GSocket) busy1 = bind_loopback ((guint16)base, NULL);
  g_autoptr (GSocket) busy2 = bind_loopback ((guint16)(base + 3), NULL);
  g_autoptr (SpCallMedia) media = sp_call_media_new ("test", "null", base, base + 5);
  guint16 rtp = 0, rtcp = 0;

  g_assert_nonnull (busy1);
  g_assert_nonnull (busy2);
  g_assert_true (sp_call_media_prepare_audio (media, "127.0.0.1", &rtp, &rtcp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rtp, ==, base + 4);
  g_assert_cmpuint (rtcp, ==, base + 5);
  /* The skipped pairs' free halves were given back, not leaked. */
  g_assert_true (port_is_free ((guint16)(base + 1)));
  g_assert_true (port_is_free ((guint16)(base + 2)));
}

static void
test_ports_odd_minimum (void)
{
  g_autoptr (GError) error = NULL;
  guint base = find_free_range ();
  g_autoptr (SpCallMedia) media = sp_call_media_new ("test", "null", base + 1, base + 4);
  guint16 rtp = 0;

  g_assert_true (sp_call_media_prepare_audio (media, "127.0.0.1", &rtp, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rtp, ==, base + 2); /* RTP is even (RFC 3550 §11) */
}

static void
test_ports_exhausted (void)
{
  g_autoptr (GError) error = NULL;
  guint base = find_free_range ();
  g_autoptr (GSocket) busy1 = bind_loopback ((guint16)(base + 1), NULL);
  g_autoptr (GSocket) busy2 = bind_loopback ((guint16)(base + 2), NULL);
  g_autoptr (SpCallMedia) media = sp_call_media_new ("test", "null", base, base + 3);
  g_autofree char *range = g_strdup_printf ("%u-%u", base, base + 3);
  guint16 rtp = 0;

  g_assert_false (sp_call_media_prepare_audio (media, "127.0.0.1", &rtp, NULL, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_PORTS_EXHAUSTED);
  g_assert_nonnull (strstr (error->message, range));
  g_assert_cmpuint (rtp, ==, 0);
  /* Nothing of the range is left held by us. */
  g_assert_true (port_is_free ((guint16)base));
  g_assert_true (port_is_free ((guint16)(base + 3)));
}

static void
test_invalid_arguments (void)
{
  g_autoptr (GError) error = NULL;
  guint base = find_free_range ();
  g_autoptr (SpCallMedia) media = sp_call_media_new ("test", "null", base, base + 5);
  g_autoptr (SpCallMedia) bad_source = sp_call_media_new ("microphone", "null", base, base + 5);
  Peer fake = { .rtp_port = 9, .rtcp_port = 10 };
  SpCallMediaAudio params = params_for (&fake, "PCMU", 8000, 0);

  g_assert_false (sp_call_media_start_audio (media, &params, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);

  g_assert_false (sp_call_media_prepare_audio (media, "not-an-address", NULL, NULL, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (sp_call_media_prepare_audio (media, "127.0.0.1", NULL, NULL, &error));
  params.encoding_name = "G722";
  g_assert_false (sp_call_media_start_audio (media, &params, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_CODEC);
  g_clear_error (&error);
  params.encoding_name = "opus"; /* right name, wrong clock rate */
  g_assert_false (sp_call_media_start_audio (media, &params, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_CODEC);
  g_clear_error (&error);
  params.encoding_name = "PCMU";
  params.remote_address = "nowhere";
  g_assert_false (sp_call_media_start_audio (media, &params, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  params.remote_address = "127.0.0.1";
  g_assert_true (sp_call_media_prepare_audio (bad_source, "127.0.0.1", NULL, NULL, &error));
  g_assert_false (sp_call_media_start_audio (bad_source, &params, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DEVICE);
}

/* ---- tests: both ways, per codec ---- */

typedef struct
{
  const PeerCodec *peer;
  const char *sdp_name; /* as the peer's SDP may spell it */
  guint8 pt;
  guint8 telephone_event_pt;
  guint wav_rate;
} CodecCase;

static const CodecCase case_opus = { &peer_opus, "opus", 111, 101, 48000 };
static const CodecCase case_pcmu = { &peer_pcmu, "PCMU", 0, 101, 8000 };
static const CodecCase case_pcma = { &peer_pcma, "PCMA", 8, 0, 8000 };

static void
test_codec (Fixture *f, gconstpointer data)
{
  const CodecCase *c = data;
  Peer *peer = peer_new (c->peer, c->pt, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (peer, c->sdp_name, c->peer->clock_rate, c->pt);
  Wav wav;

  params.telephone_event_pt = c->telephone_event_pt;
  start (f, &params);

  /* The peer hears our 440 Hz, not its own 1000 Hz. */
  WAIT_UNTIL (peer_seconds_decoded (peer) >= 2.0, 15000);
  g_assert_cmpfloat (peer_seconds_decoded (peer), >=, 2.0);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (peer, 1.0, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  g_assert_cmpuint (peer_rtp (peer), >=, 50);
  g_assert_cmpuint (sp_call_media_get_rtp_packets_sent (f->media), >=, peer_rtp (peer));

  /* We receive the peer's packets and play its tone. */
  WAIT_UNTIL (file_size (f->wav_path) > c->wav_rate * 2 * 3 / 2, 10000);
  g_assert_cmpuint (sp_call_media_get_rtp_packets_received (f->media), >=, 50);
  g_assert_cmpuint (f->first_rtp, ==, 1);
  g_assert_cmpint (f->first_rtp_time, >, 0);
  g_assert_cmpuint (f->errors, ==, 0);

  /* RTCP flows from us to the peer's a=rtcp port. */
  WAIT_UNTIL (peer_rtcp (peer) >= 2, 5000);
  g_assert_cmpuint (peer_rtcp (peer), >=, 2);

  sp_call_media_stop (f->media);
  wav = read_wav (f->wav_path);
  g_assert_cmpuint (wav.rate, ==, c->wav_rate);
  g_assert_cmpfloat (wav_seconds (&wav), >=, 1.0);
  g_assert_cmpfloat_with_epsilon (
    wav_frequency (&wav, wav_seconds (&wav) - 0.8, wav_seconds (&wav) - 0.1), PEER_TONE,
    TONE_TOLERANCE);
  g_array_unref (wav.mono);
  peer_free (peer);
}

/* ---- tests: direction (hold) ---- */

typedef struct
{
  guint peer_rtp;
  guint peer_rtcp;
  gsize wav;
  guint received;
} Snapshot;

static Snapshot
snapshot (Fixture *f, Peer *peer)
{
  Snapshot s = { peer_rtp (peer), peer_rtcp (peer), file_size (f->wav_path),
                 sp_call_media_get_rtp_packets_received (f->media) };

  return s;
}

/* Switches direction, lets packets in flight and the jitter buffer drain, then watches. */
static void
switch_and_watch (Fixture *f, Peer *peer, SpMediaDirection direction, Snapshot *before,
                  Snapshot *after)
{
  sp_call_media_set_direction (f->media, direction);
  g_assert_cmpint (sp_call_media_get_direction (f->media), ==, direction);
  spin (500);
  *before = snapshot (f, peer);
  spin (1500);
  *after = snapshot (f, peer);
}

static void
test_direction (Fixture *f, gconstpointer data)
{
  Peer *peer = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (peer, "PCMU", 8000, 0);
  Snapshot before, after;

  start (f, &params);
  WAIT_UNTIL (peer_rtp (peer) > 25 && file_size (f->wav_path) > 8000, 10000);
  g_assert_cmpuint (peer_rtp (peer), >, 25);

  /* Hold (our a=sendonly): the customer hears nothing from us, RTCP keeps flowing, and what
   * the peer still sends is counted but not played. */
  switch_and_watch (f, peer, SP_MEDIA_DIRECTION_SENDONLY, &before, &after);
  g_assert_cmpuint (after.peer_rtp, ==, before.peer_rtp);
  g_assert_cmpuint (after.peer_rtcp, >, before.peer_rtcp);
  g_assert_cmpuint (after.wav, ==, before.wav);
  g_assert_cmpuint (after.received, >, before.received);

  /* recvonly: we listen, we do not speak. */
  switch_and_watch (f, peer, SP_MEDIA_DIRECTION_RECVONLY, &before, &after);
  g_assert_cmpuint (after.peer_rtp, ==, before.peer_rtp);
  g_assert_cmpuint (after.wav, >, before.wav + 8000);

  /* inactive: nothing either way, RTCP still. */
  switch_and_watch (f, peer, SP_MEDIA_DIRECTION_INACTIVE, &before, &after);
  g_assert_cmpuint (after.peer_rtp, ==, before.peer_rtp);
  g_assert_cmpuint (after.wav, ==, before.wav);
  g_assert_cmpuint (after.peer_rtcp, >, before.peer_rtcp);

  /* Resume: both ways again, and the peer hears our tone. */
  switch_and_watch (f, peer, SP_MEDIA_DIRECTION_SENDRECV, &before, &after);
  g_assert_cmpuint (after.peer_rtp, >, before.peer_rtp + 25);
  g_assert_cmpuint (after.wav, >, before.wav + 8000);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (peer, 0.5, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  peer_free (peer);
}

/* ---- tests: the peer moves ---- */

static void
test_update_remote (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Peer *first = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  Peer *second = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (first, "PCMU", 8000, 0);
  guint first_rtp;

  start (f, &params);
  WAIT_UNTIL (peer_rtp (first) > 25, 10000);
  g_assert_cmpuint (peer_rtp (first), >, 25);
  g_assert_cmpuint (peer_rtp (second), ==, 0);

  /* A re-INVITE re-anchors the media on a PBX at another address/port. */
  params = params_for (second, "PCMU", 8000, 0);
  g_assert_true (sp_call_media_update_remote (f->media, &params, &error));
  g_assert_no_error (error);
  spin (300);
  first_rtp = peer_rtp (first);
  /* Packets count on arrival, samples once decoded: both are waited for. */
  WAIT_UNTIL (peer_rtp (second) > 25 && peer_rtcp (second) > 0
                && peer_seconds_decoded (second) >= 0.5,
              10000);
  g_assert_cmpuint (peer_rtp (second), >, 25);
  g_assert_cmpuint (peer_rtcp (second), >, 0);
  g_assert_cmpuint (peer_rtp (first), ==, first_rtp);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (second, 0.5, NULL), OUR_TONE,
                                  TONE_TOLERANCE);

  /* A codec we do not have is refused, not half-applied. */
  params.encoding_name = "G729";
  params.payload_type = 18;
  g_assert_false (sp_call_media_update_remote (f->media, &params, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_CODEC);
  first_rtp = peer_rtp (second);
  WAIT_UNTIL (peer_rtp (second) > first_rtp + 25, 10000);
  g_assert_cmpuint (peer_rtp (second), >, first_rtp + 25);
  g_assert_cmpuint (f->errors, ==, 0);
  peer_free (first);
  peer_free (second);
}

/* A later answer moves the running stream to another codec under a dynamic PT, and
 * telephone-event to another number (linphone does this after a re-offer): the call goes on,
 * the peer decodes our tone in the new codec and we play its tone from the new one. */
static void
test_codec_change (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Peer *first = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  Peer *second = peer_new (&peer_opus, 96, 1500.0, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (first, "PCMU", 8000, 0);
  gsize size;
  Wav wav;

  params.telephone_event_pt = 101;
  start (f, &params);
  WAIT_UNTIL (peer_rtp (first) > 25 && file_size (f->wav_path) > 8000 * 2, 10000);
  g_assert_cmpuint (peer_rtp (first), >, 25);

  params = params_for (second, "opus", 48000, 96);
  params.telephone_event_pt = 99;
  g_assert_true (sp_call_media_update_remote (f->media, &params, &error));
  g_assert_no_error (error);
  size = file_size (f->wav_path);
  WAIT_UNTIL (peer_rtp (second) > 50 && file_size (f->wav_path) > size + 8000 * 2 * 2
                && peer_seconds_decoded (second) >= 0.5,
              10000);
  g_assert_cmpuint (peer_rtp (second), >, 50);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (second, 0.5, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  sp_call_media_stop (f->media);
  wav = read_wav (f->wav_path);
  g_assert_cmpfloat_with_epsilon (wav_frequency (&wav, 0.2, 0.8), PEER_TONE, TONE_TOLERANCE);
  g_assert_cmpfloat_with_epsilon (
    wav_frequency (&wav, wav_seconds (&wav) - 0.7, wav_seconds (&wav) - 0.1), 1500.0,
    TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  g_array_unref (wav.mono);
  peer_free (first);
  peer_free (second);
}

/* The same codec under another payload type (a replacing call offers its own numbers): the
 * running encoder goes on under the new number, and the new peer decodes our tone. */
static void
test_payload_type_change (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Peer *first = peer_new (&peer_opus, 111, PEER_TONE, f->rtp_port, f->rtcp_port);
  Peer *second = peer_new (&peer_opus, 96, 1500.0, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (first, "opus", 48000, 111);

  start (f, &params);
  WAIT_UNTIL (peer_seconds_decoded (first) >= 0.5, 10000);
  g_assert_cmpfloat (peer_seconds_decoded (first), >=, 0.5);

  params = params_for (second, "opus", 48000, 96);
  g_assert_true (sp_call_media_update_remote (f->media, &params, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (peer_seconds_decoded (second) >= 1.0, 10000);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (second, 0.5, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  peer_free (first);
  peer_free (second);
}

/* A local conference's mix-minus across three legs (three pipelines, as three legs of one
 * interaction): each peer hears the agent and the two other peers, never itself (the bridge
 * sums everybody and takes each one's own voice away); once a leg leaves the mix, its tone is
 * gone for the others and theirs for it. The legs use different codecs, as real ones may. */
static void
test_mix_minus (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *mix = g_strdup_printf ("test-%d-conference", (int)getpid ());
  Fixture fx1 = { 0 }, fx2 = { 0 }, fx3 = { 0 }, *one = &fx1, *two = &fx2, *three = &fx3;
  Peer *peer1, *peer2, *peer3;
  SpCallMediaAudio params;
  g_autofree char *conference_wav = NULL;
  double heard;
  Wav wav;

  fixture_setup_with (one, "test", TRUE);
  fixture_setup_with (two, "test", FALSE);
  fixture_setup_with (three, "test", FALSE);
  conference_wav = sp_audio_file_path_with_suffix (one->wav_path, "conference");
  g_assert_false (sp_call_media_join_mix (one->media, mix, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);
  peer1 = peer_new (&peer_opus, 111, 1000.0, one->rtp_port, one->rtcp_port);
  peer2 = peer_new (&peer_pcmu, 0, 1500.0, two->rtp_port, two->rtcp_port);
  peer3 = peer_new (&peer_pcmu, 0, 2000.0, three->rtp_port, three->rtcp_port);
  params = params_for (peer1, "opus", 48000, 111);
  start (one, &params);
  params = params_for (peer2, "PCMU", 8000, 0);
  start (two, &params);
  params = params_for (peer3, "PCMU", 8000, 0);
  start (three, &params);
  WAIT_UNTIL (peer_seconds_decoded (peer2) >= 1.0 && peer_seconds_decoded (peer1) >= 1.0
                && peer_seconds_decoded (peer3) >= 1.0,
              10000);
  g_assert_cmpfloat (peer_recent_share (peer2, 1.0, 1000.0), <, 0.02);

  g_assert_true (sp_call_media_sends_own_voice (one->media));
  g_assert_true (sp_call_media_join_mix (one->media, mix, &error));
  /* The mix, with the agent's voice captured once for all, takes the place of the leg's own
   * capture; no mixer joins the leg's send path for it. */
  g_assert_false (sp_call_media_sends_own_voice (one->media));
  g_assert_false (sp_call_media_is_mixing_voice (one->media));
  g_assert_true (sp_call_media_join_mix (two->media, mix, &error));
  g_assert_true (sp_call_media_join_mix (three->media, mix, &error));
  g_assert_no_error (error);
  g_assert_false (sp_call_media_join_mix (two->media, mix, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (sp_call_media_join_mix (two->media, "", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Each hears the agent and the others, not itself. */
  heard = peer_seconds_decoded (peer2);
  WAIT_UNTIL (peer_seconds_decoded (peer2) >= heard + 1.5
                && peer_recent_share (peer2, 1.0, 1000.0) > 0.05
                && peer_recent_share (peer1, 1.0, 1500.0) > 0.05
                && peer_recent_share (peer3, 1.0, 1500.0) > 0.05,
              10000);
  g_test_message ("shares heard: peer1 %.3f/%.3f/%.3f/%.3f peer2 %.3f/%.3f/%.3f/%.3f peer3 "
                  "%.3f/%.3f/%.3f/%.3f (agent/1000/1500/2000)",
                  peer_recent_share (peer1, 1.0, OUR_TONE), peer_recent_share (peer1, 1.0, 1000.0),
                  peer_recent_share (peer1, 1.0, 1500.0), peer_recent_share (peer1, 1.0, 2000.0),
                  peer_recent_share (peer2, 1.0, OUR_TONE), peer_recent_share (peer2, 1.0, 1000.0),
                  peer_recent_share (peer2, 1.0, 1500.0), peer_recent_share (peer2, 1.0, 2000.0),
                  peer_recent_share (peer3, 1.0, OUR_TONE), peer_recent_share (peer3, 1.0, 1000.0),
                  peer_recent_share (peer3, 1.0, 1500.0), peer_recent_share (peer3, 1.0, 2000.0));
  g_assert_cmpfloat (peer_recent_share (peer1, 1.0, 1000.0), <, 0.02);
  g_assert_cmpfloat (peer_recent_share (peer2, 1.0, 1500.0), <, 0.02);
  g_assert_cmpfloat (peer_recent_share (peer3, 1.0, 2000.0), <, 0.02);
  for (double tone = 1000.0; tone <= 2000.0; tone += 500.0)
    {
      if (tone != 1000.0)
        g_assert_cmpfloat (peer_recent_share (peer1, 1.0, tone), >, 0.05);
      if (tone != 1500.0)
        g_assert_cmpfloat (peer_recent_share (peer2, 1.0, tone), >, 0.05);
      if (tone != 2000.0)
        g_assert_cmpfloat (peer_recent_share (peer3, 1.0, tone), >, 0.05);
    }
  g_assert_cmpfloat (peer_recent_share (peer1, 1.0, OUR_TONE), >, 0.05);
  g_assert_cmpfloat (peer_recent_share (peer2, 1.0, OUR_TONE), >, 0.05);
  g_assert_cmpfloat (peer_recent_share (peer3, 1.0, OUR_TONE), >, 0.05);

  /* The first leg leaves: its tone is gone for the others, theirs for it; the rest goes on. */
  g_assert_true (sp_call_media_leave_mix (one->media, mix));
  g_assert_false (sp_call_media_leave_mix (one->media, mix));
  /* It sends its own capture of the agent's voice again; the others still send the mix. */
  g_assert_true (sp_call_media_sends_own_voice (one->media));
  g_assert_false (sp_call_media_sends_own_voice (two->media));
  heard = peer_seconds_decoded (peer2);
  WAIT_UNTIL (peer_seconds_decoded (peer2) >= heard + 1.5, 10000);
  g_assert_cmpfloat (peer_recent_share (peer2, 1.0, 1000.0), <, 0.02);
  g_assert_cmpfloat (peer_recent_share (peer2, 1.0, 2000.0), >, 0.15);
  g_assert_cmpfloat (peer_recent_share (peer3, 1.0, 1000.0), <, 0.02);
  g_assert_cmpfloat (peer_recent_share (peer3, 1.0, 1500.0), >, 0.15);
  g_assert_cmpfloat (peer_recent_share (peer1, 1.0, 1500.0), <, 0.02);
  g_assert_cmpfloat (peer_recent_share (peer1, 1.0, OUR_TONE), >, 0.5);
  g_assert_cmpuint (one->errors + two->errors + three->errors, ==, 0);

  /* The agent heard the conference once, apart from the legs (the first leg records: its
   * devices made the agent's side of the mix): every peer while it was in, never the agent's
   * own voice; the first peer no longer once it had left. */
  g_assert_true (sp_call_media_leave_mix (two->media, mix));
  g_assert_true (sp_call_media_leave_mix (three->media, mix));
  wav = read_wav (conference_wav);
  g_test_message ("the agent heard %.1f s: 1000 %.3f 1500 %.3f 2000 %.3f own %.3f, then 1000 %.3f",
                  wav_seconds (&wav), wav_share (&wav, 0.5, 1.5, 1000.0),
                  wav_share (&wav, 0.5, 1.5, 1500.0), wav_share (&wav, 0.5, 1.5, 2000.0),
                  wav_share (&wav, 0.5, 1.5, OUR_TONE),
                  wav_share (&wav, wav_seconds (&wav) - 0.6, wav_seconds (&wav) - 0.1, 1000.0));
  for (double tone = 1000.0; tone <= 2000.0; tone += 500.0)
    g_assert_cmpfloat (wav_share (&wav, 0.5, 1.5, tone), >, 0.05);
  g_assert_cmpfloat (wav_share (&wav, 0.5, 1.5, OUR_TONE), <, 0.02);
  g_assert_cmpfloat (wav_share (&wav, wav_seconds (&wav) - 0.6, wav_seconds (&wav) - 0.1, 1000.0),
                     <, 0.02);
  g_array_unref (wav.mono);
  g_unlink (conference_wav);

  peer_free (peer1);
  peer_free (peer2);
  peer_free (peer3);
  fixture_teardown (one, NULL);
  fixture_teardown (two, NULL);
  fixture_teardown (three, NULL);
}

/* A new SSRC from the same session (a transfer, a PBX re-anchor) must be heard too: GNOME Calls
 * links only the first pad rtpbin adds. */
static void
test_new_ssrc (Fixture *f, gconstpointer data)
{
  Peer *first = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (first, "PCMU", 8000, 0);
  Peer *second;
  gsize size;
  Wav wav;

  start (f, &params);
  WAIT_UNTIL (file_size (f->wav_path) > 8000 * 2, 10000);
  peer_stop (first);
  spin (300);
  size = file_size (f->wav_path);
  second = peer_new (&peer_pcmu, 0, 1500.0, f->rtp_port, f->rtcp_port);
  WAIT_UNTIL (file_size (f->wav_path) > size + 8000 * 2 * 3 / 2, 10000);
  sp_call_media_stop (f->media);

  wav = read_wav (f->wav_path);
  g_assert_cmpfloat (wav_seconds (&wav), >, 2.0);
  g_assert_cmpfloat_with_epsilon (wav_frequency (&wav, 0.2, 0.8), PEER_TONE, TONE_TOLERANCE);
  g_assert_cmpfloat_with_epsilon (
    wav_frequency (&wav, wav_seconds (&wav) - 0.7, wav_seconds (&wav) - 0.1), 1500.0,
    TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  g_array_unref (wav.mono);
  peer_free (first);
  peer_free (second);
}

/* The same SSRC from a new source address (a NAT rebinding, a relay taking over the stream):
 * still the contact, still heard. rtpsession used to take it for a collision and drop it all. */
static void
test_same_ssrc_new_address (Fixture *f, gconstpointer data)
{
  Peer *first = peer_new_full (&peer_pcmu, 0, 4242, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (first, "PCMU", 8000, 0);
  Peer *second;
  gsize size;
  Wav wav;

  start (f, &params);
  WAIT_UNTIL (file_size (f->wav_path) > 8000 * 2, 10000);
  peer_stop (first);
  spin (300);
  size = file_size (f->wav_path);
  second = peer_new_full (&peer_pcmu, 0, 4242, 1500.0, f->rtp_port, f->rtcp_port);
  WAIT_UNTIL (file_size (f->wav_path) > size + 8000 * 2 * 3 / 2, 10000);
  g_assert_cmpuint (file_size (f->wav_path), >, size + 8000 * 2 * 3 / 2);
  sp_call_media_stop (f->media);
  wav = read_wav (f->wav_path);
  g_assert_cmpfloat_with_epsilon (
    wav_frequency (&wav, wav_seconds (&wav) - 0.7, wav_seconds (&wav) - 0.1), 1500.0,
    TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  g_array_unref (wav.mono);
  peer_free (first);
  peer_free (second);
}

/* One RTP stream (one source address, one SSRC 1550) carrying the negotiated PCMU (1000 Hz)
 * and two other payload types with 1500 Hz A-law in them: 101, negotiated as telephone-event,
 * and 99, which nobody negotiated (a buggy peer switching codec unasked). */
static GstElement *
mixed_payload_sender_new (guint16 our_rtp)
{
  g_autoptr (GError) error = NULL;
  const char *other = "audiotestsrc is-live=true freq=1500 samplesperbuffer=4000 ! audioconvert "
                      "! audioresample ! audio/x-raw,rate=8000,channels=1 ! alawenc "
                      "! rtppcmapay ssrc=1550 min-ptime=20000000 max-ptime=20000000";
  g_autofree char *description
    = g_strdup_printf ("funnel name=f ! udpsink host=127.0.0.1 port=%u sync=false async=false "
                       "audiotestsrc is-live=true freq=%g ! audioconvert ! audioresample "
                       "  ! audio/x-raw,rate=8000,channels=1 ! mulawenc "
                       "  ! rtppcmupay pt=0 ssrc=1550 min-ptime=20000000 max-ptime=20000000 ! f. "
                       "%s pt=101 ! f. %s pt=99 ! f.",
                       our_rtp, PEER_TONE, other, other);
  GstElement *pipeline = gst_parse_launch (description, &error);

  g_assert_no_error (error);
  gst_object_ref_sink (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  return pipeline;
}

/* Only the negotiated voice PT reaches the decoder: telephone-event gets its own pad, which
 * goes to a fakesink, and an unknown PT gets no caps (rtpbin drops it). Either, decoded as
 * voice, would take over what the agent hears. */
static void
test_other_payload_types (Fixture *f, gconstpointer data)
{
  GstElement *sender = mixed_payload_sender_new (f->rtp_port);
  Peer fake = { .rtp_port = 9, .rtcp_port = 9 };
  SpCallMediaAudio params = params_for (&fake, "PCMU", 8000, 0);
  Wav wav;

  params.telephone_event_pt = 101;
  start (f, &params);
  WAIT_UNTIL (file_size (f->wav_path) > 8000 * 2 * 2 || f->errors > 0, 10000);
  /* PT 99 never reaches rtpbin, which would stop the pipeline for want of its caps. */
  g_assert_cmpuint (sp_call_media_get_rtp_packets_dropped (f->media), >, 10);
  sp_call_media_stop (f->media);
  g_assert_cmpuint (f->errors, ==, 0);
  wav = read_wav (f->wav_path);
  g_assert_cmpfloat (wav_seconds (&wav), >, 1.5);
  g_assert_cmpfloat_with_epsilon (
    wav_frequency (&wav, wav_seconds (&wav) - 0.8, wav_seconds (&wav) - 0.1), PEER_TONE,
    TONE_TOLERANCE);
  g_array_unref (wav.mono);
  gst_element_set_state (sender, GST_STATE_NULL);
  gst_object_unref (sender);
}

/* ---- tests: dead peer ---- */

static void
test_rtp_timeout (Fixture *f, gconstpointer data)
{
  Peer *peer = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (peer, "PCMU", 8000, 0);

  g_object_set (f->media, "rtp-timeout", 1, NULL);
  start (f, &params);
  /* A live peer never times out. */
  spin (2500);
  g_assert_cmpuint (sp_call_media_get_rtp_packets_received (f->media), >, 50);
  g_assert_cmpuint (f->timeouts, ==, 0);

  /* A peer we hold is expected to go quiet. */
  sp_call_media_set_direction (f->media, SP_MEDIA_DIRECTION_SENDONLY);
  peer_stop (peer);
  spin (2500);
  g_assert_cmpuint (f->timeouts, ==, 0);

  /* Back to talking, the silence is a dead peer: reported once. */
  sp_call_media_set_direction (f->media, SP_MEDIA_DIRECTION_SENDRECV);
  WAIT_UNTIL (f->timeouts > 0, 10000);
  g_assert_cmpuint (f->timeouts, ==, 1);
  spin (1500);
  g_assert_cmpuint (f->timeouts, ==, 1);
  peer_free (peer);
}

/* ---- tests: sources and errors ---- */

static void
write_tone_wav (const char *path, double frequency, guint buffers)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = g_strdup_printf (
    "audiotestsrc num-buffers=%u samplesperbuffer=1600 freq=%g ! audio/x-raw,rate=16000,channels=1 "
    "! wavenc ! filesink location=\"%s\"",
    buffers, frequency, path);
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static double
recent_level (Peer *peer, double seconds)
{
  double level = 0;

  peer_recent_frequency (peer, seconds, &level);
  return level;
}

/* file:PATH is paced in real time (udpsink does not sync) and ends in silence, not in EOS. */
static void
test_file_source (void)
{
  Fixture fx = { 0 }, *f = &fx;
  g_autofree char *dir = g_dir_make_tmp ("test-call-media-src-XXXXXX", NULL);
  g_autofree char *clip = g_build_filename (dir, "clip.wav", NULL);
  g_autofree char *source = g_strconcat ("file:", clip, NULL);
  Peer *peer;
  SpCallMediaAudio params;
  double level_tone = 0, frequency;
  gint64 started;

  write_tone_wav (clip, 660.0, 30); /* 3 s */
  fixture_setup_with (f, source, FALSE);
  peer = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  params = params_for (peer, "PCMU", 8000, 0);
  start (f, &params);

  /* Paced, packets 5 to 145 of the 3 s clip take 2.8 s; unpaced, all 150 would be out at once.
   * A slow start may release a late burst to catch up with the clock, hence the wide margin;
   * only a lower bound, so a slow machine cannot fail it. */
  WAIT_UNTIL (sp_call_media_get_rtp_packets_sent (f->media) >= 5, 10000);
  started = g_get_monotonic_time ();
  WAIT_UNTIL (sp_call_media_get_rtp_packets_sent (f->media) >= 145, 10000);
  g_assert_cmpint (g_get_monotonic_time () - started, >, 1500 * 1000);

  /* The clip is somewhere in the first seconds the peer decoded: a loaded machine may start it
   * late (live silence is sent until the file's first samples come) and may already have run
   * past its end, so the windows of 0.4 s are searched for it rather than one fixed stretch. */
  WAIT_UNTIL (peer_seconds_decoded (peer) >= 3.6, 15000);
  frequency = 0;
  for (double from = 0; from <= 3.2 && fabs (frequency - 660.0) > TONE_TOLERANCE; from += 0.2)
    frequency = peer_frequency_between (peer, from, from + 0.4, &level_tone);
  g_assert_cmpfloat_with_epsilon (frequency, 660.0, TONE_TOLERANCE);

  /* After the clip: still sending (silence), and the peer hears silence. */
  WAIT_UNTIL (sp_call_media_get_rtp_packets_sent (f->media) >= 220, 10000);
  g_assert_cmpuint (sp_call_media_get_rtp_packets_sent (f->media), >=, 220);
  WAIT_UNTIL (recent_level (peer, 0.5) < level_tone / 20, 10000);
  g_assert_cmpfloat (recent_level (peer, 0.5), <, level_tone / 20);
  g_assert_cmpuint (f->errors, ==, 0);

  peer_free (peer);
  fixture_teardown (f, NULL);
  g_unlink (clip);
  g_rmdir (dir);
}

/* A codec change that meets the stream's very start (a call replaced right after it was
 * answered): the new encoder must get the stream's caps, or the whole send path stops
 * "not-negotiated" and the call ends. The start is a race, so it is met several times. */
static void
test_codec_change_at_start (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-call-media-src-XXXXXX", NULL);
  g_autofree char *clip = g_build_filename (dir, "clip.wav", NULL);
  g_autofree char *source = g_strconcat ("file:", clip, NULL);

  write_tone_wav (clip, 660.0, 30);
  for (int round = 0; round < 4; round++)
    {
      g_autoptr (GError) error = NULL;
      Fixture fx = { 0 }, *f = &fx;
      Peer *first, *second;
      SpCallMediaAudio params;

      fixture_setup_with (f, source, FALSE);
      first = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
      second = peer_new (&peer_opus, 96, 1500.0, f->rtp_port, f->rtcp_port);
      params = params_for (first, "PCMU", 8000, 0);
      start (f, &params);
      spin (round * 40); /* before, at and after the first caps */
      params = params_for (second, "opus", 48000, 96);
      g_assert_true (sp_call_media_update_remote (f->media, &params, &error));
      g_assert_no_error (error);
      WAIT_UNTIL (peer_rtp (second) > 50 || f->errors > 0, 10000);
      g_assert_cmpstr (f->last_error, ==, NULL);
      g_assert_cmpuint (peer_rtp (second), >, 50);
      peer_free (first);
      peer_free (second);
      fixture_teardown (f, NULL);
    }
  g_unlink (clip);
  g_rmdir (dir);
}

/* A machine too busy to finish starting the pipeline at once: a tracer stalls the thread that
 * changes states for 300 ms once rtpbin reached PLAYING (the sinks did before it). The pipeline
 * had already handed its clock to every element, but not yet its base time to the mixer, which
 * (still in PAUSED, its caps already negotiated by the live tone, the sinks no longer holding
 * its first buffer) took base time 0 and so every running time for long past: it produced
 * seconds of silence at once and then dropped each of the tone's buffers as too old, and the
 * contact heard silence for the whole call. The tone must be heard all the same. */
typedef struct
{
  GstTracer parent;
} StallTracer;

typedef struct
{
  GstTracerClass parent_class;
} StallTracerClass;

GType
stall_tracer_get_type (void);
G_DEFINE_TYPE (StallTracer, stall_tracer, GST_TYPE_TRACER)

static gboolean stall_armed; /* atomic: stall once, then disarm */

static gboolean
is_our_rtpbin (GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  GstObject *parent = GST_OBJECT_PARENT (element);

  return factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), "rtpbin") && parent != NULL
         && g_str_equal (GST_OBJECT_NAME (parent), "sportello-call");
}

static void
stall_once_after_rtpbin (GObject *tracer, GstClockTime ts, GstElement *element,
                         GstStateChange transition, GstStateChangeReturn result)
{
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING && is_our_rtpbin (element)
      && g_atomic_int_compare_and_exchange (&stall_armed, TRUE, FALSE))
    g_usleep (300 * 1000);
}

static void
stall_tracer_init (StallTracer *self)
{
  gst_tracing_register_hook (GST_TRACER (self), "element-change-state-post",
                             G_CALLBACK (stall_once_after_rtpbin));
}

static void
stall_tracer_class_init (StallTracerClass *klass)
{
}

static void
test_start_on_a_busy_machine (Fixture *f, gconstpointer data)
{
  static StallTracer *tracer; /* hooks cannot be unregistered: one tracer, armed for one stall */
  Peer *peer = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (peer, "PCMU", 8000, 0);

  if (tracer == NULL)
    tracer = g_object_new (stall_tracer_get_type (), NULL);
  g_atomic_int_set (&stall_armed, TRUE);
  start (f, &params);
  g_assert_false (g_atomic_int_get (&stall_armed));

  WAIT_UNTIL (peer_seconds_decoded (peer) >= 2.0, 15000);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (peer, 1.0, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  peer_free (peer);
}

static void
test_missing_file_source (void)
{
  Fixture fx = { 0 }, *f = &fx;
  Peer fake = { .rtp_port = 9, .rtcp_port = 10 };
  SpCallMediaAudio params = params_for (&fake, "PCMA", 8000, 8);

  fixture_setup_with (f, "file:/nonexistent/sportello/clip.wav", FALSE);
  start (f, &params);
  WAIT_UNTIL (f->errors > 0, 10000);
  g_assert_cmpuint (f->errors, ==, 1);
  g_assert_nonnull (strstr (f->last_error, "/nonexistent/sportello/clip.wav"));
  /* The follow-up errors of the same failure are not reported again. */
  spin (300);
  g_assert_cmpuint (f->errors, ==, 1);
  g_assert_cmpuint (sp_call_media_get_rtp_packets_sent (f->media), ==, 0);
  fixture_teardown (f, NULL);
}

/* ---- tests: SRTP ---- */

/* Both ends hear each other through SRTP (the peer decrypts with our key and we with its), and
 * SRTCP reaches the peer. */
static void
test_srtp (Fixture *f, gconstpointer data)
{
  SpMediaSrtp ours, theirs;
  Peer *peer;
  SpCallMediaAudio params;
  Wav wav;

  srtp_keys ((SpMediaSrtpSuite)GPOINTER_TO_INT (data), &ours, &theirs);
  peer = peer_new_srtp (&theirs, f->rtp_port, f->rtcp_port);
  params = params_for (peer, "PCMU", 8000, 0);
  params.srtp = ours;
  start (f, &params);

  WAIT_UNTIL (peer_seconds_decoded (peer) >= 2.0, 15000);
  g_assert_cmpfloat (peer_seconds_decoded (peer), >=, 2.0);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (peer, 1.0, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  WAIT_UNTIL (file_size (f->wav_path) > 8000 * 2 * 3 / 2, 10000);
  WAIT_UNTIL (peer_rtcp (peer) >= 2, 5000);
  g_assert_cmpuint (peer_rtcp (peer), >=, 2);
  g_assert_cmpuint (f->errors, ==, 0);
  sp_call_media_stop (f->media);
  wav = read_wav (f->wav_path);
  g_assert_cmpfloat (wav_seconds (&wav), >=, 1.0);
  g_assert_cmpfloat_with_epsilon (
    wav_frequency (&wav, wav_seconds (&wav) - 0.8, wav_seconds (&wav) - 0.1), PEER_TONE,
    TONE_TOLERANCE);
  g_array_unref (wav.mono);
  peer_free (peer);
}

/* A key that does not match decrypts nothing, either way: packets arrive and are dropped. */
static void
test_srtp_wrong_key (Fixture *f, gconstpointer data)
{
  SpMediaSrtp ours, theirs;
  Peer *peer;
  SpCallMediaAudio params;

  srtp_keys (SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, &ours, &theirs);
  theirs.recv_key[3] ^= 0x10;
  ours.recv_key[7] ^= 0x01;
  peer = peer_new_srtp (&theirs, f->rtp_port, f->rtcp_port);
  params = params_for (peer, "PCMU", 8000, 0);
  params.srtp = ours;
  start (f, &params);

  WAIT_UNTIL (peer_rtp (peer) >= 100 && sp_call_media_get_rtp_packets_received (f->media) >= 100,
              15000);
  g_assert_cmpuint (peer_rtp (peer), >=, 100);
  g_assert_cmpuint (sp_call_media_get_rtp_packets_received (f->media), >=, 100);
  g_assert_cmpfloat (peer_seconds_decoded (peer), ==, 0.0);
  g_assert_cmpuint (f->first_rtp, ==, 1); /* packets came, so no rtp-timeout either */
  sp_call_media_stop (f->media);
  g_assert_cmpuint (file_size (f->wav_path), <, 8000 * 2 / 10);
  peer_free (peer);
}

/* What an eavesdropper with a plain RTP phone gets: packets, but never our tone. */
static void
test_srtp_eavesdropper (Fixture *f, gconstpointer data)
{
  SpMediaSrtp ours, theirs;
  Peer *plain = peer_new (&peer_pcmu, 0, PEER_TONE, f->rtp_port, f->rtcp_port);
  SpCallMediaAudio params = params_for (plain, "PCMU", 8000, 0);

  srtp_keys (SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, &ours, &theirs);
  params.srtp = ours;
  start (f, &params);
  WAIT_UNTIL (peer_seconds_decoded (plain) >= 2.0, 15000);
  g_assert_cmpfloat (peer_seconds_decoded (plain), >=, 2.0);
  g_assert_cmpfloat (peer_recent_share (plain, 1.5, OUR_TONE), <, 0.05);
  peer_free (plain);
}

/* A re-INVITE's new keys take effect on both directions; SRTP cannot be switched off. */
static void
test_srtp_rekey (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) encoder = NULL;
  g_autoptr (GstElement) decoder = NULL;
  g_autoptr (GstBuffer) key = NULL;
  SpMediaSrtp ours, theirs;
  Peer *peer;
  SpCallMediaAudio params, plain;
  double decoded;

  srtp_keys (SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, &ours, &theirs);
  peer = peer_new_srtp (&theirs, f->rtp_port, f->rtcp_port);
  params = params_for (peer, "PCMU", 8000, 0);
  params.srtp = ours;
  start (f, &params);
  WAIT_UNTIL (peer_seconds_decoded (peer) >= 1.0, 15000);

  plain = params;
  plain.srtp.suite = SP_MEDIA_SRTP_NONE;
  g_assert_false (sp_call_media_update_remote (f->media, &plain, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT);

  /* Both sides move to new keys (the suite changes too); the peer hears us again. */
  srtp_keys (SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, &ours, &theirs);
  params.srtp = ours;
  g_assert_true (sp_call_media_update_remote (f->media, &params, NULL));
  encoder = gst_bin_get_by_name (GST_BIN (peer->pipeline), "enc");
  decoder = gst_bin_get_by_name (GST_BIN (peer->pipeline), "dec");
  g_mutex_lock (&peer->lock);
  peer->srtp = theirs;
  g_mutex_unlock (&peer->lock);
  key = gst_buffer_new_memdup (theirs.send_key, theirs.key_length);
  g_object_set (encoder, "key", key, NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "rtp-cipher", "aes-256-icm");
  gst_util_set_object_arg (G_OBJECT (encoder), "rtcp-cipher", "aes-256-icm");
  gst_util_set_object_arg (G_OBJECT (encoder), "rtp-auth", "hmac-sha1-80");
  g_signal_emit_by_name (decoder, "clear-keys");
  decoded = peer_seconds_decoded (peer);
  WAIT_UNTIL (peer_seconds_decoded (peer) >= decoded + 2.0, 15000);
  g_assert_cmpfloat (peer_seconds_decoded (peer), >=, decoded + 2.0);
  g_assert_cmpfloat_with_epsilon (peer_recent_frequency (peer, 1.0, NULL), OUR_TONE,
                                  TONE_TOLERANCE);
  g_assert_cmpuint (f->errors, ==, 0);
  peer_free (peer);
}

/* A leg beside the customer's records into its own file; other sinks are shared as they are. */
static void
test_recording_names (void)
{
  static const char *const cases[][3] = {
    { "file:/r/call.wav", "consult-1", "file:/r/call-consult-1.wav" },
    { "file:/r.d/call", "conference", "file:/r.d/call-conference" },
    { "file:call.wav", "agent-2", "file:call-agent-2.wav" },
    { "pipewire", "consult-1", "pipewire" },
    { "null", "consult-1", "null" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *spec = sp_audio_sink_spec_with_suffix (cases[i][0], cases[i][1]);

      g_assert_cmpstr (spec, ==, cases[i][2]);
    }
}

int
main (int argc, char **argv)
{
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/call-media/ports/pair", test_ports_pair);
  g_test_add_func ("/call-media/ports/busy-skipped", test_ports_busy_skipped);
  g_test_add_func ("/call-media/ports/odd-minimum", test_ports_odd_minimum);
  g_test_add_func ("/call-media/ports/exhausted", test_ports_exhausted);
  g_test_add_func ("/call-media/invalid-arguments", test_invalid_arguments);
  g_test_add_func ("/call-media/recording-names", test_recording_names);
  g_test_add ("/call-media/codec/opus", Fixture, &case_opus, fixture_setup, test_codec,
              fixture_teardown);
  g_test_add ("/call-media/codec/pcmu", Fixture, &case_pcmu, fixture_setup, test_codec,
              fixture_teardown);
  g_test_add ("/call-media/codec/pcma", Fixture, &case_pcma, fixture_setup, test_codec,
              fixture_teardown);
  g_test_add ("/call-media/start-on-a-busy-machine", Fixture, NULL, fixture_setup,
              test_start_on_a_busy_machine, fixture_teardown);
  g_test_add ("/call-media/direction", Fixture, NULL, fixture_setup, test_direction,
              fixture_teardown);
  g_test_add ("/call-media/codec-change", Fixture, NULL, fixture_setup, test_codec_change,
              fixture_teardown);
  g_test_add ("/call-media/payload-type-change", Fixture, NULL, fixture_setup,
              test_payload_type_change, fixture_teardown);
  g_test_add_func ("/call-media/codec-change-at-start", test_codec_change_at_start);
  g_test_add_func ("/call-media/mix-minus", test_mix_minus);
  g_test_add ("/call-media/same-ssrc-new-address", Fixture, NULL, fixture_setup,
              test_same_ssrc_new_address, fixture_teardown);
  g_test_add ("/call-media/update-remote", Fixture, NULL, fixture_setup, test_update_remote,
              fixture_teardown);
  g_test_add ("/call-media/new-ssrc", Fixture, NULL, fixture_setup, test_new_ssrc,
              fixture_teardown);
  g_test_add ("/call-media/other-payload-types", Fixture, NULL, fixture_setup,
              test_other_payload_types, fixture_teardown);
  g_test_add ("/call-media/rtp-timeout", Fixture, NULL, fixture_setup, test_rtp_timeout,
              fixture_teardown);
  g_test_add ("/call-media/srtp/aes-128-sha1-80", Fixture,
              GINT_TO_POINTER (SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80), fixture_setup, test_srtp,
              fixture_teardown);
  g_test_add ("/call-media/srtp/aes-256-sha1-32", Fixture,
              GINT_TO_POINTER (SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32), fixture_setup, test_srtp,
              fixture_teardown);
  g_test_add ("/call-media/srtp/wrong-key", Fixture, NULL, fixture_setup, test_srtp_wrong_key,
              fixture_teardown);
  g_test_add ("/call-media/srtp/eavesdropper", Fixture, NULL, fixture_setup, test_srtp_eavesdropper,
              fixture_teardown);
  g_test_add ("/call-media/srtp/rekey", Fixture, NULL, fixture_setup, test_srtp_rekey,
              fixture_teardown);
  g_test_add_func ("/call-media/file-source", test_file_source);
  g_test_add_func ("/call-media/error/missing-file", test_missing_file_source);

  status = g_test_run ();
  return test_gst_exit (status);
}
