/* Tells the service manager how sportellod is doing (systemd's notification protocol, as
 * sd_notify(3) documents it: one datagram of "KEY=VALUE" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name). Written here rather than
 * linked from libsystemd, which with its compression and crypto libraries cost about 0.5 MiB of
 * resident pages for this one call. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends STATE ("READY=1\nSTATUS=…"); TRUE when sent, FALSE (ERROR unset) when no service manager
 * listens ($NOTIFY_SOCKET unset), FALSE with ERROR when the socket refused it. */
gboolean
sp_service_manager_notify (const char *state, GError **error);

G_END_DECLS
