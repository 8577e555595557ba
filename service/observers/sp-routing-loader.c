/* sp_routing_publisher_new (sp-routing-publisher.h): opens the routing module once and creates
 * the publisher through its table. */
#include "sp-module.h"
#include "sp-routing-module.h"
#include "sp-routing-publisher.h"

GObject *
sp_routing_publisher_new (SpReadiness *readiness, const char *rpc_url, const char *destination,
                          GArray *sets, GError **error)
{
  static const SpRoutingModule *table;

  if (!table)
    table = sp_module_load ("sportello-routing", "observers", SP_MODULE_DIR,
                            SP_ROUTING_MODULE_SYMBOL, SP_ROUTING_MODULE_ABI, error);
  return table ? table->create (readiness, rpc_url, destination, sets) : NULL;
}
