/* The interaction's record in the store, written as it changes: the agent's changes before their
 * D-Bus reply (or refused with UNAVAILABLE), what the call does (answer, end, video, push) when
 * it happens, and a heartbeat while the call is live, so an interrupted record ends at most
 * HEARTBEAT_S before the crash. */
#include "sp-history-recorder.h"

/* Low enough to bound the end of an interrupted record, high enough to cost nothing: one small
 * UPDATE per live call every 20 s. Documented in the README and the admin guide. */
#define HEARTBEAT_S 20

struct _SpHistoryRecorder
{
  GObject parent_instance;

  SpStore *store;
};

G_DEFINE_FINAL_TYPE (SpHistoryRecorder, sp_history_recorder, G_TYPE_OBJECT)

/* What the recorder keeps per interaction (qdata of the interaction). */
typedef struct
{
  SpInteraction *interaction; /* owns this */
  SpStore *store;
  char *id;    /* the store's row, NULL when the interaction is not recorded */
  char *error; /* why id is NULL */
  guint heartbeat_id;
  gboolean heartbeat_failed;
  gint64 push_row;     /* the store's row of the running push, 0 when none */
  gint64 cobrowse_row; /* the store's row of the live co-browse, 0 when none */
} Record;

static void
record_free (Record *record)
{
  g_clear_handle_id (&record->heartbeat_id, g_source_remove);
  g_free (record->id);
  g_free (record->error);
  g_free (record);
}

static guint
number (Record *record)
{
  return sp_interaction_get_number (record->interaction);
}

static gboolean
on_heartbeat (gpointer data)
{
  Record *record = data;
  g_autoptr (GError) error = NULL;

  if (!sp_store_interaction_touch (record->store, record->id, &error) && !record->heartbeat_failed)
    {
      /* Once per interaction: a database that stays unwritable must not flood the journal. */
      record->heartbeat_failed = TRUE;
      g_warning ("session %u: the record's heartbeat cannot be written (an interrupted call "
                 "would end at its last saved change): %s",
                 number (record), error->message);
    }
  return G_SOURCE_CONTINUE;
}

static void
begin (Record *record)
{
  SpInteraction *interaction = record->interaction;
  g_autoptr (GError) error = NULL;
  SpInteractionStart start = {
    .direction = sp_interaction_get_direction (interaction),
    .remote = sp_interaction_get_remote (interaction),
    .remote_name = sp_interaction_get_remote_name (interaction),
    .contact_id = sp_interaction_get_contact_id (interaction),
    .started = sp_interaction_get_started (interaction),
    .attached_data = sp_interaction_get_attached_data (interaction),
    .case_data = sp_interaction_get_case_data (interaction),
  };

  if (!record->store)
    {
      record->error = g_strdup ("the database cannot be used (see the service's log)");
      return;
    }
  record->id = sp_store_interaction_begin (record->store, &start, &error);
  if (!record->id)
    {
      g_warning ("session %u will not be in the history: %s", number (record), error->message);
      record->error = g_strdup (error->message);
      return;
    }
  record->heartbeat_id = g_timeout_add_seconds (HEARTBEAT_S, on_heartbeat, record);
}

/* An acknowledged change must be stored: without a record, or when the write fails, the caller
 * answers UNAVAILABLE. WHAT names the change for the message ("the note"). */
static gboolean
refuse_unsaved (Record *record, const char *what, const char *outcome, const GError *cause,
                GError **error)
{
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE, "%s %s: %s", what,
               outcome,
               cause           ? cause->message
               : record->error ? record->error
                               : "no record");
  return FALSE;
}

static gboolean
save_notes (Record *record, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (record->id
      && sp_store_interaction_set_notes (
        record->store, record->id, sp_interaction_get_notepad (record->interaction), &local_error))
    return TRUE;
  return refuse_unsaved (record, "the note", "is kept in memory but could not be saved",
                         local_error, error);
}

static gboolean
save_case_data (Record *record, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (record->id
      && sp_store_interaction_set_case_data (record->store, record->id,
                                             sp_interaction_get_case_data (record->interaction),
                                             &local_error))
    return TRUE;
  return refuse_unsaved (record, "the case data", "is kept in memory but could not be saved",
                         local_error, error);
}

