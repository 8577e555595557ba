/* Side legs: the parties the agent calls while the contact waits, a consulted person or the
 * agents of a conference. Each has a leg and voice-only media of its own, and its own
 * offer/answer; what its answering or its end means belongs to the consultation
 * (sp-interaction-consult.c) or to the conference (sp-interaction-conference.c). */
#include "sp-interaction-private.h"

static SpParticipant *
side_of_leg (SpInteraction *self, SpLeg *leg)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (party != self->contact && party->leg == leg)
        return party;
    }
  return NULL;
}

static SpParticipant *
side_of_media (SpInteraction *self, SpMediaSession *media)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (party != self->contact && party->media == media)
        return party;
    }
  return NULL;
}

/* ---- offer/answer: voice only; sendonly while held (the media then send and hear nothing) ---- */

static gboolean
add_video_slot (SpInteraction *self, SpParticipant *party, SpSdpLocal *local, GError **error)
{
  const char *address = sp_telephony_get_local_address (self->context.telephony);
  guint16 rtp = 0, rtcp = 0;

  if (!sp_media_session_prepare_video (party->media, address, &rtp, &rtcp, error))
    return FALSE;
  local->video_allowed = TRUE;
  local->h264_encoder = sp_media_factory_can_encode_h264 (self->context.media);
  /* The agent sees the contact; what the agent's phone films is not asked for. */
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, rtp, rtcp,
                         party->held ? SP_SDP_INACTIVE : SP_SDP_SENDONLY);
  return TRUE;
}

static SpSdpLocal *
side_caps (SpInteraction *self, SpParticipant *party, GError **error)
{
  const char *address = sp_telephony_get_local_address (self->context.telephony);
  g_autoptr (SpSdpLocal) local
    = sp_sdp_local_new ("sportello", (guint64)(self->started / G_USEC_PER_SEC), address);
  guint16 rtp = 0, rtcp = 0;

  if (!sp_media_session_prepare_audio (party->media, address, &rtp, &rtcp, error))
    return NULL;
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, rtp, rtcp,
                         party->held ? SP_SDP_SENDONLY : SP_SDP_SENDRECV);
  if (party->relays_video && !add_video_slot (self, party, local, error))
    return NULL;
  sp_interaction_srtp_caps (self, party, local);
  return g_steal_pointer (&local);
}

/* The contact's picture goes to a conferenced agent whose phone took video; a phone that did
 * not (port 0, or an error) just hears. */
static void
apply_side_video (SpInteraction *self, SpParticipant *party, const SpSdpStream *video)
{
  SpMediaVideoParams params;
  g_autoptr (GError) error = NULL;
  SpMediaSession *contact = self->contact->media;

  if (!party->relays_video || !video || !video->active || !contact)
    return;
  params = sp_interaction_video_params (video);
  /* The media read sendonly as a held call that sends nothing (sp-media-direction.h); this
   * leg's sendonly is the relay, which must be sent. The phone sends nothing back (recvonly). */
  if (params.direction == SP_MEDIA_DIRECTION_SENDONLY)
    params.direction = SP_MEDIA_DIRECTION_SENDRECV;
  if (party->video_started)
    {
      if (!sp_media_session_update_video (party->media, &params, &error))
        sp_interaction_log (self, G_LOG_LEVEL_WARNING, "the video to %s cannot change: %s",
                            party->id, error->message);
      return;
    }
  sp_media_session_relay_video (party->media,
                                sp_media_session_get_picture (contact, SP_MEDIA_PICTURE_REMOTE));
  if (!(party->video_started = sp_media_session_start_video (party->media, &params, &error)))
    sp_interaction_log (self, G_LOG_LEVEL_WARNING, "%s will not see the contact: %s", party->id,
                        error->message);
  sp_interaction_notify (self, "participants");
}

