/* Local conference. Conference holds the contact (and the agents of a running conference) and
 * calls agents of the directory, each on a side leg ("conference-N", role agent); the agent
 * talks with those who answer. CompleteConference cancels the ones still ringing and joins the
 * others with the contact in a mix-minus between the legs' media: every party's leg joins
 * the interaction's mix ("sportello-<session>-conference"), where what a party says reaches
 * every other party and never comes back to it. The agent's voice is in what every leg sends and
 * the agent hears every leg, so the agent speaks to and hears everybody. Hold holds every party; a
 * conferenced agent who hangs up or is dropped leaves the others talking; the agent's Disconnect
 * ends the call for everybody. */
#include "sp-interaction-private.h"

/* The mix links: the ids of the parties whose legs are in the mix. */
GHashTable *
sp_interaction_conference_links_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static SpParticipant *
find_participant (SpInteraction *self, const char *id)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (g_str_equal (party->id, id))
        return party;
    }
  return NULL;
}

static gboolean
is_agent (const SpParticipant *party)
{
  return party->role == SP_PARTICIPANT_AGENT && sp_interaction_side_live (party);
}

gboolean
sp_interaction_conference_active (SpInteraction *self)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (is_agent (party) && party->in_conference)
        return TRUE;
    }
  return FALSE;
}

/* ---- the mix-minus ---- */

static gboolean
in_mix (SpInteraction *self, SpParticipant *party)
{
  if (party == self->contact)
    return party->media && self->media_started && !self->local_hold;
  return is_agent (party) && party->in_conference && !party->held && party->media
         && party->media_started;
}

static char *
mix_name (SpInteraction *self)
{
  return g_strdup_printf ("sportello-%u-conference", self->number);
}

static void
leave_mix (SpInteraction *self, const char *mix, const char *party_id)
{
  SpParticipant *party = find_participant (self, party_id);

  if (party && party->media)
    sp_media_session_leave_mix (party->media, mix);
}

static void
join_mix (SpInteraction *self, const char *mix, SpParticipant *party)
{
  g_autoptr (GError) error = NULL;

  g_hash_table_add (self->mix_links, g_strdup (party->id));
  if (!sp_media_session_join_mix (party->media, mix, party->id, &error))
    sp_interaction_log (self, G_LOG_LEVEL_WARNING, "%s is not in the conference's mix: %s",
                        party->id, error->message);
}

/* Makes the mix's members what the parties' states say: every party in the mix hears every
 * other one. Called whenever a party joins, leaves, holds or is retrieved. */
void
sp_interaction_conference_relink (SpInteraction *self)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *mix = mix_name (self);
  GHashTableIter iter;
  gpointer id, party;

  if (self->contact->in_conference != sp_interaction_conference_active (self))
    {
      self->contact->in_conference = !self->contact->in_conference;
      sp_interaction_notify (self, "participants");
    }
  if (self->contact->in_conference)
    for (guint i = 0; i < self->participants->len; i++)
      {
        SpParticipant *candidate = g_ptr_array_index (self->participants, i);

        if (in_mix (self, candidate))
          g_hash_table_insert (wanted, candidate->id, candidate);
      }
  g_hash_table_iter_init (&iter, self->mix_links);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (wanted, id))
      {
        leave_mix (self, mix, id);
        g_hash_table_iter_remove (&iter);
      }
  g_hash_table_iter_init (&iter, wanted);
  while (g_hash_table_iter_next (&iter, &id, &party))
    if (!g_hash_table_contains (self->mix_links, id))
      join_mix (self, mix, party);
}

/* ---- the round: agents called while the others wait ---- */

static gboolean
round_agent (const SpParticipant *party)
{
  return is_agent (party) && !party->in_conference;
}

static void
end_round_if_empty (SpInteraction *self)
{
  for (guint i = 0; i < self->participants->len; i++)
    if (round_agent (g_ptr_array_index (self->participants, i)))
      return;
  self->conference_round = FALSE;
  /* Nobody of the round is left: the others stay on hold for the agent to retrieve. */
  if (self->state == SP_INTERACTION_CONSULTING && !self->consult)
    sp_interaction_set_state (self, SP_INTERACTION_HELD);
}

void
sp_interaction_conference_answered (SpInteraction *self, SpParticipant *party)
{
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "%s (%s) answered the conference call", party->id,
                      party->name);
}

