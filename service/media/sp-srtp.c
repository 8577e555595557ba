/* rtpbin asks for an encoder when send_rtp_sink_N / send_rtcp_src_N are requested and for a
 * decoder when recv_rtp_sink_N / recv_rtcp_sink_N are; one srtpenc and one srtpdec serve both
 * RTP and RTCP of the session (their pads are rtp_sink_N, rtcp_sink_N and rtp_sink, rtcp_sink).
 * srtpdec learns the peer's key per SSRC from "request-key"; after a re-key "clear-keys" makes
 * it ask again. SRTCP is always authenticated with HMAC-SHA1-80 (RFC 4568 §6.2). */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "sp-srtp.h"
#include "sp-media-error.h"

#include <string.h>

struct _SpSrtp
{
  GstElement *rtpbin;
  guint session;
  GstElement *encoder;
  GstElement *decoder;
  GMutex lock; /* keys: read on the streaming threads by request-key */
  SpMediaSrtp keys;
  gulong handlers[4];
};

static const char *
cipher_name (SpMediaSrtpSuite suite)
{
  return suite == SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80
             || suite == SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32
           ? "aes-256-icm"
           : "aes-128-icm";
}

static const char *
auth_name (SpMediaSrtpSuite suite)
{
  return suite == SP_MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32
             || suite == SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_32
           ? "hmac-sha1-32"
           : "hmac-sha1-80";
}

static void
set_enum (GstElement *element, const char *property, const char *nick)
{
  gst_util_set_object_arg (G_OBJECT (element), property, nick);
}

static void
configure_encoder (SpSrtp *self)
{
  g_autoptr (GstBuffer) key = gst_buffer_new_memdup (self->keys.send_key, self->keys.key_length);

  g_object_set (self->encoder, "key", key, NULL);
  set_enum (self->encoder, "rtp-cipher", cipher_name (self->keys.suite));
  set_enum (self->encoder, "rtp-auth", auth_name (self->keys.suite));
  set_enum (self->encoder, "rtcp-cipher", cipher_name (self->keys.suite));
  set_enum (self->encoder, "rtcp-auth", "hmac-sha1-80");
}

static GstCaps *
on_request_key (GstElement *decoder, guint ssrc, gpointer data)
{
  SpSrtp *self = data;
  g_autoptr (GstBuffer) key = NULL;
  GstCaps *caps;

  g_mutex_lock (&self->lock);
  key = gst_buffer_new_memdup (self->keys.recv_key, self->keys.key_length);
  caps = gst_caps_new_simple ("application/x-srtp", "srtp-key", GST_TYPE_BUFFER, key, "srtp-cipher",
                              G_TYPE_STRING, cipher_name (self->keys.suite), "srtp-auth",
                              G_TYPE_STRING, auth_name (self->keys.suite), "srtcp-cipher",
                              G_TYPE_STRING, cipher_name (self->keys.suite), "srtcp-auth",
                              G_TYPE_STRING, "hmac-sha1-80", NULL);
  g_mutex_unlock (&self->lock);
  return caps;
}

/* rtpbin looks for the encoder's src pad as soon as it has it: request the matching sink pad
 * first, which makes srtpenc add the src pad. The returned reference is rtpbin's. */
static GstElement *
give_encoder (SpSrtp *self, guint session, const char *kind)
{
  g_autofree char *name = g_strdup_printf ("%s_sink_%u", kind, session);
  g_autoptr (GstPad) pad = NULL;

  if (session != self->session)
    return NULL;
  pad = gst_element_request_pad_simple (self->encoder, name);
  if (pad == NULL)
    g_warning ("srtpenc gave no %s pad", name);
  return gst_object_ref (self->encoder);
}

static GstElement *
on_request_rtp_encoder (GstElement *rtpbin, guint session, gpointer data)
{
  return give_encoder (data, session, "rtp");
}

static GstElement *
on_request_rtcp_encoder (GstElement *rtpbin, guint session, gpointer data)
{
  return give_encoder (data, session, "rtcp");
}

static GstElement *
on_request_decoder (GstElement *rtpbin, guint session, gpointer data)
{
  SpSrtp *self = data;

  return session == self->session ? gst_object_ref (self->decoder) : NULL;
}

static GstElement *
make (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                 "SRTP needs the GStreamer element '%s' (package gstreamer1.0-plugins-bad)",
                 factory);
  return element ? gst_object_ref_sink (element) : NULL;
}

SpSrtp *
sp_srtp_new (GstElement *rtpbin, guint session, const SpMediaSrtp *keys, GError **error)
{
  g_autoptr (SpSrtp) self = g_new0 (SpSrtp, 1);
  static const GCallback callbacks[]
    = { G_CALLBACK (on_request_rtp_encoder), G_CALLBACK (on_request_rtcp_encoder),
        G_CALLBACK (on_request_decoder), G_CALLBACK (on_request_decoder) };
  static const char *const signals[] = { "request-rtp-encoder", "request-rtcp-encoder",
                                         "request-rtp-decoder", "request-rtcp-decoder" };

  g_return_val_if_fail (keys->suite != SP_MEDIA_SRTP_NONE, NULL);
  g_mutex_init (&self->lock);
  self->rtpbin = gst_object_ref (rtpbin);
  self->session = session;
  self->keys = *keys;
  if (!(self->encoder = make ("srtpenc", error)) || !(self->decoder = make ("srtpdec", error)))
    return NULL;
  configure_encoder (self);
  g_signal_connect (self->decoder, "request-key", G_CALLBACK (on_request_key), self);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    self->handlers[i] = g_signal_connect (rtpbin, signals[i], callbacks[i], self);
  return g_steal_pointer (&self);
}

gboolean
sp_srtp_keys_equal (const SpMediaSrtp *a, const SpMediaSrtp *b)
{
  return a->suite == b->suite && a->key_length == b->key_length
         && memcmp (a->send_key, b->send_key, a->key_length) == 0
         && memcmp (a->recv_key, b->recv_key, a->key_length) == 0;
}

void
sp_srtp_update (SpSrtp *self, const SpMediaSrtp *keys)
{
  if (sp_srtp_keys_equal (&self->keys, keys))
    return;
  g_mutex_lock (&self->lock);
  self->keys = *keys;
  g_mutex_unlock (&self->lock);
  configure_encoder (self);
  g_signal_emit_by_name (self->decoder, "clear-keys");
}

void
sp_srtp_detach (SpSrtp *self)
{
  if (self->rtpbin == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
    if (self->handlers[i])
      g_signal_handler_disconnect (self->rtpbin, self->handlers[i]);
  memset (self->handlers, 0, sizeof self->handlers);
  g_clear_object (&self->rtpbin);
}

void
sp_srtp_free (SpSrtp *self)
{
  if (self == NULL)
    return;
  sp_srtp_detach (self);
  if (self->decoder)
    g_signal_handlers_disconnect_by_data (self->decoder, self);
  g_clear_object (&self->encoder);
  g_clear_object (&self->decoder);
  g_mutex_clear (&self->lock);
  explicit_bzero (&self->keys, sizeof self->keys);
  g_free (self);
}
