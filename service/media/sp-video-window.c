/* The agent's video window: a pipeline of its own (two intervideo channels into a compositor)
 * shown in our own Xlib window on X11, or in waylandsink's toplevel on Wayland. Threads: all of
 * this runs on the main context of whoever opened the window; the X connection opened here is
 * used from that context only (the sink opens its own connection for its streaming thread). */
#include "sp-video-window.h"
#include "sp-gst.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <gst/gst.h>
#include <gst/video/videooverlay.h>
#include <string.h>

#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 480
#define FRAMERATE 30
#define DEFAULT_TITLE "Sportello"
#define WM_CLASS_NAME "sportello"
#define WM_CLASS_CLASS "Sportello"

/* EWMH _NET_WM_STATE client message actions and source indication (1 = normal application). */
#define NET_WM_STATE_REMOVE 0
#define NET_WM_STATE_ADD 1
#define NET_WM_SOURCE_APPLICATION 1

typedef enum
{
  ATOM_WM_PROTOCOLS,
  ATOM_WM_DELETE_WINDOW,
  ATOM_UTF8_STRING,
  ATOM_NET_WM_NAME,
  ATOM_NET_WM_STATE,
  ATOM_NET_WM_STATE_ABOVE,
  ATOM_NET_SUPPORTING_WM_CHECK,
  N_ATOMS
} AtomId;

static const char *const atom_names[N_ATOMS] = {
  "WM_PROTOCOLS",        "WM_DELETE_WINDOW",         "UTF8_STRING", "_NET_WM_NAME", "_NET_WM_STATE",
  "_NET_WM_STATE_ABOVE", "_NET_SUPPORTING_WM_CHECK",
};

/* Watches our X connection: ready when its fd is readable or Xlib already queued events
 * (a round trip such as XGetWindowProperty may read events without the fd staying readable). */
typedef struct
{
  GSource source;
  Display *display;
  gpointer fd_tag;
} XSource;

struct _SpVideoWindow
{
  GObject parent_instance;

  char *remote_channel;
  char *preview_channel;
  guint width;
  guint height;
  char *title;
  SpVideoLayout layout;
  gboolean want_above; /* the agent's wish, kept across open and close */
  gboolean above;      /* what the window manager applied */
  SpVideoWindowState state;
  const char *backend; /* "x11", "wayland" or NULL */

  GMainContext *context;
  GstElement *pipeline;
  GstElement *sink;
  GstPad *remote_pad; /* compositor sink pads */
  GstPad *preview_pad;
  gboolean bus_watch;

  /* X11 only */
  Display *display;
  Window xwindow;
  GSource *x_source;
  gboolean mapped;   /* MapNotify seen: _NET_WM_STATE now belongs to the window manager */
  gboolean x_broken; /* the connection failed (server gone, or we were killed) */
  Atom atoms[N_ATOMS];
};

enum
{
  PROP_0,
  PROP_REMOTE_CHANNEL,
  PROP_PREVIEW_CHANNEL,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_TITLE,
  PROP_LAYOUT,
  PROP_ALWAYS_ON_TOP,
  PROP_STATE,
  PROP_BACKEND,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SpVideoWindow, sp_video_window, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (SpVideoLayout, sp_video_layout,
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_LAYOUT_REMOTE_LARGE, "remote-large"),
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_LAYOUT_PREVIEW_LARGE, "preview-large"))

G_DEFINE_ENUM_TYPE (SpVideoWindowState, sp_video_window_state,
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_WINDOW_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_WINDOW_OPEN, "open"),
                    G_DEFINE_ENUM_VALUE (SP_VIDEO_WINDOW_CLOSED, "closed"))

const char *
sp_video_layout_to_string (SpVideoLayout layout)
{
  static const char *const names[] = { "remote-large", "preview-large" };

  if ((guint)layout >= G_N_ELEMENTS (names))
    return "invalid";
  return names[layout];
}

const char *
sp_video_window_state_to_string (SpVideoWindowState state)
{
  static const char *const names[] = { "none", "open", "closed" };

  if ((guint)state >= G_N_ELEMENTS (names))
    return "invalid";
  return names[state];
}

static gboolean
env_set (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0';
}

