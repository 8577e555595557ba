/* The live co-browse sessions of the service (docs/co-browse.md): found by id, join code or agent
 * key for the relay's requests, with the join rules (code lifetime, one customer browser per
 * code, a limit on wrong codes per minute). Errors are SP_INTERACTION_ERROR codes. */
#pragma once

#include "sp-cobrowse.h"
#include "sp-config.h"

G_BEGIN_DECLS

#define SP_TYPE_COBROWSE_REGISTRY (sp_cobrowse_registry_get_type ())
G_DECLARE_FINAL_TYPE (SpCoBrowseRegistry, sp_cobrowse_registry, SP, COBROWSE_REGISTRY, GObject)

/* Signal "ended" (const char *id, const char *reason, gint kind): a session (an SpCoBrowseKind)
 * is over; the relay is told. */

/* CONFIG is borrowed and outlives the registry. */
SpCoBrowseRegistry *
sp_cobrowse_registry_new (const SpConfig *config);
/* Co-browse is configured (site origins are set). */
gboolean
sp_cobrowse_registry_enabled (SpCoBrowseRegistry *self);
/* A new waiting session of KIND (a new reference); its code expires unused after the lifetime.
 * Codes are unique among the live sessions of both kinds. */
SpCoBrowse *
sp_cobrowse_registry_open (SpCoBrowseRegistry *self, SpCoBrowseKind kind, GError **error);
/* The public links: the customer's join link (/j/CODE for co-browse, /v/CODE for video) and the
 * agent's (free with g_free). */
char *
sp_cobrowse_registry_customer_url (SpCoBrowseRegistry *self, SpCoBrowse *cobrowse);
char *
sp_cobrowse_registry_agent_url (SpCoBrowseRegistry *self, SpCoBrowse *cobrowse);
/* The site a joined browser is sent to: a{sv} with origins, start-url, agent-name. */
GVariant *
sp_cobrowse_registry_site (SpCoBrowseRegistry *self);

/* The relay's requests; each returns the (borrowed) live session or NULL with an error. A code
 * of the other KIND counts as a wrong code. */
SpCoBrowse *
sp_cobrowse_registry_join (SpCoBrowseRegistry *self, SpCoBrowseKind kind, const char *code,
                           const char *browser, GError **error);
/* The live session ID of KIND (borrowed), or NULL with SP_INTERACTION_ERROR_NOT_FOUND. */
SpCoBrowse *
sp_cobrowse_registry_find (SpCoBrowseRegistry *self, SpCoBrowseKind kind, const char *id,
                           GError **error);
SpCoBrowse *
sp_cobrowse_registry_join_agent (SpCoBrowseRegistry *self, const char *key, GError **error);
gboolean
sp_cobrowse_registry_visited (SpCoBrowseRegistry *self, const char *id, const char *url,
                              GError **error);
gboolean
sp_cobrowse_registry_left (SpCoBrowseRegistry *self, const char *id, const char *role,
                           GError **error);

/* Ends a live session (stopped, call-ended, customer-left, expired); nothing when it is over. */
void
sp_cobrowse_registry_end (SpCoBrowseRegistry *self, SpCoBrowse *cobrowse, const char *reason);

G_END_DECLS
