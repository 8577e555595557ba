/* Interactions: a row is written when the interaction begins, its notes as they change (so a
 * crash loses nothing typed), and the rest in one transaction at Mark Done. Rows still 'live'
 * at start-up belong to a crashed run and become 'interrupted'. */
#include "sp-store-private.h"

#include <json-glib/json-glib.h>

static char *
dict_to_json (GVariant *dict)
{
  g_autoptr (GVariant) empty = NULL;

  if (!dict)
    dict = empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0));
  return json_gvariant_serialize_data (dict, NULL);
}

static GVariant *
dict_from_json (const char *json)
{
  g_autoptr (GError) error = NULL;
  GVariant *dict;

  /* Most rows hold no data: skip a JSON parser per row (History builds 20 rows per call). */
  if (g_str_equal (json, "{}"))
    return g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0);
  dict = json_gvariant_deserialize_data (json, -1, "a{ss}", &error);
  if (!dict)
    {
      g_warning ("a stored dictionary is not valid JSON of strings (%s); showing it empty",
                 error->message);
      dict = g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0);
    }
  return dict;
}

static gboolean
contact_rowid (SpStore *store, const char *contact_id, sqlite3_int64 *rowid, GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;
  int rc;

  *rowid = 0;
  if (!contact_id || !*contact_id)
    return TRUE;
  stmt = sp_store_prepare (store, "SELECT rowid FROM contacts WHERE id = ?1", error);
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, contact_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *rowid = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND, "no contact has the id '%s'",
                 contact_id);
  else
    sp_store_set_error (store, rc, error, "finding a contact");
  return FALSE;
}

