/* Owns the bus name and exports the root object (Agent1, Contacts1, Responses1, ObjectManager).
 * The name is requested only after the objects are exported, so owning it means "ready". */
#pragma once

#include <gio/gio.h>

#include "sp-service-context.h"

G_BEGIN_DECLS

#define SP_DBUS_ROOT_PATH "/org/sportello/Sportello1"
#define SP_DBUS_DEFAULT_NAME "org.sportello.Sportello1"

#define SP_TYPE_DBUS_SERVER (sp_dbus_server_get_type ())
G_DECLARE_FINAL_TYPE (SpDBusServer, sp_dbus_server, SP, DBUS_SERVER, GObject)

/* Signals: "ready" () once the name is owned; "lost" (gboolean was_owned) when it goes. */
SpDBusServer *
sp_dbus_server_new (SpServiceContext *context, const char *bus_name, gboolean replace);
void
sp_dbus_server_start (SpDBusServer *self);
GDBusObjectManagerServer *
sp_dbus_server_get_object_manager (SpDBusServer *self);

G_END_DECLS
