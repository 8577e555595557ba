/* Call control: the leg's SIP events and the agent's actions, with SDP offer/answer in
 * between (sp-sdp.h, pure) and media applied from each completed exchange. One offer at a time:
 * a new local request waits for the outstanding one (ANCHORS: never two offers in flight). */
#include "sp-interaction-private.h"

#include <string.h>

static void
on_leg_offer (SpLeg *leg, const char *sdp, gpointer data);
static void
on_leg_answer (SpLeg *leg, const char *sdp, gpointer data);
static void
on_leg_established (SpLeg *leg, gpointer data);
static void
on_leg_offer_failed (SpLeg *leg, guint status, const char *phrase, gpointer data);
static void
on_leg_ended (SpLeg *leg, int cause, guint status, const char *phrase, gpointer data);

static void
fail (GError **error, SpInteractionError code, const char *message)
{
  g_set_error_literal (error, SP_INTERACTION_ERROR, code, message);
}

static gboolean
require_state (SpInteraction *self, SpInteractionState state, const char *action, GError **error)
{
  if (self->state == state)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "%s needs the state %s, not %s", action, sp_interaction_state_to_string (state),
               sp_interaction_state_to_string (self->state));
  return FALSE;
}

/* The contact's leg: its events drive the call. */
void
sp_interaction_attach_contact (SpInteraction *self, SpLeg *leg)
{
  self->contact->leg = g_object_ref (leg);
  g_signal_connect (leg, "offer", G_CALLBACK (on_leg_offer), self);
  g_signal_connect (leg, "answer", G_CALLBACK (on_leg_answer), self);
  g_signal_connect (leg, "established", G_CALLBACK (on_leg_established), self);
  g_signal_connect (leg, "offer-failed", G_CALLBACK (on_leg_offer_failed), self);
  g_signal_connect (leg, "ended", G_CALLBACK (on_leg_ended), self);
  g_signal_connect (leg, "refer-progress", G_CALLBACK (sp_interaction_on_refer_progress), self);
}

static void
complete_hold (SpInteraction *self, const GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->hold_task);

  sp_interaction_conference_relink (self);
  if (!task)
    return;
  if (error)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
sp_interaction_busy (SpInteraction *self, GError **error)
{
  if (!self->transfer_task)
    return sp_interaction_video_busy (self, error);
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "a transfer is in progress");
  return TRUE;
}

/* The media stop, and an answered call's media that were still to start never will. */
static void
stop_media (SpInteraction *self)
{
  g_clear_handle_id (&self->pending_media_id, g_source_remove);
  g_clear_pointer (&self->pending_streams, g_ptr_array_unref);
  sp_interaction_media_stop (self);
}

void
sp_interaction_release_call (SpInteraction *self)
{
  g_clear_handle_id (&self->glare_id, g_source_remove);
  sp_interaction_transfer_stop (self);
  sp_interaction_consult_stop (self);
  sp_interaction_conference_stop (self);
  if (self->hold_task)
    {
      g_autoptr (GError) error
        = g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE, "the call ended");
      complete_hold (self, error);
    }
  stop_media (self);
  if (self->contact->leg)
    {
      g_signal_handlers_disconnect_by_data (self->contact->leg, self);
      if (!sp_leg_is_ended (self->contact->leg))
        sp_leg_hangup (self->contact->leg);
      g_clear_object (&self->contact->leg);
    }
  g_clear_pointer (&self->local_sdp, sp_sdp_session_free);
}

/* ---- SDP ---- */

