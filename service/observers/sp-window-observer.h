/* The agent's video window: an observer of every interaction that opens an SpVideoWindow when
 * its video first runs, follows the layout and always-on-top wishes, reports what the window
 * is back to the interaction, and closes it at Mark Done. */
#pragma once

#include "sp-interaction-manager.h"

G_BEGIN_DECLS

#define SP_TYPE_WINDOW_OBSERVER (sp_window_observer_get_type ())
G_DECLARE_FINAL_TYPE (SpWindowObserver, sp_window_observer, SP, WINDOW_OBSERVER, GObject)

/* Watches each interaction MANAGER adds; windows are WIDTH x HEIGHT (the video size). */
SpWindowObserver *
sp_window_observer_new (SpInteractionManager *manager, guint width, guint height);

G_END_DECLS
