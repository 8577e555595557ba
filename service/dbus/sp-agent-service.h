/* org.sportello.Agent1 on the root object: account, policy, camera presence, directories. */
#pragma once

#include "sp-dbus-generated.h"
#include "sp-service-context.h"

G_BEGIN_DECLS

#define SP_TYPE_AGENT_SERVICE (sp_agent_service_get_type ())
G_DECLARE_FINAL_TYPE (SpAgentService, sp_agent_service, SP, AGENT_SERVICE, SpAgent1Skeleton)

SpAgentService *
sp_agent_service_new (SpServiceContext *context);

G_END_DECLS
