/* The agent's readiness for routed calls: Ready, Not ready (with one of the configured reasons)
 * or After-call work, which begins by itself when an answered call ends and lasts until that
 * call is marked done, the agent says otherwise, or its limit passes.
 *
 * "available" is what routing needs: Ready with no call in progress, so that a queue offers a
 * call only to an agent who can take it. Properties: "state" ("ready", "not-ready",
 * "after-call-work"), "reason" (the not-ready reason's code, "" otherwise), "available". */
#pragma once

#include "sp-interaction-manager.h"

G_BEGIN_DECLS

#define SP_TYPE_READINESS (sp_readiness_get_type ())
G_DECLARE_FINAL_TYPE (SpReadiness, sp_readiness, SP, READINESS, GObject)

/* REASONS (of SpDirectoryEntry, borrowed: the config outlives the readiness) are the codes
 * "not-ready" accepts; AFTER_CALL_WORK_S 0 means an ended call leaves the agent Ready;
 * QUEUE_KEY (or NULL) is the attached-data key a routed call carries. */
SpReadiness *
sp_readiness_new (GPtrArray *reasons, guint after_call_work_s, gboolean start_ready,
                  const char *queue_key);
/* Follows MANAGER's interactions (borrowed; it outlives the readiness), and refuses the routed
 * calls offered while the agent is not available. */
void
sp_readiness_follow (SpReadiness *self, SpInteractionManager *manager);

/* The agent's choice: "ready" (no reason), "not-ready" with a configured reason. After-call work
 * is not chosen: it follows a call. SP_INTERACTION_ERROR_INVALID_ARGUMENT otherwise. */
gboolean
sp_readiness_set (SpReadiness *self, const char *state, const char *reason, GError **error);

const char *
sp_readiness_get_state (SpReadiness *self);
const char *
sp_readiness_get_reason (SpReadiness *self);
gboolean
sp_readiness_is_available (SpReadiness *self);
/* TRUE for a routed call (ATTACHED_DATA, a{ss}, holds the queue key) while not available: the
 * router's view may lag a moment behind the agent's, and a refused call goes on to the next. */
gboolean
sp_readiness_refuses (SpReadiness *self, GVariant *attached_data);

/* What following does for each interaction, KEY naming it: exposed for the unit tests. */
void
sp_readiness_interaction_changed (SpReadiness *self, gconstpointer key, SpInteractionState state);
void
sp_readiness_interaction_removed (SpReadiness *self, gconstpointer key);

G_END_DECLS
