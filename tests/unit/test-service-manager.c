/* sp_service_manager_notify against a datagram socket standing for systemd: by path and by
 * abstract name, nothing without $NOTIFY_SOCKET, an error for a socket nobody listens on. */
#include "sp-service-manager.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <unistd.h>

static GSocket *
listen_at (GSocketAddress *address)
{
  g_autoptr (GError) error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  return socket;
}

static char *
received (GSocket *socket)
{
  g_autoptr (GError) error = NULL;
  char buffer[256];
  gssize length;

  g_socket_set_timeout (socket, 5);
  length = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  return g_strndup (buffer, length);
}

/* Sends STATE and checks that SOCKET got exactly it. */
static void
assert_notified (GSocket *socket, const char *state)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  g_assert_true (sp_service_manager_notify (state, &error));
  g_assert_no_error (error);
  message = received (socket);
  g_assert_cmpstr (message, ==, state);
}

static void
test_notify_by_path (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sp-notify-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notify", NULL);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GSocket) socket = listen_at (address);

  g_setenv ("NOTIFY_SOCKET", path, TRUE);
  assert_notified (socket, "READY=1\nSTATUS=Ready for interactions");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_notify_by_abstract_name (void)
{
  g_autofree char *name = g_strdup_printf ("sp-notify-test-%d", (int)getpid ());
  g_autofree char *variable = g_strconcat ("@", name, NULL);
  g_autoptr (GSocketAddress) address
    = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  g_autoptr (GSocket) socket = listen_at (address);

  g_setenv ("NOTIFY_SOCKET", variable, TRUE);
  assert_notified (socket, "STOPPING=1");
}

static void
test_no_service_manager (void)
{
  g_autoptr (GError) error = NULL;

  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_false (sp_service_manager_notify ("READY=1", &error));
  g_assert_no_error (error);
  g_setenv ("NOTIFY_SOCKET", "relative/path", TRUE);
  g_assert_false (sp_service_manager_notify ("READY=1", &error));
  g_assert_no_error (error);
}

static void
test_nobody_listening (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sp-notify-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "gone", NULL);

  g_setenv ("NOTIFY_SOCKET", path, TRUE);
  g_assert_false (sp_service_manager_notify ("READY=1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/service-manager/notify-by-path", test_notify_by_path);
  g_test_add_func ("/service-manager/notify-by-abstract-name", test_notify_by_abstract_name);
  g_test_add_func ("/service-manager/no-service-manager", test_no_service_manager);
  g_test_add_func ("/service-manager/nobody-listening", test_nobody_listening);
  return g_test_run ();
}
