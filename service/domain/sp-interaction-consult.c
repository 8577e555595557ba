/* Consultation transfer: the contact is held, the agent calls a third person on a leg of its
 * own and talks with them; CompleteTransfer then refers the contact to that person with
 * Replaces (RFC 3891) so the two talk directly, and EndConsultation returns to the contact.
 * The consulted person hanging up leaves the contact on hold for the agent to retrieve. */
#include "sp-interaction-private.h"

/* ---- the consult leg's offer/answer: voice only ---- */

static SpSdpLocal *
consult_caps (SpInteraction *self)
{
  SpSdpLocal *local = sp_sdp_local_new ("sportello", (guint64)(self->started / G_USEC_PER_SEC),
                                        sp_telephony_get_local_address (self->context.telephony));
  guint16 rtp = 0, rtcp = 0;

  sp_media_session_prepare_audio (self->consult->media,
                                  sp_telephony_get_local_address (self->context.telephony), &rtp,
                                  &rtcp, NULL);
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, rtp, rtcp, SP_SDP_SENDRECV);
  return local;
}

static gboolean
apply_consult (SpInteraction *self, const SpSdpSession *local, const SpSdpSession *remote,
               gboolean local_is_offer, GError **error)
{
  g_autoptr (GPtrArray) streams = NULL;
  const SpSdpStream *audio = NULL;
  SpMediaAudioParams params;

  if (!sp_sdp_negotiated (local, remote, local_is_offer, &streams, error))
    return FALSE;
  for (guint i = 0; i < streams->len && !audio; i++)
    {
      const SpSdpStream *stream = g_ptr_array_index (streams, i);
      if (stream->kind == SP_SDP_MEDIA_AUDIO && stream->active)
        audio = stream;
    }
  if (!audio)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                   "no audio stream was agreed");
      return FALSE;
    }
  params = sp_interaction_audio_params (audio);
  if (self->consult_media_started)
    return sp_media_session_update_audio (self->consult->media, &params, error);
  return self->consult_media_started
         = sp_media_session_start_audio (self->consult->media, &params, error);
}

/* ---- the consult leg's events ---- */

static void
fail_consult_task (SpInteraction *self, guint status, const char *phrase)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->consult_task);

  if (task)
    g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_TRANSFER_FAILED,
                             "the consultation with %s failed: %u %s; the contact is on hold",
                             self->consult_label, status, phrase);
}

/* Forgets the consult leg (hanging it up if it still runs); the contact stays as it is. */
static void
drop_consult (SpInteraction *self)
{
  SpParticipant *party = self->consult;

  if (!party)
    return;
  self->consult = NULL;
  if (party->leg)
    {
      g_signal_handlers_disconnect_by_data (party->leg, self);
      if (!sp_leg_is_ended (party->leg))
        sp_leg_hangup (party->leg);
      g_clear_object (&party->leg);
    }
  if (party->media)
    {
      sp_media_session_stop (party->media);
      g_clear_object (&party->media);
    }
  party->state = SP_PARTICIPANT_ENDED;
  party->left = g_get_real_time ();
  g_clear_pointer (&self->consult_sdp, sp_sdp_session_free);
  self->consult_media_started = FALSE;
  sp_interaction_notify (self, "participants");
}

static void
on_consult_answer (SpLeg *leg, const char *sdp, gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (SpSdpSession) answer = sp_sdp_parse (sdp, -1, NULL);
  g_autoptr (GError) error = NULL;

  if (!answer || !apply_consult (self, self->consult_sdp, answer, TRUE, &error))
    {
      g_warning ("session %u: the consulted person's answer is unusable: %s", self->number,
                 error ? error->message : "no SDP");
      fail_consult_task (self, 488, "Not Acceptable Here");
      drop_consult (self);
      sp_interaction_set_state (self, SP_INTERACTION_HELD);
    }
}

static void
on_consult_offer (SpLeg *leg, const char *sdp, gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (SpSdpSession) offer = sdp ? sp_sdp_parse (sdp, -1, NULL) : NULL;
  g_autoptr (SpSdpLocal) local = consult_caps (self);
  g_autoptr (SpSdpSession) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (!sdp)
    {
      /* A re-INVITE without SDP: our offer again, answered in the ACK. */
      sp_leg_answer_offer (leg, 200, (text = sp_sdp_print (self->consult_sdp)));
      return;
    }
  if (offer)
    answer = sp_sdp_answer (offer, local, self->consult_sdp, &error);
  if (!answer || !apply_consult (self, answer, offer, FALSE, &error))
    {
      sp_leg_answer_offer (leg, 488, NULL);
      return;
    }
  text = sp_sdp_print (answer);
  sp_sdp_session_free (self->consult_sdp);
  self->consult_sdp = g_steal_pointer (&answer);
  sp_leg_answer_offer (leg, 200, text);
}

static void
on_consult_established (SpLeg *leg, gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (GTask) task = g_steal_pointer (&self->consult_task);

  g_info ("session %u: consulting %s", self->number, self->consult_label);
  self->consult->state = SP_PARTICIPANT_TALKING;
  self->consult->joined = g_get_real_time ();
  sp_interaction_notify (self, "participants");
  if (task)
    g_task_return_boolean (task, TRUE);
}

static void
on_consult_ended (SpLeg *leg, int cause, guint status, const char *phrase, gpointer data)
{
  SpInteraction *self = data;

  g_info ("session %u: the consultation with %s ended (%u %s); the contact is on hold",
          self->number, self->consult_label, status, phrase);
  fail_consult_task (self, status, phrase);
  drop_consult (self);
  if (self->state == SP_INTERACTION_CONSULTING)
    sp_interaction_set_state (self, SP_INTERACTION_HELD);
}

