/* sportelloctl: the command-line CRM adapter for sportellod. */
#include <gio/gio.h>

int
main (int argc, char **argv)
{
  g_printerr ("sportelloctl: not yet implemented\n");
  return 2;
}