void
sp_interaction_conference_lost (SpInteraction *self, SpParticipant *party, guint status,
                                const char *phrase)
{
  gboolean declined = party->state == SP_PARTICIPANT_CALLING;

  sp_interaction_log (self, G_LOG_LEVEL_INFO, "%s (%s) %s: %u %s", party->id, party->name,
                      declined ? "did not answer" : "left the conference", status, phrase);
  sp_interaction_drop_side (self, party, declined ? SP_PARTICIPANT_DECLINED : SP_PARTICIPANT_ENDED);
  if (declined)
    g_signal_emit_by_name (self, "participant-declined", party->id, status, phrase);
  sp_interaction_conference_relink (self);
  if (self->conference_round)
    end_round_if_empty (self);
}

static void
dial_agent (SpInteraction *self, const SpDirectoryEntry *entry)
{
  g_autofree char *id = g_strdup_printf ("conference-%u", ++self->conference_count);
  const char *name = entry->name && *entry->name ? entry->name : entry->id;
  g_autoptr (GError) error = NULL;
  SpParticipant *party
    = sp_interaction_dial_side (self, id, SP_PARTICIPANT_AGENT, entry->uri, name, &error);

  if (!error)
    return;
  sp_interaction_log (self, G_LOG_LEVEL_WARNING, "%s could not be called: %s", name,
                      error->message);
  party->state = SP_PARTICIPANT_DECLINED;
  g_signal_emit_by_name (self, "participant-declined", party->id, 500u, error->message);
}

static void
dial_round (SpInteraction *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->conference_task);
  g_autoptr (GPtrArray) entries = g_steal_pointer (&self->conference_invited);

  self->conference_round = TRUE;
  sp_interaction_set_state (self, SP_INTERACTION_CONSULTING);
  for (guint i = 0; i < entries->len; i++)
    dial_agent (self, g_ptr_array_index (entries, i));
  end_round_if_empty (self);
  if (self->conference_round)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                             "none of the agents could be called; the contact is on hold");
}

static void
fail_conference_request (SpInteraction *self, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->conference_task);

  g_clear_pointer (&self->conference_invited, g_ptr_array_unref);
  if (task)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
on_held_for_conference (GObject *source, GAsyncResult *result, gpointer data)
{
  SpInteraction *self = SP_INTERACTION (source);
  GError *error = NULL;

  if (!sp_interaction_hold_finish (self, result, &error))
    {
      g_prefix_error (&error, "the contact could not be held for the conference: ");
      fail_conference_request (self, error);
      return;
    }
  if (self->conference_task)
    dial_round (self);
}

static gboolean
find_agents (SpInteraction *self, const char *const *agent_ids, GPtrArray **entries, GError **error)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();

  if (!agent_ids || !*agent_ids)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                   "no agent given");
      return FALSE;
    }
  for (guint i = 0; agent_ids[i]; i++)
    {
      const SpDirectoryEntry *entry
        = sp_config_find_entry (self->context.config->agents, agent_ids[i]);

      if (!entry)
        {
          g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                       "'%s' is no agent of the directory (see ListAgents)", agent_ids[i]);
          return FALSE;
        }
      if (g_ptr_array_find (found, entry, NULL))
        {
          g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                       "the agent '%s' is named twice", agent_ids[i]);
          return FALSE;
        }
      g_ptr_array_add (found, (gpointer)entry);
    }
  *entries = g_steal_pointer (&found);
  return TRUE;
}

static gboolean
already_called (SpInteraction *self, GPtrArray *entries, GError **error)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      for (guint j = 0; is_agent (party) && j < entries->len; j++)
        {
          const SpDirectoryEntry *entry = g_ptr_array_index (entries, j);

          if (g_str_equal (party->uri, entry->uri))
            {
              g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                           "'%s' is already in the conference (%s)", entry->id, party->id);
              return TRUE;
            }
        }
    }
  return FALSE;
}

static gboolean
check_conference (SpInteraction *self, GPtrArray *entries, GError **error)
{
  if (self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "Conference needs a call in progress without a consultation, the state is %s",
                 sp_interaction_state_to_string (self->state));
  else if (self->remote_hold && !self->local_hold)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "the contact's phone holds the call; call the agents when the contact is back");
  else if (self->push_item)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a clip is being pushed; stop the push first");
  else if (self->conference_task || self->hold_task)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "the call is being put on hold; try again when it is");
  else
    return !sp_interaction_busy (self, error) && !already_called (self, entries, error);
  return FALSE;
}