static void
add_slot (SpInteraction *self, SpSdpLocal *local, SpSdpMediaKind kind, gboolean first_of_kind)
{
  guint index;

  if (kind == SP_SDP_MEDIA_AUDIO && first_of_kind)
    /* RFC 3264 §8.4: hold = sendonly (we keep our side of RTCP; the contact stops hearing us). */
    sp_sdp_local_add_slot (local, kind, self->audio_rtp_port, self->audio_rtcp_port,
                           self->local_hold ? SP_SDP_SENDONLY : SP_SDP_SENDRECV);
  else if (kind == SP_SDP_MEDIA_VIDEO && first_of_kind && self->video_rtp_port != 0)
    {
      index = sp_sdp_local_add_slot (local, kind, self->video_rtp_port, self->video_rtcp_port,
                                     sp_interaction_video_intent (self));
      g_array_index (local->slots, SpSdpSlot, index).enabled
        = sp_interaction_video_slot_enabled (self);
    }
  else
    {
      index = sp_sdp_local_add_slot (local, kind, 0, 0, SP_SDP_INACTIVE);
      g_array_index (local->slots, SpSdpSlot, index).enabled = FALSE;
    }
}

/* Our capabilities with one slot per m-line of LAYOUT (the offer we answer, or our last
 * description when we offer): the first audio line carries the voice, the first video line
 * the video, and any other line is refused. Without a video line in LAYOUT, one is appended
 * when video is wanted (RFC 3264 §8.1: new streams go at the end). */
static SpSdpLocal *
local_caps (SpInteraction *self, const SpSdpSession *layout)
{
  SpSdpLocal *local = sp_sdp_local_new ("sportello", (guint64)(self->started / G_USEC_PER_SEC),
                                        sp_telephony_get_local_address (self->context.telephony));
  gboolean have_audio = FALSE, have_video = FALSE;

  local->video_allowed = sp_interaction_video_slot_enabled (self);
  local->h264_encoder = sp_media_factory_can_encode_h264 (self->context.media);
  for (guint i = 0; layout && i < layout->media->len; i++)
    {
      const SpSdpMedia *media = g_ptr_array_index (layout->media, i);
      gboolean *seen = media->kind == SP_SDP_MEDIA_AUDIO   ? &have_audio
                       : media->kind == SP_SDP_MEDIA_VIDEO ? &have_video
                                                           : NULL;

      add_slot (self, local, media->kind, seen && !*seen);
      if (seen)
        *seen = TRUE;
    }
  if (!have_audio && local->slots->len == 0)
    add_slot (self, local, SP_SDP_MEDIA_AUDIO, TRUE);
  if (!have_video && sp_interaction_video_slot_enabled (self))
    add_slot (self, local, SP_SDP_MEDIA_VIDEO, TRUE);
  sp_interaction_srtp_caps (self, self->contact, local);
  return local;
}

/* Our next offer from the current intent (RFC 3264 §8: same m-lines, version + 1 if changed),
 * recorded as our last description; returns its text. */
static char *
new_local_offer (SpInteraction *self)
{
  g_autoptr (SpSdpLocal) local = local_caps (self, self->local_sdp);
  SpSdpSession *offer = sp_sdp_offer (local, self->local_sdp);

  g_clear_pointer (&self->local_sdp, sp_sdp_session_free);
  self->local_sdp = offer;
  return sp_sdp_print (offer);
}

static const SpSdpStream *
first_stream (GPtrArray *streams, SpSdpMediaKind kind, gboolean active)
{
  for (guint i = 0; i < streams->len; i++)
    {
      const SpSdpStream *stream = g_ptr_array_index (streams, i);
      if (stream->kind == kind && (stream->active || !active))
        return stream;
    }
  return NULL;
}

/* A completed exchange, read without touching the media: the streams both sides agreed (one
 * audio stream at least), the hold state off the remote side, the keys SRTP will use. */
static GPtrArray *
agree_exchange (SpInteraction *self, const SpSdpSession *local, const SpSdpSession *remote,
                gboolean local_is_offer, GError **error)
{
  g_autoptr (GPtrArray) streams = NULL;
  const SpSdpStream *audio;

  if (!sp_sdp_negotiated (local, remote, local_is_offer, &streams, error))
    return NULL;
  audio = first_stream (streams, SP_SDP_MEDIA_AUDIO, TRUE);
  if (!audio)
    {
      fail (error, SP_INTERACTION_ERROR_FAILED, "no audio stream was agreed");
      return NULL;
    }
  self->remote_hold = sp_sdp_remote_is_hold (remote);
  sp_interaction_srtp_agreed (self, self->contact, audio,
                              first_stream (streams, SP_SDP_MEDIA_VIDEO, TRUE));
  return g_steal_pointer (&streams);
}

