/* The history: an observer of every interaction that writes its record to the store as it
 * changes ("record" signal), so that a crash loses nothing the service acknowledged. */
#pragma once

#include "sp-interaction-manager.h"

G_BEGIN_DECLS

#define SP_TYPE_HISTORY_RECORDER (sp_history_recorder_get_type ())
G_DECLARE_FINAL_TYPE (SpHistoryRecorder, sp_history_recorder, SP, HISTORY_RECORDER, GObject)

/* Records each interaction MANAGER adds, in STORE (NULL: the database is unavailable, and the
 * agent's changes are refused with UNAVAILABLE). Both are borrowed and outlive the recorder. */
SpHistoryRecorder *
sp_history_recorder_new (SpInteractionManager *manager, SpStore *store);

G_END_DECLS