static gboolean
apply_side (SpInteraction *self, SpParticipant *party, const SpSdpSession *local,
            const SpSdpSession *remote, gboolean local_is_offer, GError **error)
{
  g_autoptr (GPtrArray) streams = NULL;
  const SpSdpStream *audio = NULL, *video = NULL;
  SpMediaAudioParams params;

  if (!sp_sdp_negotiated (local, remote, local_is_offer, &streams, error))
    return FALSE;
  for (guint i = 0; i < streams->len; i++)
    {
      const SpSdpStream *stream = g_ptr_array_index (streams, i);
      if (stream->kind == SP_SDP_MEDIA_AUDIO && stream->active && !audio)
        audio = stream;
      else if (stream->kind == SP_SDP_MEDIA_VIDEO && !video)
        video = stream;
    }
  if (!audio)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                   "no audio stream was agreed");
      return FALSE;
    }
  sp_interaction_srtp_agreed (self, party, audio, video);
  params = sp_interaction_audio_params (audio);
  if (party->media_started
        ? !sp_media_session_update_audio (party->media, &params, error)
        : !(party->media_started = sp_media_session_start_audio (party->media, &params, error)))
    return FALSE;
  apply_side_video (self, party, video);
  return TRUE;
}

/* ---- the leg's events ---- */

static void
side_lost (SpInteraction *self, SpParticipant *party, guint status, const char *phrase)
{
  if (party->role == SP_PARTICIPANT_CONSULT)
    sp_interaction_consult_lost (self, party, status, phrase);
  else
    sp_interaction_conference_lost (self, party, status, phrase);
}

static void
on_side_answer (SpLeg *leg, const char *sdp, gpointer data)
{
  SpInteraction *self = data;
  SpParticipant *party = side_of_leg (self, leg);
  g_autoptr (SpSdpSession) answer = sp_sdp_parse (sdp, -1, NULL);
  g_autoptr (GError) error = NULL;

  if (!party || (answer && apply_side (self, party, party->sdp, answer, TRUE, &error)))
    return;
  sp_interaction_log (self, G_LOG_LEVEL_WARNING, "the answer of %s is unusable: %s", party->id,
                      error ? error->message : "no SDP");
  side_lost (self, party, 488, "Not Acceptable Here");
}

static void
on_side_offer (SpLeg *leg, const char *sdp, gpointer data)
{
  SpInteraction *self = data;
  SpParticipant *party = side_of_leg (self, leg);
  g_autoptr (SpSdpSession) offer = sdp ? sp_sdp_parse (sdp, -1, NULL) : NULL;
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (SpSdpSession) answer = NULL;
  g_autofree char *text = NULL;

  if (!party)
    return;
  if (!sdp)
    {
      /* A re-INVITE without SDP: our offer again, answered in the ACK. */
      sp_leg_answer_offer (leg, 200, (text = sp_sdp_print (party->sdp)));
      return;
    }
  if (offer && (local = side_caps (self, party, NULL)))
    answer = sp_sdp_answer (offer, local, party->sdp, NULL);
  if (!answer || !apply_side (self, party, answer, offer, FALSE, NULL))
    {
      sp_leg_answer_offer (leg, 488, NULL);
      return;
    }
  text = sp_sdp_print (answer);
  sp_sdp_session_free (party->sdp);
  party->sdp = g_steal_pointer (&answer);
  sp_leg_answer_offer (leg, 200, text);
}

static void
on_side_offer_failed (SpLeg *leg, guint status, const char *phrase, gpointer data)
{
  SpInteraction *self = data;
  SpParticipant *party = side_of_leg (self, leg);

  if (party)
    sp_interaction_log (self, G_LOG_LEVEL_WARNING, "%s refused our re-offer: %u %s", party->id,
                        status, phrase);
}

static void
on_side_established (SpLeg *leg, gpointer data)
{
  SpInteraction *self = data;
  SpParticipant *party = side_of_leg (self, leg);

  if (!party)
    return;
  party->state = SP_PARTICIPANT_TALKING;
  party->joined = g_get_real_time ();
  sp_interaction_notify (self, "participants");
  if (party->role == SP_PARTICIPANT_CONSULT)
    sp_interaction_consult_answered (self);
  else
    sp_interaction_conference_answered (self, party);
}

static void
on_side_ended (SpLeg *leg, int cause, guint status, const char *phrase, gpointer data)
{
  SpInteraction *self = data;
  SpParticipant *party = side_of_leg (self, leg);

  if (party)
    side_lost (self, party, status, phrase);
}

static void
on_side_media_error (SpMediaSession *media, const char *message, gpointer data)
{
  SpInteraction *self = data;
  SpParticipant *party = side_of_media (self, media);

  if (!party)
    return;
  sp_interaction_log (self, G_LOG_LEVEL_WARNING, "the media of %s failed: %s; hanging up on them",
                      party->id, message);
  side_lost (self, party, 500, "media error");
}

