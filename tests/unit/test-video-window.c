/* The agent's video window on a private Xvfb (tests/unit/with-xvfb.sh), bare or under jwm: what
 * the agent would see (screenshots of the window), its title, always-on-top as the window
 * manager applied it, closing by hand, a lost X connection, and the no-display errors. */
#include "test-gst-exit.h"
#include "sp-video-window.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#define WIDTH 640
#define HEIGHT 480
#define RED 0xffff0000u
#define BLUE 0xff0000ffu
#define FRAME_WAIT_MS 10000
#define WM_WAIT_MS 5000

/* ---- waiting (generous deadlines, never exact timing) ---- */

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

#define WAIT_UNTIL(expr, ms)                                                                       \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 wait_deadline = g_get_monotonic_time () + (gint64)(ms)*1000;                            \
    while (!(expr) && g_get_monotonic_time () < wait_deadline)                                     \
      spin (20);                                                                                   \
  }                                                                                                \
  G_STMT_END

/* ---- environment ---- */

/* with-xvfb.sh --jwm sets SP_TEST_WM; the window manager must then really be running. */
static gboolean
expect_wm (void)
{
  return g_getenv ("SP_TEST_WM") != NULL;
}

typedef struct
{
  char *display;
  char *wayland_display;
  char *runtime_dir;
} SavedEnv;

static void
env_save (SavedEnv *saved)
{
  saved->display = g_strdup (g_getenv ("DISPLAY"));
  saved->wayland_display = g_strdup (g_getenv ("WAYLAND_DISPLAY"));
  saved->runtime_dir = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
}

static void
env_restore_one (const char *name, char *value)
{
  if (value != NULL)
    g_setenv (name, value, TRUE);
  else
    g_unsetenv (name);
  g_free (value);
}

static void
env_restore (SavedEnv *saved)
{
  env_restore_one ("DISPLAY", saved->display);
  env_restore_one ("WAYLAND_DISPLAY", saved->wayland_display);
  env_restore_one ("XDG_RUNTIME_DIR", saved->runtime_dir);
}

/* ---- X helpers, on the test's own connection ---- */

static char *
get_text_property (Display *display, Window window, const char *name, char **type_name)
{
  Atom type;
  int format;
  unsigned long n = 0, after;
  unsigned char *data = NULL;
  char *text = NULL;

  if (XGetWindowProperty (display, window, XInternAtom (display, name, False), 0, 1024, False,
                          AnyPropertyType, &type, &format, &n, &after, &data)
        == Success
      && data != NULL && format == 8)
    {
      text = g_strndup ((const char *)data, n);
      if (type_name != NULL)
        {
          char *atom_name = XGetAtomName (display, type);

          *type_name = g_strdup (atom_name);
          XFree (atom_name);
        }
    }
  if (data != NULL)
    XFree (data);
  return text;
}

static gboolean
is_our_window (Display *display, Window window, const char *title)
{
  XClassHint hint = { NULL, NULL };
  g_autofree char *name = NULL;
  gboolean ours = FALSE;

  if (XGetClassHint (display, window, &hint))
    {
      ours = g_strcmp0 (hint.res_name, "sportello") == 0
             && g_strcmp0 (hint.res_class, "Sportello") == 0;
      XFree (hint.res_name);
      XFree (hint.res_class);
    }
  if (!ours)
    return FALSE;
  name = get_text_property (display, window, "_NET_WM_NAME", NULL);
  return g_strcmp0 (name, title) == 0;
}

/* Searches the whole tree: a reparenting window manager puts the window inside its frame. */
static Window
find_window_under (Display *display, Window parent, const char *title)
{
  Window root, parent_return, *children = NULL, found = None;
  unsigned int n = 0;

  if (!XQueryTree (display, parent, &root, &parent_return, &children, &n))
    return None;
  for (unsigned int i = 0; i < n && found == None; i++)
    found = is_our_window (display, children[i], title)
              ? children[i]
              : find_window_under (display, children[i], title);
  if (children != NULL)
    XFree (children);
  return found;
}

static Window
find_window (Display *display, const char *title)
{
  XSync (display, False);
  return find_window_under (display, DefaultRootWindow (display), title);
}