/* The media follow agreed STREAMS. */
static gboolean
start_streams (SpInteraction *self, GPtrArray *streams, GError **error)
{
  return sp_interaction_media_apply (self, first_stream (streams, SP_SDP_MEDIA_AUDIO, TRUE), error)
         && sp_interaction_video_apply (self, first_stream (streams, SP_SDP_MEDIA_VIDEO, FALSE),
                                        error);
}

/* ---- an answered call's media start once the 200 OK is out ---- */

/* The streams our 200 OK agreed, if their media have not started yet: now, before anything
 * that comes after them in the dialog. */
static gboolean
start_pending_media (SpInteraction *self, GError **error)
{
  g_autoptr (GPtrArray) streams = g_steal_pointer (&self->pending_streams);

  g_clear_handle_id (&self->pending_media_id, g_source_remove);
  return streams == NULL || start_streams (self, streams, error);
}

/* Applies a completed exchange: media follows, and the hold state is read off both sides. */
static gboolean
apply_exchange (SpInteraction *self, const SpSdpSession *local, const SpSdpSession *remote,
                gboolean local_is_offer, GError **error)
{
  g_autoptr (GPtrArray) streams = NULL;

  if (!start_pending_media (self, error))
    return FALSE;
  streams = agree_exchange (self, local, remote, local_is_offer, error);
  return streams != NULL && start_streams (self, streams, error);
}

