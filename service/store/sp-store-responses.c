/* Standard responses: predefined texts with placeholders, searched by words and category. */
#include "sp-store-private.h"

static const char *const response_keys[] = { "id", "title", "category", "body", NULL };

static GVariant *
response_from_row (SpStmt *stmt)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "s", sp_stmt_column_text (stmt, 0));
  g_variant_dict_insert (&dict, "title", "s", sp_stmt_column_text (stmt, 1));
  g_variant_dict_insert (&dict, "category", "s", sp_stmt_column_text (stmt, 2));
  g_variant_dict_insert (&dict, "body", "s", sp_stmt_column_text (stmt, 3));
  return g_variant_dict_end (&dict);
}

GVariant *
sp_store_response_get (SpStore *store, const char *id, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store, "SELECT id, title, category, body FROM responses WHERE id = ?1", error);
  int rc;

  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return response_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND,
                 "no standard response has the id '%s'", id);
  else
    sp_store_set_error (store, rc, error, "reading a response");
  return NULL;
}

static GVariant *
collect_rows (SpStore *store, SpStmt *stmt, GError **error)
{
  GVariantBuilder builder;
  int rc;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add_value (&builder, response_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      sp_store_set_error (store, rc, error, "searching responses");
      return NULL;
    }
  return g_variant_builder_end (&builder);
}

GVariant *
sp_store_response_search (SpStore *store, const char *text, guint limit, GError **error)
{
  g_autofree char *category = NULL;
  g_autofree char *query = sp_store_fts_query (text, &category);
  g_autoptr (SpStmt) stmt = NULL;

  if (*query)
    stmt = sp_store_prepare (
      store,
      "SELECT r.id, r.title, r.category, r.body FROM responses_fts f"
      " JOIN responses r ON r.rowid = f.rowid"
      " WHERE responses_fts MATCH ?1 AND (?2 IS NULL OR r.category = ?2 COLLATE NOCASE)"
      " ORDER BY f.rank LIMIT ?3",
      error);
  else
    stmt = sp_store_prepare (
      store,
      "SELECT id, title, category, body FROM responses"
      " WHERE (?2 IS NULL OR category = ?2 COLLATE NOCASE) ORDER BY category, title LIMIT ?3",
      error);
  if (!stmt)
    return NULL;
  if (*query)
    sp_stmt_bind_text (stmt, 1, query);
  if (category)
    sp_stmt_bind_text (stmt, 2, category);
  sqlite3_bind_int64 (stmt, 3, limit ? limit : 50);
  return collect_rows (store, stmt, error);
}

GStrv
sp_store_response_categories (SpStore *store, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store, "SELECT DISTINCT category FROM responses WHERE category != '' ORDER BY category", error);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  if (!stmt)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, sp_stmt_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      sp_store_set_error (store, rc, error, "listing categories");
      return NULL;
    }
  return g_strv_builder_end (builder);
}

static gboolean
validate_response (GVariant *response, gboolean is_new, GError **error)
{
  const char *title, *body, *category, *id;

  if (!sp_record_check_keys (response, response_keys, error)
      || !sp_record_get_string (response, "id", &id, error)
      || !sp_record_get_string (response, "title", &title, error)
      || !sp_record_get_string (response, "body", &body, error)
      || !sp_record_get_string (response, "category", &category, error))
    return FALSE;
  if (id && !*id)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "key 'id' must not be empty (leave it out for a new response)");
      return FALSE;
    }
  if (id && !sp_store_check_id (id, error))
    return FALSE;
  if (is_new && (!title || !*title || !body || !*body))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "a new response needs a non-empty 'title' and 'body'");
      return FALSE;
    }
  return TRUE;
}

static char *
save_one (SpStore *store, GVariant *response, GError **error)
{
  const char *given_id = NULL;
  const char *title = NULL, *category = NULL, *body = NULL;
  g_autoptr (GVariant) existing = NULL;
  g_autofree char *id = NULL;
  g_autoptr (SpStmt) stmt = NULL;

  sp_record_get_string (response, "id", &given_id, NULL);
  if (given_id)
    existing = sp_store_response_get (store, given_id, NULL);
  if (!validate_response (response, existing == NULL, error))
    return NULL;
  id = given_id ? g_strdup (given_id) : sp_store_new_id ("r");
  sp_record_get_string (response, "title", &title, NULL);
  sp_record_get_string (response, "category", &category, NULL);
  sp_record_get_string (response, "body", &body, NULL);
  /* SQLite checks NOT NULL before ON CONFLICT: an update that leaves out title or body must
   * still bind the stored value for the INSERT half of the upsert. */
  if (existing && !title)
    g_variant_lookup (existing, "title", "&s", &title);
  if (existing && !body)
    g_variant_lookup (existing, "body", "&s", &body);
  stmt = sp_store_prepare (
    store,
    "INSERT INTO responses (id, title, category, body, updated) VALUES (?1, ?2, COALESCE(?3, ''), "
    "?4, ?5)"
    " ON CONFLICT(id) DO UPDATE SET title = COALESCE(?2, title), category = COALESCE(?3, category),"
    " body = COALESCE(?4, body), updated = ?5",
    error);
  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, id);
  if (title)
    sp_stmt_bind_text (stmt, 2, title);
  if (category)
    sp_stmt_bind_text (stmt, 3, category);
  if (body)
    sp_stmt_bind_text (stmt, 4, body);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (!sp_store_step_done (store, stmt, error))
    return NULL;
  return g_steal_pointer (&id);
}

char *
sp_store_response_save (SpStore *store, GVariant *response, GError **error)
{
  return sp_store_save_one (store, response, save_one, error);
}

gboolean
sp_store_response_delete (SpStore *store, const char *id, GError **error)
{
  return sp_store_delete_by_id (store, "DELETE FROM responses WHERE id = ?1", id,
                                "standard response", error);
}

guint
sp_store_response_import (SpStore *store, GVariant *responses, GError **error)
{
  return sp_store_import_all (store, responses, save_one, error);
}
