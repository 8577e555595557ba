/* Publishes the agent's availability (SpReadiness "available") to kamailio's dispatcher over
 * its JSON-RPC interface (jsonrpcs over xhttp): dispatcher.set_state "a" or "i" for this
 * agent's destination in each of its sets, so queues offer calls only to available agents.
 * Failures are retried; the state is published again now and then, so a router that
 * restarted (and read its list afresh) learns it too. The publisher's string property "state":
 * "publishing", "published" or "failed: REASON".
 *
 * The publisher and its HTTP client (libsoup and what it pulls in) are a module, loaded when
 * [routing] is configured (sp-module.h). */
#pragma once

#include "sp-readiness.h"

G_BEGIN_DECLS

/* READINESS is borrowed and outlives the publisher; SETS is an array of guint. NULL, with
 * ERROR set, when the routing module cannot be loaded. */
GObject *
sp_routing_publisher_new (SpReadiness *readiness, const char *rpc_url, const char *destination,
                          GArray *sets, GError **error);

G_END_DECLS
