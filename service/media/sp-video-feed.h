/* The agent's outgoing picture before the encoder: a small pipeline of its own that captures
 * the camera, normalises it (I420, the configured size and frame rate) and writes it into an
 * intervideo channel that the call pipeline reads. Kept apart from the call pipeline so that a
 * camera that fails or disappears (a GStreamer error, EOS, or the camera monitor reporting it
 * gone) never stops the call: the feed then writes a still "Camera unavailable" card into the
 * same channel, and goes back to the camera when the monitor reports one again.
 *
 * Main context only: the thread-default context of whoever called sp_video_feed_start(). */
#pragma once

#include "sp-camera-monitor.h"
#include "sp-media-error.h"

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SP_VIDEO_FEED_STOPPED,
  SP_VIDEO_FEED_CAMERA, /* frames come from the camera */
  SP_VIDEO_FEED_CARD,   /* the camera is unavailable: the still card is shown */
} SpVideoFeedSource;

GType
sp_video_feed_source_get_type (void);
#define SP_TYPE_VIDEO_FEED_SOURCE (sp_video_feed_source_get_type ())
/* "stopped" / "camera" / "card", for logs and the D-Bus layer. */
const char *
sp_video_feed_source_to_string (SpVideoFeedSource source);

#define SP_TYPE_VIDEO_FEED (sp_video_feed_get_type ())
G_DECLARE_FINAL_TYPE (SpVideoFeed, sp_video_feed, SP, VIDEO_FEED, GObject)

/* CAMERA is the [media] camera spec: "pipewire" (the default camera), "pipewire:NODE-NAME",
 * "test" (a moving videotestsrc picture, for demos and benches). MONITOR (may be NULL) tells
 * when PipeWire cameras come and go. */
SpVideoFeed *
sp_video_feed_new (const char *camera, SpCameraMonitor *monitor, const char *channel, guint width,
                   guint height, guint framerate);

/* Starts feeding the channel, without waiting for the camera: the camera when the monitor lists
 * it (or there is no monitor), with source CAMERA at once and the card instead if no frame
 * comes within 2 s; else the card. SP_MEDIA_ERROR_CAMERA for a spec it cannot use ("none",
 * unknown), SP_MEDIA_ERROR_GSTREAMER when an element is missing. Starting a started feed does
 * nothing. */
gboolean
sp_video_feed_start (SpVideoFeed *self, GError **error);
void
sp_video_feed_stop (SpVideoFeed *self);
/* What the channel shows now; the "source" property notifies on changes. */
SpVideoFeedSource
sp_video_feed_get_source (SpVideoFeed *self);
/* Frames written into the channel since start (camera and card together). */
guint64
sp_video_feed_get_frames (SpVideoFeed *self);

G_END_DECLS