static gboolean
save_dispositions (Record *record, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (record->id
      && sp_store_interaction_set_dispositions (
        record->store, record->id, sp_interaction_get_dispositions (record->interaction),
        &local_error))
    return TRUE;
  return refuse_unsaved (record, "the dispositions", "are kept in memory but could not be saved",
                         local_error, error);
}

static gboolean
save_push_started (Record *record, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (record->id)
    record->push_row = sp_store_interaction_push_started (
      record->store, record->id, sp_interaction_get_push (record->interaction),
      sp_interaction_get_push_started (record->interaction), &local_error);
  if (record->push_row)
    return TRUE;
  return refuse_unsaved (record, "the push", "was not started because it could not be recorded",
                         local_error, error);
}

/* What the call does cannot be refused: a failed write is logged, and Mark Done writes the
 * interaction once more. */
static void
warn_unsaved (Record *record, const char *what, const GError *error)
{
  g_warning ("session %u: %s could not be saved (Mark Done will try again): %s", number (record),
             what, error->message);
}

static void
save_push_ended (Record *record)
{
  g_autoptr (GError) error = NULL;
  gint64 push = record->push_row;

  record->push_row = 0;
  if (push
      && !sp_store_interaction_push_ended (record->store, push, g_get_real_time (),
                                           sp_interaction_get_push_ended_by (record->interaction),
                                           &error))
    g_warning ("session %u: the end of the push of %s is not in the history: %s", number (record),
               sp_interaction_get_push (record->interaction), error->message);
}

static void
save_participants (Record *record)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) participants = NULL;

  if (!record->id)
    return;
  participants = g_variant_ref_sink (sp_interaction_get_participants (record->interaction));
  if (!sp_store_interaction_set_participants (record->store, record->id, participants, &error))
    warn_unsaved (record, "the participants", error);
}

static void
save_answered (Record *record)
{
  g_autoptr (GError) error = NULL;

  if (record->id
      && !sp_store_interaction_set_answered (
        record->store, record->id, sp_interaction_get_answered (record->interaction), &error))
    warn_unsaved (record, "the answer time", error);
}

static void
save_ended (Record *record)
{
  g_autoptr (GError) error = NULL;
  const char *actor, *reason, *message;
  int code;

  /* The exact end is stored now: an interrupted record keeps it instead of the heartbeat's. */
  g_clear_handle_id (&record->heartbeat_id, g_source_remove);
  sp_interaction_get_end (record->interaction, &actor, &reason, &code, &message);
  if (record->id
      && !sp_store_interaction_set_ended (record->store, record->id,
                                          sp_interaction_get_ended (record->interaction), actor,
                                          reason, &error))
    warn_unsaved (record, "the end of the call", error);
}

static void
save_video_used (Record *record)
{
  g_autoptr (GError) error = NULL;

  if (record->id && !sp_store_interaction_set_video_used (record->store, record->id, &error))
    warn_unsaved (record, "the use of video", error);
}

static void
save_encrypted (Record *record)
{
  g_autoptr (GError) error = NULL;

  if (record->id && !sp_store_interaction_set_encrypted (record->store, record->id, &error))
    warn_unsaved (record, "that the call was encrypted", error);
}

/* Co-browse: when it started, when the customer joined, each page, how it ended. */
static void
save_cobrowse (Record *record, SpRecordChange change)
{
  SpCoBrowse *cobrowse = sp_interaction_get_cobrowse (record->interaction);
  g_autoptr (GError) error = NULL;
  const char *url;
  gint64 time;
  gboolean ok = TRUE;

  if (!record->id || !cobrowse)
    return;
  if (change == SP_RECORD_COBROWSE_STARTED)
    {
      record->cobrowse_row = sp_store_cobrowse_started (record->store, record->id,
                                                        sp_cobrowse_get_started (cobrowse), &error);
      ok = record->cobrowse_row != 0;
    }
  else if (!record->cobrowse_row)
    return;
  else if (change == SP_RECORD_COBROWSE_JOINED)
    ok = sp_store_cobrowse_joined (record->store, record->cobrowse_row,
                                   sp_cobrowse_get_joined (cobrowse), &error);
  else if (change == SP_RECORD_COBROWSE_PAGE && sp_cobrowse_get_last_page (cobrowse, &url, &time))
    ok = sp_store_cobrowse_page (record->store, record->cobrowse_row, url, time, &error);
  else if (change == SP_RECORD_COBROWSE_ENDED)
    {
      ok = sp_store_cobrowse_ended (record->store, record->cobrowse_row,
                                    sp_cobrowse_get_ended (cobrowse),
                                    sp_cobrowse_get_ended_by (cobrowse), &error);
      record->cobrowse_row = 0;
    }
  if (!ok)
    g_warning ("session %u: the co-browse is not fully in the history: %s", number (record),
               error->message);
}

