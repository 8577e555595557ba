/* org.sportello.CoBrowse1 on the root object: what the co-browse relay asks of the service
 * (docs/co-browse.md). A thin adapter over the domain's co-browse registry. */
#pragma once

#include "sp-dbus-generated.h"
#include "sp-service-context.h"

G_BEGIN_DECLS

#define SP_TYPE_COBROWSE_SERVICE (sp_cobrowse_service_get_type ())
G_DECLARE_FINAL_TYPE (SpCoBrowseService, sp_cobrowse_service, SP, COBROWSE_SERVICE,
                      SpCoBrowse1Skeleton)

SpCoBrowseService *
sp_cobrowse_service_new (SpServiceContext *context);

G_END_DECLS
