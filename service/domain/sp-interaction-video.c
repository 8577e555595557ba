/* The video region of an interaction, one explicit state (SpVideoRegion) orthogonal to the
 * call state; the D-Bus value (DESIGN.md: none -> requested -> active <-> paused, or declined)
 * is derived from it. The SIP side is RFC 3264 §8: escalation adds an m=video line by
 * re-INVITE, deactivation makes it inactive (the m-line stays), a refusal is a port 0, a 488,
 * or an answer without the line. The window is an observer's (service/observers/). */
#include "sp-interaction-private.h"

static const char *const video_names[] = { "none", "requested", "active", "paused", "declined" };
static const char *const region_names[] = {
  [SP_VIDEO_NONE] = "none",
  [SP_VIDEO_ASKING] = "asking",
  [SP_VIDEO_HELD_OFFER] = "held-offer",
  [SP_VIDEO_ACCEPTING] = "accepting",
  [SP_VIDEO_ACTIVE] = "active",
  [SP_VIDEO_PAUSING] = "pausing",
  [SP_VIDEO_PAUSED] = "paused",
  [SP_VIDEO_RESUMING] = "resuming",
  [SP_VIDEO_DECLINED] = "declined",
};

const char *
sp_interaction_video_to_string (SpInteractionVideo video)
{
  return (guint)video < G_N_ELEMENTS (video_names) ? video_names[video] : "none";
}

/* What the CRM sees: the steps that wait count as the state they leave or reach. */
static SpInteractionVideo
public_value (SpVideoRegion region)
{
  switch (region)
    {
      case SP_VIDEO_ASKING:
      case SP_VIDEO_HELD_OFFER:
      case SP_VIDEO_ACCEPTING:
        return SP_INTERACTION_VIDEO_REQUESTED;
      case SP_VIDEO_ACTIVE:
      case SP_VIDEO_PAUSING:
        return SP_INTERACTION_VIDEO_ACTIVE;
      case SP_VIDEO_PAUSED:
      case SP_VIDEO_RESUMING:
        return SP_INTERACTION_VIDEO_PAUSED;
      case SP_VIDEO_DECLINED:
        return SP_INTERACTION_VIDEO_DECLINED;
      case SP_VIDEO_NONE:
      default:
        return SP_INTERACTION_VIDEO_NONE;
    }
}

SpInteractionVideo
sp_interaction_get_video (SpInteraction *self)
{
  /* The two paths never run together: InviteBrowserVideo and ActivateVideo refuse each other. */
  if (sp_interaction_browser_video_live (self))
    return sp_interaction_browser_video_public (self);
  return public_value (self->video);
}

gboolean
sp_interaction_video_over_sip (SpInteraction *self)
{
  SpInteractionVideo video = public_value (self->video);

  return video != SP_INTERACTION_VIDEO_NONE && video != SP_INTERACTION_VIDEO_DECLINED;
}

/* The phone declined video, so the agent offers the browser: its decline is history. */
void
sp_interaction_video_forget_decline (SpInteraction *self)
{
  if (self->video == SP_VIDEO_DECLINED)
    self->video = SP_VIDEO_NONE;
}

const char *
sp_interaction_get_video_requester (SpInteraction *self)
{
  return self->video_requester ? self->video_requester : "";
}

static void
set_region (SpInteraction *self, SpVideoRegion region, const char *requester)
{
  SpInteractionVideo before = public_value (self->video);
  const char *old_requester = sp_interaction_get_video_requester (self);

  if (self->video != region)
    sp_interaction_log (self, G_LOG_LEVEL_DEBUG, "video region %s → %s", region_names[self->video],
                        region_names[region]);
  self->video = region;
  self->video_requester = requester;
  if (before != public_value (region))
    {
      sp_interaction_log (self, G_LOG_LEVEL_INFO, "video %s%s%s",
                          sp_interaction_video_to_string (public_value (region)),
                          requester && *requester ? " by the " : "", requester ? requester : "");
      sp_interaction_notify (self, "video");
    }
  if (!g_str_equal (old_requester, sp_interaction_get_video_requester (self)))
    sp_interaction_notify (self, "video-requester");
}

