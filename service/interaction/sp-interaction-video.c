/* The video region of an interaction (DESIGN.md: none -> requested -> active <-> paused, or
 * declined), orthogonal to the call state. The SIP side is RFC 3264 §8: escalation adds an
 * m=video line by re-INVITE, deactivation makes it inactive (the m-line stays), a refusal is a
 * port 0, a 488, or an answer without the line. The agent's camera reaches the call through an
 * SpVideoFeed, and the picture reaches the agent through an SpVideoWindow. */
#include "sp-interaction-private.h"

#include "sp-call-media.h"
#include "sp-camera-monitor.h"
#include "sp-video-feed.h"
#include "sp-video-window.h"

static const char *const video_names[] = { "none", "requested", "active", "paused", "declined" };

const char *
sp_interaction_video_to_string (SpInteractionVideo video)
{
  return (guint)video < G_N_ELEMENTS (video_names) ? video_names[video] : "none";
}

SpInteractionVideo
sp_interaction_get_video (SpInteraction *self)
{
  return self->video;
}

const char *
sp_interaction_get_video_requester (SpInteraction *self)
{
  return self->video_requester ? self->video_requester : "";
}

const char *
sp_interaction_get_window (SpInteraction *self)
{
  return sp_video_window_state_to_string (self->window ? sp_video_window_get_state (self->window)
                                                       : SP_VIDEO_WINDOW_NONE);
}

const char *
sp_interaction_get_layout (SpInteraction *self)
{
  return sp_video_layout_to_string (self->layout);
}

gboolean
sp_interaction_get_always_on_top (SpInteraction *self)
{
  return self->window && sp_video_window_get_always_on_top (self->window);
}

static void
set_video (SpInteraction *self, SpInteractionVideo video, const char *requester)
{
  gboolean changed = self->video != video;
  const char *old_requester = sp_interaction_get_video_requester (self);

  self->video = video;
  self->video_requester = requester;
  if (changed)
    {
      g_info ("session %u: video %s%s%s", self->number, sp_interaction_video_to_string (video),
              requester && *requester ? " by the " : "", requester ? requester : "");
      sp_interaction_notify (self, "video");
    }
  if (!g_str_equal (old_requester, sp_interaction_get_video_requester (self)))
    sp_interaction_notify (self, "video-requester");
}

/* ---- preconditions (SPEC.md: policy, camera, the contact's phone) ---- */

static gboolean
camera_present (SpInteraction *self)
{
  const char *camera = self->context.config->camera;

  if (g_str_equal (camera, "none"))
    return FALSE;
  if (g_str_equal (camera, "test"))
    return TRUE;
  return self->context.camera && sp_camera_monitor_get_available (self->context.camera);
}

static gboolean
check_preconditions (SpInteraction *self, GError **error)
{
  if (!self->context.config->video_allowed)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
                   "this agent is not permitted video ([video] allowed = false)");
      return FALSE;
    }
  if (!camera_present (self))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NO_CAMERA,
                   "no camera is attached to this workstation");
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_interaction_video_slot_enabled (SpInteraction *self)
{
  return self->video_wanted;
}

SpSdpDirection
sp_interaction_video_intent (SpInteraction *self)
{
  /* Hold stops video too (SPEC.md: no audio or video either way). */
  return self->video_paused || self->local_hold ? SP_SDP_INACTIVE : SP_SDP_SENDRECV;
}

gboolean
sp_interaction_video_accepts (SpInteraction *self)
{
  return self->video_wanted;
}

/* ---- the feed and the window ---- */

static void
on_window_notify (GObject *window, GParamSpec *pspec, gpointer data)
{
  SpInteraction *self = data;

  if (g_str_equal (pspec->name, "state"))
    sp_interaction_notify (self, "window");
  else if (g_str_equal (pspec->name, "always-on-top"))
    sp_interaction_notify (self, "always-on-top");
  else if (g_str_equal (pspec->name, "layout"))
    sp_interaction_notify (self, "layout");
}

static const char *
window_title (SpInteraction *self)
{
  return self->remote_name && *self->remote_name ? self->remote_name : self->remote;
}

