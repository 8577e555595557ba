/* The GStreamer chores the media files share: starting GStreamer once, on first use (an idle
 * service never loads it), making an element into a bin with a clear error when its plugin is
 * not installed, and replacing an element of a running pipeline. */
#pragma once

#include "sp-media-error.h"

#include <gst/gst.h>

G_BEGIN_DECLS

/* Initialises GStreamer once per process; SP_MEDIA_ERROR_GSTREAMER if it cannot start. Any
 * thread. */
gboolean
sp_gst_init (GError **error);

/* Starts GStreamer and loads what a voice call is made of on a thread of its own, once per
 * process: a call started while it runs waits for it in sp_gst_init() (the once), the rest
 * overlaps the SIP exchange. The idle service loads nothing; the first call starts it. */
void
sp_gst_warm_up (void);
/* Waits for the warm-up's thread, if one was started (at exit: nothing may still be loading a
 * plugin while the process ends). */
void
sp_gst_finish_warm_up (void);

/* A new FACTORY element (named NAME, or NULL for GStreamer's name) added to BIN; NULL with
 * SP_MEDIA_ERROR_GSTREAMER ("The GStreamer element 'x' is missing") otherwise. */
GstElement *
sp_gst_add (GstBin *bin, const char *factory, const char *name, GError **error);

/* Sends UPSTREAM's sticky events (stream start, caps, segment…) to NEW_SINK, newly linked to
 * it from a probe: the probe may fire inside the push of one of them, which then counts as
 * delivered although NEW_SINK never saw it. */
void
sp_gst_forward_sticky_events (GstPad *upstream, GstPad *new_sink);

/* Replaces OLD (in BIN, its "sink" fed by UPSTREAM, its "src" feeding DOWNSTREAM) by
 * REPLACEMENT (transfer full), which joins BIN and starts at once and is linked once nothing
 * is going through UPSTREAM: at once when the pad is idle, else from the streaming thread
 * after what is in flight. OLD is then stopped and removed from another thread. A link
 * failure posts an error on the bus. */
void
sp_gst_swap (GstBin *bin, GstPad *upstream, GstElement *old, GstElement *replacement,
             GstPad *downstream);

G_END_DECLS
