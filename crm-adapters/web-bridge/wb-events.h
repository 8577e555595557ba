/* The WebSocket event stream /api/v1/events: sportellod's D-Bus signals as JSON messages, so a
 * CRM page follows the calls live. A browser's WebSocket cannot send an Authorization header,
 * so the socket proves itself in its first message, {"type": "auth", "token": TOKEN}, within
 * 5 s; until then it gets nothing, and a wrong or late token closes it (code 4401).
 * Messages: {"type": "session-added", "number", "properties"}, {"type": "session-changed",
 * "number", "changed"}, {"type": "session-removed", "number"}, {"type": "state-changed",
 * "changed"} for Agent1, and {"type": "signal", "path", "interface", "member", "args"} for every
 * other signal (PushEnded, ParticipantDeclined…). */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "wb-gate.h"

G_BEGIN_DECLS

typedef struct _WbEvents WbEvents;

/* GATE (kept by the caller, outliving the stream) checks the tokens. */
WbEvents *
wb_events_new (GDBusConnection *bus, const char *bus_name, const WbGate *gate);
void
wb_events_free (WbEvents *self);
/* A soup_server_add_websocket_handler callback; DATA is the WbEvents. */
void
wb_events_on_connection (SoupServer *server, SoupServerMessage *msg, const char *path,
                         SoupWebsocketConnection *connection, gpointer data);
guint
wb_events_count_authenticated (WbEvents *self);

G_END_DECLS