static void
open_window (SpInteraction *self)
{
  SpConfig *config = self->context.config;
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;

  if (self->window || !sp_video_window_display_available ())
    return;
  self->window = sp_video_window_new (
    sp_call_media_get_video_channel (self->media, SP_CALL_MEDIA_CHANNEL_REMOTE),
    sp_call_media_get_video_channel (self->media, SP_CALL_MEDIA_CHANNEL_PREVIEW),
    config->video_width, config->video_height);
  sp_video_window_set_layout (self->window, self->layout);
  g_signal_connect (self->window, "notify", G_CALLBACK (on_window_notify), self);
  title = g_strdup_printf ("%s — Sportello", window_title (self));
  if (!sp_video_window_open (self->window, title, &error))
    {
      g_message ("session %u: no video window: %s", self->number, error->message);
      return;
    }
  if (self->on_top_wish && !sp_video_window_set_always_on_top (self->window, TRUE, &error))
    g_message ("session %u: %s", self->number, error->message);
  sp_interaction_notify (self, "window");
}

static void
start_feed (SpInteraction *self)
{
  SpConfig *config = self->context.config;
  g_autoptr (GError) error = NULL;

  if (self->feed)
    return;
  self->feed = sp_video_feed_new (
    config->camera, self->context.camera,
    sp_call_media_get_video_channel (self->media, SP_CALL_MEDIA_CHANNEL_CAMERA),
    config->video_width, config->video_height, config->video_framerate);
  if (!sp_video_feed_start (self->feed, &error))
    g_warning ("session %u: the camera cannot be used: %s", self->number, error->message);
}

static SpMediaDirection
media_direction (SpSdpDirection direction)
{
  switch (direction)
    {
      case SP_SDP_SENDRECV:
        return SP_MEDIA_DIRECTION_SENDRECV;
      case SP_SDP_SENDONLY:
        return SP_MEDIA_DIRECTION_SENDONLY;
      case SP_SDP_RECVONLY:
        return SP_MEDIA_DIRECTION_RECVONLY;
      case SP_SDP_INACTIVE:
      default:
        return SP_MEDIA_DIRECTION_INACTIVE;
    }
}

static gboolean
has_feedback (const SpSdpCodec *codec, const char *value)
{
  return codec->rtcp_fb && g_strv_contains ((const char *const *)codec->rtcp_fb, value);
}

static gboolean
start_or_update_media (SpInteraction *self, const SpSdpStream *video, GError **error)
{
  SpCallMediaVideo params = {
    .remote_address = video->remote_address,
    .remote_rtp_port = (guint16)video->remote_rtp_port,
    .remote_rtcp_port = (guint16)video->remote_rtcp_port,
    .payload_type = (guint8)video->send_pt,
    .encoding_name = video->codec->name,
    .pli = has_feedback (video->codec, "nack pli"),
    .fir = has_feedback (video->codec, "ccm fir"),
    .nack = has_feedback (video->codec, "nack"),
    .rtx_send_pt = (guint8)video->rtx_send_pt,
    .rtx_recv_pt = (guint8)video->rtx_recv_pt,
    .direction = media_direction (video->direction),
  };

  if (sp_call_media_has_video (self->media))
    return sp_call_media_update_video (self->media, &params, error);
  /* The camera runs before the stream reads it, so the first frame sent is the camera's. */
  start_feed (self);
  if (!sp_call_media_start_video (self->media, &params, error))
    return FALSE;
  open_window (self);
  return TRUE;
}

/* ---- applying a completed exchange ---- */