/* ---- preconditions (SPEC.md: policy, camera, the contact's phone) ---- */

gboolean
sp_interaction_video_check_allowed (SpInteraction *self, GError **error)
{
  if (!self->context.config->video_allowed)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
                   "this agent is not permitted video ([video] allowed = false)");
      return FALSE;
    }
  if (!sp_media_factory_camera_present (self->context.media))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NO_CAMERA,
                   "no camera is attached to this workstation");
      return FALSE;
    }
  return TRUE;
}

/* Our video slot is enabled in offers and answers. */
gboolean
sp_interaction_video_slot_enabled (SpInteraction *self)
{
  switch (self->video)
    {
      case SP_VIDEO_ASKING:
      case SP_VIDEO_ACCEPTING:
      case SP_VIDEO_ACTIVE:
      case SP_VIDEO_PAUSING:
      case SP_VIDEO_PAUSED:
      case SP_VIDEO_RESUMING:
        return TRUE;
      case SP_VIDEO_NONE:
      case SP_VIDEO_HELD_OFFER:
      case SP_VIDEO_DECLINED:
      default:
        return FALSE;
    }
}

SpSdpDirection
sp_interaction_video_intent (SpInteraction *self)
{
  gboolean paused = self->video == SP_VIDEO_PAUSING || self->video == SP_VIDEO_PAUSED;

  /* Hold stops video too (SPEC.md: no audio or video either way). */
  return paused || self->local_hold ? SP_SDP_INACTIVE : SP_SDP_SENDRECV;
}

/* ---- the media ---- */

static gboolean
has_feedback (const SpSdpCodec *codec, const char *value)
{
  return codec->rtcp_fb && g_strv_contains ((const char *const *)codec->rtcp_fb, value);
}

SpMediaVideoParams
sp_interaction_video_params (const SpSdpStream *video)
{
  return (SpMediaVideoParams){
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
    .direction = sp_interaction_media_direction (video->direction),
    .srtp = sp_interaction_srtp_params (video),
  };
}

static gboolean
start_or_update_media (SpInteraction *self, const SpSdpStream *video, GError **error)
{
  SpMediaSession *media = sp_interaction_media (self);
  SpMediaVideoParams params = sp_interaction_video_params (video);

  if (sp_media_session_has_video (media))
    return sp_media_session_update_video (media, &params, error);
  return sp_media_session_start_video (media, &params, error);
}

/* ---- applying a completed exchange ---- */

static gboolean
waits_for_exchange (SpInteraction *self)
{
  return self->video == SP_VIDEO_ASKING || self->video == SP_VIDEO_ACCEPTING
         || self->video == SP_VIDEO_HELD_OFFER;
}

void
sp_interaction_video_note_used (SpInteraction *self)
{
  if (self->video_used)
    return;
  self->video_used = TRUE;
  sp_interaction_record (self, SP_RECORD_VIDEO_USED, NULL);
}

