/* Binding an RTP/RTCP socket pair inside the configured port range, before the SDP is written. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Binds UDP sockets on LOCAL_ADDRESS (NULL: 0.0.0.0) at an even port P and P+1 (RFC 3550 §11),
 * the first such pair within [PORT_MIN, PORT_MAX] whose two ports are both free. Busy ports are
 * skipped; SP_MEDIA_ERROR_PORTS_EXHAUSTED when none is left. The sockets are not reusable by
 * anyone else (no SO_REUSEADDR), so "free" really means free. */
gboolean
sp_rtp_ports_bind_pair (const char *local_address, guint port_min, guint port_max,
                        GSocket **rtp_socket, GSocket **rtcp_socket, GError **error);

/* The local port a bound socket holds, 0 when it cannot be read. */
guint16
sp_rtp_ports_get_port (GSocket *socket);

G_END_DECLS
