#include "sp-service-manager.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

static GSocketAddress *
notify_address (const char *name)
{
  if (name[0] == '@')
    return g_unix_socket_address_new_with_type (name + 1, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  return g_unix_socket_address_new (name);
}

gboolean
sp_service_manager_notify (const char *state, GError **error)
{
  const char *name = g_getenv ("NOTIFY_SOCKET");
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) address = NULL;

  if (name == NULL || (name[0] != '/' && name[0] != '@') || name[1] == '\0')
    return FALSE;
  socket
    = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return FALSE;
  address = notify_address (name);
  return g_socket_send_to (socket, address, state, strlen (state), NULL, error) >= 0;
}