char *
sp_store_interaction_begin (SpStore *store, const SpInteractionStart *start, GError **error)
{
  g_autofree char *id = sp_store_new_id ("i");
  g_autofree char *attached = dict_to_json (start->attached_data);
  g_autofree char *case_data = dict_to_json (start->case_data);
  g_autoptr (SpStmt) stmt = NULL;
  sqlite3_int64 contact = 0;

  if (!sp_store_check_writable (store, error)
      || !contact_rowid (store, start->contact_id, &contact, error))
    return NULL;
  stmt = sp_store_prepare (
    store,
    "INSERT INTO interactions (id, contact, direction, remote, remote_name, started,"
    " attached_data, case_data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    error);
  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, id);
  if (contact)
    sqlite3_bind_int64 (stmt, 2, contact);
  sp_stmt_bind_text (stmt, 3, start->direction);
  sp_stmt_bind_text (stmt, 4, start->remote);
  sp_stmt_bind_text (stmt, 5, start->remote_name);
  sqlite3_bind_int64 (stmt, 6, start->started);
  sp_stmt_bind_text (stmt, 7, attached);
  sp_stmt_bind_text (stmt, 8, case_data);
  if (!sp_store_step_done (store, stmt, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gboolean
update_one_text (SpStore *store, const char *sql, const char *interaction_id, const char *text,
                 GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;

  if (!sp_store_check_writable (store, error))
    return FALSE;
  stmt = sp_store_prepare (store, sql, error);
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  sp_stmt_bind_text (stmt, 2, text);
  if (!sp_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND,
                   "no interaction has the id '%s'", interaction_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_store_interaction_set_notes (SpStore *store, const char *interaction_id, const char *notes,
                                GError **error)
{
  return update_one_text (store, "UPDATE interactions SET notes = ?2 WHERE id = ?1", interaction_id,
                          notes, error);
}

gboolean
sp_store_interaction_set_case_data (SpStore *store, const char *interaction_id, GVariant *case_data,
                                    GError **error)
{
  g_autofree char *json = dict_to_json (case_data);
  return update_one_text (store, "UPDATE interactions SET case_data = ?2 WHERE id = ?1",
                          interaction_id, json, error);
}

gboolean
sp_store_interaction_add_push (SpStore *store, const char *interaction_id, const char *item_id,
                               gint64 started, gint64 ended, const char *ended_by, GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;

  if (!sp_store_check_writable (store, error))
    return FALSE;
  stmt = sp_store_prepare (
    store,
    "INSERT INTO interaction_pushes (interaction, item_id, started, ended, ended_by)"
    " SELECT rowid, ?2, ?3, ?4, ?5 FROM interactions WHERE id = ?1",
    error);
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  sp_stmt_bind_text (stmt, 2, item_id);
  sqlite3_bind_int64 (stmt, 3, started);
  sqlite3_bind_int64 (stmt, 4, ended);
  sp_stmt_bind_text (stmt, 5, ended_by);
  if (!sp_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND,
                   "no interaction has the id '%s'", interaction_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_dispositions (SpStore *store, const char *interaction_id, const char *const *codes,
                    GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store,
                        "INSERT OR IGNORE INTO interaction_dispositions (interaction, code) SELECT "
                        "rowid, ?2 FROM interactions WHERE id = ?1",
                        error);

  if (!stmt)
    return FALSE;
  for (guint i = 0; codes && codes[i]; i++)
    {
      sqlite3_reset (stmt);
      sp_stmt_bind_text (stmt, 1, interaction_id);
      sp_stmt_bind_text (stmt, 2, codes[i]);
      if (!sp_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_end (SpStore *store, const char *interaction_id, const SpInteractionEnd *end, GError **error)
{
  g_autofree char *case_data = end->case_data ? dict_to_json (end->case_data) : NULL;
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store,
                        "UPDATE interactions SET status = 'done', answered = ?2, ended = ?3,"
                        " end_actor = ?4, end_reason = ?5, video = ?6, notes = ?7,"
                        " case_data = COALESCE(?8, case_data) WHERE id = ?1 AND status = 'live'",
                        error);

  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  sqlite3_bind_int64 (stmt, 2, end->answered);
  sqlite3_bind_int64 (stmt, 3, end->ended);
  sp_stmt_bind_text (stmt, 4, end->end_actor);
  sp_stmt_bind_text (stmt, 5, end->end_reason);
  sqlite3_bind_int (stmt, 6, end->video ? 1 : 0);
  sp_stmt_bind_text (stmt, 7, end->notes);
  if (case_data)
    sp_stmt_bind_text (stmt, 8, case_data);
  if (!sp_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND,
                   "no live interaction has the id '%s'", interaction_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_store_interaction_finish (SpStore *store, const char *interaction_id,
                             const SpInteractionEnd *end, GError **error)
{
  if (!sp_store_begin (store, error))
    return FALSE;
  if (!write_end (store, interaction_id, end, error)
      || !write_dispositions (store, interaction_id, end->dispositions, error)
      || !sp_store_commit (store, error))
    {
      sp_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

guint
sp_store_interactions_mark_interrupted (SpStore *store, GError **error)
{
  if (store->read_only)
    return 0;
  if (!sp_store_exec (store,
                      "UPDATE interactions SET status = 'interrupted', end_actor = 'system',"
                      " end_reason = 'service-restarted' WHERE status = 'live'",
                      error))
    return 0;
  return (guint)sqlite3_changes (store->db);
}

#define HISTORY_COLUMNS                                                                            \
  "i.id, COALESCE(c.id, ''), i.direction, i.remote, i.remote_name, i.started, i.answered, "        \
  "i.ended, i.status,"                                                                             \
  " i.end_actor, i.end_reason, i.video, i.notes, i.attached_data, i.case_data,"                    \
  " (SELECT json_group_array(code) FROM (SELECT code FROM interaction_dispositions d"              \
  "   WHERE d.interaction = i.rowid ORDER BY code)),"                                              \
  " (SELECT json_group_array(json_array(item_id, started, ended, ended_by)) FROM (SELECT * FROM"   \
  "   interaction_pushes p WHERE p.interaction = i.rowid ORDER BY started))"                       \
  " FROM interactions i LEFT JOIN contacts c ON c.rowid = i.contact"

static GVariant *
codes_from_json (const char *json)
{
  g_autoptr (JsonNode) node = NULL;
  GVariantBuilder builder;
  JsonArray *array;

  if (g_str_equal (json, "[]"))
    return g_variant_new_array (G_VARIANT_TYPE_STRING, NULL, 0);
  node = json_from_string (json, NULL);
  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    g_variant_builder_add (&builder, "s", json_array_get_string_element (array, i));
  return g_variant_builder_end (&builder);
}

static GVariant *
pushes_from_json (const char *json)
{
  g_autoptr (JsonNode) node = NULL;
  GVariantBuilder builder;
  JsonArray *array;

  if (g_str_equal (json, "[]"))
    return g_variant_new_array (G_VARIANT_TYPE_VARDICT, NULL, 0);
  node = json_from_string (json, NULL);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonArray *push = json_array_get_array_element (array, i);
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "item-id", "s", json_array_get_string_element (push, 0));
      g_variant_dict_insert (&dict, "started", "x", json_array_get_int_element (push, 1));
      g_variant_dict_insert (&dict, "ended", "x", json_array_get_int_element (push, 2));
      g_variant_dict_insert (&dict, "ended-by", "s", json_array_get_string_element (push, 3));
      g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
    }
  return g_variant_builder_end (&builder);
}

/* Adds key → value to an a{sv} builder. GVariantDict would parse a format string and hash every
 * key; History builds 17 entries for each of up to 20 rows per call. */
static void
add_entry (GVariantBuilder *builder, const char *key, GVariant *value)
{
  g_variant_builder_add_value (
    builder, g_variant_new_dict_entry (g_variant_new_string (key), g_variant_new_variant (value)));
}

static GVariant *
interaction_from_row (SpStmt *stmt)
{
  static const char *const text_keys[]
    = { "id", "contact-id", "direction", "remote", "remote-name" };
  gint64 answered = sqlite3_column_int64 (stmt, 6);
  gint64 ended = sqlite3_column_int64 (stmt, 7);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < G_N_ELEMENTS (text_keys); i++)
    add_entry (&builder, text_keys[i], g_variant_new_string (sp_stmt_column_text (stmt, (int)i)));
  add_entry (&builder, "started", g_variant_new_int64 (sqlite3_column_int64 (stmt, 5)));
  add_entry (&builder, "answered", g_variant_new_int64 (answered));
  add_entry (&builder, "ended", g_variant_new_int64 (ended));
  add_entry (
    &builder, "duration-ms",
    g_variant_new_uint64 ((guint64)(answered && ended > answered ? (ended - answered) / 1000 : 0)));
  add_entry (&builder, "status", g_variant_new_string (sp_stmt_column_text (stmt, 8)));
  add_entry (&builder, "end-actor", g_variant_new_string (sp_stmt_column_text (stmt, 9)));
  add_entry (&builder, "end-reason", g_variant_new_string (sp_stmt_column_text (stmt, 10)));
  add_entry (&builder, "video", g_variant_new_boolean (sqlite3_column_int (stmt, 11) != 0));
  add_entry (&builder, "notes", g_variant_new_string (sp_stmt_column_text (stmt, 12)));
  add_entry (&builder, "attached-data", dict_from_json (sp_stmt_column_text (stmt, 13)));
  add_entry (&builder, "case-data", dict_from_json (sp_stmt_column_text (stmt, 14)));
  add_entry (&builder, "dispositions", codes_from_json (sp_stmt_column_text (stmt, 15)));
  add_entry (&builder, "pushes", pushes_from_json (sp_stmt_column_text (stmt, 16)));
  return g_variant_builder_end (&builder);
}

GVariant *
sp_store_history (SpStore *store, const char *contact_id, guint offset, guint limit, GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;
  GVariantBuilder builder;
  sqlite3_int64 contact;
  int rc;

  if (!contact_rowid (store, contact_id, &contact, error))
    return NULL;
  if (contact == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID, "a contact id is required");
      return NULL;
    }
  stmt = sp_store_prepare (store,
                           "SELECT " HISTORY_COLUMNS " WHERE i.contact = ?1 AND i.status != 'live'"
                           " ORDER BY i.started DESC, i.rowid DESC LIMIT ?2 OFFSET ?3",
                           error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, contact);
  sqlite3_bind_int64 (stmt, 2, limit ? limit : 20);
  sqlite3_bind_int64 (stmt, 3, offset);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add_value (&builder, interaction_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      sp_store_set_error (store, rc, error, "reading the history");
      return NULL;
    }
  return g_variant_builder_end (&builder);
}

GVariant *
sp_store_interaction_get (SpStore *store, const char *interaction_id, GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store, "SELECT " HISTORY_COLUMNS " WHERE i.id = ?1", error);
  int rc;

  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return interaction_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND, "no interaction has the id '%s'",
                 interaction_id);
  else
    sp_store_set_error (store, rc, error, "reading an interaction");
  return NULL;
}
