/* The push catalogue: clips and still images the agent can stream to a contact. */
#include "sp-store-private.h"

#define PUSH_COLUMNS "id, title, description, kind, path, thumbnail, duration_ms, has_audio"

static GVariant *
item_from_row (SpStmt *stmt)
{
  static const char *const text_keys[]
    = { "id", "title", "description", "kind", "path", "thumbnail" };
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (text_keys); i++)
    g_variant_dict_insert (&dict, text_keys[i], "s", sp_stmt_column_text (stmt, (int)i));
  g_variant_dict_insert (&dict, "duration-ms", "t", (guint64)sqlite3_column_int64 (stmt, 6));
  g_variant_dict_insert (&dict, "has-audio", "b", (gboolean)(sqlite3_column_int (stmt, 7) != 0));
  return g_variant_dict_end (&dict);
}

GVariant *
sp_store_push_list (SpStore *store, GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store, "SELECT " PUSH_COLUMNS " FROM push_items ORDER BY title, id", error);
  GVariantBuilder builder;
  int rc;

  if (!stmt)
    return NULL;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add_value (&builder, item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      sp_store_set_error (store, rc, error, "listing the push catalogue");
      return NULL;
    }
  return g_variant_builder_end (&builder);
}

GVariant *
sp_store_push_get (SpStore *store, const char *id, GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store, "SELECT " PUSH_COLUMNS " FROM push_items WHERE id = ?1", error);
  int rc;

  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND, "no push item has the id '%s'",
                 id);
  else
    sp_store_set_error (store, rc, error, "reading a push item");
  return NULL;
}

char *
sp_store_push_new_id (void)
{
  return sp_store_new_id ("p");
}

/* @item: id (optional), title, description, kind ("video"|"image"), path, thumbnail, duration-ms
 * (t), has-audio (b, optional). */
char *
sp_store_push_add (SpStore *store, GVariant *item, GError **error)
{
  static const char *const keys[] = { "id",        "title",       "description", "kind", "path",
                                      "thumbnail", "duration-ms", "has-audio",   NULL };
  const char *given_id = NULL, *title = NULL, *description = NULL, *kind = NULL, *path = NULL,
             *thumbnail = NULL;
  guint64 duration_ms = 0;
  g_autoptr (GVariant) has_audio = NULL;
  g_autofree char *id = NULL;
  g_autoptr (SpStmt) stmt = NULL;

  if (!sp_store_check_writable (store, error) || !sp_record_check_keys (item, keys, error)
      || !sp_record_get_string (item, "id", &given_id, error)
      || !sp_record_get_string (item, "title", &title, error)
      || !sp_record_get_string (item, "description", &description, error)
      || !sp_record_get_string (item, "kind", &kind, error)
      || !sp_record_get_string (item, "path", &path, error)
      || !sp_record_get_string (item, "thumbnail", &thumbnail, error))
    return NULL;
  if (!title || !*title || !path || !*path || !kind
      || !g_variant_lookup (item, "duration-ms", "t", &duration_ms))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "a push item needs 'title', 'kind', 'path' (s) and 'duration-ms' (t)");
      return NULL;
    }
  has_audio = g_variant_lookup_value (item, "has-audio", NULL);
  if (has_audio && !g_variant_is_of_type (has_audio, G_VARIANT_TYPE_BOOLEAN))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "key 'has-audio' must be a boolean (b), not %s",
                   g_variant_get_type_string (has_audio));
      return NULL;
    }
  if (given_id && *given_id && !sp_store_check_id (given_id, error))
    return NULL;
  id = given_id && *given_id ? g_strdup (given_id) : sp_store_push_new_id ();
  stmt = sp_store_prepare (store,
                           "INSERT INTO push_items (id, title, description, kind, path, thumbnail,"
                           " duration_ms, added, has_audio)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           error);
  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, id);
  sp_stmt_bind_text (stmt, 2, title);
  sp_stmt_bind_text (stmt, 3, description);
  sp_stmt_bind_text (stmt, 4, kind);
  sp_stmt_bind_text (stmt, 5, path);
  sp_stmt_bind_text (stmt, 6, thumbnail);
  sqlite3_bind_int64 (stmt, 7, (sqlite3_int64)duration_ms);
  sqlite3_bind_int64 (stmt, 8, g_get_real_time ());
  sqlite3_bind_int (stmt, 9, has_audio && g_variant_get_boolean (has_audio));
  if (!sp_store_step_done (store, stmt, error))
    {
      if (error && g_error_matches (*error, SP_STORE_ERROR, SP_STORE_ERROR_CONFLICT))
        (*error)->code = SP_STORE_ERROR_INVALID;
      return NULL;
    }
  return g_steal_pointer (&id);
}

gboolean
sp_store_push_remove (SpStore *store, const char *id, GError **error)
{
  return sp_store_delete_by_id (store, "DELETE FROM push_items WHERE id = ?1", id, "push item",
                                error);
}
