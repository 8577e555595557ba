/* The web bridge's HTTP server: libsoup 3 on loopback, every request through the gate
 * (wb-gate.h), then the REST API over sportellod's D-Bus API:
 *   GET  /api/v1/state                      Agent1's properties
 *   GET  /api/v1/sessions                   every session: its number, path and properties
 *   POST /api/v1/sessions/{n}/{action}      a Session1 method (answer, hold, activate-video…)
 *   POST /api/v1/agent/{action}             an Agent1 method (dial…)
 *   POST /api/v1/contacts/{action}          a Contacts1 method (lookup, search, history…)
 *   POST /api/v1/responses/{action}         a Responses1 method (render…)
 * Answers are JSON; a D-Bus error keeps its name: {"error": NAME, "message": TEXT}. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _WbServer WbServer;

typedef struct
{
  guint port;
  const char *const *origins;
  const char *token;
  const char *bus_name; /* sportellod's name on the session bus */
  gsize max_body;
} WbServerOptions;

/* Listens on 127.0.0.1 and ::1 (when the machine has it) at OPTIONS->port. */
WbServer *
wb_server_new (GDBusConnection *bus, const WbServerOptions *options, GError **error);
void
wb_server_free (WbServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WbServer, wb_server_free)

G_END_DECLS