/* XWayland sets DISPLAY too, and there we can keep the window above: X11 wins when both are. */
static gboolean
wayland_only (void)
{
  return !env_set ("DISPLAY") && env_set ("WAYLAND_DISPLAY");
}

gboolean
sp_video_window_display_available (void)
{
  return env_set ("DISPLAY") || env_set ("WAYLAND_DISPLAY");
}

/* ---- X errors ---- */

/* Xlib's default error handler exits the process. The sink draws into our window from its own
 * connection and thread, so a window that goes away under it (our connection killed, the
 * display lost) would end the service and every call with it: errors are logged instead.
 * These handlers are process-wide; the service has no other X client. */
static Display *trap_display; /* main context only */
static int trap_error;

static int
on_x_error (Display *display, XErrorEvent *event)
{
  if (display == g_atomic_pointer_get (&trap_display))
    trap_error = event->error_code;
  else
    g_debug ("X error %d (request %d.%d) on resource 0x%lx ignored", event->error_code,
             event->request_code, event->minor_code, event->resourceid);
  return 0;
}

/* Xlib 1.8's default I/O error handler exits by itself; ours only logs, and the per-display
 * exit handler decides: ours returns, every other connection keeps Xlib's default (exit). */
static int
on_x_io_error (Display *display)
{
  g_message ("Lost the connection to X display %s", DisplayString (display));
  return 0;
}

static void
install_x_error_handlers (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      XSetErrorHandler (on_x_error);
      XSetIOErrorHandler (on_x_io_error);
      g_once_init_leave (&installed, 1);
    }
}

static void
trap_push (Display *display)
{
  XSync (display, False);
  trap_error = 0;
  g_atomic_pointer_set (&trap_display, display);
}

static int
trap_pop (Display *display)
{
  XSync (display, False);
  g_atomic_pointer_set (&trap_display, NULL);
  return trap_error;
}

/* Replaces Xlib's default, which exits the process once the connection fails. */
static void
on_x_io_error_exit (Display *display, void *user_data)
{
  SpVideoWindow *self = user_data;

  self->x_broken = TRUE;
}

/* ---- X properties ---- */

/* The first 32-bit item of PROPERTY on WINDOW if it is of TYPE; None otherwise. */
static unsigned long
get_cardinal_property (Display *display, Window window, Atom property, Atom type)
{
  Atom actual_type;
  int format;
  unsigned long n, after, value = 0;
  unsigned char *data = NULL;

  if (XGetWindowProperty (display, window, property, 0, 1, False, type, &actual_type, &format, &n,
                          &after, &data)
        == Success
      && actual_type == type && format == 32 && n == 1)
    value = ((unsigned long *)(void *)data)[0]; /* format 32 items are longs in memory */
  if (data != NULL)
    XFree (data);
  return value;
}

/* An EWMH window manager runs: the root's _NET_SUPPORTING_WM_CHECK names a live window that
 * names itself (a window manager that died leaves the root property behind). */
static gboolean
wm_present (SpVideoWindow *self)
{
  Atom check_atom = self->atoms[ATOM_NET_SUPPORTING_WM_CHECK];
  Window root = DefaultRootWindow (self->display);
  Window check = get_cardinal_property (self->display, root, check_atom, XA_WINDOW);
  Window check_self;

  if (check == None)
    return FALSE;
  trap_push (self->display);
  check_self = get_cardinal_property (self->display, check, check_atom, XA_WINDOW);
  if (trap_pop (self->display) != 0)
    return FALSE;
  return check_self == check;
}

static gboolean
state_has_above (SpVideoWindow *self)
{
  Atom type;
  int format;
  unsigned long n = 0, after;
  unsigned char *data = NULL;
  gboolean found = FALSE;

  if (XGetWindowProperty (self->display, self->xwindow, self->atoms[ATOM_NET_WM_STATE], 0, 64,
                          False, XA_ATOM, &type, &format, &n, &after, &data)
        == Success
      && type == XA_ATOM && format == 32)
    {
      unsigned long *atoms = (unsigned long *)(void *)data;

      for (unsigned long i = 0; i < n && !found; i++)
        found = atoms[i] == self->atoms[ATOM_NET_WM_STATE_ABOVE];
    }
  if (data != NULL)
    XFree (data);
  return found;
}

