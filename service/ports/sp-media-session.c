/* SpMediaSession and SpMediaFactory: the interfaces and their signals; every call goes to the
 * implementation. */
#include "sp-media-session.h"

G_DEFINE_INTERFACE (SpMediaSession, sp_media_session, G_TYPE_OBJECT)
G_DEFINE_INTERFACE (SpMediaFactory, sp_media_factory, G_TYPE_OBJECT)

static void
sp_media_session_default_init (SpMediaSessionInterface *iface)
{
  GType type = G_TYPE_FROM_INTERFACE (iface);

  g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                G_TYPE_STRING);
  g_signal_new ("rtp-timeout", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  g_signal_new ("push-ended", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                G_TYPE_STRING, G_TYPE_STRING);
  g_signal_new ("browser-candidate", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new ("browser-state", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                G_TYPE_STRING);
}

static void
sp_media_factory_default_init (SpMediaFactoryInterface *iface)
{
}

gboolean
sp_media_session_prepare_audio (SpMediaSession *self, const char *local_address, guint16 *rtp_port,
                                guint16 *rtcp_port, GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->prepare_audio (self, local_address, rtp_port, rtcp_port,
                                                           error);
}

gboolean
sp_media_session_start_audio (SpMediaSession *self, const SpMediaAudioParams *params,
                              GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->start_audio (self, params, error);
}

gboolean
sp_media_session_update_audio (SpMediaSession *self, const SpMediaAudioParams *params,
                               GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->update_audio (self, params, error);
}

gboolean
sp_media_session_prepare_video (SpMediaSession *self, const char *local_address, guint16 *rtp_port,
                                guint16 *rtcp_port, GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->prepare_video (self, local_address, rtp_port, rtcp_port,
                                                           error);
}

gboolean
sp_media_session_start_video (SpMediaSession *self, const SpMediaVideoParams *params,
                              GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->start_video (self, params, error);
}

gboolean
sp_media_session_update_video (SpMediaSession *self, const SpMediaVideoParams *params,
                               GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->update_video (self, params, error);
}

gboolean
sp_media_session_has_video (SpMediaSession *self)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->has_video (self);
}

void
sp_media_session_set_video_direction (SpMediaSession *self, SpMediaDirection direction)
{
  SP_MEDIA_SESSION_GET_IFACE (self)->set_video_direction (self, direction);
}

const char *
sp_media_session_get_picture (SpMediaSession *self, SpMediaPicture picture)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->get_picture (self, picture);
}

void
sp_media_session_get_video_statistics (SpMediaSession *self, SpMediaVideoStatistics *stats)
{
  SP_MEDIA_SESSION_GET_IFACE (self)->get_video_statistics (self, stats);
}

gboolean
sp_media_session_start_push (SpMediaSession *self, const char *path, guint image_ms, GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->start_push (self, path, image_ms, error);
}

void
sp_media_session_stop_push (SpMediaSession *self)
{
  SP_MEDIA_SESSION_GET_IFACE (self)->stop_push (self);
}

void
sp_media_session_relay_video (SpMediaSession *self, const char *channel)
{
  SP_MEDIA_SESSION_GET_IFACE (self)->relay_video (self, channel);
}

gboolean
sp_media_session_join_mix (SpMediaSession *self, const char *mix, const char *member,
                           GError **error)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->join_mix (self, mix, member, error);
}

gboolean
sp_media_session_leave_mix (SpMediaSession *self, const char *mix)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->leave_mix (self, mix);
}

guint
sp_media_session_get_rtp_packets_sent (SpMediaSession *self)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->get_rtp_packets_sent (self);
}

guint
sp_media_session_get_rtp_packets_received (SpMediaSession *self)
{
  return SP_MEDIA_SESSION_GET_IFACE (self)->get_rtp_packets_received (self);
}

void
sp_media_session_stop (SpMediaSession *self)
{
  SP_MEDIA_SESSION_GET_IFACE (self)->stop (self);
}

SpMediaSession *
sp_media_factory_create (SpMediaFactory *self, const char *leg_id)
{
  return SP_MEDIA_FACTORY_GET_IFACE (self)->create (self, leg_id);
}

gboolean
sp_media_factory_camera_present (SpMediaFactory *self)
{
  return SP_MEDIA_FACTORY_GET_IFACE (self)->camera_present (self);
}

gboolean
sp_media_factory_can_encode_h264 (SpMediaFactory *self)
{
  return SP_MEDIA_FACTORY_GET_IFACE (self)->can_encode_h264 (self);
}

/* ---- browser video: optional, so that media without it (the unit tests' fakes) say so ---- */

static gboolean
not_supported (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "this media cannot carry video to a browser");
  return FALSE;
}

gboolean
sp_media_session_start_browser_video (SpMediaSession *self, const SpMediaBrowserVideoConfig *config,
                                      GError **error)
{
  SpMediaSessionInterface *iface = SP_MEDIA_SESSION_GET_IFACE (self);

  return iface->start_browser_video ? iface->start_browser_video (self, config, error)
                                    : not_supported (error);
}

void
sp_media_session_answer_browser_offer_async (SpMediaSession *self, const char *offer,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data)
{
  SpMediaSessionInterface *iface = SP_MEDIA_SESSION_GET_IFACE (self);

  if (iface->answer_browser_offer_async)
    iface->answer_browser_offer_async (self, offer, cancellable, callback, user_data);
  else
    g_task_report_new_error (self, callback, user_data, sp_media_session_answer_browser_offer_async,
                             G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "this media cannot carry video to a browser");
}

char *
sp_media_session_answer_browser_offer_finish (SpMediaSession *self, GAsyncResult *result,
                                              GError **error)
{
  SpMediaSessionInterface *iface = SP_MEDIA_SESSION_GET_IFACE (self);

  if (g_async_result_is_tagged (result, sp_media_session_answer_browser_offer_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return iface->answer_browser_offer_finish (self, result, error);
}

gboolean
sp_media_session_add_browser_candidate (SpMediaSession *self, guint mline, const char *candidate,
                                        GError **error)
{
  SpMediaSessionInterface *iface = SP_MEDIA_SESSION_GET_IFACE (self);

  return iface->add_browser_candidate ? iface->add_browser_candidate (self, mline, candidate, error)
                                      : not_supported (error);
}

void
sp_media_session_stop_browser_video (SpMediaSession *self)
{
  SpMediaSessionInterface *iface = SP_MEDIA_SESSION_GET_IFACE (self);

  if (iface->stop_browser_video)
    iface->stop_browser_video (self);
}

gboolean
sp_media_session_has_browser_video (SpMediaSession *self)
{
  SpMediaSessionInterface *iface = SP_MEDIA_SESSION_GET_IFACE (self);

  return iface->has_browser_video && iface->has_browser_video (self);
}
