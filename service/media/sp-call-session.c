/* SpCallSession: SpMediaSession over one SpCallMedia, with the camera feed started just before
 * the video stream so that the first frame sent is the camera's; and a browser's video
 * (SpBrowserVideo, its own pipeline) reading the call's preview picture and writing its remote
 * one. */
#include "sp-call-session.h"

#include "sp-browser-video.h"
#include "sp-call-media.h"
#include "sp-camera-monitor.h"
#include "sp-media-error.h"
#include "sp-video-feed.h"

struct _SpCallSession
{
  GObject parent_instance;

  char *camera;
  SpCameraMonitor *monitor;
  guint width, height, framerate, bitrate_kbps;
  SpCallMedia *media;
  SpBrowserVideo *browser; /* the browser's video, or NULL */
  SpVideoFeed *feed;
  gboolean relays; /* its video shows another leg's picture: the camera is not opened */
};

static void
sp_call_session_media_init (SpMediaSessionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpCallSession, sp_call_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_MEDIA_SESSION,
                                                      sp_call_session_media_init))

#define SESSION(media_session) SP_CALL_SESSION (media_session)

static void
on_media_error (SpCallMedia *media, const char *message, gpointer data)
{
  g_signal_emit_by_name (data, "error", message);
}

static void
on_rtp_timeout (SpCallMedia *media, gpointer data)
{
  g_signal_emit_by_name (data, "rtp-timeout");
}

static void
on_push_ended (SpCallMedia *media, const char *reason, const char *message, gpointer data)
{
  g_signal_emit_by_name (data, "push-ended", reason, message);
}

SpCallSession *
sp_call_session_new (const SpCallSessionSettings *settings)
{
  SpCallSession *self = g_object_new (SP_TYPE_CALL_SESSION, NULL);

  self->camera = g_strdup (settings->camera ? settings->camera : "none");
  self->monitor = settings->monitor ? g_object_ref (settings->monitor) : NULL;
  self->width = settings->video_width;
  self->height = settings->video_height;
  self->framerate = settings->video_framerate;
  self->bitrate_kbps = settings->video_bitrate_kbps;
  self->media = sp_call_media_new (settings->audio_source, settings->audio_sink,
                                   settings->rtp_port_min, settings->rtp_port_max);
  g_object_set (self->media, "video-width", settings->video_width, "video-height",
                settings->video_height, "video-framerate", settings->video_framerate,
                "video-bitrate", settings->video_bitrate_kbps, "rtp-timeout",
                settings->rtp_timeout_s, NULL);
  g_signal_connect (self->media, "error", G_CALLBACK (on_media_error), self);
  g_signal_connect (self->media, "rtp-timeout", G_CALLBACK (on_rtp_timeout), self);
  g_signal_connect (self->media, "push-ended", G_CALLBACK (on_push_ended), self);
  return self;
}

static gboolean
session_prepare_audio (SpMediaSession *session, const char *local_address, guint16 *rtp_port,
                       guint16 *rtcp_port, GError **error)
{
  return sp_call_media_prepare_audio (SESSION (session)->media, local_address, rtp_port, rtcp_port,
                                      error);
}

static gboolean
session_start_audio (SpMediaSession *session, const SpMediaAudioParams *params, GError **error)
{
  return sp_call_media_start_audio (SESSION (session)->media, params, error);
}

static gboolean
session_update_audio (SpMediaSession *session, const SpMediaAudioParams *params, GError **error)
{
  return sp_call_media_update_remote (SESSION (session)->media, params, error);
}

static gboolean
session_prepare_video (SpMediaSession *session, const char *local_address, guint16 *rtp_port,
                       guint16 *rtcp_port, GError **error)
{
  return sp_call_media_prepare_video (SESSION (session)->media, local_address, rtp_port, rtcp_port,
                                      error);
}

/* A camera that cannot be used is not a failure of the call: the card is sent instead. */
static void
start_feed (SpCallSession *self)
{
  g_autoptr (GError) error = NULL;

  if (self->feed)
    return;
  self->feed = sp_video_feed_new (
    self->camera, self->monitor,
    sp_call_media_get_video_channel (self->media, SP_CALL_MEDIA_CHANNEL_CAMERA), self->width,
    self->height, self->framerate);
  if (!sp_video_feed_start (self->feed, &error))
    g_warning ("the camera cannot be used: %s", error->message);
}