static void
set_above (SpVideoWindow *self, gboolean above)
{
  if (self->above == above)
    return;
  self->above = above;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALWAYS_ON_TOP]);
}

/* "always-on-top" tells what the window manager applied: our own _NET_WM_STATE written before
 * mapping counts for nothing until an EWMH window manager has taken the window over. */
static void
update_above (SpVideoWindow *self)
{
  set_above (self, self->mapped && wm_present (self) && state_has_above (self));
}

/* EWMH "_NET_WM_STATE": once mapped, only the window manager changes the property; we ask. */
static void
send_state_request (SpVideoWindow *self, gboolean above)
{
  XEvent event = { 0 };

  event.xclient.type = ClientMessage;
  event.xclient.window = self->xwindow;
  event.xclient.message_type = self->atoms[ATOM_NET_WM_STATE];
  event.xclient.format = 32;
  event.xclient.data.l[0] = above ? NET_WM_STATE_ADD : NET_WM_STATE_REMOVE;
  event.xclient.data.l[1] = (long)self->atoms[ATOM_NET_WM_STATE_ABOVE];
  event.xclient.data.l[2] = 0;
  event.xclient.data.l[3] = NET_WM_SOURCE_APPLICATION;
  XSendEvent (self->display, DefaultRootWindow (self->display), False,
              SubstructureRedirectMask | SubstructureNotifyMask, &event);
}

/* Before mapping, the client sets the initial state itself; the window manager reads it. */
static void
write_initial_state (SpVideoWindow *self)
{
  if (self->want_above)
    {
      unsigned long above = self->atoms[ATOM_NET_WM_STATE_ABOVE];

      XChangeProperty (self->display, self->xwindow, self->atoms[ATOM_NET_WM_STATE], XA_ATOM, 32,
                       PropModeReplace, (unsigned char *)&above, 1);
    }
  else
    XDeleteProperty (self->display, self->xwindow, self->atoms[ATOM_NET_WM_STATE]);
}

static void
apply_x_title (SpVideoWindow *self)
{
  g_autofree char *latin1 = NULL;
  const char *title = self->title ? self->title : DEFAULT_TITLE;

  XChangeProperty (self->display, self->xwindow, self->atoms[ATOM_NET_WM_NAME],
                   self->atoms[ATOM_UTF8_STRING], 8, PropModeReplace, (const unsigned char *)title,
                   (int)strlen (title));
  /* ICCCM's WM_NAME of type STRING is Latin-1; a title outside it goes as UTF8_STRING, as
   * Xutf8SetWMProperties does in a UTF-8 locale. */
  latin1 = g_convert (title, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);
  if (latin1 != NULL)
    XChangeProperty (self->display, self->xwindow, XA_WM_NAME, XA_STRING, 8, PropModeReplace,
                     (const unsigned char *)latin1, (int)strlen (latin1));
  else
    XChangeProperty (self->display, self->xwindow, XA_WM_NAME, self->atoms[ATOM_UTF8_STRING], 8,
                     PropModeReplace, (const unsigned char *)title, (int)strlen (title));
}

/* ---- the X connection source ---- */

static gboolean
x_source_prepare (GSource *source, gint *timeout)
{
  XSource *x_source = (XSource *)source;

  *timeout = -1;
  XFlush (x_source->display);
  return XEventsQueued (x_source->display, QueuedAlready) > 0;
}

static gboolean
x_source_check (GSource *source)
{
  XSource *x_source = (XSource *)source;

  return g_source_query_unix_fd (source, x_source->fd_tag) != 0
         || XEventsQueued (x_source->display, QueuedAlready) > 0;
}

static gboolean
x_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs x_source_funcs = {
  .prepare = x_source_prepare,
  .check = x_source_check,
  .dispatch = x_source_dispatch,
};

static void
close_window (SpVideoWindow *self, const char *why);