void
sp_interaction_conference_async (SpInteraction *self, const char *const *agent_ids,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autoptr (GPtrArray) entries = NULL;
  GError *error = NULL;

  if (!find_agents (self, agent_ids, &entries, &error) || !check_conference (self, entries, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->conference_task = g_steal_pointer (&task);
  self->conference_invited = g_steal_pointer (&entries);
  /* The others hear and see nothing while the agent talks with the agents called. */
  if (self->local_hold)
    dial_round (self);
  else
    sp_interaction_hold_async (self, TRUE, on_held_for_conference, NULL);
}

gboolean
sp_interaction_conference_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- completing, dropping, ending ---- */

static guint
join_round (SpInteraction *self)
{
  guint joined = 0;

  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (!round_agent (party))
        continue;
      if (party->state == SP_PARTICIPANT_TALKING)
        {
          party->in_conference = TRUE;
          joined++;
        }
      else
        sp_interaction_drop_side (self, party, SP_PARTICIPANT_ENDED); /* still ringing */
    }
  return joined;
}

static gboolean
round_answered (SpInteraction *self)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (round_agent (party) && party->state == SP_PARTICIPANT_TALKING)
        return TRUE;
    }
  return FALSE;
}

void
sp_interaction_complete_conference_async (SpInteraction *self, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  if (!self->conference_round || self->state != SP_INTERACTION_CONSULTING || self->hold_task)
    {
      g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                               "CompleteConference needs agents called by Conference (the call "
                               "is %s)",
                               sp_interaction_state_to_string (self->state));
      return;
    }
  if (!round_answered (self))
    {
      g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOBODY_ANSWERED,
                               "none of the agents called has answered yet; wait, or drop them "
                               "with DropParticipant");
      return;
    }
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "%u agent(s) join the conference", join_round (self));
  self->conference_round = FALSE;
  sp_interaction_notify (self, "participants");
  sp_interaction_set_state (self, SP_INTERACTION_HELD);
  /* Retrieving holds every party back and links the mix (sp_interaction_conference_hold). */
  sp_interaction_hold_async (self, FALSE, sp_interaction_retrieved_for_task,
                             g_steal_pointer (&task));
}

gboolean
sp_interaction_complete_conference_finish (SpInteraction *self, GAsyncResult *result,
                                           GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sp_interaction_drop_participant (SpInteraction *self, const char *id, GError **error)
{
  SpParticipant *party = find_participant (self, id);

  if (!party)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                 "no participant '%s' (see Participants)", id);
  else if (party->role != SP_PARTICIPANT_AGENT)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                 "'%s' is no conferenced agent: Disconnect ends the call, EndConsultation a "
                 "consultation",
                 id);
  else if (!sp_interaction_side_live (party))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "'%s' has already left (%s)", id, sp_participant_state_to_string (party->state));
  else
    {
      sp_interaction_log (self, G_LOG_LEVEL_INFO, "the agent drops %s (%s)", party->id,
                          party->name);
      sp_interaction_drop_side (self, party, SP_PARTICIPANT_ENDED);
      sp_interaction_conference_relink (self);
      if (self->conference_round)
        end_round_if_empty (self);
      return TRUE;
    }
  return FALSE;
}

/* EndConsultation during a round: the agents called hang up; the others stay as they were. */
void
sp_interaction_conference_end_round (SpInteraction *self)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (round_agent (party))
        sp_interaction_drop_side (self, party, SP_PARTICIPANT_ENDED);
    }
  self->conference_round = FALSE;
}

/* Hold and Retrieve of the contact hold and retrieve the conferenced agents with it. */
void
sp_interaction_conference_hold (SpInteraction *self, gboolean hold)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (is_agent (party) && party->in_conference)
        sp_interaction_hold_side (self, party, hold);
    }
  sp_interaction_conference_relink (self);
}

/* The call ends: every agent's leg is hung up. */
void
sp_interaction_conference_stop (SpInteraction *self)
{
  g_autoptr (GError) error
    = g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE, "the call ended");

  fail_conference_request (self, g_steal_pointer (&error));
  for (guint i = 0; i < self->participants->len; i++)
    {
      SpParticipant *party = g_ptr_array_index (self->participants, i);

      if (is_agent (party))
        sp_interaction_drop_side (self, party, SP_PARTICIPANT_ENDED);
    }
  self->conference_round = FALSE;
  sp_interaction_conference_relink (self);
}
