/* Video through the customer's browser (docs/browser-video.md): for a contact whose phone has no
 * video, InviteBrowserVideo gives a one-time link (a join link of the video kind in the co-browse
 * registry, offered to the phone by SIP MESSAGE where it takes one); the browser that opens it
 * sends its WebRTC offer through the relay, the contact's media answers it, and the call's video
 * runs between sportellod and the browser while the voice stays on the SIP leg. The public Video
 * value follows the same steps as SIP video: requested until the browser's media connects, then
 * active. */
#include "sp-interaction-private.h"

static const char *const region_names[] = {
  [SP_BROWSER_NONE] = "none",
  [SP_BROWSER_INVITED] = "invited",
  [SP_BROWSER_CONNECTING] = "connecting",
  [SP_BROWSER_ACTIVE] = "active",
  [SP_BROWSER_PAUSED] = "paused",
};

/* The public Video value while the browser carries video (NONE when it does not). */
SpInteractionVideo
sp_interaction_browser_video_public (SpInteraction *self)
{
  switch (self->browser)
    {
      case SP_BROWSER_INVITED:
      case SP_BROWSER_CONNECTING:
        return SP_INTERACTION_VIDEO_REQUESTED;
      case SP_BROWSER_ACTIVE:
        return SP_INTERACTION_VIDEO_ACTIVE;
      case SP_BROWSER_PAUSED:
        return SP_INTERACTION_VIDEO_PAUSED;
      case SP_BROWSER_NONE:
      default:
        return SP_INTERACTION_VIDEO_NONE;
    }
}

gboolean
sp_interaction_browser_video_live (SpInteraction *self)
{
  return self->browser != SP_BROWSER_NONE;
}

static void
set_browser (SpInteraction *self, SpBrowserRegion region)
{
  SpInteractionVideo before = sp_interaction_get_video (self);
  const char *path_before = sp_interaction_get_video_path (self);

  if (self->browser == region)
    return;
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "browser video %s → %s", region_names[self->browser],
                      region_names[region]);
  self->browser = region;
  if (region == SP_BROWSER_ACTIVE)
    sp_interaction_video_note_used (self);
  sp_interaction_browser_video_apply (self);
  if (before != sp_interaction_get_video (self))
    sp_interaction_notify (self, "video");
  if (!g_str_equal (path_before, sp_interaction_get_video_path (self)))
    sp_interaction_notify (self, "video-path");
  sp_interaction_notify (self, "browser-video");
}

/* ---- the media of the browser ---- */

void
sp_interaction_browser_video_apply (SpInteraction *self)
{
  SpMediaSession *media = sp_interaction_media (self);
  gboolean paused = self->browser == SP_BROWSER_PAUSED || self->local_hold;

  if (self->browser_media && media)
    sp_media_session_set_video_direction (media, paused ? SP_MEDIA_DIRECTION_INACTIVE
                                                        : SP_MEDIA_DIRECTION_SENDRECV);
}

static void
on_media_candidate (SpMediaSession *media, guint mline, const char *candidate, gpointer data)
{
  g_signal_emit_by_name (data, "browser-candidate", mline, candidate);
}

static void
on_media_state (SpMediaSession *media, const char *state, gpointer data)
{
  SpInteraction *self = data;

  if (g_str_equal (state, "connected") && self->browser == SP_BROWSER_CONNECTING)
    set_browser (self, SP_BROWSER_ACTIVE);
  else if (g_str_equal (state, "failed") && self->browser != SP_BROWSER_NONE)
    sp_interaction_browser_video_stop (self, "failed");
}

static void
stop_media (SpInteraction *self)
{
  SpMediaSession *media = sp_interaction_media (self);

  if (!self->browser_media)
    return;
  self->browser_media = FALSE;
  sp_interaction_push_stop (self, "stop");
  if (media)
    {
      g_signal_handlers_disconnect_by_func (media, on_media_candidate, self);
      g_signal_handlers_disconnect_by_func (media, on_media_state, self);
      sp_media_session_stop_browser_video (media);
    }
}