static void
handle_x_event (SpVideoWindow *self, XEvent *event)
{
  switch (event->type)
    {
      case ClientMessage:
        if (event->xclient.window == self->xwindow
            && event->xclient.message_type == self->atoms[ATOM_WM_PROTOCOLS]
            && (Atom)event->xclient.data.l[0] == self->atoms[ATOM_WM_DELETE_WINDOW])
          close_window (self, "closed by hand");
        break;
      case MapNotify:
        if (event->xmap.window != self->xwindow || self->mapped)
          break;
        self->mapped = TRUE;
        /* A wish made between the map request and now may have missed the window manager's
         * read of the initial state: ask again now that it manages the window. */
        if (wm_present (self) && state_has_above (self) != self->want_above)
          send_state_request (self, self->want_above);
        update_above (self);
        break;
      case PropertyNotify:
        if ((event->xproperty.window == self->xwindow
             && event->xproperty.atom == self->atoms[ATOM_NET_WM_STATE])
            || event->xproperty.atom == self->atoms[ATOM_NET_SUPPORTING_WM_CHECK])
          update_above (self);
        break;
      case Expose:
        /* The sink does not watch our window (handle-events off): redraw the last frame. */
        if (event->xexpose.window == self->xwindow && event->xexpose.count == 0 && self->sink)
          gst_video_overlay_expose (GST_VIDEO_OVERLAY (self->sink));
        break;
      default:
        break;
    }
}

static gboolean
on_x_events (gpointer user_data)
{
  g_autoptr (SpVideoWindow) self = g_object_ref (user_data); /* a notify handler may unref */

  while (self->display != NULL && !self->x_broken && XPending (self->display) > 0)
    {
      XEvent event;

      XNextEvent (self->display, &event);
      handle_x_event (self, &event);
    }
  if (self->display != NULL && self->x_broken)
    close_window (self, "lost its X display connection");
  return self->display != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* ---- the pipeline ---- */

static GstElement *
add_element (SpVideoWindow *self, const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "GStreamer element %s is missing", factory);
      return NULL;
    }
  gst_bin_add (GST_BIN (self->pipeline), element);
  return element;
}

static GstCaps *
full_size_caps (SpVideoWindow *self)
{
  return gst_caps_new_simple ("video/x-raw", "width", G_TYPE_INT, (int)self->width, "height",
                              G_TYPE_INT, (int)self->height, "pixel-aspect-ratio",
                              GST_TYPE_FRACTION, 1, 1, NULL);
}

/* intervideosrc ! videoconvert ! videoscale ! full-size caps ! compositor: both pictures reach
 * the compositor at the window's size, so swapping them only changes pad properties. */
