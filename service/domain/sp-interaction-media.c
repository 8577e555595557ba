/* The contact's media: one SpMediaSession made by the context's factory, started from the first
 * completed offer/answer and updated by every later one. A media failure or a silent peer ends
 * the call with a reason. */
#include "sp-interaction-private.h"

SpMediaDirection
sp_interaction_media_direction (SpSdpDirection direction)
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
on_media_error (SpMediaSession *media, const char *message, gpointer data)
{
  SpInteraction *self = data;

  sp_interaction_log (self, G_LOG_LEVEL_WARNING, "media failed: %s", message);
  sp_interaction_set_end (self, "system", "media-error", SP_INTERACTION_ERROR_FAILED, message);
  sp_interaction_disconnect (self, NULL);
}

static void
on_rtp_timeout (SpMediaSession *media, gpointer data)
{
  SpInteraction *self = data;
  g_autofree char *message
    = g_strdup_printf ("no media from the contact for %u s", self->context.config->rtp_timeout_s);

  sp_interaction_log (self, G_LOG_LEVEL_WARNING, "%s; ending the call", message);
  sp_interaction_set_end (self, "system", "network-error", SP_INTERACTION_ERROR_FAILED, message);
  sp_interaction_disconnect (self, NULL);
}

SpMediaSession *
sp_interaction_media (SpInteraction *self)
{
  return self->contact->media;
}

static const char *
local_address (SpInteraction *self)
{
  return sp_telephony_get_local_address (self->context.telephony);
}

gboolean
sp_interaction_media_prepare (SpInteraction *self, GError **error)
{
  guint16 rtp = 0, rtcp = 0;

  if (!self->contact->media)
    {
      SpMediaSession *media = sp_media_factory_create (self->context.media, NULL);

      self->contact->media = media;
      g_signal_connect (media, "error", G_CALLBACK (on_media_error), self);
      g_signal_connect (media, "rtp-timeout", G_CALLBACK (on_rtp_timeout), self);
      g_signal_connect_swapped (media, "push-ended", G_CALLBACK (sp_interaction_push_media_ended),
                                self);
    }
  if (!sp_media_session_prepare_audio (self->contact->media, local_address (self), &rtp, &rtcp,
                                       error))
    return FALSE;
  self->audio_rtp_port = rtp;
  self->audio_rtcp_port = rtcp;
  return TRUE;
}

gboolean
sp_interaction_media_prepare_video (SpInteraction *self, GError **error)
{
  guint16 rtp = 0, rtcp = 0;

  if (!self->contact->media && !sp_interaction_media_prepare (self, error))
    return FALSE;
  if (!sp_media_session_prepare_video (self->contact->media, local_address (self), &rtp, &rtcp,
                                       error))
    return FALSE;
  self->video_rtp_port = rtp;
  self->video_rtcp_port = rtcp;
  return TRUE;
}

SpMediaAudioParams
sp_interaction_audio_params (const SpSdpStream *audio)
{
  return (SpMediaAudioParams){
    .remote_address = audio->remote_address,
    .remote_rtp_port = (guint16)audio->remote_rtp_port,
    .remote_rtcp_port = (guint16)audio->remote_rtcp_port,
    .payload_type = (guint8)audio->send_pt,
    .encoding_name = audio->codec->name,
    .clock_rate = audio->codec->clock_rate,
    .telephone_event_pt = (guint8)audio->dtmf_send_pt,
    .direction = sp_interaction_media_direction (audio->direction),
    .srtp = sp_interaction_srtp_params (audio),
  };
}

gboolean
sp_interaction_media_apply (SpInteraction *self, const SpSdpStream *audio, GError **error)
{
  SpMediaAudioParams params = sp_interaction_audio_params (audio);
  SpMediaSession *media;

  if (!self->contact->media && !sp_interaction_media_prepare (self, error))
    return FALSE;
  media = self->contact->media;
  if (self->media_started
        ? !sp_media_session_update_audio (media, &params, error)
        : !(self->media_started = sp_media_session_start_audio (media, &params, error)))
    return FALSE;
  g_free (self->audio_codec);
  self->audio_codec = g_strdup_printf ("%s/%u", audio->codec->name, audio->codec->clock_rate);
  return TRUE;
}

void
sp_interaction_media_stop (SpInteraction *self)
{
  SpMediaSession *media = self->contact->media;

  if (!media)
    return;
  sp_interaction_browser_video_stop (self, "call-ended");
  g_signal_handlers_disconnect_by_data (media, self);
  sp_interaction_video_stop (self);
  self->rtp_sent = sp_media_session_get_rtp_packets_sent (media);
  self->rtp_received = sp_media_session_get_rtp_packets_received (media);
  sp_media_session_stop (media);
  g_clear_object (&self->contact->media);
  self->media_started = FALSE;
}

GVariant *
sp_interaction_get_media_statistics (SpInteraction *self)
{
  SpMediaSession *media = self->contact->media;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  /* Live counters during the call, the last ones after it. */
  g_variant_dict_insert (&dict, "rtp-packets-sent", "u",
                         media ? sp_media_session_get_rtp_packets_sent (media) : self->rtp_sent);
  g_variant_dict_insert (&dict, "rtp-packets-received", "u",
                         media ? sp_media_session_get_rtp_packets_received (media)
                               : self->rtp_received);
  g_variant_dict_insert (&dict, "audio-codec", "s", self->audio_codec ? self->audio_codec : "");
  sp_interaction_video_add_statistics (self, &dict);
  return g_variant_dict_end (&dict);
}
