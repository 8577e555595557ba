#include "sp-module.h"

#include <gio/gio.h>
#include <gmodule.h>

/* The build tree keeps a module in service/SUBDIR/, beside service/sportellod. */
static char *
path_next_to_executable (const char *name, const char *build_subdir)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree char *module_dir = dir ? g_build_filename (dir, build_subdir, NULL) : NULL;

  return module_dir ? g_module_build_path (module_dir, name) : NULL;
}

static GModule *
open_module (const char *name, const char *build_subdir, const char *installed_dir)
{
  const char *dir = g_getenv (SP_MODULE_DIR_ENV);
  g_autofree char *local
    = dir ? g_module_build_path (dir, name) : path_next_to_executable (name, build_subdir);
  g_autofree char *installed = NULL;
  GModule *module = NULL;

  if (local && g_file_test (local, G_FILE_TEST_EXISTS))
    module = g_module_open (local, G_MODULE_BIND_LOCAL);
  if (!module && !dir)
    {
      installed = g_module_build_path (installed_dir, name);
      module = g_module_open (installed, G_MODULE_BIND_LOCAL);
    }
  return module;
}

gconstpointer
sp_module_load (const char *name, const char *build_subdir, const char *installed_dir,
                const char *symbol, guint abi, GError **error)
{
  GModule *module = open_module (name, build_subdir, installed_dir);
  gpointer table = NULL;

  if (!module)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the module %s cannot be loaded: %s",
                   name, g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, symbol, &table) || !table || *(const guint *)table != abi)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s is not a module of this sportellod", g_module_name (module));
      g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  return table;
}
