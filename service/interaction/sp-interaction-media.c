/* The interaction's media: one SpCallMedia, started from the first completed offer/answer and
 * updated by every later one. A media failure or a silent peer ends the call with a reason. */
#include "sp-interaction-private.h"

#include "sp-call-media.h"

static SpMediaDirection
media_direction (SpSdpDirection direction)
{
  switch (direction)
    {
      case SP_SDP_SENDRECV:
        return SP_MEDIA_DIRECTION_SENDRECV;
      case SP_SDP_SENDONLY:
        return SP_MEDIA_DIRECTION_SENDONLY;
      case SP_SDP_RECVONLY:
        return SP_MEDIA_DIRECTION_RECVONLY;
      case SP_SDP_INACTIVE:
      default:
        return SP_MEDIA_DIRECTION_INACTIVE;
    }
}

static void
on_media_error (SpCallMedia *media, const char *message, gpointer data)
{
  SpInteraction *self = data;

  g_warning ("session %u: media failed: %s", self->number, message);
  sp_interaction_set_end (self, "system", "media-error", "org.sportello.Error.Failed", message);
  sp_interaction_disconnect (self, NULL);
}

static void
on_rtp_timeout (SpCallMedia *media, gpointer data)
{
  SpInteraction *self = data;
  g_autofree char *message
    = g_strdup_printf ("no media from the contact for %u s", self->context.config->rtp_timeout_s);

  g_warning ("session %u: %s; ending the call", self->number, message);
  sp_interaction_set_end (self, "system", "network-error", "org.sportello.Error.Failed", message);
  sp_interaction_disconnect (self, NULL);
}

gboolean
sp_interaction_media_prepare (SpInteraction *self, GError **error)
{
  SpConfig *config = self->context.config;
  guint16 rtp = 0, rtcp = 0;

  if (!self->media)
    {
      self->media = sp_call_media_new (config->audio_source, config->audio_sink,
                                       config->rtp_port_min, config->rtp_port_max);
      g_object_set (self->media, "video-width", config->video_width, "video-height",
                    config->video_height, "video-framerate", config->video_framerate,
                    "video-bitrate", config->video_bitrate_kbps, NULL);
      if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->media), "rtp-timeout"))
        g_object_set (self->media, "rtp-timeout", config->rtp_timeout_s, NULL);
      g_signal_connect (self->media, "error", G_CALLBACK (on_media_error), self);
      g_signal_connect (self->media, "rtp-timeout", G_CALLBACK (on_rtp_timeout), self);
      g_signal_connect_swapped (self->media, "push-ended",
                                G_CALLBACK (sp_interaction_push_media_ended), self);
    }
  if (!sp_call_media_prepare_audio (
        self->media, sp_sip_agent_get_local_address (self->context.agent), &rtp, &rtcp, error))
    return FALSE;
  self->audio_rtp_port = rtp;
  self->audio_rtcp_port = rtcp;
  return TRUE;
}

gboolean
sp_interaction_media_prepare_video (SpInteraction *self, GError **error)
{
  guint16 rtp = 0, rtcp = 0;

  if (!self->media && !sp_interaction_media_prepare (self, error))
    return FALSE;
  if (!sp_call_media_prepare_video (
        self->media, sp_sip_agent_get_local_address (self->context.agent), &rtp, &rtcp, error))
    return FALSE;
  self->video_rtp_port = rtp;
  self->video_rtcp_port = rtcp;
  return TRUE;
}

gboolean
sp_interaction_media_apply (SpInteraction *self, const SpSdpStream *audio, GError **error)
{
  SpCallMediaAudio params = {
    .remote_address = audio->remote_address,
    .remote_rtp_port = (guint16)audio->remote_rtp_port,
    .remote_rtcp_port = (guint16)audio->remote_rtcp_port,
    .payload_type = (guint8)audio->send_pt,
    .encoding_name = audio->codec->name,
    .clock_rate = audio->codec->clock_rate,
    .telephone_event_pt = (guint8)audio->dtmf_send_pt,
    .direction = media_direction (audio->direction),
  };
  if (!self->media && !sp_interaction_media_prepare (self, error))
    return FALSE;
  if (self->media_started
        ? !sp_call_media_update_remote (self->media, &params, error)
        : !(self->media_started = sp_call_media_start_audio (self->media, &params, error)))
    return FALSE;
  g_free (self->audio_codec);
  self->audio_codec = g_strdup_printf ("%s/%u", audio->codec->name, audio->codec->clock_rate);
  return TRUE;
}

void
sp_interaction_media_stop (SpInteraction *self)
{
  if (!self->media)
    return;
  g_signal_handlers_disconnect_by_data (self->media, self);
  sp_interaction_video_stop (self);
  self->rtp_sent = sp_call_media_get_rtp_packets_sent (self->media);
  self->rtp_received = sp_call_media_get_rtp_packets_received (self->media);
  sp_call_media_stop (self->media);
  g_clear_object (&self->media);
  self->media_started = FALSE;
}

GVariant *
sp_interaction_get_media_statistics (SpInteraction *self)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  /* Live counters during the call, the last ones after it. */
  g_variant_dict_insert (&dict, "rtp-packets-sent", "u",
                         self->media ? sp_call_media_get_rtp_packets_sent (self->media)
                                     : self->rtp_sent);
  g_variant_dict_insert (&dict, "rtp-packets-received", "u",
                         self->media ? sp_call_media_get_rtp_packets_received (self->media)
                                     : self->rtp_received);
  g_variant_dict_insert (&dict, "audio-codec", "s", self->audio_codec ? self->audio_codec : "");
  sp_interaction_video_add_statistics (self, &dict);
  return g_variant_dict_end (&dict);
}