static GstPad *
add_branch (SpVideoWindow *self, GstElement *compositor, const char *channel, GError **error)
{
  g_autoptr (GstCaps) caps = full_size_caps (self);
  g_autoptr (GstPad) src_pad = NULL;
  GstElement *source, *convert, *scale, *filter;
  GstPad *sink_pad;

  if (!(source = add_element (self, "intervideosrc", error))
      || !(convert = add_element (self, "videoconvert", error))
      || !(scale = add_element (self, "videoscale", error))
      || !(filter = add_element (self, "capsfilter", error)))
    return NULL;
  g_object_set (source, "channel", channel, NULL);
  g_object_set (filter, "caps", caps, NULL);
  if (!gst_element_link_many (source, convert, scale, filter, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Cannot link the video window branch of %s", channel);
      return NULL;
    }
  sink_pad = gst_element_request_pad_simple (compositor, "sink_%u");
  src_pad = gst_element_get_static_pad (filter, "src");
  if (sink_pad == NULL || gst_pad_link (src_pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Cannot link %s into the compositor", channel);
      g_clear_object (&sink_pad);
      return NULL;
    }
  return sink_pad;
}

static void
apply_layout (SpVideoWindow *self)
{
  gboolean remote_large = self->layout == SP_VIDEO_LAYOUT_REMOTE_LARGE;
  GstPad *large = remote_large ? self->remote_pad : self->preview_pad;
  GstPad *small = remote_large ? self->preview_pad : self->remote_pad;
  int small_width = (int)self->width / 4, small_height = (int)self->height / 4;
  int margin = MAX (4, (int)self->width / 40);

  if (large == NULL || small == NULL)
    return;
  g_object_set (large, "xpos", 0, "ypos", 0, "width", (int)self->width, "height", (int)self->height,
                "zorder", 0u, NULL);
  g_object_set (small, "xpos", (int)self->width - small_width - margin, "ypos",
                (int)self->height - small_height - margin, "width", small_width, "height",
                small_height, "zorder", 1u, NULL);
}

static gboolean
build_pipeline (SpVideoWindow *self, const char *sink_factory, GError **error)
{
  g_autoptr (GstCaps) caps = full_size_caps (self);
  GstElement *compositor, *filter, *convert;

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("sportello-video-window"));
  if (!(compositor = add_element (self, "compositor", error))
      || !(filter = add_element (self, "capsfilter", error))
      || !(convert = add_element (self, "videoconvert", error))
      || !(self->sink = add_element (self, sink_factory, error)))
    return FALSE;
  gst_object_ref (self->sink);
  gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, FRAMERATE, 1, NULL);
  g_object_set (filter, "caps", caps, NULL);
  if (!gst_element_link_many (compositor, filter, convert, self->sink, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Cannot link the video window's compositor to %s", sink_factory);
      return FALSE;
    }
  if (!(self->remote_pad = add_branch (self, compositor, self->remote_channel, error))
      || !(self->preview_pad = add_branch (self, compositor, self->preview_channel, error)))
    return FALSE;
  apply_layout (self);
  return TRUE;
}

static gboolean
is_window_closed_error (SpVideoWindow *self, GstMessage *message, const GError *error)
{
  /* What waylandsink (and the X sinks with their own windows) post when the user closes it. */
  return GST_MESSAGE_SRC (message) == GST_OBJECT (self->sink)
         && g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND)
         && g_strcmp0 (error->message, "Output window was closed") == 0;
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  SpVideoWindow *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
      case GST_MESSAGE_ERROR:
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *debug = NULL;

          gst_message_parse_error (message, &error, &debug);
          if (is_window_closed_error (self, message, error))
            {
              close_window (self, "closed by hand");
              return G_SOURCE_REMOVE;
            }
          g_message ("Video window error from %s: %s (%s)",
                     GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message,
                     debug ? debug : "no details");
          close_window (self, "failed");
          return G_SOURCE_REMOVE;
        }
      case GST_MESSAGE_LATENCY:
        gst_bin_recalculate_latency (GST_BIN (self->pipeline));
        break;
      default:
        break;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
start_pipeline (SpVideoWindow *self, GError **error)
{
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr (GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr (GError) gst_error = NULL;
      /* The sink failing to start means the display cannot be used (no compositor, no X). */
      gboolean sink_failed
        = message == NULL || GST_MESSAGE_SRC (message) == GST_OBJECT (self->sink);

      if (message != NULL)
        gst_message_parse_error (message, &gst_error, NULL);
      g_set_error (error, SP_MEDIA_ERROR,
                   sink_failed ? SP_MEDIA_ERROR_DISPLAY : SP_MEDIA_ERROR_GSTREAMER,
                   "The video window cannot start: %s",
                   gst_error ? gst_error->message : "the sink refused to start");
      return FALSE;
    }
  g_main_context_push_thread_default (self->context);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self) != 0;
  g_main_context_pop_thread_default (self->context);
  return TRUE;
}

/* ---- opening and closing ---- */