static gboolean
wm_running (Display *display)
{
  Atom type;
  int format;
  unsigned long n = 0, after;
  unsigned char *data = NULL;
  gboolean running;

  XGetWindowProperty (display, DefaultRootWindow (display),
                      XInternAtom (display, "_NET_SUPPORTING_WM_CHECK", False), 0, 1, False,
                      XA_WINDOW, &type, &format, &n, &after, &data);
  running = type == XA_WINDOW && n == 1;
  if (data != NULL)
    XFree (data);
  return running;
}

static gboolean
state_has_above (Display *display, Window window)
{
  Atom type, above = XInternAtom (display, "_NET_WM_STATE_ABOVE", False);
  int format;
  unsigned long n = 0, after;
  unsigned char *data = NULL;
  gboolean found = FALSE;

  XGetWindowProperty (display, window, XInternAtom (display, "_NET_WM_STATE", False), 0, 64, False,
                      XA_ATOM, &type, &format, &n, &after, &data);
  for (unsigned long i = 0; data != NULL && format == 32 && i < n; i++)
    found = found || ((unsigned long *)(void *)data)[i] == above;
  if (data != NULL)
    XFree (data);
  return found;
}

/* Mapped, and its window manager frame too: only then does XGetImage work. */
static gboolean
is_viewable (Display *display, Window window)
{
  XWindowAttributes attributes;

  return XGetWindowAttributes (display, window, &attributes) && attributes.map_state == IsViewable;
}

static int
mask_shift (unsigned long mask)
{
  int shift = 0;

  while (mask != 0 && (mask & 1) == 0)
    {
      mask >>= 1;
      shift++;
    }
  return shift;
}

/* "red", "blue", "black", "other" or "unreadable" for the pixel at X,Y of WINDOW, as on screen. */
static const char *
colour_at (Display *display, Window window, int x, int y)
{
  XImage *image = XGetImage (display, window, x, y, 1, 1, AllPlanes, ZPixmap);
  unsigned long pixel;
  guint r, g, b;

  if (image == NULL) /* not viewable (yet): BadMatch, which the window's handler ignores */
    return "unreadable";
  pixel = XGetPixel (image, 0, 0);
  r = (pixel & image->red_mask) >> mask_shift (image->red_mask);
  g = (pixel & image->green_mask) >> mask_shift (image->green_mask);
  b = (pixel & image->blue_mask) >> mask_shift (image->blue_mask);
  XDestroyImage (image);
  if (r > 200 && g < 60 && b < 60)
    return "red";
  if (b > 200 && r < 60 && g < 60)
    return "blue";
  if (r < 30 && g < 30 && b < 30)
    return "black";
  return "other";
}

/* The middle of the large picture and a point well inside the corner picture. */
static const char *
centre_colour (Display *display, Window window)
{
  return colour_at (display, window, WIDTH / 2, HEIGHT / 2);
}

static const char *
corner_colour (Display *display, Window window)
{
  return colour_at (display, window, WIDTH * 85 / 100, HEIGHT * 85 / 100);
}

static void
send_delete_window (Display *display, Window window)
{
  XEvent event = { 0 };

  event.xclient.type = ClientMessage;
  event.xclient.window = window;
  event.xclient.message_type = XInternAtom (display, "WM_PROTOCOLS", False);
  event.xclient.format = 32;
  event.xclient.data.l[0] = (long)XInternAtom (display, "WM_DELETE_WINDOW", False);
  event.xclient.data.l[1] = CurrentTime;
  XSendEvent (display, window, False, NoEventMask, &event);
  XFlush (display);
}

/* ---- fixture: two coloured feeds and a window ---- */

typedef struct
{
  Display *display;
  GstElement *remote_feed;
  GstElement *preview_feed;
  SpVideoWindow *window;
  guint state_notifies;
  guint above_notifies;
  guint layout_notifies;
} Fixture;

static GstElement *
start_feed (const char *channel, guint32 colour)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description
    = g_strdup_printf ("videotestsrc pattern=solid-color foreground-color=0x%08x is-live=true ! "
                       "video/x-raw,width=%d,height=%d,framerate=30/1 ! intervideosink channel=%s",
                       colour, WIDTH, HEIGHT, channel);
  GstElement *pipeline = gst_parse_launch (description, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return pipeline;
}

static void
on_state_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *f = user_data;

  f->state_notifies++;
}

static void
on_above_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *f = user_data;

  f->above_notifies++;
}

