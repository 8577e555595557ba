/* The shared store's loader (sp-shared-store.h): opens the sync module once (sp-module.h) and
 * forwards to the module's table. */
#include "sp-shared-store.h"

#include <string.h>

#include "sp-module.h"
#include "sp-shared-store-module.h"

static const SpSharedStoreModule *
load_module (GError **error)
{
  static const SpSharedStoreModule *table;

  if (!table)
    table = sp_module_load ("sportello-sync", "sync", SP_MODULE_DIR, SP_SHARED_STORE_MODULE_SYMBOL,
                            SP_SHARED_STORE_MODULE_ABI, error);
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