static void
update_hold_state (SpInteraction *self)
{
  if (self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    return;
  sp_interaction_set_state (self, self->local_hold || self->remote_hold ? SP_INTERACTION_HELD
                                                                        : SP_INTERACTION_TALKING);
}

static void
end_call (SpInteraction *self, const char *actor, const char *reason, int error,
          const char *message)
{
  sp_interaction_set_end (self, actor, reason, error, message);
  sp_interaction_consult_stop (self);
  sp_interaction_conference_stop (self);
  if (self->contact->leg && !sp_leg_is_ended (self->contact->leg))
    sp_leg_hangup (self->contact->leg);
  stop_media (self);
  sp_interaction_set_state (self, SP_INTERACTION_DISCONNECTED);
}

static gboolean
on_start_media (gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (GError) error = NULL;

  self->pending_media_id = 0;
  if (!start_pending_media (self, &error))
    end_call (self, "system", "media-error", SP_INTERACTION_ERROR_FAILED, error->message);
  return G_SOURCE_REMOVE;
}

/* Sofia sends what nua_respond() queued when the main loop next runs: an idle callback comes
 * after it, so the contact's phone has our answer before the pipelines are built. */
static void
start_media_after_answer (SpInteraction *self, GPtrArray *streams)
{
  g_clear_pointer (&self->pending_streams, g_ptr_array_unref);
  self->pending_streams = streams;
  g_clear_handle_id (&self->pending_media_id, g_source_remove);
  self->pending_media_id = g_idle_add (on_start_media, self);
}

/* ---- answering an inbound call ---- */

#define DISCARD_PORT 9 /* RFC 863 */

/* Whether OFFER (an INVITE's SDP, or NULL: we will offer) has what our answer needs: a usable
 * audio stream in a codec we have, with SRTP keys we can use where the policy wants them. */
gboolean
sp_interaction_offer_acceptable (SpInteraction *self, const char *offer, GError **error)
{
  g_autoptr (SpSdpSession) parsed = NULL;
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (SpSdpSession) answer = NULL;
  guint16 rtp = self->audio_rtp_port, rtcp = self->audio_rtcp_port;

  if (offer == NULL)
    return TRUE;
  if (!(parsed = sp_sdp_parse (offer, -1, error)))
    return FALSE;
  /* Ports are reserved when the agent answers; this trial answer is never sent, so the
   * discard port stands in for ours. */
  self->audio_rtp_port = rtp ? rtp : DISCARD_PORT;
  self->audio_rtcp_port = rtp ? rtcp : DISCARD_PORT + 1;
  local = local_caps (self, parsed);
  self->audio_rtp_port = rtp;
  self->audio_rtcp_port = rtcp;
  answer = sp_sdp_answer (parsed, local, NULL, error);
  return answer != NULL;
}

gboolean
sp_interaction_answer (SpInteraction *self, GError **error)
{
  const char *offer_text;
  g_autoptr (SpSdpSession) offer = NULL;
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (SpSdpSession) answer = NULL;
  g_autofree char *answer_text = NULL;
  g_autoptr (GError) sdp_error = NULL;
  g_autoptr (GPtrArray) streams = NULL;

  if (!require_state (self, SP_INTERACTION_RINGING, "Answer", error)
      || !sp_interaction_media_prepare (self, error))
    return FALSE;
  offer_text = sp_leg_get_initial_offer (self->contact->leg);
  if (offer_text)
    offer = sp_sdp_parse (offer_text, -1, &sdp_error);
  local = local_caps (self, offer);
  if (!offer_text)
    {
      /* An INVITE without SDP: we offer in the 200 and the answer comes in the ACK. */
      answer_text = new_local_offer (self);
      sp_leg_accept (self->contact->leg, answer_text);
      sp_interaction_set_state (self, SP_INTERACTION_TALKING);
      return TRUE;
    }
  if (offer)
    answer = sp_sdp_answer (offer, local, NULL, &sdp_error);
  if (!answer || !(streams = agree_exchange (self, answer, offer, FALSE, &sdp_error)))
    {
      sp_leg_reject (self->contact->leg, 488, "Not Acceptable Here");
      end_call (self, "system", "media-error", SP_INTERACTION_ERROR_FAILED, sdp_error->message);
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                   "the contact's media offer is unusable: %s", sdp_error->message);
      return FALSE;
    }
  answer_text = sp_sdp_print (answer);
  self->local_sdp = g_steal_pointer (&answer);
  /* Our ports were reserved above and the answer names them: the 200 OK need not wait for the
   * pipelines. A pipeline that then fails to start ends the call with a BYE. */
  sp_leg_accept (self->contact->leg, answer_text);
  start_media_after_answer (self, g_steal_pointer (&streams));
  sp_interaction_set_state (self, SP_INTERACTION_TALKING);
  update_hold_state (self);
  return TRUE;
}

gboolean
sp_interaction_reject (SpInteraction *self, GError **error)
{
  if (!require_state (self, SP_INTERACTION_RINGING, "Reject", error))
    return FALSE;
  sp_interaction_set_end (self, "local", "rejected", -1, "rejected by the agent");
  sp_leg_reject (self->contact->leg, 486, "Busy Here");
  stop_media (self); /* the ports reserved while it rang */
  sp_interaction_set_state (self, SP_INTERACTION_DISCONNECTED);
  return TRUE;
}

gboolean
sp_interaction_disconnect (SpInteraction *self, GError **error)
{
  if (self->state == SP_INTERACTION_DISCONNECTED || self->state == SP_INTERACTION_DONE)
    {
      fail (error, SP_INTERACTION_ERROR_INVALID_STATE, "the call is already disconnected");
      return FALSE;
    }
  end_call (self, "local", self->state == SP_INTERACTION_RINGING ? "rejected" : "hangup", -1,
            "ended by the agent");
  return TRUE;
}

/* The service stops: the record must not say the agent hung up. */
void
sp_interaction_end_for_shutdown (SpInteraction *self)
{
  if (self->state == SP_INTERACTION_DISCONNECTED || self->state == SP_INTERACTION_DONE)
    return;
  end_call (self, "system", "service-stopped", -1, "the service stopped");
}

