/* Owns the live interactions: makes one per incoming call (with the screen pop: the stored
 * contact whose address matches) and per Dial, numbers them, and forgets them at Mark Done. */
#pragma once

#include "sp-interaction.h"

G_BEGIN_DECLS

#define SP_TYPE_INTERACTION_MANAGER (sp_interaction_manager_get_type ())
G_DECLARE_FINAL_TYPE (SpInteractionManager, sp_interaction_manager, SP, INTERACTION_MANAGER,
                      GObject)

/* Signals: "added" (SpInteraction *), "removed" (SpInteraction *), and "call-offered" (SpLeg *)
 * before an incoming call makes an interaction: a handler returning TRUE refuses it with 486
 * Busy Here (the agent's readiness does for routed calls). */
SpInteractionManager *
sp_interaction_manager_new (const SpInteractionContext *context);
SpInteraction *
sp_interaction_manager_dial (SpInteractionManager *self, const char *target,
                             GVariant *attached_data, GError **error);
SpInteraction *
sp_interaction_manager_lookup (SpInteractionManager *self, guint number);
/* The live interaction whose browser video invitation is LINK, or NULL. */
SpInteraction *
sp_interaction_manager_find_by_browser_link (SpInteractionManager *self, SpCoBrowse *link);
/* Ends every live call (service shutdown); the records stay live, so they read "interrupted". */
void
sp_interaction_manager_hang_up_all (SpInteractionManager *self);

G_END_DECLS