static gboolean
session_start_video (SpMediaSession *session, const SpMediaVideoParams *params, GError **error)
{
  SpCallSession *self = SESSION (session);

  if (!self->relays)
    start_feed (self);
  return sp_call_media_start_video (self->media, params, error);
}

static gboolean
session_update_video (SpMediaSession *session, const SpMediaVideoParams *params, GError **error)
{
  return sp_call_media_update_video (SESSION (session)->media, params, error);
}

static gboolean
session_has_video (SpMediaSession *session)
{
  return sp_call_media_has_video (SESSION (session)->media);
}

/* A browser's video has no direction to negotiate: anything but sendrecv pauses it. */
static void
session_set_video_direction (SpMediaSession *session, SpMediaDirection direction)
{
  SpCallSession *self = SESSION (session);

  if (self->browser)
    sp_browser_video_set_paused (self->browser, direction != SP_MEDIA_DIRECTION_SENDRECV);
  sp_call_media_set_video_direction (self->media, direction);
}

static const char *
session_get_picture (SpMediaSession *session, SpMediaPicture picture)
{
  SpCallMediaChannel channel = picture == SP_MEDIA_PICTURE_REMOTE ? SP_CALL_MEDIA_CHANNEL_REMOTE
                                                                  : SP_CALL_MEDIA_CHANNEL_PREVIEW;

  return sp_call_media_get_video_channel (SESSION (session)->media, channel);
}

static void
session_get_video_statistics (SpMediaSession *session, SpMediaVideoStatistics *stats)
{
  SpCallSession *self = SESSION (session);

  sp_call_media_get_video_statistics (self->media, stats);
  if (self->browser)
    {
      stats->codec = "VP8";
      stats->frames_decoded = sp_browser_video_get_frames_received (self->browser);
    }
  stats->camera_live = self->feed && sp_video_feed_get_source (self->feed) != SP_VIDEO_FEED_CARD;
}

static gboolean
session_start_push (SpMediaSession *session, const char *path, guint image_ms, GError **error)
{
  return sp_call_media_start_push (SESSION (session)->media, path, image_ms, error);
}

static void
session_stop_push (SpMediaSession *session)
{
  sp_call_media_stop_push (SESSION (session)->media);
}

static void
session_relay_video (SpMediaSession *session, const char *channel)
{
  SESSION (session)->relays = channel && *channel;
  sp_call_media_relay_video (SESSION (session)->media, channel);
}

static gboolean
session_join_mix (SpMediaSession *session, const char *mix, const char *member, GError **error)
{
  g_debug ("%s joins the mix %s", member, mix);
  return sp_call_media_join_mix (SESSION (session)->media, mix, error);
}

static gboolean
session_leave_mix (SpMediaSession *session, const char *mix)
{
  return sp_call_media_leave_mix (SESSION (session)->media, mix);
}

static guint
session_get_rtp_packets_sent (SpMediaSession *session)
{
  return sp_call_media_get_rtp_packets_sent (SESSION (session)->media);
}

static guint
session_get_rtp_packets_received (SpMediaSession *session)
{
  return sp_call_media_get_rtp_packets_received (SESSION (session)->media);
}

/* ---- the browser's video ---- */

static void
on_browser_candidate (SpBrowserVideo *browser, guint mline, const char *candidate, gpointer data)
{
  g_signal_emit_by_name (data, "browser-candidate", mline, candidate);
}

static void
on_browser_state (SpBrowserVideo *browser, GParamSpec *pspec, gpointer data)
{
  SpBrowserVideoState state = sp_browser_video_get_state (browser);

  if (state != SP_BROWSER_VIDEO_NEW)
    g_signal_emit_by_name (data, "browser-state", sp_browser_video_state_to_string (state));
}

static void
stop_feed (SpCallSession *self)
{
  if (!self->feed)
    return;
  sp_video_feed_stop (self->feed);
  g_clear_object (&self->feed);
}

static void
session_stop_browser_video (SpMediaSession *session)
{
  SpCallSession *self = SESSION (session);

  if (!self->browser)
    return;
  /* Stopped first, so that whoever still listens is told "closed". */
  sp_browser_video_stop (self->browser);
  g_signal_handlers_disconnect_by_data (self->browser, self);
  g_clear_object (&self->browser);
  sp_call_media_stop_local_video (self->media);
  /* The camera's light goes off with the video. */
  stop_feed (self);
}

