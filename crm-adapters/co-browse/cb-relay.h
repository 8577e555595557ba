/* The co-browse sessions as the relay holds them: a room per session with its two browsers'
 * WebSockets, the tickets that let a browser in, and the service's side over D-Bus (Visited,
 * Left, the Ended signal). See docs/co-browse.md. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cb-message.h"
#include "cb-rooms.h"

G_BEGIN_DECLS

typedef struct _CbRelay CbRelay;

/* BUS_NAME: sportellod's name; ORIGINS: the site origins WebSockets may come from. */
CbRelay *
cb_relay_new (GDBusConnection *bus, const char *bus_name, const char *const *origins);
void
cb_relay_free (CbRelay *self);

/* A ticket for a browser of ROLE in SESSION, whose SITE (a{sv} from CoBrowse1.Join) it keeps;
 * valid while the session lasts. */
char *
cb_relay_issue_ticket (CbRelay *self, const char *session, CbRole role, GVariant *site);

/* soup_server_add_websocket_handler's callback for /ws (USER_DATA: the relay). */
void
cb_relay_on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                       SoupWebsocketConnection *connection, gpointer user_data);

const char *
cb_relay_get_bus_name (CbRelay *self);
GDBusConnection *
cb_relay_get_bus (CbRelay *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRelay, cb_relay_free)

G_END_DECLS