static gboolean
create_x_window (SpVideoWindow *self, GError **error)
{
  XSizeHints *size_hints;
  XClassHint class_hint = { (char *)WM_CLASS_NAME, (char *)WM_CLASS_CLASS };
  Atom delete_window;
  int screen;

  install_x_error_handlers ();
  self->display = XOpenDisplay (NULL);
  if (self->display == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY, "Cannot open the X display %s",
                   g_getenv ("DISPLAY"));
      return FALSE;
    }
  XSetIOErrorExitHandler (self->display, on_x_io_error_exit, self);
  XInternAtoms (self->display, (char **)atom_names, N_ATOMS, False, self->atoms);
  screen = DefaultScreen (self->display);
  self->xwindow = XCreateSimpleWindow (
    self->display, RootWindow (self->display, screen), 0, 0, self->width, self->height, 0,
    BlackPixel (self->display, screen), BlackPixel (self->display, screen));
  apply_x_title (self);
  XSetClassHint (self->display, self->xwindow, &class_hint);
  delete_window = self->atoms[ATOM_WM_DELETE_WINDOW];
  XSetWMProtocols (self->display, self->xwindow, &delete_window, 1);
  /* ximagesink draws frames of the negotiated size and does not scale: a fixed size. */
  size_hints = XAllocSizeHints ();
  size_hints->flags = PSize | PMinSize | PMaxSize;
  size_hints->width = size_hints->min_width = size_hints->max_width = (int)self->width;
  size_hints->height = size_hints->min_height = size_hints->max_height = (int)self->height;
  XSetWMNormalHints (self->display, self->xwindow, size_hints);
  XFree (size_hints);
  write_initial_state (self);
  XSelectInput (self->display, self->xwindow,
                PropertyChangeMask | StructureNotifyMask | ExposureMask);
  /* A window manager starting or stopping changes the root's _NET_SUPPORTING_WM_CHECK. */
  XSelectInput (self->display, RootWindow (self->display, screen), PropertyChangeMask);
  /* The sink's own connection must find the window on the server. */
  XSync (self->display, False);
  return TRUE;
}

static void
watch_x_connection (SpVideoWindow *self)
{
  XSource *x_source;

  self->x_source = g_source_new (&x_source_funcs, sizeof (XSource));
  x_source = (XSource *)self->x_source;
  x_source->display = self->display;
  x_source->fd_tag = g_source_add_unix_fd (self->x_source, ConnectionNumber (self->display),
                                           G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (self->x_source, on_x_events, self, NULL);
  g_source_set_static_name (self->x_source, "sportello video window X events");
  g_source_attach (self->x_source, self->context);
}

static const char *
pick_x_sink (void)
{
  /* glimagesink only when ximagesink is not installed: ximagesink needs no GL stack. */
  static const char *const sinks[] = { "ximagesink", "glimagesink" };

  for (guint i = 0; i < G_N_ELEMENTS (sinks); i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (sinks[i]);

      if (factory != NULL)
        return sinks[i];
    }
  return NULL;
}

static gboolean
open_x11 (SpVideoWindow *self, GError **error)
{
  const char *sink_factory = pick_x_sink ();

  if (sink_factory == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "Neither ximagesink nor glimagesink is installed");
      return FALSE;
    }
  if (!create_x_window (self, error) || !build_pipeline (self, sink_factory, error))
    return FALSE;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->sink), "display"))
    g_object_set (self->sink, "display", DisplayString (self->display), NULL);
  /* Our window, our events: the sink must not select input on it nor close it. */
  gst_video_overlay_handle_events (GST_VIDEO_OVERLAY (self->sink), FALSE);
  gst_video_overlay_set_window_handle (GST_VIDEO_OVERLAY (self->sink), self->xwindow);
  if (!start_pipeline (self, error))
    return FALSE;
  XMapWindow (self->display, self->xwindow);
  XFlush (self->display);
  watch_x_connection (self);
  return TRUE;
}

/* waylandsink opens its own xdg toplevel; xdg-shell gives a client no title we can reach
 * through the sink and no "keep above" request. */
static gboolean
open_wayland (SpVideoWindow *self, GError **error)
{
  return build_pipeline (self, "waylandsink", error) && start_pipeline (self, error);
}

/* Releases the pipeline and the X window; the state is the caller's business. */
static void
release (SpVideoWindow *self)
{
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      if (self->bus_watch)
        {
          g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

          gst_bus_remove_watch (bus);
          self->bus_watch = FALSE;
        }
    }
  g_clear_object (&self->remote_pad);
  g_clear_object (&self->preview_pad);
  g_clear_object (&self->sink);
  g_clear_object (&self->pipeline);
  if (self->x_source != NULL)
    {
      g_source_destroy (self->x_source);
      g_clear_pointer (&self->x_source, g_source_unref);
    }
  if (self->display != NULL)
    {
      if (self->xwindow != None && !self->x_broken)
        XDestroyWindow (self->display, self->xwindow);
      XCloseDisplay (self->display);
      self->display = NULL;
    }
  self->xwindow = None;
  self->mapped = FALSE;
  self->x_broken = FALSE;
  g_clear_pointer (&self->context, g_main_context_unref);
}

