/* Publishes the agent's availability (SpReadiness "available") to kamailio's dispatcher over
 * its JSON-RPC interface (jsonrpcs over xhttp): dispatcher.set_state "a" or "i" for this
 * agent's destination in each of its sets, so queues offer calls only to available agents.
 * Failures are retried; the state is published again now and then, so a router that
 * restarted (and read its list afresh) learns it too. Property "state": "publishing",
 * "published" or "failed: REASON". */
#pragma once

#include "sp-readiness.h"

G_BEGIN_DECLS

#define SP_TYPE_ROUTING_PUBLISHER (sp_routing_publisher_get_type ())
G_DECLARE_FINAL_TYPE (SpRoutingPublisher, sp_routing_publisher, SP, ROUTING_PUBLISHER, GObject)

/* READINESS is borrowed and outlives the publisher; SETS is an array of guint. */
SpRoutingPublisher *
sp_routing_publisher_new (SpReadiness *readiness, const char *rpc_url, const char *destination,
                          GArray *sets);

G_END_DECLS