gboolean
sp_interaction_video_apply (SpInteraction *self, const SpSdpStream *video, GError **error)
{
  gboolean held = self->local_hold || self->remote_hold;

  if (video && video->active && self->video_wanted)
    {
      if (!start_or_update_media (self, video, error))
        return FALSE;
      if (!self->video_used)
        {
          self->video_used = TRUE;
          sp_interaction_record_video_used (self);
        }
      /* During a hold the video state stays what it was, so Retrieve restores it. */
      if (!held || self->video == SP_INTERACTION_VIDEO_REQUESTED)
        set_video (self,
                   video->direction == SP_SDP_INACTIVE ? SP_INTERACTION_VIDEO_PAUSED
                                                       : SP_INTERACTION_VIDEO_ACTIVE,
                   self->video_requester);
      return TRUE;
    }
  if (self->media && sp_call_media_has_video (self->media))
    sp_call_media_set_video_direction (self->media, SP_MEDIA_DIRECTION_INACTIVE);
  if (self->video == SP_INTERACTION_VIDEO_ACTIVE || self->video == SP_INTERACTION_VIDEO_PAUSED)
    {
      g_info ("session %u: the contact removed the video stream", self->number);
      self->video_wanted = FALSE;
      set_video (self, SP_INTERACTION_VIDEO_NONE, "");
    }
  else if (self->video == SP_INTERACTION_VIDEO_REQUESTED && self->video_task
           && self->video_task_activates)
    {
      self->video_wanted = FALSE;
      set_video (self, SP_INTERACTION_VIDEO_DECLINED, "");
    }
  return TRUE;
}

static void
complete_task (SpInteraction *self, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->video_task);

  if (!task)
    return;
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_interaction_video_exchange_done (SpInteraction *self)
{
  if (!self->video_task)
    return;
  if (self->video_task_activates && self->video == SP_INTERACTION_VIDEO_DECLINED)
    complete_task (self,
                   g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO,
                                "the contact's phone declined video; the voice call "
                                "goes on"));
  else
    complete_task (self, NULL);
}

void
sp_interaction_video_offer_failed (SpInteraction *self, guint status, const char *phrase)
{
  if (!self->video_task)
    return;
  if (self->video_task_activates && self->video == SP_INTERACTION_VIDEO_REQUESTED)
    {
      self->video_wanted = FALSE;
      set_video (self, SP_INTERACTION_VIDEO_DECLINED, "");
      complete_task (self,
                     g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO,
                                  "the contact's phone declined video (%u %s); the "
                                  "voice call goes on",
                                  status, phrase));
      return;
    }
  /* A refused pause or resume leaves the video as it was. */
  self->video_paused = self->video == SP_INTERACTION_VIDEO_PAUSED;
  complete_task (self, g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                                    "the contact's phone refused: %u %s", status, phrase));
}

/* ---- the contact's offers ---- */

