/* The shared store's loader (sp-shared-store.h): opens the sync module once — from
 * $SPORTELLO_MODULE_DIR when set, else from the build tree next to this sportellod when it runs
 * from there, else from the installed module directory — and forwards to the module's table. */
#include "sp-shared-store.h"

#include <gmodule.h>
#include <string.h>

#include "sp-shared-store-module.h"

#define MODULE_NAME "sportello-sync"

/* The build tree keeps the module in service/sync/, beside service/sportellod. */
static char *
module_next_to_executable (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree char *sync_dir = dir ? g_build_filename (dir, "sync", NULL) : NULL;

  return sync_dir ? g_module_build_path (sync_dir, MODULE_NAME) : NULL;
}

static const SpSharedStoreModule *
load_module (GError **error)
{
  static const SpSharedStoreModule *table;
  g_autofree char *local = NULL;
  g_autofree char *installed = NULL;
  const char *dir = g_getenv ("SPORTELLO_MODULE_DIR");
  GModule *module = NULL;
  gpointer symbol = NULL;

  if (table)
    return table;
  local = dir ? g_module_build_path (dir, MODULE_NAME) : module_next_to_executable ();
  if (local && g_file_test (local, G_FILE_TEST_EXISTS))
    module = g_module_open (local, G_MODULE_BIND_LOCAL);
  if (!module && !dir)
    {
      installed = g_module_build_path (SP_SYNC_MODULE_DIR, MODULE_NAME);
      module = g_module_open (installed, G_MODULE_BIND_LOCAL);
    }
  if (!module)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the shared store's module cannot be loaded: %s", g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, SP_SHARED_STORE_MODULE_SYMBOL, &symbol) || !symbol
      || ((const SpSharedStoreModule *)symbol)->abi != SP_SHARED_STORE_MODULE_ABI)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s is not a sync module of this sportellod", g_module_name (module));
      g_module_close (module);
      return NULL;
    }
  /* It registers a GObject type: it stays loaded for the life of the process. */
  g_module_make_resident (module);
  table = symbol;
  return table;
}

SpSharedStore *
sp_shared_store_new (SpStore *store, const char *uri, const char *origin, GError **error)
{
  const SpSharedStoreModule *table = load_module (error);
  g_autofree char *shown = sp_shared_store_redact_uri (uri);

  if (!table)
    return NULL;
  return table->create (store, uri, shown, origin);
}

GVariant *
sp_shared_store_describe (SpSharedStore *self)
{
  return load_module (NULL)->describe (self);
}

guint
sp_shared_store_import (SpSharedStore *self, GError **error)
{
  return load_module (NULL)->import (self, error);
}

void
sp_shared_store_stop (SpSharedStore *self)
{
  load_module (NULL)->stop (self);
}

char *
sp_shared_store_redact_uri (const char *uri)
{
  const char *scheme_end = strstr (uri, "://");
  const char *at;
  const char *colon;

  if (!scheme_end)
    return g_strdup (uri);
  at = strchr (scheme_end + 3, '@');
  colon = strchr (scheme_end + 3, ':');
  if (!at || !colon || colon > at || strchr (scheme_end + 3, '/') < at)
    return g_strdup (uri);
  return g_strdup_printf ("%.*s%s", (int)(colon - uri), uri, at);
}
