/* One window per interaction, opened once: a window closed by hand stays closed (the call goes
 * on), and none is opened without a display. */
#include "sp-window-observer.h"

#include "sp-video-window.h"

struct _SpWindowObserver
{
  GObject parent_instance;

  guint width, height;
};

G_DEFINE_FINAL_TYPE (SpWindowObserver, sp_window_observer, G_TYPE_OBJECT)

/* What the observer keeps per interaction (qdata of the interaction). */
typedef struct
{
  SpInteraction *interaction; /* owns this */
  guint width, height;
  SpVideoWindow *window; /* NULL until video first runs */
} Watch;

static void
close_window (Watch *watch)
{
  if (!watch->window)
    return;
  g_signal_handlers_disconnect_by_data (watch->window, watch);
  sp_video_window_close (watch->window);
  g_clear_object (&watch->window);
}

static void
watch_free (Watch *watch)
{
  close_window (watch);
  g_free (watch);
}

static void
report (Watch *watch)
{
  SpVideoWindowState state
    = watch->window ? sp_video_window_get_state (watch->window) : SP_VIDEO_WINDOW_NONE;

  sp_interaction_report_window (watch->interaction, sp_video_window_state_to_string (state),
                                watch->window && sp_video_window_get_always_on_top (watch->window));
}

static void
on_window_notify (GObject *window, GParamSpec *pspec, gpointer data)
{
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "always-on-top"))
    report (data);
}

static SpVideoLayout
window_layout (SpInteraction *interaction)
{
  return sp_interaction_get_layout_value (interaction) == SP_INTERACTION_LAYOUT_PREVIEW_LARGE
           ? SP_VIDEO_LAYOUT_PREVIEW_LARGE
           : SP_VIDEO_LAYOUT_REMOTE_LARGE;
}

static void
open_window (Watch *watch)
{
  SpInteraction *interaction = watch->interaction;
  const char *name = sp_interaction_get_remote_name (interaction);
  guint number = sp_interaction_get_number (interaction);
  g_autofree char *title = NULL;
  g_autoptr (GError) error = NULL;

  if (watch->window || !sp_video_window_display_available ())
    return;
  watch->window
    = sp_video_window_new (sp_interaction_get_picture (interaction, SP_MEDIA_PICTURE_REMOTE),
                           sp_interaction_get_picture (interaction, SP_MEDIA_PICTURE_PREVIEW),
                           watch->width, watch->height);
  sp_video_window_set_layout (watch->window, window_layout (interaction));
  g_signal_connect (watch->window, "notify", G_CALLBACK (on_window_notify), watch);
  title
    = g_strdup_printf ("%s — Sportello", *name ? name : sp_interaction_get_remote (interaction));
  if (!sp_video_window_open (watch->window, title, &error))
    {
      g_message ("session %u: no video window: %s", number, error->message);
      return;
    }
  if (sp_interaction_get_on_top_wish (interaction)
      && !sp_video_window_set_always_on_top (watch->window, TRUE, &error))
    g_message ("session %u: %s", number, error->message);
  report (watch);
}

static void
on_interaction_notify (SpInteraction *interaction, GParamSpec *pspec, gpointer data)
{
  Watch *watch = data;
  SpInteractionVideo video = sp_interaction_get_video (interaction);

  if (g_str_equal (pspec->name, "video")
      && (video == SP_INTERACTION_VIDEO_ACTIVE || video == SP_INTERACTION_VIDEO_PAUSED))
    open_window (watch);
  else if (g_str_equal (pspec->name, "layout") && watch->window)
    sp_video_window_set_layout (watch->window, window_layout (interaction));
  else if (g_str_equal (pspec->name, "state")
           && sp_interaction_get_state (interaction) == SP_INTERACTION_DONE)
    {
      close_window (watch);
      report (watch);
    }
}

/* The agent's wish, now: an open window asks the window manager; otherwise the wish waits for
 * the window (the interaction keeps it). */
static gboolean
on_keep_on_top (SpInteraction *interaction, gboolean above, gpointer error, gpointer data)
{
  Watch *watch = data;

  if (!watch->window || sp_video_window_get_state (watch->window) != SP_VIDEO_WINDOW_OPEN)
    return TRUE;
  return sp_video_window_set_always_on_top (watch->window, above, error);
}

static void
on_added (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  SpWindowObserver *self = data;
  Watch *watch = g_new0 (Watch, 1);

  watch->interaction = interaction;
  watch->width = self->width;
  watch->height = self->height;
  /* The window lives as long as the interaction at most. */
  g_object_set_data_full (G_OBJECT (interaction), "sp-window-watch", watch,
                          (GDestroyNotify)watch_free);
  g_signal_connect (interaction, "notify", G_CALLBACK (on_interaction_notify), watch);
  g_signal_connect (interaction, "keep-on-top", G_CALLBACK (on_keep_on_top), watch);
}

SpWindowObserver *
sp_window_observer_new (SpInteractionManager *manager, guint width, guint height)
{
  SpWindowObserver *self = g_object_new (SP_TYPE_WINDOW_OBSERVER, NULL);

  self->width = width;
  self->height = height;
  g_signal_connect_object (manager, "added", G_CALLBACK (on_added), self, 0);
  return self;
}

static void
sp_window_observer_class_init (SpWindowObserverClass *klass)
{
}

static void
sp_window_observer_init (SpWindowObserver *self)
{
}
