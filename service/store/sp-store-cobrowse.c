/* The co-browse sessions of an interaction and the pages visited, written as they happen (never
 * refused: the call goes on when the disk does not). */
#include "sp-store-private.h"

gint64
sp_store_cobrowse_started (SpStore *store, const char *interaction_id, gint64 started,
                           GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store,
    "INSERT INTO interaction_cobrowse (interaction, started, joined, ended, ended_by)"
    " SELECT rowid, ?2, 0, 0, 'live' FROM interactions WHERE id = ?1",
    error);

  if (!stmt)
    return 0;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  sqlite3_bind_int64 (stmt, 2, started);
  if (!sp_store_step_done (store, stmt, error))
    return 0;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND, "no interaction '%s'",
                   interaction_id);
      return 0;
    }
  return sqlite3_last_insert_rowid (store->db);
}

static gboolean
update_one (SpStore *store, const char *sql, gint64 cobrowse, gint64 time, const char *text,
            GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (store, sql, error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, cobrowse);
  sqlite3_bind_int64 (stmt, 2, time);
  if (text)
    sp_stmt_bind_text (stmt, 3, text);
  if (!sp_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 1)
    return TRUE;
  g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND,
               "no live co-browse is recorded as %" G_GINT64_FORMAT, cobrowse);
  return FALSE;
}

gboolean
sp_store_cobrowse_joined (SpStore *store, gint64 cobrowse, gint64 joined, GError **error)
{
  return update_one (store,
                     "UPDATE interaction_cobrowse SET joined = ?2"
                     " WHERE rowid = ?1 AND ended_by = 'live'",
                     cobrowse, joined, NULL, error);
}

gboolean
sp_store_cobrowse_page (SpStore *store, gint64 cobrowse, const char *url, gint64 visited,
                        GError **error)
{
  return update_one (store,
                     "INSERT INTO interaction_cobrowse_pages (cobrowse, visited, url)"
                     " SELECT rowid, ?2, ?3 FROM interaction_cobrowse"
                     " WHERE rowid = ?1 AND ended_by = 'live'",
                     cobrowse, visited, url, error);
}

gboolean
sp_store_cobrowse_ended (SpStore *store, gint64 cobrowse, gint64 ended, const char *ended_by,
                         GError **error)
{
  return update_one (store,
                     "UPDATE interaction_cobrowse SET ended = ?2, ended_by = ?3"
                     " WHERE rowid = ?1 AND ended_by = 'live'",
                     cobrowse, ended, ended_by, error);
}