static gboolean
start_media (SpInteraction *self, GError **error)
{
  SpMediaSession *media = sp_interaction_media (self);
  SpMediaBrowserVideoConfig config = {
    .stun_server = self->context.config->browser_stun_server,
    .turn_server = self->context.config->browser_turn_server,
    .addresses = (const char *const *)self->context.config->browser_ice_addresses,
  };

  /* A second offer is the same browser reloading the page: its old media is gone. */
  stop_media (self);
  if (!media || !self->media_started)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "the call has no voice running to add video to");
      return FALSE;
    }
  g_signal_connect (media, "browser-candidate", G_CALLBACK (on_media_candidate), self);
  g_signal_connect (media, "browser-state", G_CALLBACK (on_media_state), self);
  if (!sp_media_session_start_browser_video (media, &config, error))
    {
      g_signal_handlers_disconnect_by_func (media, on_media_candidate, self);
      g_signal_handlers_disconnect_by_func (media, on_media_state, self);
      return FALSE;
    }
  self->browser_media = TRUE;
  sp_interaction_browser_video_apply (self);
  return TRUE;
}

/* ---- the invitation ---- */

static void
on_link_state (SpCoBrowse *link, GParamSpec *pspec, gpointer data)
{
  SpInteraction *self = data;

  if (sp_cobrowse_get_state (link) == SP_COBROWSE_ENDED)
    {
      stop_media (self);
      set_browser (self, SP_BROWSER_NONE);
    }
  else
    sp_interaction_log (self, G_LOG_LEVEL_INFO, "a browser opened the video link");
  sp_interaction_notify (self, "browser-video");
}

static void
forget_link (SpInteraction *self)
{
  if (!self->browser_link)
    return;
  g_signal_handlers_disconnect_by_data (self->browser_link, self);
  g_clear_object (&self->browser_link);
}

static gboolean
check_invitation (SpInteraction *self, GError **error)
{
  if (!self->context.cobrowse)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE,
                 "the relay's links are not available (see the service's log)");
  else if (self->state != SP_INTERACTION_TALKING)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "InviteBrowserVideo needs a call in the state talking, not %s",
                 sp_interaction_state_to_string (self->state));
  else if (sp_interaction_video_over_sip (self))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "video already runs with the contact's phone (%s)",
                 sp_interaction_video_to_string (sp_interaction_get_video (self)));
  else if (self->browser == SP_BROWSER_CONNECTING || self->browser == SP_BROWSER_ACTIVE)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a browser already carries the video");
  else
    return sp_interaction_video_check_allowed (self, error);
  return FALSE;
}

/* The link as a text message in the call, for phones that take MESSAGE (their Allow says so). */
static void
offer_link (SpInteraction *self, const char *url)
{
  const char *agent = self->context.config->display_name;
  g_autofree char *text
    = g_strdup_printf ("%s invites you to a video call: open %s on your phone (the voice stays on "
                       "this call)",
                       agent && *agent ? agent : "Your agent", url);
  g_autoptr (GError) error = NULL;

  if (sp_leg_send_text (self->contact->leg, text, &error))
    sp_interaction_log (self, G_LOG_LEVEL_INFO, "video link sent to the contact's phone");
  else
    sp_interaction_log (self, G_LOG_LEVEL_INFO, "video link not sent to the phone: %s",
                        error->message);
}

gboolean
sp_interaction_invite_browser_video (SpInteraction *self, char **code, char **url, GError **error)
{
  g_autoptr (SpCoBrowse) link = NULL;

  if (!check_invitation (self, error))
    return FALSE;
  /* A new link replaces one nobody used yet (the CRM lost it, or it is about to expire). */
  sp_interaction_browser_video_stop (self, "replaced");
  link = sp_cobrowse_registry_open (self->context.cobrowse, SP_COBROWSE_KIND_VIDEO, error);
  if (!link)
    return FALSE;
  forget_link (self);
  self->browser_link = g_steal_pointer (&link);
  g_clear_pointer (&self->browser_ended_by, g_free);
  g_signal_connect (self->browser_link, "notify::state", G_CALLBACK (on_link_state), self);
  *code = g_strdup (sp_cobrowse_get_code (self->browser_link));
  *url = sp_cobrowse_registry_customer_url (self->context.cobrowse, self->browser_link);
  sp_interaction_video_forget_decline (self);
  set_browser (self, SP_BROWSER_INVITED);
  offer_link (self, *url);
  return TRUE;
}

/* ---- what the relay brings from the browser ---- */

static gboolean
check_joined (SpInteraction *self, GError **error)
{
  if (self->browser_link && sp_cobrowse_get_state (self->browser_link) == SP_COBROWSE_JOINED
      && self->browser != SP_BROWSER_NONE)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "no browser has joined this call's video");
  return FALSE;
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  SpInteraction *self = g_task_get_source_object (task);
  GError *error = NULL;
  char *answer
    = sp_media_session_answer_browser_offer_finish (SP_MEDIA_SESSION (source), result, &error);

  if (!answer)
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->browser == SP_BROWSER_INVITED)
    set_browser (self, SP_BROWSER_CONNECTING);
  g_task_return_pointer (task, answer, g_free);
}

