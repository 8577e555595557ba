/* Blind transfer (RFC 3515): a REFER on the contact's leg asks the contact's phone to call the
 * target; the phone's NOTIFYs tell how that call goes, shown in Participants. When the target
 * answers, our leg with the contact ends. Anything else leaves the contact with the agent. */
#include "sp-interaction-private.h"

#include <string.h>

/* ---- the target ---- */

static gboolean
looks_dialable (const char *target)
{
  return strchr (target, ':') || strchr (target, '@')
         || strspn (target, "+0123456789 -()./") == strlen (target);
}

/* TARGET as a URI to refer to, and the name the notepad gives it. */
gboolean
sp_interaction_resolve_target (SpInteraction *self, const char *target, char **uri, char **label,
                               GError **error)
{
  SpConfig *config = self->context.config;
  const SpDirectoryEntry *entry = sp_config_find_entry (config->agents, target);

  if (!entry)
    entry = sp_config_find_entry (config->queues, target);
  if (entry)
    {
      *uri = g_strdup (entry->uri);
      *label = g_strdup (entry->name && *entry->name ? entry->name : entry->id);
      return TRUE;
    }
  if (!*target)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                 "no transfer target given");
  else if (!looks_dialable (target))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                 "'%s' is no agent or queue (see ListAgents and ListQueues), number or SIP URI",
                 target);
  else if ((*uri = sp_telephony_target_uri (self->context.telephony, target, error)))
    {
      *label = g_strdup (target);
      return TRUE;
    }
  return FALSE;
}

/* ---- preconditions ---- */

static gboolean
check_transfer (SpInteraction *self, GError **error)
{
  const char *state = sp_interaction_state_to_string (self->state);

  if (self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "Transfer needs a call in progress, the state is %s", state);
  else if (sp_interaction_conference_active (self))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a conference is in progress; drop its agents first");
  else if (self->remote_hold)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "the contact's phone holds the call; transfer when the contact is back");
  else if (self->state == SP_INTERACTION_CONSULTING)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a consultation is in progress: CompleteTransfer or EndConsultation");
  else if (self->push_item)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a clip is being pushed; stop the push first");
  else
    return !sp_interaction_busy (self, error);
  return FALSE;
}

/* ---- the outcome ---- */

static void
show_progress (SpInteraction *self, const char *progress)
{
  g_free (self->contact->transfer_state);
  self->contact->transfer_state = g_strdup (progress);
  sp_interaction_notify (self, "participants");
}

static void
finish (SpInteraction *self, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->transfer_task);

  g_clear_handle_id (&self->transfer_timeout_id, g_source_remove);
  g_clear_pointer (&self->transfer_label, g_free);
  g_clear_pointer (&self->transfer_reason, g_free);
  self->transfer_accepted = FALSE;
  if (!task)
    {
      g_clear_error (&error);
      return;
    }
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
fail (SpInteraction *self, guint status, const char *phrase)
{
  g_autofree char *progress = g_strdup_printf ("failed: %u %s", status, phrase);

  sp_interaction_log (self, G_LOG_LEVEL_INFO,
                      "the transfer to %s failed (%u %s); the contact stays", self->transfer_label,
                      status, phrase);
  show_progress (self, progress);
  finish (self, g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_TRANSFER_FAILED,
                             "the transfer to %s failed: %u %s; the contact is still connected",
                             self->transfer_label, status, phrase));
}

/* The seed's rule: the notepad says where the interaction went and why. */
static void
note_transfer (SpInteraction *self)
{
  g_autofree char *line
    = g_strdup_printf ("Transferred to %s: %s", self->transfer_label, self->transfer_reason);
  g_autoptr (GError) error = NULL;

  if (!sp_interaction_append_note (self, line, &error))
    sp_interaction_log (self, G_LOG_LEVEL_WARNING, "%s", error->message);
}

static void
succeed (SpInteraction *self)
{
  g_autofree char *message = g_strdup_printf ("transferred to %s", self->transfer_label);

  sp_interaction_log (self, G_LOG_LEVEL_INFO, "%s", message);
  note_transfer (self);
  show_progress (self, "transferred");
  sp_interaction_set_end (self, "local", "transferred", -1, message);
  finish (self, NULL);
  /* RFC 5589 §6: the transferor ends its dialog with the transferee. */
  sp_interaction_disconnect (self, NULL);
}

void
sp_interaction_on_refer_progress (SpLeg *leg, guint status, const char *phrase, gboolean final,
                                  gpointer data)
{
  SpInteraction *self = data;
  g_autofree char *progress = g_strdup_printf ("%u %s", status, phrase);

  if (!self->transfer_task)
    return;
  if (status >= 100 && status < 300)
    self->transfer_accepted = TRUE;
  if (!final)
    {
      show_progress (self, progress);
      return;
    }
  if (status >= 200 && status < 300)
    succeed (self);
  else
    fail (self, status, phrase);
}

static gboolean
on_transfer_timeout (gpointer data)
{
  SpInteraction *self = data;

  self->transfer_timeout_id = 0;
  fail (self, 408, "no answer from the target in time");
  return G_SOURCE_REMOVE;
}

gboolean
sp_interaction_transfer_leg_ended (SpInteraction *self)
{
  if (!self->transfer_task)
    return FALSE;
  /* Some phones hang up on us as soon as they took the REFER or reached the target: that is
   * the transfer done. Before the phone took it, it is a failure and an ordinary end. */
  if (self->transfer_accepted)
    {
      g_autofree char *message = g_strdup_printf ("transferred to %s", self->transfer_label);

      note_transfer (self);
      show_progress (self, "transferred");
      sp_interaction_set_end (self, "local", "transferred", -1, message);
      finish (self, NULL);
      return TRUE;
    }
  fail (self, 487, "the contact's call ended");
  return FALSE;
}

void
sp_interaction_transfer_stop (SpInteraction *self)
{
  if (self->transfer_task)
    fail (self, 487, "the call ended");
}

/* ---- the agent's action ---- */

void
sp_interaction_transfer_async (SpInteraction *self, const char *target, const char *reason,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autofree char *trimmed = g_strstrip (g_strdup (target));
  g_autofree char *uri = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  if (!sp_interaction_resolve_target (self, trimmed, &uri, &label, &error)
      || !check_transfer (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  sp_interaction_refer_contact (self, g_steal_pointer (&task), uri, label, reason, NULL);
}

void
sp_interaction_refer_contact (SpInteraction *self, GTask *task, const char *uri, const char *label,
                              const char *reason, SpLeg *replaces)
{
  GError *error = NULL;

  if (!sp_leg_refer (self->contact->leg, uri, replaces, self->attached_data, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "transferring the contact to %s (%s)", label, uri);
  self->transfer_task = task;
  self->transfer_label = g_strdup (label);
  self->transfer_reason = g_strdup (reason);
  g_free (self->contact->transfer);
  self->contact->transfer = g_strdup (uri);
  show_progress (self, "requested");
  self->transfer_timeout_id
    = g_timeout_add_seconds (self->context.config->transfer_timeout_s, on_transfer_timeout, self);
}

gboolean
sp_interaction_transfer_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
