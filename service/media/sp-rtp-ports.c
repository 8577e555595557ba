/* RTP/RTCP port pairs from the configured range. The sockets stay open for the whole call and
 * are handed to udpsrc and udpsink alike, so we send from the port we announced (symmetric
 * RTP, which NATs and PBXs latch onto). */
#include "sp-rtp-ports.h"
#include "sp-media-error.h"

typedef enum
{
  BIND_OK,
  BIND_BUSY,
  BIND_FAILED,
} BindResult;

static BindResult
bind_one (GInetAddress *address, guint port, GSocket **out, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;

  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return BIND_FAILED;

  socket_address = g_inet_socket_address_new (address, port);
  if (!g_socket_bind (socket, socket_address, FALSE, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        return BIND_BUSY;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return BIND_FAILED;
    }
  *out = g_steal_pointer (&socket);
  return BIND_OK;
}

static BindResult
bind_pair_at (GInetAddress *address, guint port, GSocket **rtp, GSocket **rtcp, GError **error)
{
  g_autoptr (GSocket) first = NULL;
  BindResult result;

  result = bind_one (address, port, &first, error);
  if (result != BIND_OK)
    return result;
  result = bind_one (address, port + 1, rtcp, error);
  if (result != BIND_OK)
    return result;
  *rtp = g_steal_pointer (&first);
  return BIND_OK;
}

gboolean
sp_rtp_ports_bind_pair (const char *local_address, guint port_min, guint port_max,
                        GSocket **rtp_socket, GSocket **rtcp_socket, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  const char *text = local_address != NULL ? local_address : "0.0.0.0";

  g_return_val_if_fail (rtp_socket != NULL && *rtp_socket == NULL, FALSE);
  g_return_val_if_fail (rtcp_socket != NULL && *rtcp_socket == NULL, FALSE);

  address = g_inet_address_new_from_string (text);
  if (address == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an IP address", text);
      return FALSE;
    }
  if (port_min == 0 || port_max > 65535 || port_min > port_max)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "%u-%u is not a usable RTP port range", port_min, port_max);
      return FALSE;
    }

  /* RTP takes the even port of each pair (RFC 3550 §11), so an odd minimum starts one later. */
  for (guint port = port_min + (port_min & 1); port + 1 <= port_max; port += 2)
    {
      BindResult result = bind_pair_at (address, port, rtp_socket, rtcp_socket, error);

      if (result == BIND_OK)
        return TRUE;
      if (result == BIND_FAILED)
        return FALSE;
    }

  g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_PORTS_EXHAUSTED,
               "No free RTP/RTCP port pair in %u-%u on %s", port_min, port_max, text);
  return FALSE;
}

guint16
sp_rtp_ports_get_port (GSocket *socket)
{
  g_autoptr (GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}