gboolean
sp_interaction_video_apply (SpInteraction *self, const SpSdpStream *video, GError **error)
{
  SpMediaSession *media = sp_interaction_media (self);
  gboolean held = self->local_hold || self->remote_hold;

  if (video && video->active && sp_interaction_video_slot_enabled (self))
    {
      if (!start_or_update_media (self, video, error))
        return FALSE;
      sp_interaction_video_note_used (self);
      /* During a hold the video state stays what it was, so Retrieve restores it. */
      if (!held || waits_for_exchange (self))
        set_region (self, video->direction == SP_SDP_INACTIVE ? SP_VIDEO_PAUSED : SP_VIDEO_ACTIVE,
                    self->video_requester);
      return TRUE;
    }
  if (media && sp_media_session_has_video (media))
    sp_media_session_set_video_direction (media, SP_MEDIA_DIRECTION_INACTIVE);
  switch (self->video)
    {
      case SP_VIDEO_ACTIVE:
      case SP_VIDEO_PAUSING:
      case SP_VIDEO_PAUSED:
      case SP_VIDEO_RESUMING:
        sp_interaction_log (self, G_LOG_LEVEL_INFO, "the contact removed the video stream");
        set_region (self, SP_VIDEO_NONE, "");
        break;
      case SP_VIDEO_ASKING:
        set_region (self, SP_VIDEO_DECLINED, "");
        break;
      case SP_VIDEO_ACCEPTING:
      case SP_VIDEO_NONE:
      case SP_VIDEO_HELD_OFFER:
      case SP_VIDEO_DECLINED:
      default:
        break;
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

static gboolean
task_activates (SpInteraction *self)
{
  return self->video_task
         && g_task_get_source_tag (self->video_task) == sp_interaction_activate_video_async;
}

void
sp_interaction_video_exchange_done (SpInteraction *self)
{
  if (!self->video_task)
    return;
  if (task_activates (self) && self->video == SP_VIDEO_DECLINED)
    complete_task (self,
                   g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO,
                                "the contact's phone declined video; the voice call "
                                "goes on"));
  else
    complete_task (self, NULL);
}

gboolean
sp_interaction_video_offer_failed (SpInteraction *self, guint status, const char *phrase)
{
  if (!self->video_task)
    return FALSE;
  if (self->video == SP_VIDEO_ASKING)
    {
      set_region (self, SP_VIDEO_DECLINED, "");
      complete_task (self,
                     g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO,
                                  "the contact's phone declined video (%u %s); the "
                                  "voice call goes on",
                                  status, phrase));
      return TRUE;
    }
  /* A refused pause or resume leaves the video as it was. */
  if (self->video == SP_VIDEO_PAUSING)
    set_region (self, SP_VIDEO_ACTIVE, self->video_requester);
  else if (self->video == SP_VIDEO_RESUMING)
    set_region (self, SP_VIDEO_PAUSED, self->video_requester);
  complete_task (self, g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
                                    "the contact's phone refused: %u %s", status, phrase));
  return TRUE;
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

/* Answers the held offer: with video when the region accepts it by now. */
static void
release_held_offer (SpInteraction *self, SpVideoRegion region)
{
  g_autofree char *offer = g_steal_pointer (&self->held_video_offer);

  g_clear_handle_id (&self->video_ask_id, g_source_remove);
  set_region (self, region, region == SP_VIDEO_NONE ? "" : self->video_requester);
  sp_interaction_answer_held_offer (self, offer);
}

static gboolean
on_ask_timeout (gpointer data)
{
  SpInteraction *self = data;

  self->video_ask_id = 0;
  sp_interaction_log (self, G_LOG_LEVEL_INFO,
                      "nobody answered the contact's video request; declining it");
  release_held_offer (self, SP_VIDEO_NONE);
  return G_SOURCE_REMOVE;
}

gboolean
sp_interaction_video_review_offer (SpInteraction *self, const SpSdpSession *offer, const char *text)
{
  SpConfig *config = self->context.config;
  g_autoptr (GError) error = NULL;

  /* While a browser carries the video, the phone's own video is declined. */
  if (sp_interaction_video_slot_enabled (self) || !offers_active_video (offer)
      || sp_interaction_browser_video_live (self))
    return FALSE;
  if (config->remote_video_offers == SP_REMOTE_VIDEO_REJECT)
    return FALSE;
  if (!sp_interaction_video_check_allowed (self, &error)
      || !sp_interaction_media_prepare_video (self, &error))
    {
      sp_interaction_log (self, G_LOG_LEVEL_INFO, "declining the contact's video: %s",
                          error->message);
      return FALSE;
    }
  if (config->remote_video_offers == SP_REMOTE_VIDEO_ACCEPT)
    {
      set_region (self, SP_VIDEO_ACCEPTING, "contact");
      return FALSE;
    }
  /* ask: the re-INVITE waits (the SIP layer already sent 100 Trying) until the CRM decides. */
  g_free (self->held_video_offer);
  self->held_video_offer = g_strdup (text);
  self->video_ask_id = g_timeout_add_seconds (config->video_ask_timeout_s, on_ask_timeout, self);
  set_region (self, SP_VIDEO_HELD_OFFER, "contact");
  return TRUE;
}