static void
close_window (SpVideoWindow *self, const char *why)
{
  if (self->state != SP_VIDEO_WINDOW_OPEN)
    return;
  g_info ("video window %s", why);
  release (self);
  g_object_freeze_notify (G_OBJECT (self));
  set_above (self, FALSE);
  self->state = SP_VIDEO_WINDOW_CLOSED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
sp_video_window_open (SpVideoWindow *self, const char *title, GError **error)
{
  gboolean x11;

  g_return_val_if_fail (SP_IS_VIDEO_WINDOW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (title != NULL)
    sp_video_window_set_title (self, title);
  if (self->state == SP_VIDEO_WINDOW_OPEN)
    return TRUE;
  if (!sp_video_window_display_available ())
    {
      g_set_error_literal (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY,
                           "No display: neither DISPLAY nor WAYLAND_DISPLAY is set");
      return FALSE;
    }
  if (!sp_gst_init (error))
    return FALSE;

  x11 = env_set ("DISPLAY");
  self->context = g_main_context_ref_thread_default ();
  if (!(x11 ? open_x11 (self, error) : open_wayland (self, error)))
    {
      release (self);
      return FALSE;
    }
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->backend, x11 ? "x11" : "wayland") != 0)
    {
      self->backend = x11 ? "x11" : "wayland";
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKEND]);
    }
  self->state = SP_VIDEO_WINDOW_OPEN;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

void
sp_video_window_close (SpVideoWindow *self)
{
  g_return_if_fail (SP_IS_VIDEO_WINDOW (self));

  close_window (self, "closed");
}

