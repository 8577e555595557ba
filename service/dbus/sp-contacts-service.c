/* Contacts1: a thin adapter from D-Bus calls to the store. */
#include "sp-contacts-service.h"

#include "sp-dbus-error.h"

struct _SpContactsService
{
  SpContacts1Skeleton parent_instance;
  SpServiceContext *context;
};

static void
sp_contacts_service_iface_init (SpContacts1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpContactsService, sp_contacts_service, SP_TYPE_CONTACTS1_SKELETON,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_CONTACTS1,
                                                      sp_contacts_service_iface_init))

static SpStore *
require_store (SpContacts1 *object, GDBusMethodInvocation *invocation)
{
  return sp_service_context_require_store (SP_CONTACTS_SERVICE (object)->context, invocation);
}

static gboolean
handle_lookup (SpContacts1 *object, GDBusMethodInvocation *invocation, const char *address)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;

  if (store)
    {
      GVariant *value = sp_store_contact_lookup (store, address, &error);
      sp_dbus_return_value_or_error (invocation, value, error);
    }
  return TRUE;
}

static gboolean
handle_search (SpContacts1 *object, GDBusMethodInvocation *invocation, const char *text,
               guint limit)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;

  if (store)
    {
      GVariant *value = sp_store_contact_search (store, text, limit, &error);
      sp_dbus_return_value_or_error (invocation, value, error);
    }
  return TRUE;
}

static gboolean
handle_get (SpContacts1 *object, GDBusMethodInvocation *invocation, const char *id)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;

  if (store)
    {
      GVariant *value = sp_store_contact_get (store, id, &error);
      sp_dbus_return_value_or_error (invocation, value, error);
    }
  return TRUE;
}

static gboolean
handle_save (SpContacts1 *object, GDBusMethodInvocation *invocation, GVariant *contact)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;

  if (!store)
    return TRUE;
  id = sp_store_contact_save (store, contact, &error);
  if (id)
    sp_contacts1_complete_save (object, invocation, id);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}

static gboolean
handle_delete (SpContacts1 *object, GDBusMethodInvocation *invocation, const char *id)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;

  if (!store)
    return TRUE;
  if (sp_store_contact_delete (store, id, &error))
    sp_contacts1_complete_delete (object, invocation);
  else
    sp_dbus_return_error (invocation, error);
  return TRUE;
}

static gboolean
handle_import (SpContacts1 *object, GDBusMethodInvocation *invocation, GVariant *contacts)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;
  guint count;

  if (!store)
    return TRUE;
  count = sp_store_contact_import (store, contacts, &error);
  if (error)
    sp_dbus_return_error (invocation, error);
  else
    {
      g_info ("imported %u contacts", count);
      sp_contacts1_complete_import (object, invocation, count);
    }
  return TRUE;
}

static gboolean
handle_history (SpContacts1 *object, GDBusMethodInvocation *invocation, const char *id,
                guint offset, guint limit)
{
  SpStore *store = require_store (object, invocation);
  g_autoptr (GError) error = NULL;

  if (store)
    {
      GVariant *value = sp_store_history (store, id, offset, limit, &error);
      sp_dbus_return_value_or_error (invocation, value, error);
    }
  return TRUE;
}

static void
sp_contacts_service_iface_init (SpContacts1Iface *iface)
{
  iface->handle_lookup = handle_lookup;
  iface->handle_search = handle_search;
  iface->handle_get = handle_get;
  iface->handle_save = handle_save;
  iface->handle_delete = handle_delete;
  iface->handle_import = handle_import;
  iface->handle_history = handle_history;
}

static void
sp_contacts_service_class_init (SpContactsServiceClass *klass)
{
}

static void
sp_contacts_service_init (SpContactsService *self)
{
}

SpContactsService *
sp_contacts_service_new (SpServiceContext *context)
{
  SpContactsService *self = g_object_new (SP_TYPE_CONTACTS_SERVICE, NULL);

  self->context = context;
  return self;
}
