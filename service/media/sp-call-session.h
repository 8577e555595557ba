/* The GStreamer media of one leg, as the domain sees it (SpMediaSession): an SpCallMedia
 * pipeline and, once video starts, the agent's camera feeding it (SpVideoFeed). */
#pragma once

#include "sp-media-session.h"

G_BEGIN_DECLS

typedef struct _SpCameraMonitor SpCameraMonitor;

/* The [media] and [video] settings every call of the service uses. */
typedef struct
{
  const char *audio_source; /* as in the [media] configuration (sp-audio-devices.h) */
  const char *audio_sink;
  guint rtp_port_min;
  guint rtp_port_max;
  guint rtp_timeout_s;
  guint video_width;
  guint video_height;
  guint video_framerate;
  guint video_bitrate_kbps;
  const char *camera;       /* "none", "test" or a PipeWire camera (sp-video-feed.h) */
  SpCameraMonitor *monitor; /* NULL: no PipeWire camera can ever be present */
} SpCallSessionSettings;

#define SP_TYPE_CALL_SESSION (sp_call_session_get_type ())
G_DECLARE_FINAL_TYPE (SpCallSession, sp_call_session, SP, CALL_SESSION, GObject)

/* SETTINGS are copied. Nothing is bound or loaded before the first prepare. */
SpCallSession *
sp_call_session_new (const SpCallSessionSettings *settings);

G_END_DECLS