void
sp_video_window_set_title (SpVideoWindow *self, const char *title)
{
  g_return_if_fail (SP_IS_VIDEO_WINDOW (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  if (self->display != NULL && self->xwindow != None)
    {
      apply_x_title (self);
      XFlush (self->display);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
sp_video_window_set_layout (SpVideoWindow *self, SpVideoLayout layout)
{
  g_return_if_fail (SP_IS_VIDEO_WINDOW (self));
  g_return_if_fail (layout == SP_VIDEO_LAYOUT_REMOTE_LARGE
                    || layout == SP_VIDEO_LAYOUT_PREVIEW_LARGE);

  if (self->layout == layout)
    return;
  self->layout = layout;
  apply_layout (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}

SpVideoLayout
sp_video_window_get_layout (SpVideoWindow *self)
{
  g_return_val_if_fail (SP_IS_VIDEO_WINDOW (self), SP_VIDEO_LAYOUT_REMOTE_LARGE);

  return self->layout;
}

gboolean
sp_video_window_set_always_on_top (SpVideoWindow *self, gboolean above, GError **error)
{
  g_return_val_if_fail (SP_IS_VIDEO_WINDOW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state == SP_VIDEO_WINDOW_OPEN ? g_strcmp0 (self->backend, "wayland") == 0
                                          : wayland_only ())
    {
      g_set_error_literal (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY,
                           "On Wayland an application cannot keep its window above others; "
                           "use the compositor's own window menu");
      return FALSE;
    }
  self->want_above = above != FALSE;
  if (self->display != NULL && self->xwindow != None)
    {
      if (self->mapped)
        send_state_request (self, self->want_above);
      else
        write_initial_state (self);
      XFlush (self->display);
    }
  return TRUE;
}

gboolean
sp_video_window_get_always_on_top (SpVideoWindow *self)
{
  g_return_val_if_fail (SP_IS_VIDEO_WINDOW (self), FALSE);

  return self->above;
}

SpVideoWindowState
sp_video_window_get_state (SpVideoWindow *self)
{
  g_return_val_if_fail (SP_IS_VIDEO_WINDOW (self), SP_VIDEO_WINDOW_NONE);

  return self->state;
}

SpVideoWindow *
sp_video_window_new (const char *remote_channel, const char *preview_channel, guint width,
                     guint height)
{
  g_return_val_if_fail (remote_channel != NULL && preview_channel != NULL, NULL);

  return g_object_new (SP_TYPE_VIDEO_WINDOW, "remote-channel", remote_channel, "preview-channel",
                       preview_channel, "width", width, "height", height, NULL);
}

/* ---- GObject ---- */

static void
sp_video_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpVideoWindow *self = SP_VIDEO_WINDOW (object);

  switch (prop_id)
    {
      case PROP_REMOTE_CHANNEL:
        g_value_set_string (value, self->remote_channel);
        break;
      case PROP_PREVIEW_CHANNEL:
        g_value_set_string (value, self->preview_channel);
        break;
      case PROP_WIDTH:
        g_value_set_uint (value, self->width);
        break;
      case PROP_HEIGHT:
        g_value_set_uint (value, self->height);
        break;
      case PROP_TITLE:
        g_value_set_string (value, self->title);
        break;
      case PROP_LAYOUT:
        g_value_set_enum (value, self->layout);
        break;
      case PROP_ALWAYS_ON_TOP:
        g_value_set_boolean (value, self->above);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_BACKEND:
        g_value_set_string (value, self->backend);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_video_window_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  SpVideoWindow *self = SP_VIDEO_WINDOW (object);

  switch (prop_id)
    {
      case PROP_REMOTE_CHANNEL:
        self->remote_channel = g_value_dup_string (value);
        break;
      case PROP_PREVIEW_CHANNEL:
        self->preview_channel = g_value_dup_string (value);
        break;
      case PROP_WIDTH:
        self->width = g_value_get_uint (value);
        break;
      case PROP_HEIGHT:
        self->height = g_value_get_uint (value);
        break;
      case PROP_TITLE:
        sp_video_window_set_title (self, g_value_get_string (value));
        break;
      case PROP_LAYOUT:
        sp_video_window_set_layout (self, g_value_get_enum (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_video_window_dispose (GObject *object)
{
  SpVideoWindow *self = SP_VIDEO_WINDOW (object);

  close_window (self, "released");
  release (self);
  G_OBJECT_CLASS (sp_video_window_parent_class)->dispose (object);
}

static void
sp_video_window_finalize (GObject *object)
{
  SpVideoWindow *self = SP_VIDEO_WINDOW (object);

  g_free (self->remote_channel);
  g_free (self->preview_channel);
  g_free (self->title);
  G_OBJECT_CLASS (sp_video_window_parent_class)->finalize (object);
}

static void
sp_video_window_class_init (SpVideoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = sp_video_window_get_property;
  object_class->set_property = sp_video_window_set_property;
  object_class->dispose = sp_video_window_dispose;
  object_class->finalize = sp_video_window_finalize;

  properties[PROP_REMOTE_CHANNEL]
    = g_param_spec_string ("remote-channel", NULL, NULL, "remote", construct);
  properties[PROP_PREVIEW_CHANNEL]
    = g_param_spec_string ("preview-channel", NULL, NULL, "preview", construct);
  properties[PROP_WIDTH]
    = g_param_spec_uint ("width", NULL, NULL, 64, 4096, DEFAULT_WIDTH, construct);
  properties[PROP_HEIGHT]
    = g_param_spec_uint ("height", NULL, NULL, 64, 4096, DEFAULT_HEIGHT, construct);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_LAYOUT] = g_param_spec_enum ("layout", NULL, NULL, SP_TYPE_VIDEO_LAYOUT,
                                               SP_VIDEO_LAYOUT_REMOTE_LARGE, rw);
  /* What the window manager applied, not what was asked: FALSE without an EWMH manager. */
  properties[PROP_ALWAYS_ON_TOP] = g_param_spec_boolean ("always-on-top", NULL, NULL, FALSE, ro);
  properties[PROP_STATE]
    = g_param_spec_enum ("state", NULL, NULL, SP_TYPE_VIDEO_WINDOW_STATE, SP_VIDEO_WINDOW_NONE, ro);
  properties[PROP_BACKEND] = g_param_spec_string ("backend", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_video_window_init (SpVideoWindow *self)
{
  self->layout = SP_VIDEO_LAYOUT_REMOTE_LARGE;
  self->state = SP_VIDEO_WINDOW_NONE;
}