static gboolean
session_start_browser_video (SpMediaSession *session, const SpMediaBrowserVideoConfig *config,
                             GError **error)
{
  SpCallSession *self = SESSION (session);
  SpVideoEncoding encoding = { self->framerate, self->bitrate_kbps, 3 };

  if (self->browser)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "A browser's video already runs");
      return FALSE;
    }
  if (!sp_call_media_start_local_video (self->media, error))
    return FALSE;
  SpBrowserVideoIce ice = { config->stun_server, config->turn_server, config->addresses };

  self->browser = sp_browser_video_new (
    sp_call_media_get_video_channel (self->media, SP_CALL_MEDIA_CHANNEL_PREVIEW),
    sp_call_media_get_video_channel (self->media, SP_CALL_MEDIA_CHANNEL_REMOTE), &encoding, &ice,
    error);
  if (!self->browser)
    {
      sp_call_media_stop_local_video (self->media);
      return FALSE;
    }
  g_signal_connect (self->browser, "local-candidate", G_CALLBACK (on_browser_candidate), self);
  g_signal_connect (self->browser, "notify::state", G_CALLBACK (on_browser_state), self);
  if (!self->relays)
    start_feed (self);
  return TRUE;
}

static void
on_browser_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;
  char *answer = sp_browser_video_answer_finish (SP_BROWSER_VIDEO (source), result, &error);

  if (answer)
    g_task_return_pointer (task, answer, g_free);
  else
    g_task_return_error (task, error);
}

static void
session_answer_browser_offer_async (SpMediaSession *session, const char *offer,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  SpCallSession *self = SESSION (session);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->browser)
    {
      g_task_return_new_error (task, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                               "No browser video is started");
      g_object_unref (task);
      return;
    }
  sp_browser_video_answer_async (self->browser, offer, cancellable, on_browser_answered, task);
}

static char *
session_answer_browser_offer_finish (SpMediaSession *session, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
session_add_browser_candidate (SpMediaSession *session, guint mline, const char *candidate,
                               GError **error)
{
  SpCallSession *self = SESSION (session);

  if (!self->browser)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE, "No browser video is started");
      return FALSE;
    }
  return sp_browser_video_add_candidate (self->browser, mline, candidate, error);
}

static gboolean
session_has_browser_video (SpMediaSession *session)
{
  return SESSION (session)->browser != NULL;
}

static void
session_stop (SpMediaSession *session)
{
  SpCallSession *self = SESSION (session);

  session_stop_browser_video (session);
  stop_feed (self);
  sp_call_media_stop (self->media);
}

static void
sp_call_session_media_init (SpMediaSessionInterface *iface)
{
  iface->prepare_audio = session_prepare_audio;
  iface->start_audio = session_start_audio;
  iface->update_audio = session_update_audio;
  iface->prepare_video = session_prepare_video;
  iface->start_video = session_start_video;
  iface->update_video = session_update_video;
  iface->has_video = session_has_video;
  iface->set_video_direction = session_set_video_direction;
  iface->get_picture = session_get_picture;
  iface->get_video_statistics = session_get_video_statistics;
  iface->start_push = session_start_push;
  iface->stop_push = session_stop_push;
  iface->relay_video = session_relay_video;
  iface->join_mix = session_join_mix;
  iface->leave_mix = session_leave_mix;
  iface->get_rtp_packets_sent = session_get_rtp_packets_sent;
  iface->get_rtp_packets_received = session_get_rtp_packets_received;
  iface->stop = session_stop;
  iface->start_browser_video = session_start_browser_video;
  iface->answer_browser_offer_async = session_answer_browser_offer_async;
  iface->answer_browser_offer_finish = session_answer_browser_offer_finish;
  iface->add_browser_candidate = session_add_browser_candidate;
  iface->stop_browser_video = session_stop_browser_video;
  iface->has_browser_video = session_has_browser_video;
}

static void
sp_call_session_dispose (GObject *object)
{
  SpCallSession *self = SP_CALL_SESSION (object);

  if (self->media)
    {
      session_stop (SP_MEDIA_SESSION (self));
      g_signal_handlers_disconnect_by_data (self->media, self);
      g_clear_object (&self->media);
    }
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (sp_call_session_parent_class)->dispose (object);
}

static void
sp_call_session_finalize (GObject *object)
{
  g_free (SP_CALL_SESSION (object)->camera);
  G_OBJECT_CLASS (sp_call_session_parent_class)->finalize (object);
}

static void
sp_call_session_class_init (SpCallSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_call_session_dispose;
  G_OBJECT_CLASS (klass)->finalize = sp_call_session_finalize;
}

static void
sp_call_session_init (SpCallSession *self)
{
}
