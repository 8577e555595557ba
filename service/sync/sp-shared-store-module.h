/* What the sync module (libsportello-sync.so) gives the loader (sp-shared-store.c): one table of
 * functions under the symbol SP_SHARED_STORE_MODULE_SYMBOL. The module calls the store and the
 * Secret Service functions of the sportellod that loads it (sportellod exports its symbols). */
#pragma once

#include <gio/gio.h>

#include "sp-store.h"

G_BEGIN_DECLS

#define SP_SHARED_STORE_MODULE_SYMBOL "sp_shared_store_module"
#define SP_SHARED_STORE_MODULE_ABI 1

typedef struct
{
  guint abi; /* SP_SHARED_STORE_MODULE_ABI of the module's build */
  GObject *(*create) (SpStore *store, const char *uri, const char *shown_uri, const char *origin);
  GVariant *(*describe) (GObject *sync);
  guint (*import) (GObject *sync, GError **error);
  void (*stop) (GObject *sync);
} SpSharedStoreModule;

G_END_DECLS