void
sp_interaction_browser_offer_async (SpInteraction *self, const char *offer,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, sp_interaction_browser_offer_async);
  if (!check_joined (self, &error) || !start_media (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->browser == SP_BROWSER_ACTIVE)
    set_browser (self, SP_BROWSER_CONNECTING);
  sp_media_session_answer_browser_offer_async (sp_interaction_media (self), offer, NULL,
                                               on_answered, g_steal_pointer (&task));
}

char *
sp_interaction_browser_offer_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sp_interaction_browser_candidate (SpInteraction *self, guint mline, const char *candidate,
                                  GError **error)
{
  if (!check_joined (self, error))
    return FALSE;
  if (!self->browser_media)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "a candidate came before the browser's offer");
      return FALSE;
    }
  return sp_media_session_add_browser_candidate (sp_interaction_media (self), mline, candidate,
                                                 error);
}

void
sp_interaction_browser_video_stop (SpInteraction *self, const char *reason)
{
  stop_media (self);
  if (self->browser_link && sp_cobrowse_get_state (self->browser_link) != SP_COBROWSE_ENDED)
    {
      g_free (self->browser_ended_by);
      self->browser_ended_by = g_strdup (reason);
      if (self->context.cobrowse)
        sp_cobrowse_registry_end (self->context.cobrowse, self->browser_link, reason);
    }
  set_browser (self, SP_BROWSER_NONE);
}

void
sp_interaction_browser_video_dispose (SpInteraction *self)
{
  sp_interaction_browser_video_stop (self, "call-ended");
  forget_link (self);
  g_clear_pointer (&self->browser_ended_by, g_free);
}

/* ---- what the CRM sees ---- */

SpCoBrowse *
sp_interaction_get_browser_link (SpInteraction *self)
{
  return self->browser_link;
}

const char *
sp_interaction_get_video_path (SpInteraction *self)
{
  if (self->browser != SP_BROWSER_NONE)
    return "browser";
  return sp_interaction_video_over_sip (self) ? "sip" : "";
}

const char *
sp_interaction_get_browser_video (SpInteraction *self)
{
  if (self->browser == SP_BROWSER_INVITED && self->browser_link
      && sp_cobrowse_get_state (self->browser_link) == SP_COBROWSE_JOINED)
    return "joined";
  if (self->browser == SP_BROWSER_NONE && self->browser_link)
    return "ended";
  return region_names[self->browser];
}

const char *
sp_interaction_get_browser_video_ended_by (SpInteraction *self)
{
  if (self->browser != SP_BROWSER_NONE || !self->browser_link)
    return "";
  if (self->browser_ended_by)
    return self->browser_ended_by;
  return sp_cobrowse_get_ended_by (self->browser_link);
}

gboolean
sp_interaction_browser_video_deactivate (SpInteraction *self, GError **error)
{
  switch (self->browser)
    {
      case SP_BROWSER_NONE:
        return FALSE;
      case SP_BROWSER_ACTIVE:
        set_browser (self, SP_BROWSER_PAUSED);
        return TRUE;
      case SP_BROWSER_PAUSED:
        g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                     "DeactivateVideo needs active video, not paused");
        return TRUE;
      case SP_BROWSER_INVITED:
      case SP_BROWSER_CONNECTING:
      default:
        /* Nothing to pause yet: the invitation is withdrawn (a new link brings it back). */
        sp_interaction_browser_video_stop (self, "stopped");
        return TRUE;
    }
}

gboolean
sp_interaction_browser_video_activate (SpInteraction *self, GError **error)
{
  if (self->browser == SP_BROWSER_NONE)
    return FALSE;
  if (self->browser == SP_BROWSER_PAUSED)
    set_browser (self, SP_BROWSER_ACTIVE);
  else
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "video runs through the customer's browser (%s)",
                 sp_interaction_video_to_string (sp_interaction_get_video (self)));
  return TRUE;
}

gboolean
sp_interaction_browser_left (SpInteraction *self, const char *reason, GError **error)
{
  static const char *const reasons[] = { "closed", "camera-denied", "camera-error", NULL };

  if (!g_strv_contains (reasons, reason))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                   "a browser leaves for closed, camera-denied or camera-error, not '%s'", reason);
      return FALSE;
    }
  sp_interaction_browser_video_stop (self, g_str_equal (reason, "closed") ? "left" : reason);
  return TRUE;
}