/* ---- the agent's actions ---- */

gboolean
sp_interaction_video_busy (SpInteraction *self, GError **error)
{
  if (self->video_task || self->hold_task)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                 "a hold or video change is waiting for the contact's phone");
  else if (self->video == SP_VIDEO_HELD_OFFER)
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

/* The next region of an activation, or FALSE with the reason it cannot start. */
static gboolean
start_activation (SpInteraction *self, GError **error)
{
  if (!check_call_state (self, "ActivateVideo", error) || sp_interaction_busy (self, error))
    return FALSE;
  switch (public_value (self->video))
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
        set_region (self, SP_VIDEO_RESUMING, self->video_requester);
        return TRUE;
      case SP_INTERACTION_VIDEO_NONE:
      case SP_INTERACTION_VIDEO_DECLINED:
      default:
        /* Nothing is sent when a precondition fails. */
        if (!sp_interaction_video_check_allowed (self, error)
            || !sp_interaction_media_prepare_video (self, error))
          return FALSE;
        set_region (self, SP_VIDEO_ASKING, "agent");
        return TRUE;
    }
}

void
sp_interaction_activate_video_async (SpInteraction *self, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, sp_interaction_activate_video_async);
  if (self->video == SP_VIDEO_HELD_OFFER)
    {
      /* The contact's request: the answer goes out with the 200, and video runs from now. */
      release_held_offer (self, SP_VIDEO_ACCEPTING);
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The browser's video resumes at once: nothing to negotiate with the phone. */
  if (check_call_state (self, "ActivateVideo", &error)
      && sp_interaction_browser_video_activate (self, &error))
    {
      if (error)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  if (error || !start_activation (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->video_task = g_steal_pointer (&task);
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

  g_task_set_source_tag (task, sp_interaction_deactivate_video_async);
  /* The browser's video pauses at once (nothing to negotiate with the phone); the voice goes
   * on. */
  if (sp_interaction_browser_video_deactivate (self, &error))
    {
      if (error)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->video == SP_VIDEO_HELD_OFFER)
    {
      release_held_offer (self, SP_VIDEO_NONE);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!check_call_state (self, "DeactivateVideo", &error) || sp_interaction_busy (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->video != SP_VIDEO_ACTIVE)
    {
      g_task_return_new_error (task, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                               "DeactivateVideo needs active video, not %s",
                               sp_interaction_video_to_string (public_value (self->video)));
      return;
    }
  set_region (self, SP_VIDEO_PAUSING, self->video_requester);
  sp_interaction_push_stop (self, "stop");
  self->video_task = g_steal_pointer (&task);
  sp_interaction_send_reoffer (self);
}

gboolean
sp_interaction_deactivate_video_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the window: the agent's wishes here, the window itself an observer's ---- */

static const char *const layout_names[] = {
  [SP_INTERACTION_LAYOUT_REMOTE_LARGE] = "remote-large",
  [SP_INTERACTION_LAYOUT_PREVIEW_LARGE] = "preview-large",
};

const char *
sp_interaction_layout_to_string (SpInteractionLayout layout)
{
  return (guint)layout < G_N_ELEMENTS (layout_names) ? layout_names[layout] : "remote-large";
}

SpInteractionLayout
sp_interaction_get_layout_value (SpInteraction *self)
{
  return self->layout;
}

const char *
sp_interaction_get_layout (SpInteraction *self)
{
  return sp_interaction_layout_to_string (self->layout);
}

const char *
sp_interaction_get_window (SpInteraction *self)
{
  return self->window;
}

gboolean
sp_interaction_get_always_on_top (SpInteraction *self)
{
  return self->on_top;
}

gboolean
sp_interaction_get_on_top_wish (SpInteraction *self)
{
  return self->on_top_wish;
}

const char *
sp_interaction_get_picture (SpInteraction *self, SpMediaPicture picture)
{
  SpMediaSession *media = sp_interaction_media (self);

  gboolean video
    = media && (sp_media_session_has_video (media) || sp_media_session_has_browser_video (media));

  return video ? sp_media_session_get_picture (media, picture) : "";
}

void
sp_interaction_report_window (SpInteraction *self, const char *state, gboolean on_top)
{
  if (!g_str_equal (self->window, state))
    {
      g_free (self->window);
      self->window = g_strdup (state);
      sp_interaction_notify (self, "window");
    }
  if (self->on_top != on_top)
    {
      self->on_top = on_top;
      sp_interaction_notify (self, "always-on-top");
    }
}

/* The video pane controls act on a live video session (SPEC: "Video pane size"). Without one
 * there is no pane to change, and a silent success would tell the CRM that something happened
 * (SPEC: never a silent no-op), so they are refused like the other video actions. */
static gboolean
require_video_session (SpInteraction *self, const char *action, GError **error)
{
  gboolean live = self->state != SP_INTERACTION_DISCONNECTED && self->state != SP_INTERACTION_DONE;
  SpInteractionVideo video = public_value (self->video);

  if (live && (video == SP_INTERACTION_VIDEO_ACTIVE || video == SP_INTERACTION_VIDEO_PAUSED))
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
               "%s needs a video session (the call is %s, the video %s)", action,
               sp_interaction_state_to_string (self->state),
               sp_interaction_video_to_string (video));
  return FALSE;
}

gboolean
sp_interaction_swap_layout (SpInteraction *self, GError **error)
{
  if (!require_video_session (self, "SwapLayout", error))
    return FALSE;
  self->layout = self->layout == SP_INTERACTION_LAYOUT_REMOTE_LARGE
                   ? SP_INTERACTION_LAYOUT_PREVIEW_LARGE
                   : SP_INTERACTION_LAYOUT_REMOTE_LARGE;
  sp_interaction_notify (self, "layout");
  return TRUE;
}

gboolean
sp_interaction_set_always_on_top (SpInteraction *self, gboolean above, GError **error)
{
  gboolean kept = TRUE;

  if (!require_video_session (self, "SetAlwaysOnTop", error))
    return FALSE;
  /* Kept for a window that opens later (no display yet, or closed by hand and reopened); the
   * property follows what the window manager did. */
  self->on_top_wish = above;
  g_signal_emit_by_name (self, "keep-on-top", above, error, &kept);
  if (!kept)
    g_prefix_error (error, "the window cannot be kept on top: ");
  return kept;
}

/* ---- statistics and teardown ---- */

static GVariant *
collect_statistics (SpInteraction *self)
{
  SpMediaVideoStatistics stats;
  GVariantDict dict;

  sp_media_session_get_video_statistics (sp_interaction_media (self), &stats);
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
  if (stats.codec)
    g_variant_dict_insert (&dict, "camera", "s", stats.camera_live ? "live" : "unavailable");
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

GVariantDict *
sp_interaction_video_add_statistics (SpInteraction *self, GVariantDict *dict)
{
  g_autoptr (GVariant) stats = sp_interaction_media (self)
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
  if (sp_interaction_media (self))
    {
      g_clear_pointer (&self->video_stats, g_variant_unref);
      self->video_stats = collect_statistics (self);
    }
  if (self->video_task)
    complete_task (self, g_error_new (SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                                      "the call ended"));
}