static void
on_layout_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *f = user_data;

  f->layout_notifies++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  static guint serial;
  g_autofree char *remote = NULL, *preview = NULL;

  if (!g_getenv ("DISPLAY"))
    {
      g_test_skip ("DISPLAY is not set (run through with-xvfb.sh)");
      return;
    }
  f->display = XOpenDisplay (NULL);
  g_assert_nonnull (f->display);
  if (expect_wm ())
    g_assert_true (wm_running (f->display));
  else
    g_assert_false (wm_running (f->display));
  /* Channels are process-wide: fresh names so no test sees another's frames. */
  serial++;
  remote = g_strdup_printf ("test-remote-%u", serial);
  preview = g_strdup_printf ("test-preview-%u", serial);
  f->remote_feed = start_feed (remote, RED);
  f->preview_feed = start_feed (preview, BLUE);
  f->window = sp_video_window_new (remote, preview, WIDTH, HEIGHT);
  g_signal_connect (f->window, "notify::state", G_CALLBACK (on_state_notify), f);
  g_signal_connect (f->window, "notify::always-on-top", G_CALLBACK (on_above_notify), f);
  g_signal_connect (f->window, "notify::layout", G_CALLBACK (on_layout_notify), f);
}

static void
stop_feed (GstElement **feed)
{
  if (*feed == NULL)
    return;
  gst_element_set_state (*feed, GST_STATE_NULL);
  gst_clear_object (feed);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->window != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->window, f);
      g_clear_object (&f->window);
    }
  stop_feed (&f->remote_feed);
  stop_feed (&f->preview_feed);
  g_clear_pointer (&f->display, XCloseDisplay);
}