/* ---- outbound ---- */

gboolean
sp_interaction_start_outbound_call (SpInteraction *self, const char *target, GError **error)
{
  g_autofree char *offer_text = NULL;
  g_autoptr (SpLeg) leg = NULL;

  if (!sp_interaction_media_prepare (self, error))
    return FALSE;
  offer_text = new_local_offer (self);
  leg = sp_telephony_dial (self->context.telephony, target, self->attached_data, offer_text, error);
  if (!leg)
    return FALSE;
  g_free (self->call_id);
  self->call_id = g_strdup (sp_leg_get_call_id (leg));
  sp_interaction_attach_contact (self, leg);
  return TRUE;
}

/* ---- being replaced (RFC 3891) ---- */

/* The new party's offer answered from our media as they run (a new dialog: a new description). */
static char *
answer_replacement (SpInteraction *self, SpLeg *leg, GError **error)
{
  const char *text = sp_leg_get_initial_offer (leg);
  g_autoptr (SpSdpSession) offer = text ? sp_sdp_parse (text, -1, error) : NULL;
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (SpSdpSession) answer = NULL;

  if (!text)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                 "a replacing INVITE without an offer");
  if (!offer)
    return NULL;
  local = local_caps (self, offer);
  answer = sp_sdp_answer (offer, local, NULL, error);
  if (!answer || !apply_exchange (self, answer, offer, FALSE, error))
    return NULL;
  g_clear_pointer (&self->local_sdp, sp_sdp_session_free);
  self->local_sdp = g_steal_pointer (&answer);
  return sp_sdp_print (self->local_sdp);
}

gboolean
sp_interaction_replace_contact (SpInteraction *self, SpLeg *old, SpLeg *leg)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;

  if (self->contact->leg != old)
    return FALSE;
  if (self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    {
      sp_leg_reject (leg, 486, "Busy Here");
      return TRUE;
    }
  if (!(answer = answer_replacement (self, leg, &error)))
    {
      sp_interaction_log (self, G_LOG_LEVEL_WARNING, "refusing the replacing call: %s",
                          error->message);
      sp_leg_reject (leg, 488, "Not Acceptable Here");
      return TRUE;
    }
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "%s takes the place of %s",
                      sp_leg_get_remote_uri (leg), self->remote);
  g_signal_handlers_disconnect_by_data (old, self);
  sp_leg_hangup (old);
  g_clear_object (&self->contact->leg);
  sp_interaction_attach_contact (self, leg);
  sp_leg_accept (leg, answer);
  self->local_hold = FALSE;
  g_free (self->remote);
  self->remote = g_strdup (sp_leg_get_remote_uri (leg));
  g_free (self->contact->uri);
  self->contact->uri = g_strdup (self->remote);
  g_free (self->referred_by);
  self->referred_by = g_strdup (sp_leg_get_referred_by (leg));
  sp_interaction_notify (self, "remote");
  sp_interaction_notify (self, "referred-by");
  sp_interaction_notify (self, "participants");
  update_hold_state (self);
  return TRUE;
}

/* ---- hold / retrieve ---- */

static void
send_reoffer (SpInteraction *self)
{
  g_autofree char *text = new_local_offer (self);

  sp_leg_send_offer (self->contact->leg, text);
}

/* A new local offer now, or once the outstanding exchange completes. */
void
sp_interaction_send_reoffer (SpInteraction *self)
{
  if (sp_leg_has_pending_offer (self->contact->leg))
    self->reoffer_queued = TRUE;
  else
    send_reoffer (self);
}

static gboolean
check_hold_request (SpInteraction *self, gboolean hold, GError **error)
{
  const char *state = sp_interaction_state_to_string (self->state);

  if (sp_interaction_busy (self, error))
    return FALSE;
  if (hold && self->local_hold)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "the contact is already on hold");
  else if (hold && self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "Hold needs a call in progress, the state is %s", state);
  else if (!hold && (!self->local_hold || self->state != SP_INTERACTION_HELD))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "Retrieve needs a call the agent put on hold, the state is %s", state);
  else
    return TRUE;
  return FALSE;
}

