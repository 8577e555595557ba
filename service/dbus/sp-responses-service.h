/* org.sportello.Responses1 on the root object: standard responses and their rendering. */
#pragma once

#include "sp-dbus-generated.h"
#include "sp-service-context.h"

G_BEGIN_DECLS

#define SP_TYPE_RESPONSES_SERVICE (sp_responses_service_get_type ())
G_DECLARE_FINAL_TYPE (SpResponsesService, sp_responses_service, SP, RESPONSES_SERVICE,
                      SpResponses1Skeleton)

SpResponsesService *
sp_responses_service_new (SpServiceContext *context);

G_END_DECLS
