/* sportellod's optional parts that pull in libraries of their own (the shared store's libpq,
 * the router's HTTP client) are modules, opened only when the configuration asks for them, so
 * an agent who needs neither never maps those libraries. A module exports one table of
 * functions whose first member is its ABI number. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_MODULE_DIR_ENV "SPORTELLO_MODULE_DIR"

/* Opens module NAME once and returns its table SYMBOL, checked against ABI: from
 * $SPORTELLO_MODULE_DIR when set, else from BUILD_SUBDIR beside this sportellod when it runs
 * from the build tree, else from INSTALLED_DIR. The module stays loaded for the life of the
 * process (it registers GObject types). */
gconstpointer
sp_module_load (const char *name, const char *build_subdir, const char *installed_dir,
                const char *symbol, guint abi, GError **error);

G_END_DECLS