static gboolean
offers_active_video (const SpSdpSession *offer)
{
  for (guint i = 0; i < offer->media->len; i++)
    {
      const SpSdpMedia *media = g_ptr_array_index (offer->media, i);

      if (media->kind == SP_SDP_MEDIA_VIDEO && media->port != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
on_ask_timeout (gpointer data)
{
  SpInteraction *self = data;
  g_autofree char *offer = g_steal_pointer (&self->held_video_offer);

  self->video_ask_id = 0;
  g_info ("session %u: nobody answered the contact's video request; declining it", self->number);
  self->video_wanted = FALSE;
  set_video (self, SP_INTERACTION_VIDEO_NONE, "");
  sp_interaction_answer_held_offer (self, offer);
  return G_SOURCE_REMOVE;
}

gboolean
sp_interaction_video_review_offer (SpInteraction *self, const SpSdpSession *offer, const char *text)
{
  SpConfig *config = self->context.config;
  g_autoptr (GError) error = NULL;

  if (self->video_wanted || !offers_active_video (offer))
    return FALSE;
  if (config->remote_video_offers == SP_REMOTE_VIDEO_REJECT)
    return FALSE;
  if (!check_preconditions (self, &error) || !sp_interaction_media_prepare_video (self, &error))
    {
      g_info ("session %u: declining the contact's video: %s", self->number, error->message);
      return FALSE;
    }
  if (config->remote_video_offers == SP_REMOTE_VIDEO_ACCEPT)
    {
      self->video_wanted = TRUE;
      self->video_paused = FALSE;
      set_video (self, SP_INTERACTION_VIDEO_REQUESTED, "contact");
      return FALSE;
    }
  /* ask: the re-INVITE waits (NUA already sent 100 Trying) until the CRM decides. */
  g_free (self->held_video_offer);
  self->held_video_offer = g_strdup (text);
  self->video_ask_id = g_timeout_add_seconds (config->video_ask_timeout_s, on_ask_timeout, self);
  set_video (self, SP_INTERACTION_VIDEO_REQUESTED, "contact");
  return TRUE;
}

static void
answer_contact_request (SpInteraction *self, gboolean accept)
{
  g_autofree char *offer = g_steal_pointer (&self->held_video_offer);

  g_clear_handle_id (&self->video_ask_id, g_source_remove);
  self->video_wanted = accept;
  self->video_paused = FALSE;
  if (!accept)
    set_video (self, SP_INTERACTION_VIDEO_NONE, "");
  sp_interaction_answer_held_offer (self, offer);
}

/* ---- the agent's actions ---- */

gboolean
sp_interaction_video_busy (SpInteraction *self, GError **error)
{
  if (self->video_task || self->hold_task)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a hold or video change is waiting for the contact's phone");
  else if (self->held_video_offer)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "the contact's video request is waiting for ActivateVideo or DeactivateVideo");
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_call_state (SpInteraction *self, const char *action, GError **error)
{
  if (self->state == SP_INTERACTION_TALKING)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "%s needs a call in the state talking, not %s", action,
               sp_interaction_state_to_string (self->state));
  return FALSE;
}

static gboolean
start_activation (SpInteraction *self, GError **error)
{
  if (self->held_video_offer)
    {
      answer_contact_request (self, TRUE);
      return TRUE;
    }
  if (!check_call_state (self, "ActivateVideo", error) || sp_interaction_video_busy (self, error))
    return FALSE;
  switch (self->video)
    {
      case SP_INTERACTION_VIDEO_ACTIVE:
        g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                     "video is already active");
        return FALSE;
      case SP_INTERACTION_VIDEO_REQUESTED:
        g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                     "video is already requested");
        return FALSE;
      case SP_INTERACTION_VIDEO_PAUSED:
        self->video_paused = FALSE;
        break;
      case SP_INTERACTION_VIDEO_NONE:
      case SP_INTERACTION_VIDEO_DECLINED:
      default:
        /* Nothing is sent when a precondition fails. */
        if (!check_preconditions (self, error) || !sp_interaction_media_prepare_video (self, error))
          return FALSE;
        self->video_wanted = TRUE;
        self->video_paused = FALSE;
        set_video (self, SP_INTERACTION_VIDEO_REQUESTED, "agent");
        break;
    }
  return TRUE;
}