/* ---- dialling, holding, dropping ---- */

SpParticipant *
sp_interaction_dial_side (SpInteraction *self, const char *id, SpParticipantRole role,
                          const char *uri, const char *name, GError **error)
{
  SpParticipant *party = sp_participant_new (id, role, uri, name);
  g_autoptr (SpSdpLocal) local = NULL;
  g_autofree char *offer = NULL;

  party->state = SP_PARTICIPANT_CALLING;
  party->media = sp_media_factory_create (self->context.media, id);
  /* A conferenced agent sees the contact when the call has video: its leg offers it. */
  party->relays_video = role == SP_PARTICIPANT_AGENT && self->contact->media
                        && sp_media_session_has_video (self->contact->media);
  g_ptr_array_add (self->participants, party);
  if ((local = side_caps (self, party, error)))
    {
      party->sdp = sp_sdp_offer (local, NULL);
      offer = sp_sdp_print (party->sdp);
      party->leg
        = sp_telephony_dial (self->context.telephony, uri, self->attached_data, offer, error);
    }
  if (!party->leg)
    {
      sp_interaction_drop_side (self, party, SP_PARTICIPANT_ENDED);
      return party;
    }
  g_signal_connect (party->leg, "answer", G_CALLBACK (on_side_answer), self);
  g_signal_connect (party->leg, "offer", G_CALLBACK (on_side_offer), self);
  g_signal_connect (party->leg, "offer-failed", G_CALLBACK (on_side_offer_failed), self);
  g_signal_connect (party->leg, "established", G_CALLBACK (on_side_established), self);
  g_signal_connect (party->leg, "ended", G_CALLBACK (on_side_ended), self);
  g_signal_connect (party->media, "error", G_CALLBACK (on_side_media_error), self);
  sp_interaction_notify (self, "participants");
  return party;
}

gboolean
sp_interaction_side_live (const SpParticipant *party)
{
  return party->state == SP_PARTICIPANT_CALLING || party->state == SP_PARTICIPANT_TALKING
         || party->state == SP_PARTICIPANT_HELD;
}

void
sp_interaction_hold_side (SpInteraction *self, SpParticipant *party, gboolean hold)
{
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (GError) error = NULL;
  SpSdpSession *offer;
  g_autofree char *text = NULL;

  if (party->held == hold || !party->leg || !sp_leg_is_established (party->leg)
      || sp_leg_is_ended (party->leg))
    return;
  party->held = hold;
  party->state = hold ? SP_PARTICIPANT_HELD : SP_PARTICIPANT_TALKING;
  sp_interaction_notify (self, "participants");
  if (!(local = side_caps (self, party, &error)))
    {
      sp_interaction_log (self, G_LOG_LEVEL_WARNING, "cannot re-offer to %s: %s", party->id,
                          error->message);
      return;
    }
  offer = sp_sdp_offer (local, party->sdp);
  sp_sdp_session_free (party->sdp);
  party->sdp = offer;
  sp_leg_send_offer (party->leg, (text = sp_sdp_print (offer)));
}

/* Forgets a side leg (hanging it up if it still runs): it is STATE in Participants from now. */
void
sp_interaction_drop_side (SpInteraction *self, SpParticipant *party, SpParticipantState state)
{
  if (party->leg)
    {
      g_signal_handlers_disconnect_by_data (party->leg, self);
      if (!sp_leg_is_ended (party->leg))
        sp_leg_hangup (party->leg);
      g_clear_object (&party->leg);
    }
  if (party->media)
    {
      g_signal_handlers_disconnect_by_data (party->media, self);
      sp_media_session_stop (party->media);
      g_clear_object (&party->media);
    }
  party->state = state;
  party->left = g_get_real_time ();
  party->media_started = FALSE;
  party->video_started = FALSE;
  party->in_conference = FALSE;
  g_clear_pointer (&party->sdp, sp_sdp_session_free);
  sp_interaction_notify (self, "participants");
}

/* The end of a retrieve made for TASK (DATA): TASK returns its outcome. */
void
sp_interaction_retrieved_for_task (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (sp_interaction_hold_finish (SP_INTERACTION (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}
