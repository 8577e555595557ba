/* The agent's video window: the contact's video large and the agent's own outgoing picture
 * as a small preview in a corner (or swapped). It runs its own GStreamer pipeline that reads
 * two intervideo channels written by the call's pipeline, so a window closed by hand, a lost
 * display or a sink error never touches the call.
 *
 * X11 (DISPLAY set; also XWayland): our own Xlib window rendered into through GstVideoOverlay,
 * title and always-on-top (EWMH _NET_WM_STATE_ABOVE through the window manager) under our
 * control; "always-on-top" reports what the window manager actually applied. Wayland only
 * (WAYLAND_DISPLAY without DISPLAY): waylandsink's own toplevel; xdg-shell has no "keep above"
 * request, so always-on-top stays FALSE and the request fails with SP_MEDIA_ERROR_DISPLAY.
 *
 * Main context only: the thread-default context of whoever called sp_video_window_open(). */
#pragma once

#include "sp-media-error.h"

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SP_VIDEO_LAYOUT_REMOTE_LARGE,  /* the contact large, the preview in a corner (default) */
  SP_VIDEO_LAYOUT_PREVIEW_LARGE, /* the agent's picture large, the contact in the corner */
} SpVideoLayout;

typedef enum
{
  SP_VIDEO_WINDOW_NONE,   /* never opened (no display, or not yet) */
  SP_VIDEO_WINDOW_OPEN,   /* on screen */
  SP_VIDEO_WINDOW_CLOSED, /* closed by hand or by sp_video_window_close() */
} SpVideoWindowState;

GType
sp_video_layout_get_type (void);
#define SP_TYPE_VIDEO_LAYOUT (sp_video_layout_get_type ())
GType
sp_video_window_state_get_type (void);
#define SP_TYPE_VIDEO_WINDOW_STATE (sp_video_window_state_get_type ())

/* "remote-large" / "preview-large"; "none" / "open" / "closed" (the D-Bus strings). */
const char *
sp_video_layout_to_string (SpVideoLayout layout);
const char *
sp_video_window_state_to_string (SpVideoWindowState state);

#define SP_TYPE_VIDEO_WINDOW (sp_video_window_get_type ())
G_DECLARE_FINAL_TYPE (SpVideoWindow, sp_video_window, SP, VIDEO_WINDOW, GObject)

/* TRUE when DISPLAY or WAYLAND_DISPLAY is set (whether it works is found out by open). */
gboolean
sp_video_window_display_available (void);

/* REMOTE_CHANNEL and PREVIEW_CHANNEL are intervideo channel names; WIDTH x HEIGHT the size of
 * the large picture (the window's content size, fixed on X11 since ximagesink does not scale;
 * the small picture is a quarter of it). Nothing is opened yet. */
SpVideoWindow *
sp_video_window_new (const char *remote_channel, const char *preview_channel, guint width,
                     guint height);

/* Opens the window with TITLE (e.g. the contact's name). SP_MEDIA_ERROR_DISPLAY when there
 * is no display or it cannot be reached; SP_MEDIA_ERROR_GSTREAMER when an element is missing.
 * Opening an open window only updates the title. */
gboolean
sp_video_window_open (SpVideoWindow *self, const char *title, GError **error);
/* Closes and releases the window (Mark Done). State becomes CLOSED (a window never opened
 * stays NONE). Idempotent; disposing the object closes it too. */
void
sp_video_window_close (SpVideoWindow *self);

void
sp_video_window_set_title (SpVideoWindow *self, const char *title);
void
sp_video_window_set_layout (SpVideoWindow *self, SpVideoLayout layout);
SpVideoLayout
sp_video_window_get_layout (SpVideoWindow *self);
/* Asks the window manager to keep the window above others (or not). The wish is kept and
 * applied when the window opens. The "always-on-top" property follows what the window
 * manager reports (_NET_WM_STATE), so it stays FALSE without an EWMH window manager.
 * SP_MEDIA_ERROR_DISPLAY on Wayland, where clients cannot ask for this. */
gboolean
sp_video_window_set_always_on_top (SpVideoWindow *self, gboolean above, GError **error);
gboolean
sp_video_window_get_always_on_top (SpVideoWindow *self);
SpVideoWindowState
sp_video_window_get_state (SpVideoWindow *self);

/* Properties (all notify): "state", "layout", "always-on-top", "title", and read-only
 * "backend" ("x11", "wayland" or NULL before open). */

G_END_DECLS
