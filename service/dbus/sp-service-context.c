/* Shared helpers of the D-Bus services. */
#include "sp-service-context.h"

#include "sp-dbus-error.h"

SpStore *
sp_service_context_require_store (SpServiceContext *context, GDBusMethodInvocation *invocation)
{
  if (context->store)
    return context->store;
  sp_dbus_return_error_literal (invocation, SP_DBUS_ERROR_UNAVAILABLE,
                                context->store_error ? context->store_error->message
                                                     : "the database is not available");
  return NULL;
}