void
sp_interaction_hold_async (SpInteraction *self, gboolean hold, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;

  if (!check_hold_request (self, hold, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->hold_task = g_steal_pointer (&task);
  self->local_hold = hold;
  /* Hold stops the browser's video too (no picture either way), at once. */
  sp_interaction_browser_video_apply (self);
  /* Nobody sees a clip pushed into a held call. */
  if (hold)
    sp_interaction_push_stop (self, "stop");
  sp_interaction_conference_hold (self, hold);
  sp_interaction_send_reoffer (self);
}

gboolean
sp_interaction_hold_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
on_glare_timeout (gpointer data)
{
  SpInteraction *self = data;

  self->glare_id = 0;
  if (self->contact->leg && !sp_leg_is_ended (self->contact->leg))
    send_reoffer (self);
  return G_SOURCE_REMOVE;
}

static void
on_leg_offer_failed (SpLeg *leg, guint status, const char *phrase, gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (GError) error = NULL;

  if (status == 491)
    {
      /* RFC 3261 §14.1: the Call-ID's owner waits 2.1–4 s, the other side 0–2 s, then retries. */
      guint ms = self->outbound ? g_random_int_range (2100, 4001) : g_random_int_range (0, 2001);
      sp_interaction_log (self, G_LOG_LEVEL_INFO, "re-INVITE glare (491); retrying in %u ms", ms);
      self->glare_id = g_timeout_add (ms, on_glare_timeout, self);
      return;
    }
  /* A refused re-INVITE never ends the call: the previous session stays in force. */
  if (sp_interaction_video_offer_failed (self, status, phrase))
    return;
  self->local_hold = !self->local_hold;
  sp_interaction_browser_video_apply (self);
  error = g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                       "the contact's phone refused: %u %s", status, phrase);
  complete_hold (self, error);
}

/* ---- events from the leg ---- */

static void
answer_remote_offer (SpInteraction *self, const char *sdp, gboolean reviewed)
{
  g_autoptr (SpSdpSession) offer = NULL;
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (SpSdpSession) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  offer = sp_sdp_parse (sdp, -1, &error);
  /* A video offer may have to wait for the CRM ([video] remote-offers = ask). */
  if (offer && !reviewed && sp_interaction_video_review_offer (self, offer, sdp))
    return;
  local = local_caps (self, offer);
  if (offer)
    answer = sp_sdp_answer (offer, local, self->local_sdp, &error);
  if (!answer || !apply_exchange (self, answer, offer, FALSE, &error))
    {
      sp_interaction_log (self, G_LOG_LEVEL_WARNING, "refusing the contact's re-offer: %s",
                          error->message);
      sp_leg_answer_offer (self->contact->leg, 488, NULL);
      return;
    }
  text = sp_sdp_print (answer);
  sp_sdp_session_free (self->local_sdp);
  self->local_sdp = g_steal_pointer (&answer);
  sp_leg_answer_offer (self->contact->leg, 200, text);
  update_hold_state (self);
}

void
sp_interaction_answer_held_offer (SpInteraction *self, const char *sdp)
{
  if (self->contact->leg && !sp_leg_is_ended (self->contact->leg) && sdp)
    answer_remote_offer (self, sdp, TRUE);
}

static void
on_leg_offer (SpLeg *leg, const char *sdp, gpointer data)
{
  SpInteraction *self = data;
  g_autofree char *text = NULL;

  if (sdp)
    {
      answer_remote_offer (self, sdp, FALSE);
      return;
    }
  /* A re-INVITE without SDP: offer what we have; the answer comes with the ACK (FreeSWITCH #1091).
   */
  text = new_local_offer (self);
  sp_leg_answer_offer (self->contact->leg, 200, text);
}

/* An answer that drops m-lines we added (some phones answer a video escalation with audio
 * only) is read as refusing them, as RFC 3264 §6 would have it written: port 0. */
static void
pad_missing_lines (SpSdpSession *answer, const SpSdpSession *offer)
{
  for (guint i = answer->media->len; i < offer->media->len; i++)
    {
      const SpSdpMedia *offered = g_ptr_array_index (offer->media, i);
      SpSdpMedia *refused = sp_sdp_media_copy (offered);

      if (offered->kind == SP_SDP_MEDIA_AUDIO)
        return;
      refused->port = 0;
      refused->rtcp_port = 0;
      refused->direction = SP_SDP_INACTIVE;
      g_ptr_array_add (answer->media, refused);
    }
}

static void
on_leg_answer (SpLeg *leg, const char *sdp, gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (SpSdpSession) answer = sp_sdp_parse (sdp, -1, NULL);
  g_autoptr (GError) error = NULL;

  if (answer && self->local_sdp)
    pad_missing_lines (answer, self->local_sdp);

  if (!answer || !self->local_sdp || !apply_exchange (self, self->local_sdp, answer, TRUE, &error))
    {
      g_autofree char *message = g_strdup_printf ("the contact's SDP answer is unusable%s%s",
                                                  error ? ": " : "", error ? error->message : "");
      end_call (self, "system", "media-error", SP_INTERACTION_ERROR_FAILED, message);
      return;
    }
  update_hold_state (self);
  if (self->reoffer_queued)
    {
      self->reoffer_queued = FALSE;
      send_reoffer (self);
      return;
    }
  complete_hold (self, NULL);
  sp_interaction_video_exchange_done (self);
}

static void
on_leg_established (SpLeg *leg, gpointer data)
{
  SpInteraction *self = data;

  if (self->state == SP_INTERACTION_DIALING)
    {
      sp_interaction_set_state (self, SP_INTERACTION_TALKING);
      update_hold_state (self);
    }
}

/* Maps a final SIP status of our INVITE to the documented end reasons (Rakia's table, trimmed). */
static const char *
reason_for_status (guint status)
{
  switch (status)
    {
      case 404:
      case 410:
      case 484:
      case 604:
        return "not-found";
      case 486:
      case 600:
        return "busy";
      case 603:
        return "rejected";
      case 408:
      case 480:
      case 487:
        return "no-answer";
      default:
        return "network-error";
    }
}

static void
on_leg_ended (SpLeg *leg, int cause, guint status, const char *phrase, gpointer data)
{
  SpInteraction *self = data;
  g_autofree char *message = g_strdup_printf ("%u %s", status, phrase);

  sp_interaction_transfer_leg_ended (self);
  switch ((SpLegEndCause)cause)
    {
      case SP_LEG_END_REMOTE_BYE:
        sp_interaction_set_end (self, "remote", "hangup", -1, "the contact hung up");
        break;
      case SP_LEG_END_REMOTE_CANCEL:
        sp_interaction_set_end (self, "remote", "missed", -1,
                                "the caller hung up before the call was answered");
        break;
      case SP_LEG_END_ANSWERED_ELSEWHERE:
        sp_interaction_set_end (self, "remote", "answered-elsewhere", -1,
                                "answered at another device");
        break;
      case SP_LEG_END_FAILED:
        sp_interaction_set_end (self, "remote", reason_for_status (status),
                                SP_INTERACTION_ERROR_FAILED, message);
        break;
      case SP_LEG_END_LOCAL:
        sp_interaction_set_end (self, "local", "hangup", -1, "ended by the agent");
        break;
      case SP_LEG_END_NETWORK:
      default:
        sp_interaction_set_end (self, "system", "network-error", SP_INTERACTION_ERROR_FAILED,
                                message);
        break;
    }
  sp_interaction_consult_stop (self);
  sp_interaction_conference_stop (self);
  stop_media (self);
  sp_interaction_set_state (self, SP_INTERACTION_DISCONNECTED);
  {
    g_autoptr (GError) error
      = g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE, "the call ended");
    complete_hold (self, error);
  }
}
