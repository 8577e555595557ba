/* Video push, orthogonal to video (DESIGN.md: none / pushing ITEM): a catalogue clip replaces
 * the camera in what the contact is sent, inside the running pipeline (no re-INVITE). Every
 * push is recorded with the interaction when it starts, and completed when it ends with what
 * ended it (stop, end-of-clip, error, call-ended). */
#include "sp-interaction-private.h"

const char *
sp_interaction_get_push (SpInteraction *self)
{
  return self->push_item ? self->push_item : "";
}

/* Ends the current push in the record (the media has already returned to the camera). */
static void
finish_push (SpInteraction *self, const char *ended_by)
{
  if (!self->push_item)
    return;
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "push of %s ended (%s)", self->push_item, ended_by);
  g_free (self->push_ended_by);
  self->push_ended_by = g_strdup (ended_by);
  sp_interaction_record (self, SP_RECORD_PUSH_ENDED, NULL);
  g_clear_pointer (&self->push_item, g_free);
  sp_interaction_notify (self, "push");
}

void
sp_interaction_push_media_ended (SpInteraction *self, const char *reason, const char *message)
{
  g_autofree char *item = g_strdup (self->push_item);

  if (!item)
    return;
  if (g_str_equal (reason, "error"))
    sp_interaction_log (self, G_LOG_LEVEL_WARNING,
                        "the pushed clip %s failed (%s); back to the camera", item, message);
  finish_push (self, reason);
  g_signal_emit_by_name (self, "push-ended", item, reason, message ? message : "");
}

void
sp_interaction_push_stop (SpInteraction *self, const char *ended_by)
{
  if (!self->push_item)
    return;
  if (sp_interaction_media (self))
    sp_media_session_stop_push (sp_interaction_media (self));
  finish_push (self, ended_by);
}

static gboolean
check_push (SpInteraction *self, const char *action, GError **error)
{
  if (sp_interaction_get_video (self) == SP_INTERACTION_VIDEO_ACTIVE && sp_interaction_media (self)
      && self->state == SP_INTERACTION_TALKING)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "%s needs active video in a talking call (the video is %s, the call %s)", action,
               sp_interaction_video_to_string (sp_interaction_get_video (self)),
               sp_interaction_state_to_string (self->state));
  return FALSE;
}

static GVariant *
find_item (SpInteraction *self, const char *item_id, GError **error)
{
  g_autoptr (GError) store_error = NULL;
  GVariant *item;

  if (!self->context.store)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE,
                   "the push catalogue is unavailable (no database)");
      return NULL;
    }
  item = sp_store_push_get (self->context.store, item_id, &store_error);
  if (!item)
    g_set_error (error, SP_INTERACTION_ERROR,
                 g_error_matches (store_error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND)
                   ? SP_INTERACTION_ERROR_NOT_FOUND
                   : SP_INTERACTION_ERROR_UNAVAILABLE,
                 "%s", store_error->message);
  return item;
}

gboolean
sp_interaction_start_push (SpInteraction *self, const char *item_id, GError **error)
{
  g_autoptr (GVariant) item = NULL;
  g_autoptr (GError) media_error = NULL;
  const char *path = "", *kind = "video";
  guint64 duration = 0;

  if (!check_push (self, "StartPush", error) || !(item = find_item (self, item_id, error)))
    return FALSE;
  g_variant_lookup (item, "path", "&s", &path);
  g_variant_lookup (item, "kind", "&s", &kind);
  g_variant_lookup (item, "duration-ms", "t", &duration);
  if (!sp_media_session_start_push (sp_interaction_media (self), path,
                                    g_str_equal (kind, "image") ? (guint)MAX (duration, 1) : 0,
                                    &media_error))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                   "the clip of push item '%s' cannot be played: %s", item_id,
                   media_error->message);
      finish_push (self, "error");
      return FALSE;
    }
  /* Switching clips ends the running push for the record. */
  finish_push (self, "stop");
  self->push_item = g_strdup (item_id);
  self->push_started = g_get_real_time ();
  if (!sp_interaction_record (self, SP_RECORD_PUSH_STARTED, error))
    {
      /* Not acknowledged, so not shown: back to the camera. */
      sp_media_session_stop_push (sp_interaction_media (self));
      g_clear_pointer (&self->push_item, g_free);
      sp_interaction_notify (self, "push");
      return FALSE;
    }
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "pushing %s (%s)", item_id, path);
  sp_interaction_notify (self, "push");
  return TRUE;
}

gboolean
sp_interaction_stop_push (SpInteraction *self, GError **error)
{
  if (!self->push_item)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "no clip is being pushed");
      return FALSE;
    }
  sp_interaction_push_stop (self, "stop");
  return TRUE;
}
