/* Consultation transfer: the contact is held, the agent calls a third person on a leg of its
 * own and talks with them; CompleteTransfer then refers the contact to that person with
 * Replaces (RFC 3891) so the two talk directly, and EndConsultation returns to the contact.
 * The consulted person hanging up leaves the contact on hold for the agent to retrieve. */
#include "sp-interaction-private.h"

/* ---- the consult leg's events (sp-interaction-side.c) ---- */

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
  sp_interaction_drop_side (self, party, SP_PARTICIPANT_ENDED);
}

void
sp_interaction_consult_answered (SpInteraction *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->consult_task);

  sp_interaction_log (self, G_LOG_LEVEL_INFO, "consulting %s", self->consult_label);
  if (task)
    g_task_return_boolean (task, TRUE);
}

void
sp_interaction_consult_lost (SpInteraction *self, SpParticipant *party, guint status,
                             const char *phrase)
{
  if (party != self->consult)
    return;
  sp_interaction_log (self, G_LOG_LEVEL_INFO,
                      "the consultation with %s ended (%u %s); the contact is on hold",
                      self->consult_label, status, phrase);
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
  SpParticipant *party
    = sp_interaction_dial_side (self, id, SP_PARTICIPANT_CONSULT, uri, self->consult_label, error);

  if (!party->leg)
    return FALSE;
  self->consult = party;
  sp_interaction_set_state (self, SP_INTERACTION_CONSULTING);
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
  else if (sp_interaction_conference_active (self))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a conference is in progress; drop its agents first");
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
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "back to the contact");
  fail_consult_task (self, 487, "ended by the agent");
  drop_consult (self);
  sp_interaction_conference_end_round (self);
  sp_interaction_set_state (self, SP_INTERACTION_HELD);
  sp_interaction_hold_async (self, FALSE, sp_interaction_retrieved_for_task,
                             g_steal_pointer (&task));
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