/* Mark Done: the whole record once more, now 'done'. Without a record there is nothing to
 * write (the interaction's start already logged why). */
static gboolean
finish (Record *record, GError **error)
{
  SpInteraction *interaction = record->interaction;
  g_autoptr (GError) local_error = NULL;
  const char *actor, *reason, *message;
  int code;
  SpInteractionEnd end;

  sp_interaction_get_end (interaction, &actor, &reason, &code, &message);
  end = (SpInteractionEnd){
    .answered = sp_interaction_get_answered (interaction),
    .ended = sp_interaction_get_ended (interaction),
    .end_actor = actor,
    .end_reason = reason,
    .video = sp_interaction_get_video_used (interaction),
    .notes = sp_interaction_get_notepad (interaction),
    .dispositions = sp_interaction_get_dispositions (interaction),
    .case_data = sp_interaction_get_case_data (interaction),
  };
  if (!record->id || sp_store_interaction_finish (record->store, record->id, &end, &local_error))
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE,
               "the interaction could not be written to the history (it stays open; try again): %s",
               local_error->message);
  return FALSE;
}

static gboolean
on_record (SpInteraction *interaction, int change, gpointer error_location, gpointer data)
{
  Record *record = data;
  GError **error = error_location;

  switch ((SpRecordChange)change)
    {
      case SP_RECORD_BEGIN:
        begin (record);
        save_participants (record);
        return TRUE;
      case SP_RECORD_NOTES:
        return save_notes (record, error);
      case SP_RECORD_CASE_DATA:
        return save_case_data (record, error);
      case SP_RECORD_DISPOSITIONS:
        return save_dispositions (record, error);
      case SP_RECORD_PUSH_STARTED:
        return save_push_started (record, error);
      case SP_RECORD_PUSH_ENDED:
        save_push_ended (record);
        return TRUE;
      case SP_RECORD_ANSWERED:
        save_answered (record);
        return TRUE;
      case SP_RECORD_ENDED:
        save_ended (record);
        return TRUE;
      case SP_RECORD_VIDEO_USED:
        save_video_used (record);
        return TRUE;
      case SP_RECORD_ENCRYPTED:
        save_encrypted (record);
        return TRUE;
      case SP_RECORD_FINISH:
        save_participants (record);
        return finish (record, error);
      case SP_RECORD_PARTICIPANTS:
        save_participants (record);
        return TRUE;
      case SP_RECORD_COBROWSE_STARTED:
      case SP_RECORD_COBROWSE_JOINED:
      case SP_RECORD_COBROWSE_PAGE:
      case SP_RECORD_COBROWSE_ENDED:
        save_cobrowse (record, (SpRecordChange)change);
        return TRUE;
      default:
        return TRUE;
    }
}

static void
on_added (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  SpHistoryRecorder *self = data;
  Record *record = g_new0 (Record, 1);

  record->interaction = interaction;
  record->store = self->store;
  /* The record lives as long as the interaction; its handler goes with it. */
  g_object_set_data_full (G_OBJECT (interaction), "sp-history-record", record,
                          (GDestroyNotify)record_free);
  g_signal_connect (interaction, "record", G_CALLBACK (on_record), record);
}

SpHistoryRecorder *
sp_history_recorder_new (SpInteractionManager *manager, SpStore *store)
{
  SpHistoryRecorder *self = g_object_new (SP_TYPE_HISTORY_RECORDER, NULL);

  self->store = store;
  g_signal_connect_object (manager, "added", G_CALLBACK (on_added), self, 0);
  return self;
}

static void
sp_history_recorder_class_init (SpHistoryRecorderClass *klass)
{
}

static void
sp_history_recorder_init (SpHistoryRecorder *self)
{
}
