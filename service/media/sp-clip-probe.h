/* Checks a file for the push catalogue by decoding it, and measures it: kind, duration, sound,
 * and a PNG thumbnail. */
#pragma once

#include <gio/gio.h>

#include "sp-media-error.h"

G_BEGIN_DECLS

typedef enum
{
  SP_CLIP_KIND_VIDEO, /* a video stream with more than one picture */
  SP_CLIP_KIND_IMAGE, /* a PNG or JPEG still, shown for a set time */
} SpClipKind;

/* What a still image is shown for when the caller does not say. */
#define SP_CLIP_DEFAULT_IMAGE_MS 5000
#define SP_CLIP_THUMBNAIL_WIDTH 160
#define SP_CLIP_THUMBNAIL_HEIGHT 120

typedef struct
{
  SpClipKind kind;
  guint64 duration_ms; /* a clip's own length; for an image, the display time asked for */
  gboolean has_audio;
  guint width; /* of the pictures, before any scaling */
  guint height;
  /* What the container is usually called ("webm", "mp4", "mkv", "png", "jpg", …); NULL when
   * GStreamer knows the format but we have no name for it. Static. */
  const char *extension;
} SpClipInfo;

const char *
sp_clip_kind_to_string (SpClipKind kind);

/* Decodes @path and fills @info: the first two pictures of a clip, the picture 10% in and the
 * end (a header can claim any length), or the whole of an image. With @thumbnail_path, writes a
 * PNG of SP_CLIP_THUMBNAIL_WIDTH x SP_CLIP_THUMBNAIL_HEIGHT (letterboxed) there, from the
 * picture 10% into a clip or from the image. @image_ms is an image's display time (0: the
 * default).
 * Errors: G_IO_ERROR_NOT_FOUND for a missing file; SP_MEDIA_ERROR_UNSUPPORTED_MEDIA for a file
 * that is no clip or image we can decode, its message a predicate to put after the file's name
 * ("is truncated or damaged: …", "needs a decoder that is not installed: …"), with GStreamer's
 * reason; SP_MEDIA_ERROR_GSTREAMER when GStreamer or one of its elements is missing;
 * G_IO_ERROR_CANCELLED.
 * Blocks for as long as the decoding takes: call it from a worker thread, or use the async pair. */
gboolean
sp_clip_probe (const char *path, guint image_ms, const char *thumbnail_path, SpClipInfo *info,
               GCancellable *cancellable, GError **error);

/* sp_clip_probe() in a worker thread; @callback runs on the caller's thread-default context. */
void
sp_clip_probe_async (const char *path, guint image_ms, const char *thumbnail_path,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_clip_probe_finish (GAsyncResult *result, SpClipInfo *info, GError **error);

G_END_DECLS
