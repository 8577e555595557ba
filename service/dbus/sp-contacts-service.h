/* org.sportello.Contacts1 on the root object: the customer record. */
#pragma once

#include "sp-dbus-generated.h"
#include "sp-service-context.h"

G_BEGIN_DECLS

#define SP_TYPE_CONTACTS_SERVICE (sp_contacts_service_get_type ())
G_DECLARE_FINAL_TYPE (SpContactsService, sp_contacts_service, SP, CONTACTS_SERVICE,
                      SpContacts1Skeleton)

SpContactsService *
sp_contacts_service_new (SpServiceContext *context);

G_END_DECLS
