/* Helpers shared by the store's files: prepared statements, transactions, error mapping. */
#pragma once

#include <sqlite3.h>

#include "sp-store.h"

G_BEGIN_DECLS

struct _SpStore
{
  sqlite3 *db;
  char *path;
  char *international_prefix;
  gboolean read_only;
  GHashTable *statements;                   /* SQL text (static) → sqlite3_stmt */
  void (*commit_func) (gpointer user_data); /* sp_store_set_commit_func() */
  gpointer commit_data;
  guint commit_idle;
};

/* A cached prepared statement; g_autoptr(SpStmt) resets it and clears its bindings. */
typedef sqlite3_stmt SpStmt;
void
sp_stmt_release (SpStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpStmt, sp_stmt_release)

SpStmt *
sp_store_prepare (SpStore *store, const char *sql, GError **error);
gboolean
sp_store_exec (SpStore *store, const char *sql, GError **error);
gboolean
sp_store_step_done (SpStore *store, SpStmt *stmt, GError **error);
gboolean
sp_store_set_error (SpStore *store, int rc, GError **error, const char *what);
gboolean
sp_store_check_writable (SpStore *store, GError **error);

gboolean
sp_store_begin (SpStore *store, GError **error);
gboolean
sp_store_commit (SpStore *store, GError **error);
void
sp_store_rollback (SpStore *store);

void
sp_stmt_bind_text (SpStmt *stmt, int index, const char *text);
const char *
sp_stmt_column_text (SpStmt *stmt, int column);
char *
sp_store_new_id (const char *prefix);
/* The ids a caller may give a record (contacts, responses, push items). */
#define SP_STORE_ID_MAX 64
#define SP_STORE_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
gboolean
sp_store_check_id (const char *id, GError **error);

/* Record helpers: typed reads of an a{sv} that name the bad key in the error. */
gboolean
sp_record_check_keys (GVariant *record, const char *const *allowed, GError **error);
gboolean
sp_record_get_string (GVariant *record, const char *key, const char **value, GError **error);
char *
sp_store_fts_query (const char *text, char **category);

/* Saves one record inside the caller's transaction; returns its id. */
typedef char *(*SpStoreSaveFunc) (SpStore *store, GVariant *record, GError **error);

char *
sp_store_save_one (SpStore *store, GVariant *record, SpStoreSaveFunc save, GError **error);
guint
sp_store_import_all (SpStore *store, GVariant *records, SpStoreSaveFunc save, GError **error);
gboolean
sp_store_delete_by_id (SpStore *store, const char *sql, const char *id, const char *what,
                       GError **error);

G_END_DECLS
