/* What the routing module (libsportello-routing.so, sp-routing-publisher.c) gives its loader
 * (sp-routing-loader.c): one table under the symbol SP_ROUTING_MODULE_SYMBOL. The module calls
 * the readiness functions of the sportellod that loads it (sportellod exports its symbols). */
#pragma once

#include "sp-readiness.h"

G_BEGIN_DECLS

#define SP_ROUTING_MODULE_SYMBOL "sp_routing_module"
#define SP_ROUTING_MODULE_ABI 1

typedef struct
{
  guint abi; /* SP_ROUTING_MODULE_ABI of the module's build */
  GObject *(*create) (SpReadiness *readiness, const char *rpc_url, const char *destination,
                      GArray *sets);
} SpRoutingModule;

G_END_DECLS
