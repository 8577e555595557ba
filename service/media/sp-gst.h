/* The two GStreamer chores every media file needs: starting GStreamer once, on first use (an
 * idle service never loads it), and making an element into a bin with a clear error when its
 * plugin is not installed. */
#pragma once

#include "sp-media-error.h"

#include <gst/gst.h>

G_BEGIN_DECLS

/* Initialises GStreamer once per process; SP_MEDIA_ERROR_GSTREAMER if it cannot start. Any
 * thread. */
gboolean
sp_gst_init (GError **error);

/* A new FACTORY element (named NAME, or NULL for GStreamer's name) added to BIN; NULL with
 * SP_MEDIA_ERROR_GSTREAMER ("The GStreamer element 'x' is missing") otherwise. */
GstElement *
sp_gst_add (GstBin *bin, const char *factory, const char *name, GError **error);

G_END_DECLS
