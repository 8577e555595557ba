/* The agent's outgoing picture inside a call pipeline: the camera's intervideo channel, or
 * another channel (a pushed clip, a conference's relayed picture) while that is shown, at one
 * fixed set of caps, into a tee the senders branch from (the SIP video stream's encoder, the
 * window's preview, a browser's WebRTC). Internal to the media layer.
 *
 *   intervideosrc(camera) → capsfilter ──────────────→ input-selector → capssetter → tee
 *   intervideosrc(other)  → videoconvert → videoscale ┘   (only while another is shown)
 *
 * Main context only. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpVideoPicture SpVideoPicture;

/* Adds the picture's elements to PIPELINE (not started: see start). CAMERA: the channel the
 * camera feed writes; pictures are I420 WIDTH x HEIGHT at FRAMERATE. */
SpVideoPicture *
sp_video_picture_new (GstBin *pipeline, const char *camera, guint width, guint height,
                      guint framerate, GError **error);
/* Frees the bookkeeping; the elements stay in the pipeline (it goes down with them). */
void
sp_video_picture_free (SpVideoPicture *self);
/* The tee to link a branch to (borrowed). */
GstElement *
sp_video_picture_get_tee (SpVideoPicture *self);
/* Brings the elements to the pipeline's state, sources last (their first picture finds
 * everything downstream running). */
void
sp_video_picture_start (SpVideoPicture *self);
/* Stops the elements and takes them out of the pipeline (the branches on the tee must be gone). */
void
sp_video_picture_remove (SpVideoPicture *self);
/* What is shown: the picture of intervideo CHANNEL instead of the camera, or the camera again
 * with NULL. FALSE when CHANNEL's picture cannot join (the camera stays). */
gboolean
sp_video_picture_show_channel (SpVideoPicture *self, const char *channel);

G_END_DECLS