/* ---- starting ---- */

static gboolean
dial_consult (SpInteraction *self, const char *uri, GError **error)
{
  g_autofree char *id = g_strdup_printf ("consult-%u", ++self->consult_count);
  g_autoptr (SpSdpLocal) local = NULL;
  g_autofree char *offer = NULL;
  SpParticipant *party = sp_participant_new (id, SP_PARTICIPANT_CONSULT, uri, self->consult_label);

  party->state = SP_PARTICIPANT_CALLING;
  party->media = sp_media_factory_create (self->context.media);
  g_ptr_array_add (self->participants, party);
  self->consult = party;
  local = consult_caps (self);
  self->consult_sdp = sp_sdp_offer (local, NULL);
  offer = sp_sdp_print (self->consult_sdp);
  party->leg = sp_telephony_dial (self->context.telephony, uri, self->attached_data, offer, error);
  if (!party->leg)
    {
      drop_consult (self);
      return FALSE;
    }
  g_signal_connect (party->leg, "answer", G_CALLBACK (on_consult_answer), self);
  g_signal_connect (party->leg, "offer", G_CALLBACK (on_consult_offer), self);
  g_signal_connect (party->leg, "established", G_CALLBACK (on_consult_established), self);
  g_signal_connect (party->leg, "ended", G_CALLBACK (on_consult_ended), self);
  sp_interaction_set_state (self, SP_INTERACTION_CONSULTING);
  sp_interaction_notify (self, "participants");
  return TRUE;
}

/* The consultation's request ends with ERROR (taken), unless it ended already (the call). */
static void
fail_consult_request (SpInteraction *self, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->consult_task);

  if (task)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
dial_consult_or_fail (SpInteraction *self, const char *uri)
{
  GError *error = NULL;

  if (dial_consult (self, uri, &error))
    return;
  fail_consult_request (self, error);
}

static void
on_held_for_consult (GObject *source, GAsyncResult *result, gpointer data)
{
  SpInteraction *self = SP_INTERACTION (source);
  g_autofree char *uri = data;
  GError *error = NULL;

  if (!sp_interaction_hold_finish (self, result, &error))
    {
      g_prefix_error (&error, "the contact could not be held for the consultation: ");
      fail_consult_request (self, error);
      return;
    }
  if (self->consult_task)
    dial_consult_or_fail (self, uri);
}

static gboolean
check_consult (SpInteraction *self, GError **error)
{
  if (self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "ConsultTransfer needs a call in progress, the state is %s",
                 sp_interaction_state_to_string (self->state));
  else if (self->remote_hold && !self->local_hold)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "the contact's phone holds the call; consult when the contact is back");
  else if (self->push_item)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a clip is being pushed; stop the push first");
  else
    return !sp_interaction_busy (self, error);
  return FALSE;
}

void
sp_interaction_consult_async (SpInteraction *self, const char *number, const char *reason,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autofree char *trimmed = g_strstrip (g_strdup (number));
  g_autofree char *uri = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  if (!sp_interaction_resolve_target (self, trimmed, &uri, &label, &error)
      || !check_consult (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->consult_task = g_steal_pointer (&task);
  g_free (self->consult_label);
  self->consult_label = g_steal_pointer (&label);
  g_free (self->consult_reason);
  self->consult_reason = g_strdup (reason);
  /* The contact hears and sees nothing while the agent consults (hold: sendonly, no media). */
  if (self->local_hold)
    dial_consult_or_fail (self, uri);
  else
    sp_interaction_hold_async (self, TRUE, on_held_for_consult, g_steal_pointer (&uri));
}

gboolean
sp_interaction_consult_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- completing, ending ---- */

static gboolean
check_consulting (SpInteraction *self, const char *action, GError **error)
{
  if (self->state == SP_INTERACTION_CONSULTING && self->consult
      && self->consult->state == SP_PARTICIPANT_TALKING && !self->transfer_task)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "%s needs a consultation in which the consulted person answered (the call is %s)",
               action, sp_interaction_state_to_string (self->state));
  return FALSE;
}

void
sp_interaction_complete_transfer_async (SpInteraction *self, GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;

  if (!check_consulting (self, "CompleteTransfer", &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* RFC 3891: the contact's phone replaces our leg to the consulted person with its own. */
  sp_interaction_refer_contact (self, g_steal_pointer (&task), self->consult->uri,
                                self->consult_label, self->consult_reason, self->consult->leg);
}

gboolean
sp_interaction_complete_transfer_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_retrieved (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (sp_interaction_hold_finish (SP_INTERACTION (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_interaction_end_consultation_async (SpInteraction *self, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  if (self->state != SP_INTERACTION_CONSULTING || self->transfer_task)
    {
      g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                               "EndConsultation needs a consultation (the call is %s)",
                               sp_interaction_state_to_string (self->state));
      return;
    }
  g_info ("session %u: back to the contact from %s", self->number, self->consult_label);
  fail_consult_task (self, 487, "ended by the agent");
  drop_consult (self);
  sp_interaction_set_state (self, SP_INTERACTION_HELD);
  sp_interaction_hold_async (self, FALSE, on_retrieved, g_steal_pointer (&task));
}

gboolean
sp_interaction_end_consultation_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sp_interaction_consult_stop (SpInteraction *self)
{
  fail_consult_task (self, 487, "the call ended");
  drop_consult (self);
}