/* Opens the window and waits for both pictures; returns its X window. */
static Window
open_and_wait (Fixture *f, const char *title)
{
  g_autoptr (GError) error = NULL;
  Window window = None;

  g_assert_true (sp_video_window_open (f->window, title, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sp_video_window_get_state (f->window), ==, SP_VIDEO_WINDOW_OPEN);
  WAIT_UNTIL ((window = find_window (f->display, title)) != None
                && is_viewable (f->display, window),
              FRAME_WAIT_MS);
  g_assert_cmpuint (window, !=, None);
  g_assert_true (is_viewable (f->display, window));
  WAIT_UNTIL (strcmp (centre_colour (f->display, window), "red") == 0
                && strcmp (corner_colour (f->display, window), "blue") == 0,
              FRAME_WAIT_MS);
  g_assert_cmpstr (centre_colour (f->display, window), ==, "red");
  g_assert_cmpstr (corner_colour (f->display, window), ==, "blue");
  return window;
}

/* ---- tests ---- */

static void
test_picture_and_layout (Fixture *f, gconstpointer data)
{
  g_autofree char *backend = NULL;
  Window window;

  if (f->window == NULL)
    return;
  g_assert_cmpint (sp_video_window_get_state (f->window), ==, SP_VIDEO_WINDOW_NONE);
  window = open_and_wait (f, "Anna Bianchi");
  g_assert_cmpuint (f->state_notifies, ==, 1);
  g_object_get (f->window, "backend", &backend, NULL);
  g_assert_cmpstr (backend, ==, "x11");
  /* The margin around the small picture shows the large one. */
  g_assert_cmpstr (colour_at (f->display, window, WIDTH - 2, HEIGHT - 2), ==, "red");

  sp_video_window_set_layout (f->window, SP_VIDEO_LAYOUT_PREVIEW_LARGE);
  g_assert_cmpint (sp_video_window_get_layout (f->window), ==, SP_VIDEO_LAYOUT_PREVIEW_LARGE);
  g_assert_cmpuint (f->layout_notifies, ==, 1);
  WAIT_UNTIL (strcmp (centre_colour (f->display, window), "blue") == 0
                && strcmp (corner_colour (f->display, window), "red") == 0,
              FRAME_WAIT_MS);
  g_assert_cmpstr (centre_colour (f->display, window), ==, "blue");
  g_assert_cmpstr (corner_colour (f->display, window), ==, "red");

  sp_video_window_set_layout (f->window, SP_VIDEO_LAYOUT_REMOTE_LARGE);
  g_assert_cmpuint (f->layout_notifies, ==, 2);
  WAIT_UNTIL (strcmp (centre_colour (f->display, window), "red") == 0
                && strcmp (corner_colour (f->display, window), "blue") == 0,
              FRAME_WAIT_MS);
  g_assert_cmpstr (centre_colour (f->display, window), ==, "red");
  g_assert_cmpstr (corner_colour (f->display, window), ==, "blue");
  /* The same picture again: no rebuild, the window is the same. */
  g_assert_cmpuint (find_window (f->display, "Anna Bianchi"), ==, window);
  g_assert_cmpuint (f->state_notifies, ==, 1);
}

static void
test_title (Fixture *f, gconstpointer data)
{
  g_autofree char *wm_name = NULL, *net_wm_name = NULL, *wm_name_type = NULL;
  const char *utf8_title = "Zoë Ødegård – Assistenza"; /* the dash is outside Latin-1 */
  XClassHint hint = { NULL, NULL };
  Window window;

  if (f->window == NULL)
    return;
  window = open_and_wait (f, "Anna Bianchi");
  wm_name = get_text_property (f->display, window, "WM_NAME", &wm_name_type);
  g_assert_cmpstr (wm_name, ==, "Anna Bianchi");
  g_assert_cmpstr (wm_name_type, ==, "STRING");
  net_wm_name = get_text_property (f->display, window, "_NET_WM_NAME", NULL);
  g_assert_cmpstr (net_wm_name, ==, "Anna Bianchi");
  g_assert_true (XGetClassHint (f->display, window, &hint));
  g_assert_cmpstr (hint.res_name, ==, "sportello");
  g_assert_cmpstr (hint.res_class, ==, "Sportello");
  XFree (hint.res_name);
  XFree (hint.res_class);

  /* Opening an open window only changes its title. */
  g_assert_true (sp_video_window_open (f->window, utf8_title, NULL));
  g_assert_cmpuint (f->state_notifies, ==, 1);
  WAIT_UNTIL (find_window (f->display, utf8_title) == window, WM_WAIT_MS);
  g_assert_cmpuint (find_window (f->display, utf8_title), ==, window);
  g_clear_pointer (&wm_name, g_free);
  g_clear_pointer (&wm_name_type, g_free);
  wm_name = get_text_property (f->display, window, "WM_NAME", &wm_name_type);
  g_assert_cmpstr (wm_name, ==, utf8_title);
  g_assert_cmpstr (wm_name_type, ==, "UTF8_STRING");

  sp_video_window_set_title (f->window, "Zoë");
  WAIT_UNTIL (find_window (f->display, "Zoë") == window, WM_WAIT_MS);
  g_clear_pointer (&wm_name, g_free);
  g_clear_pointer (&wm_name_type, g_free);
  wm_name = get_text_property (f->display, window, "WM_NAME", &wm_name_type);
  g_assert_cmpstr (wm_name, ==, "Zo\xeb"); /* Latin-1 */
  g_assert_cmpstr (wm_name_type, ==, "STRING");
}

/* With jwm the window manager applies _NET_WM_STATE_ABOVE and the property follows; without a
 * window manager nobody applies it, and the property says so. */
static void
test_always_on_top (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Window window;

  if (f->window == NULL)
    return;
  window = open_and_wait (f, "Anna Bianchi");
  g_assert_false (sp_video_window_get_always_on_top (f->window));
  g_assert_false (state_has_above (f->display, window));

  g_assert_true (sp_video_window_set_always_on_top (f->window, TRUE, &error));
  g_assert_no_error (error);
  if (expect_wm ())
    {
      WAIT_UNTIL (sp_video_window_get_always_on_top (f->window), WM_WAIT_MS);
      g_assert_true (sp_video_window_get_always_on_top (f->window));
      g_assert_true (state_has_above (f->display, window));
      g_assert_cmpuint (f->above_notifies, ==, 1);

      g_assert_true (sp_video_window_set_always_on_top (f->window, FALSE, NULL));
      WAIT_UNTIL (!sp_video_window_get_always_on_top (f->window), WM_WAIT_MS);
      g_assert_false (sp_video_window_get_always_on_top (f->window));
      g_assert_false (state_has_above (f->display, window));
      g_assert_cmpuint (f->above_notifies, ==, 2);
    }
  else
    {
      spin (1000);
      g_assert_false (sp_video_window_get_always_on_top (f->window));
      g_assert_false (state_has_above (f->display, window));
      g_assert_cmpuint (f->above_notifies, ==, 0);
    }
}

/* The wish made before opening is written as the initial state, which only a window manager
 * turns into a window kept above. */
static void
test_always_on_top_before_open (Fixture *f, gconstpointer data)
{
  Window window;

  if (f->window == NULL)
    return;
  g_assert_true (sp_video_window_set_always_on_top (f->window, TRUE, NULL));
  g_assert_false (sp_video_window_get_always_on_top (f->window));
  window = open_and_wait (f, "Anna Bianchi");
  if (expect_wm ())
    {
      WAIT_UNTIL (sp_video_window_get_always_on_top (f->window), WM_WAIT_MS);
      g_assert_true (sp_video_window_get_always_on_top (f->window));
      g_assert_true (state_has_above (f->display, window));
    }
  else
    {
      spin (1000);
      /* Our own initial property is there, but nothing applied it. */
      g_assert_true (state_has_above (f->display, window));
      g_assert_false (sp_video_window_get_always_on_top (f->window));
    }
  /* Closing drops it: a closed window is above nothing. */
  sp_video_window_close (f->window);
  g_assert_false (sp_video_window_get_always_on_top (f->window));
}

static void
test_close_by_hand (Fixture *f, gconstpointer data)
{
  Window window;

  if (f->window == NULL)
    return;
  window = open_and_wait (f, "Anna Bianchi");
  send_delete_window (f->display, window);
  WAIT_UNTIL (sp_video_window_get_state (f->window) == SP_VIDEO_WINDOW_CLOSED, WM_WAIT_MS);
  g_assert_cmpint (sp_video_window_get_state (f->window), ==, SP_VIDEO_WINDOW_CLOSED);
  g_assert_cmpuint (f->state_notifies, ==, 2);
  g_assert_cmpuint (find_window (f->display, "Anna Bianchi"), ==, None);

  /* Closing again changes nothing. */
  sp_video_window_close (f->window);
  g_assert_cmpint (sp_video_window_get_state (f->window), ==, SP_VIDEO_WINDOW_CLOSED);
  g_assert_cmpuint (f->state_notifies, ==, 2);

  /* The agent can bring it back. */
  window = open_and_wait (f, "Anna Bianchi");
  g_assert_cmpuint (f->state_notifies, ==, 3);
  sp_video_window_close (f->window);
  g_assert_cmpint (sp_video_window_get_state (f->window), ==, SP_VIDEO_WINDOW_CLOSED);
  g_assert_cmpuint (f->state_notifies, ==, 4);
  g_assert_cmpuint (find_window (f->display, "Anna Bianchi"), ==, None);
}

/* The X server drops our connection (as xkill does): closed, never a crash. */
static void
test_connection_killed (Fixture *f, gconstpointer data)
{
  Window window;

  if (f->window == NULL)
    return;
  window = open_and_wait (f, "Anna Bianchi");
  XKillClient (f->display, window);
  XSync (f->display, False);
  WAIT_UNTIL (sp_video_window_get_state (f->window) == SP_VIDEO_WINDOW_CLOSED, WM_WAIT_MS);
  g_assert_cmpint (sp_video_window_get_state (f->window), ==, SP_VIDEO_WINDOW_CLOSED);
  g_assert_cmpuint (find_window (f->display, "Anna Bianchi"), ==, None);
  /* And it opens again on a fresh connection. */
  open_and_wait (f, "Anna Bianchi");
}

static void
test_dispose_closes (Fixture *f, gconstpointer data)
{
  if (f->window == NULL)
    return;
  open_and_wait (f, "Anna Bianchi");
  g_signal_handlers_disconnect_by_data (f->window, f);
  g_clear_object (&f->window);
  g_assert_cmpuint (find_window (f->display, "Anna Bianchi"), ==, None);
}

static void
test_no_display (void)
{
  g_autoptr (SpVideoWindow) window = sp_video_window_new ("r", "p", WIDTH, HEIGHT);
  g_autoptr (GError) error = NULL;
  g_autofree char *backend = NULL;
  SavedEnv saved;

  env_save (&saved);
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");
  g_assert_false (sp_video_window_display_available ());
  g_assert_false (sp_video_window_open (window, "Anna Bianchi", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY);
  g_assert_cmpint (sp_video_window_get_state (window), ==, SP_VIDEO_WINDOW_NONE);
  g_object_get (window, "backend", &backend, NULL);
  g_assert_null (backend);
  /* Closing a window that never opened leaves it "none". */
  sp_video_window_close (window);
  g_assert_cmpint (sp_video_window_get_state (window), ==, SP_VIDEO_WINDOW_NONE);
  env_restore (&saved);
}

static void
test_bad_x_display (void)
{
  g_autoptr (SpVideoWindow) window = sp_video_window_new ("r", "p", WIDTH, HEIGHT);
  g_autoptr (GError) error = NULL;
  SavedEnv saved;

  env_save (&saved);
  /* No colon: Xlib refuses the name without trying any server. */
  g_setenv ("DISPLAY", "sportello-invalid-display", TRUE);
  g_assert_false (sp_video_window_open (window, "Anna Bianchi", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY);
  g_assert_cmpint (sp_video_window_get_state (window), ==, SP_VIDEO_WINDOW_NONE);
  env_restore (&saved);
}

/* Wayland only, but no compositor behind WAYLAND_DISPLAY: a display error, and always-on-top
 * is refused because xdg-shell has no such request. */
static void
test_wayland_unreachable (void)
{
  g_autoptr (SpVideoWindow) window = sp_video_window_new ("r", "p", WIDTH, HEIGHT);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElementFactory) factory = gst_element_factory_find ("waylandsink");
  g_autofree char *runtime_dir = NULL;
  SavedEnv saved;

  if (factory == NULL)
    {
      g_test_skip ("waylandsink is not installed");
      return;
    }
  runtime_dir = g_dir_make_tmp ("sp-test-wayland-XXXXXX", NULL);
  g_assert_nonnull (runtime_dir);
  env_save (&saved);
  g_unsetenv ("DISPLAY");
  g_setenv ("WAYLAND_DISPLAY", "sportello-no-such-compositor", TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);

  g_assert_true (sp_video_window_display_available ());
  g_assert_false (sp_video_window_set_always_on_top (window, TRUE, &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY);
  g_clear_error (&error);
  g_assert_false (sp_video_window_open (window, "Anna Bianchi", &error));
  g_assert_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_DISPLAY);
  g_assert_cmpint (sp_video_window_get_state (window), ==, SP_VIDEO_WINDOW_NONE);
  g_assert_false (sp_video_window_get_always_on_top (window));

  env_restore (&saved);
  g_rmdir (runtime_dir);
}

static void
test_enum_strings (void)
{
  g_assert_cmpstr (sp_video_layout_to_string (SP_VIDEO_LAYOUT_REMOTE_LARGE), ==, "remote-large");
  g_assert_cmpstr (sp_video_layout_to_string (SP_VIDEO_LAYOUT_PREVIEW_LARGE), ==, "preview-large");
  g_assert_cmpstr (sp_video_window_state_to_string (SP_VIDEO_WINDOW_NONE), ==, "none");
  g_assert_cmpstr (sp_video_window_state_to_string (SP_VIDEO_WINDOW_OPEN), ==, "open");
  g_assert_cmpstr (sp_video_window_state_to_string (SP_VIDEO_WINDOW_CLOSED), ==, "closed");
}

int
main (int argc, char **argv)
{
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/video-window/enum-strings", test_enum_strings);
  g_test_add_func ("/video-window/no-display", test_no_display);
  g_test_add_func ("/video-window/bad-x-display", test_bad_x_display);
  g_test_add_func ("/video-window/wayland-unreachable", test_wayland_unreachable);
  g_test_add ("/video-window/x11/picture-and-layout", Fixture, NULL, fixture_setup,
              test_picture_and_layout, fixture_teardown);
  g_test_add ("/video-window/x11/title", Fixture, NULL, fixture_setup, test_title,
              fixture_teardown);
  g_test_add ("/video-window/x11/always-on-top", Fixture, NULL, fixture_setup, test_always_on_top,
              fixture_teardown);
  g_test_add ("/video-window/x11/always-on-top-before-open", Fixture, NULL, fixture_setup,
              test_always_on_top_before_open, fixture_teardown);
  g_test_add ("/video-window/x11/close-by-hand", Fixture, NULL, fixture_setup, test_close_by_hand,
              fixture_teardown);
  g_test_add ("/video-window/x11/connection-killed", Fixture, NULL, fixture_setup,
              test_connection_killed, fixture_teardown);
  g_test_add ("/video-window/x11/dispose-closes", Fixture, NULL, fixture_setup, test_dispose_closes,
              fixture_teardown);

  status = g_test_run ();
  return test_gst_exit (status);
}
