/* The interaction's record in the store, written as it changes so that a crash loses nothing
 * the service acknowledged: the agent's changes before their D-Bus reply (or refused with
 * UNAVAILABLE), what the call does (answer, end, video) when it happens, and a heartbeat while
 * the call is live, so an interrupted record ends at most HEARTBEAT_S before the crash. */
#include "sp-interaction-private.h"

/* Low enough to bound the end of an interrupted record, high enough to cost nothing: one small
 * UPDATE per live call every 20 s. Documented in the README and the admin guide. */
#define HEARTBEAT_S 20

static gboolean
on_heartbeat (gpointer data)
{
  SpInteraction *self = data;
  g_autoptr (GError) error = NULL;

  if (!sp_store_interaction_touch (self->context.store, self->record_id, &error)
      && !self->heartbeat_failed)
    {
      /* Once per interaction: a database that stays unwritable must not flood the journal. */
      self->heartbeat_failed = TRUE;
      g_warning ("session %u: the record's heartbeat cannot be written (an interrupted call "
                 "would end at its last saved change): %s",
                 self->number, error->message);
    }
  return G_SOURCE_CONTINUE;
}

void
sp_interaction_record_begin (SpInteraction *self)
{
  g_autoptr (GError) error = NULL;
  SpInteractionStart start = {
    .direction = self->outbound ? "outbound" : "inbound",
    .remote = self->remote,
    .remote_name = self->remote_name,
    .contact_id = self->contact_id,
    .started = self->started,
    .attached_data = self->attached_data,
    .case_data = self->case_data,
  };

  if (!self->context.store)
    {
      self->record_error = g_strdup ("the database cannot be used (see the service's log)");
      return;
    }
  self->record_id = sp_store_interaction_begin (self->context.store, &start, &error);
  if (!self->record_id)
    {
      g_warning ("session %u will not be in the history: %s", self->number, error->message);
      self->record_error = g_strdup (error->message);
      return;
    }
  self->heartbeat_id = g_timeout_add_seconds (HEARTBEAT_S, on_heartbeat, self);
}

void
sp_interaction_record_stop (SpInteraction *self)
{
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
}

/* An acknowledged change must be stored: without a record, or when the write fails, the caller
 * answers UNAVAILABLE. @what names the change for the message ("the note"). */
static gboolean
refuse_unsaved (SpInteraction *self, const char *what, const char *outcome, const GError *cause,
                GError **error)
{
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE, "%s %s: %s", what,
               outcome,
               cause                ? cause->message
               : self->record_error ? self->record_error
                                    : "no record");
  return FALSE;
}

gboolean
sp_interaction_record_notes (SpInteraction *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (self->record_id
      && sp_store_interaction_set_notes (self->context.store, self->record_id, self->notepad,
                                         &local_error))
    return TRUE;
  return refuse_unsaved (self, "the note", "is kept in memory but could not be saved", local_error,
                         error);
}

gboolean
sp_interaction_record_case_data (SpInteraction *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (self->record_id
      && sp_store_interaction_set_case_data (self->context.store, self->record_id, self->case_data,
                                             &local_error))
    return TRUE;
  return refuse_unsaved (self, "the case data", "is kept in memory but could not be saved",
                         local_error, error);
}

gboolean
sp_interaction_record_dispositions (SpInteraction *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (self->record_id
      && sp_store_interaction_set_dispositions (self->context.store, self->record_id,
                                                (const char *const *)self->dispositions,
                                                &local_error))
    return TRUE;
  return refuse_unsaved (self, "the dispositions", "are kept in memory but could not be saved",
                         local_error, error);
}

gboolean
sp_interaction_record_push_started (SpInteraction *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (self->record_id)
    self->push_record = sp_store_interaction_push_started (
      self->context.store, self->record_id, self->push_item, self->push_started, &local_error);
  if (self->push_record)
    return TRUE;
  return refuse_unsaved (self, "the push", "was not started because it could not be recorded",
                         local_error, error);
}

/* What the call does cannot be refused: a failed write is logged, and Mark Done writes the
 * interaction once more. */
static void
warn_unsaved (SpInteraction *self, const char *what, const GError *error)
{
  g_warning ("session %u: %s could not be saved (Mark Done will try again): %s", self->number, what,
             error->message);
}

void
sp_interaction_record_push_ended (SpInteraction *self, const char *ended_by)
{
  g_autoptr (GError) error = NULL;
  gint64 push = self->push_record;

  self->push_record = 0;
  if (push
      && !sp_store_interaction_push_ended (self->context.store, push, g_get_real_time (), ended_by,
                                           &error))
    g_warning ("session %u: the end of the push of %s is not in the history: %s", self->number,
               self->push_item, error->message);
}

void
sp_interaction_record_answered (SpInteraction *self)
{
  g_autoptr (GError) error = NULL;

  if (self->record_id
      && !sp_store_interaction_set_answered (self->context.store, self->record_id, self->answered,
                                             &error))
    warn_unsaved (self, "the answer time", error);
}

void
sp_interaction_record_ended (SpInteraction *self)
{
  g_autoptr (GError) error = NULL;

  /* The exact end is stored now: an interrupted record keeps it instead of the heartbeat's. */
  sp_interaction_record_stop (self);
  if (self->record_id
      && !sp_store_interaction_set_ended (self->context.store, self->record_id, self->ended,
                                          self->end_actor, self->end_reason, &error))
    warn_unsaved (self, "the end of the call", error);
}

void
sp_interaction_record_video_used (SpInteraction *self)
{
  g_autoptr (GError) error = NULL;

  if (self->record_id
      && !sp_store_interaction_set_video_used (self->context.store, self->record_id, &error))
    warn_unsaved (self, "the use of video", error);
}

/* Mark Done: the whole record once more, now 'done'. Without a record there is nothing to
 * write (the interaction's start already logged why). */
gboolean
sp_interaction_record_finish (SpInteraction *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  SpInteractionEnd end = {
    .answered = self->answered,
    .ended = self->ended,
    .end_actor = self->end_actor,
    .end_reason = self->end_reason,
    .video = self->video_used,
    .notes = self->notepad,
    .dispositions = (const char *const *)self->dispositions,
    .case_data = self->case_data,
  };

  if (!self->record_id
      || sp_store_interaction_finish (self->context.store, self->record_id, &end, &local_error))
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE,
               "the interaction could not be written to the history (it stays open; try again): %s",
               local_error->message);
  return FALSE;
}