void
sp_interaction_activate_video_async (SpInteraction *self, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  gboolean contact_request = self->held_video_offer != NULL;
  GError *error = NULL;

  if (!start_activation (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (contact_request)
    {
      /* The answer went out with the 200; video runs from now. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->video_task = g_steal_pointer (&task);
  self->video_task_activates = TRUE;
  sp_interaction_send_reoffer (self);
}

gboolean
sp_interaction_activate_video_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sp_interaction_deactivate_video_async (SpInteraction *self, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;

  if (self->held_video_offer)
    {
      answer_contact_request (self, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!check_call_state (self, "DeactivateVideo", &error)
      || sp_interaction_video_busy (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->video != SP_INTERACTION_VIDEO_ACTIVE)
    {
      g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                               "DeactivateVideo needs active video, not %s",
                               sp_interaction_video_to_string (self->video));
      return;
    }
  self->video_paused = TRUE;
  sp_interaction_push_stop (self, "stop");
  self->video_task = g_steal_pointer (&task);
  self->video_task_activates = FALSE;
  sp_interaction_send_reoffer (self);
}

gboolean
sp_interaction_deactivate_video_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The video pane controls act on a live video session (SPEC: "Video pane size"). Without one
 * there is no pane to change, and a silent success would tell the CRM that something happened
 * (SPEC: never a silent no-op), so they are refused like the other video actions. */
static gboolean
require_video_session (SpInteraction *self, const char *action, GError **error)
{
  gboolean live = self->state != SP_INTERACTION_DISCONNECTED && self->state != SP_INTERACTION_DONE;

  if (live
      && (self->video == SP_INTERACTION_VIDEO_ACTIVE || self->video == SP_INTERACTION_VIDEO_PAUSED))
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "%s needs a video session (the call is %s, the video %s)", action,
               sp_interaction_state_to_string (self->state),
               sp_interaction_video_to_string (self->video));
  return FALSE;
}

gboolean
sp_interaction_swap_layout (SpInteraction *self, GError **error)
{
  if (!require_video_session (self, "SwapLayout", error))
    return FALSE;
  self->layout = self->layout == SP_VIDEO_LAYOUT_REMOTE_LARGE ? SP_VIDEO_LAYOUT_PREVIEW_LARGE
                                                              : SP_VIDEO_LAYOUT_REMOTE_LARGE;
  if (self->window)
    sp_video_window_set_layout (self->window, self->layout);
  sp_interaction_notify (self, "layout");
  return TRUE;
}

gboolean
sp_interaction_set_always_on_top (SpInteraction *self, gboolean above, GError **error)
{
  if (!require_video_session (self, "SetAlwaysOnTop", error))
    return FALSE;
  /* Kept for a window that opens later (no display yet, or closed by hand and reopened); the
   * property follows what the window manager did. */
  self->on_top_wish = above;
  if (!self->window || sp_video_window_get_state (self->window) != SP_VIDEO_WINDOW_OPEN)
    return TRUE;
  if (!sp_video_window_set_always_on_top (self->window, above, error))
    {
      g_prefix_error (error, "the window cannot be kept on top: ");
      return FALSE;
    }
  return TRUE;
}

/* ---- statistics and teardown ---- */

static GVariant *
collect_statistics (SpInteraction *self)
{
  SpCallMediaVideoStatistics stats;
  GVariantDict dict;

  sp_call_media_get_video_statistics (self->media, &stats);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "video-codec", "s", stats.codec ? stats.codec : "");
  g_variant_dict_insert (&dict, "video-rtp-packets-sent", "u", stats.rtp_packets_sent);
  g_variant_dict_insert (&dict, "video-rtp-packets-received", "u", stats.rtp_packets_received);
  g_variant_dict_insert (&dict, "video-frames-encoded", "t", stats.frames_encoded);
  g_variant_dict_insert (&dict, "video-key-frames-sent", "t", stats.key_frames_sent);
  g_variant_dict_insert (&dict, "video-frames-decoded", "t", stats.frames_decoded);
  g_variant_dict_insert (&dict, "video-nacks-sent", "u", stats.nacks_sent);
  g_variant_dict_insert (&dict, "video-nacks-received", "u", stats.nacks_received);
  g_variant_dict_insert (&dict, "video-key-frame-requests-sent", "u",
                         stats.key_frame_requests_sent);
  g_variant_dict_insert (&dict, "video-key-frame-requests-received", "u",
                         stats.key_frame_requests_received);
  g_variant_dict_insert (&dict, "video-rtx-packets-sent", "u", stats.rtx_packets_sent);
  g_variant_dict_insert (&dict, "video-rtx-packets-received", "u", stats.rtx_packets_received);
  if (self->feed)
    g_variant_dict_insert (
      &dict, "camera", "s",
      sp_video_feed_get_source (self->feed) == SP_VIDEO_FEED_CARD ? "unavailable" : "live");
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

GVariantDict *
sp_interaction_video_add_statistics (SpInteraction *self, GVariantDict *dict)
{
  g_autoptr (GVariant) stats = self->media
                                 ? collect_statistics (self)
                                 : (self->video_stats ? g_variant_ref (self->video_stats) : NULL);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (!stats)
    return dict;
  g_variant_iter_init (&iter, stats);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_variant_dict_insert_value (dict, key, value);
      g_variant_unref (value);
    }
  return dict;
}

void
sp_interaction_video_stop (SpInteraction *self)
{
  sp_interaction_push_stop (self, "call-ended");
  g_clear_handle_id (&self->video_ask_id, g_source_remove);
  g_clear_pointer (&self->held_video_offer, g_free);
  if (self->media)
    {
      g_clear_pointer (&self->video_stats, g_variant_unref);
      self->video_stats = collect_statistics (self);
    }
  if (self->feed)
    {
      sp_video_feed_stop (self->feed);
      g_clear_object (&self->feed);
    }
  if (self->video_task)
    complete_task (self, g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                                      "the call ended"));
}

void
sp_interaction_video_close_window (SpInteraction *self)
{
  if (!self->window)
    return;
  g_signal_handlers_disconnect_by_data (self->window, self);
  sp_video_window_close (self->window);
  g_clear_object (&self->window);
  sp_interaction_notify (self, "window");
}
