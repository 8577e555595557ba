/* Interactions: a row is written when the interaction begins and then as it changes (notes,
 * case data, dispositions, the answer, the end, video, pushes), so a crash loses nothing the
 * service acknowledged; Mark Done writes it all once more in one transaction. Every write, and
 * a heartbeat while the call is live, moves the row's last-known-alive time: rows still 'live'
 * at start-up belong to a crashed run and become 'interrupted', ended at that time. */
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
    " attached_data, case_data, alive) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
  sqlite3_bind_int64 (stmt, 9, g_get_real_time ());
  if (!sp_store_step_done (store, stmt, error))
    return NULL;
  return g_steal_pointer (&id);
}

/* Every UPDATE of one live record binds the id as ?1 and the time now as ?2, and moves
 * `alive` forward with "alive = MAX(alive, ?2)". */
static SpStmt *
prepare_update (SpStore *store, const char *sql, const char *interaction_id, GError **error)
{
  SpStmt *stmt;

  if (!sp_store_check_writable (store, error))
    return NULL;
  stmt = sp_store_prepare (store, sql, error);
  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  return stmt;
}

static gboolean
finish_update (SpStore *store, SpStmt *stmt, const char *interaction_id, GError **error)
{
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
update_one_text (SpStore *store, const char *sql, const char *interaction_id, const char *text,
                 GError **error)
{
  g_autoptr (SpStmt) stmt = prepare_update (store, sql, interaction_id, error);

  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 3, text);
  return finish_update (store, stmt, interaction_id, error);
}

gboolean
sp_store_interaction_set_notes (SpStore *store, const char *interaction_id, const char *notes,
                                GError **error)
{
  return update_one_text (
    store, "UPDATE interactions SET notes = ?3, alive = MAX(alive, ?2) WHERE id = ?1",
    interaction_id, notes, error);
}

gboolean
sp_store_interaction_set_case_data (SpStore *store, const char *interaction_id, GVariant *case_data,
                                    GError **error)
{
  g_autofree char *json = dict_to_json (case_data);
  return update_one_text (
    store, "UPDATE interactions SET case_data = ?3, alive = MAX(alive, ?2) WHERE id = ?1",
    interaction_id, json, error);
}

gboolean
sp_store_interaction_set_answered (SpStore *store, const char *interaction_id, gint64 answered,
                                   GError **error)
{
  g_autoptr (SpStmt) stmt = prepare_update (
    store, "UPDATE interactions SET answered = ?3, alive = MAX(alive, ?2) WHERE id = ?1",
    interaction_id, error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 3, answered);
  return finish_update (store, stmt, interaction_id, error);
}

gboolean
sp_store_interaction_set_ended (SpStore *store, const char *interaction_id, gint64 ended,
                                const char *end_actor, const char *end_reason, GError **error)
{
  g_autoptr (SpStmt) stmt
    = prepare_update (store,
                      "UPDATE interactions SET ended = ?3, end_actor = ?4, end_reason = ?5,"
                      " alive = MAX(alive, ?2) WHERE id = ?1",
                      interaction_id, error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 3, ended);
  sp_stmt_bind_text (stmt, 4, end_actor);
  sp_stmt_bind_text (stmt, 5, end_reason);
  return finish_update (store, stmt, interaction_id, error);
}

gboolean
sp_store_interaction_set_video_used (SpStore *store, const char *interaction_id, GError **error)
{
  g_autoptr (SpStmt) stmt = prepare_update (
    store, "UPDATE interactions SET video = 1, alive = MAX(alive, ?2) WHERE id = ?1",
    interaction_id, error);

  return stmt && finish_update (store, stmt, interaction_id, error);
}

gboolean
sp_store_interaction_set_encrypted (SpStore *store, const char *interaction_id, GError **error)
{
  g_autoptr (SpStmt) stmt = prepare_update (
    store, "UPDATE interactions SET encrypted = 1, alive = MAX(alive, ?2) WHERE id = ?1",
    interaction_id, error);

  return stmt && finish_update (store, stmt, interaction_id, error);
}

/* The heartbeat: only the last-known-alive time, and only while the row is live. */
gboolean
sp_store_interaction_touch (SpStore *store, const char *interaction_id, GError **error)
{
  g_autoptr (SpStmt) stmt = prepare_update (
    store, "UPDATE interactions SET alive = MAX(alive, ?2) WHERE id = ?1 AND status = 'live'",
    interaction_id, error);

  return stmt && finish_update (store, stmt, interaction_id, error);
}

/* Replaces the selected codes, inside the caller's transaction. */
static gboolean
write_dispositions (SpStore *store, const char *interaction_id, const char *const *codes,
                    GError **error)
{
  g_autoptr (SpStmt) clear
    = sp_store_prepare (store,
                        "DELETE FROM interaction_dispositions WHERE interaction = "
                        "(SELECT rowid FROM interactions WHERE id = ?1)",
                        error);
  g_autoptr (SpStmt) insert = NULL;

  if (!clear)
    return FALSE;
  sp_stmt_bind_text (clear, 1, interaction_id);
  if (!sp_store_step_done (store, clear, error))
    return FALSE;
  insert = sp_store_prepare (store,
                             "INSERT OR IGNORE INTO interaction_dispositions (interaction, code)"
                             " SELECT rowid, ?2 FROM interactions WHERE id = ?1",
                             error);
  if (!insert)
    return FALSE;
  for (guint i = 0; codes && codes[i]; i++)
    {
      sqlite3_reset (insert);
      sp_stmt_bind_text (insert, 1, interaction_id);
      sp_stmt_bind_text (insert, 2, codes[i]);
      if (!sp_store_step_done (store, insert, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
touch_in_transaction (SpStore *store, const char *interaction_id, GError **error)
{
  g_autoptr (SpStmt) stmt = prepare_update (
    store, "UPDATE interactions SET alive = MAX(alive, ?2) WHERE id = ?1", interaction_id, error);

  return stmt && finish_update (store, stmt, interaction_id, error);
}

/* The whole selection in one transaction: all the codes or, on a failure, the previous ones. */
gboolean
sp_store_interaction_set_dispositions (SpStore *store, const char *interaction_id,
                                       const char *const *codes, GError **error)
{
  if (!sp_store_begin (store, error))
    return FALSE;
  if (!touch_in_transaction (store, interaction_id, error)
      || !write_dispositions (store, interaction_id, codes, error)
      || !sp_store_commit (store, error))
    {
      sp_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_participant (SpStore *store, SpStmt *stmt, const char *interaction_id, GVariant *party,
                   GError **error)
{
  static const char *const text_keys[] = { "id", "role", "uri", "name", "state" };
  gint64 joined = 0, left = 0;

  sqlite3_reset (stmt);
  sp_stmt_bind_text (stmt, 1, interaction_id);
  for (guint i = 0; i < G_N_ELEMENTS (text_keys); i++)
    {
      const char *value = "";

      g_variant_lookup (party, text_keys[i], "&s", &value);
      sp_stmt_bind_text (stmt, (int)i + 2, value);
    }
  g_variant_lookup (party, "joined", "x", &joined);
  g_variant_lookup (party, "left", "x", &left);
  sqlite3_bind_int64 (stmt, 7, joined);
  sqlite3_bind_int64 (stmt, 8, left);
  return sp_store_step_done (store, stmt, error);
}

gboolean
sp_store_interaction_set_participants (SpStore *store, const char *interaction_id,
                                       GVariant *participants, GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;
  GVariantIter iter;
  GVariant *party;

  if (!sp_store_begin (store, error))
    return FALSE;
  if (!touch_in_transaction (store, interaction_id, error))
    goto failed;
  stmt = sp_store_prepare (
    store,
    "INSERT INTO interaction_participants"
    " (interaction, party, role, uri, name, state, joined, left)"
    " SELECT rowid, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM interactions WHERE id = ?1"
    " ON CONFLICT (interaction, party) DO UPDATE SET role = excluded.role, uri = excluded.uri,"
    " name = excluded.name, state = excluded.state, joined = excluded.joined,"
    " left = excluded.left",
    error);
  if (!stmt)
    goto failed;
  g_variant_iter_init (&iter, participants);
  while ((party = g_variant_iter_next_value (&iter)))
    {
      gboolean written = write_participant (store, stmt, interaction_id, party, error);

      g_variant_unref (party);
      if (!written)
        goto failed;
    }
  if (sp_store_commit (store, error))
    return TRUE;

failed:
  sp_store_rollback (store);
  return FALSE;
}

/* A push is a row from its start ('live', ended 0); returns that row's id, or 0. */
gint64
sp_store_interaction_push_started (SpStore *store, const char *interaction_id, const char *item_id,
                                   gint64 started, GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;
  gint64 push;

  if (!sp_store_begin (store, error))
    return 0;
  if (!touch_in_transaction (store, interaction_id, error))
    goto failed;
  stmt = sp_store_prepare (
    store,
    "INSERT INTO interaction_pushes (interaction, item_id, started, ended, ended_by)"
    " SELECT rowid, ?2, ?3, 0, 'live' FROM interactions WHERE id = ?1",
    error);
  if (!stmt)
    goto failed;
  sp_stmt_bind_text (stmt, 1, interaction_id);
  sp_stmt_bind_text (stmt, 2, item_id);
  sqlite3_bind_int64 (stmt, 3, started);
  if (!sp_store_step_done (store, stmt, error))
    goto failed;
  push = sqlite3_last_insert_rowid (store->db);
  if (!sp_store_commit (store, error))
    return 0;
  return push;

failed:
  sp_store_rollback (store);
  return 0;
}

gboolean
sp_store_interaction_push_ended (SpStore *store, gint64 push, gint64 ended, const char *ended_by,
                                 GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;
  g_autoptr (SpStmt) touch = NULL;

  if (!sp_store_begin (store, error))
    return FALSE;
  stmt = sp_store_prepare (store,
                           "UPDATE interaction_pushes SET ended = ?2, ended_by = ?3"
                           " WHERE rowid = ?1 AND ended_by = 'live'",
                           error);
  if (!stmt)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, push);
  sqlite3_bind_int64 (stmt, 2, ended);
  sp_stmt_bind_text (stmt, 3, ended_by);
  if (!sp_store_step_done (store, stmt, error))
    goto failed;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND,
                   "no running push is recorded as %" G_GINT64_FORMAT, push);
      goto failed;
    }
  touch = sp_store_prepare (
    store,
    "UPDATE interactions SET alive = MAX(alive, ?2)"
    " WHERE rowid = (SELECT interaction FROM interaction_pushes WHERE rowid = ?1)",
    error);
  if (!touch)
    goto failed;
  sqlite3_bind_int64 (touch, 1, push);
  sqlite3_bind_int64 (touch, 2, g_get_real_time ());
  if (!sp_store_step_done (store, touch, error) || !sp_store_commit (store, error))
    goto failed;
  return TRUE;

failed:
  sp_store_rollback (store);
  return FALSE;
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

/* The end of a row a crashed run left live: the end it recorded (the call had ended, Mark Done
 * had not come), else the last time it was known alive (a write or the heartbeat), never before
 * the answer or the start. */
#define INTERRUPTED_END                                                                            \
  "(CASE WHEN i.ended > 0 THEN i.ended ELSE MAX(i.alive, i.answered, i.started) END)"

static const char mark_participants_sql[]
  = "UPDATE interaction_participants SET left = MAX(joined, (SELECT " INTERRUPTED_END
    " FROM interactions i WHERE i.rowid = interaction_participants.interaction))"
    " WHERE left = 0 AND interaction IN (SELECT rowid FROM interactions WHERE status = 'live'"
    "   AND origin = '')";

static const char mark_cobrowse_sql[]
  = "UPDATE interaction_cobrowse SET ended_by = 'interrupted',"
    " ended = MAX(started, (SELECT " INTERRUPTED_END " FROM interactions i"
    "   WHERE i.rowid = interaction_cobrowse.interaction))"
    " WHERE ended_by = 'live' AND interaction IN (SELECT rowid FROM interactions WHERE origin = "
    "'')";

static const char mark_pushes_sql[]
  = "UPDATE interaction_pushes SET ended_by = 'interrupted',"
    " ended = MAX(started, (SELECT " INTERRUPTED_END " FROM interactions i"
    "   WHERE i.rowid = interaction_pushes.interaction))"
    " WHERE ended_by = 'live' AND interaction IN (SELECT rowid FROM interactions WHERE origin = "
    "'')";

/* The end actor and reason stay those recorded at the end of the call, if it ended. Only this
 * agent's own interactions: one another agent is handling is live at that agent. */
static const char mark_interactions_sql[]
  = "UPDATE interactions AS i SET status = 'interrupted', ended = " INTERRUPTED_END ","
    " end_actor = CASE WHEN i.ended > 0 THEN i.end_actor ELSE 'system' END,"
    " end_reason = CASE WHEN i.ended > 0 THEN i.end_reason ELSE 'service-restarted' END"
    " WHERE i.status = 'live' AND i.origin = ''";

guint
sp_store_interactions_mark_interrupted (SpStore *store, GError **error)
{
  guint count;

  if (store->read_only)
    return 0;
  if (!sp_store_begin (store, error))
    return 0;
  if (!sp_store_exec (store, mark_pushes_sql, error)
      || !sp_store_exec (store, mark_cobrowse_sql, error)
      || !sp_store_exec (store, mark_participants_sql, error)
      || !sp_store_exec (store, mark_interactions_sql, error))
    {
      sp_store_rollback (store);
      return 0;
    }
  count = (guint)sqlite3_changes (store->db);
  if (!sp_store_commit (store, error))
    return 0;
  return count;
}

#define HISTORY_COLUMNS                                                                            \
  "i.id, COALESCE(c.id, ''), i.direction, i.remote, i.remote_name, i.started, i.answered, "        \
  "i.ended, i.status,"                                                                             \
  " i.end_actor, i.end_reason, i.video, i.notes, i.attached_data, i.case_data,"                    \
  " (SELECT json_group_array(code) FROM (SELECT code FROM interaction_dispositions d"              \
  "   WHERE d.interaction = i.rowid ORDER BY code)),"                                              \
  " (SELECT json_group_array(json_array(item_id, started, ended, ended_by)) FROM (SELECT * FROM"   \
  "   interaction_pushes p WHERE p.interaction = i.rowid ORDER BY started)),"                      \
  " (SELECT json_group_array(json_array(party, role, uri, name, state, joined, left)) FROM"        \
  "   (SELECT * FROM interaction_participants q WHERE q.interaction = i.rowid ORDER BY rowid)),"   \
  " (SELECT json_group_array(json_array(b.started, b.joined, b.ended, b.ended_by, (SELECT"         \
  "   json_group_array(json_array(g.url, g.visited)) FROM interaction_cobrowse_pages g"            \
  "   WHERE g.cobrowse = b.rowid))) FROM interaction_cobrowse b WHERE b.interaction = i.rowid),"   \
  " i.encrypted"                                                                                   \
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

static GVariant *
participants_from_json (const char *json)
{
  static const char *const text_keys[] = { "id", "role", "uri", "name", "state" };
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonArray *party = json_array_get_array_element (array, i);
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      for (guint k = 0; k < G_N_ELEMENTS (text_keys); k++)
        g_variant_dict_insert (&dict, text_keys[k], "s", json_array_get_string_element (party, k));
      g_variant_dict_insert (&dict, "joined", "x", json_array_get_int_element (party, 5));
      g_variant_dict_insert (&dict, "left", "x", json_array_get_int_element (party, 6));
      g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
    }
  return g_variant_builder_end (&builder);
}

/* [[started, joined, ended, ended_by, [[url, visited], …]], …] as aa{sv}. */
static GVariant *
cobrowse_from_json (const char *json)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonArray *session = json_array_get_array_element (array, i);
      JsonNode *pages_node = json_array_get_element (session, 4);
      JsonArray *pages = NULL;
      GVariantBuilder page_list;
      GVariantDict dict;

      /* json_group_array() nested in json_array() arrives as an array, or as its text. */
      g_autoptr (JsonNode) parsed = NULL;
      if (JSON_NODE_HOLDS_ARRAY (pages_node))
        pages = json_node_get_array (pages_node);
      else if (JSON_NODE_HOLDS_VALUE (pages_node))
        {
          parsed = json_from_string (json_node_get_string (pages_node), NULL);
          pages = parsed && JSON_NODE_HOLDS_ARRAY (parsed) ? json_node_get_array (parsed) : NULL;
        }
      g_variant_builder_init (&page_list, G_VARIANT_TYPE ("aa{sv}"));
      for (guint p = 0; pages && p < json_array_get_length (pages); p++)
        {
          JsonArray *page = json_array_get_array_element (pages, p);
          GVariantDict entry;

          g_variant_dict_init (&entry, NULL);
          g_variant_dict_insert (&entry, "url", "s", json_array_get_string_element (page, 0));
          g_variant_dict_insert (&entry, "time", "x", json_array_get_int_element (page, 1));
          g_variant_builder_add_value (&page_list, g_variant_dict_end (&entry));
        }
      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "started", "x", json_array_get_int_element (session, 0));
      g_variant_dict_insert (&dict, "joined", "x", json_array_get_int_element (session, 1));
      g_variant_dict_insert (&dict, "ended", "x", json_array_get_int_element (session, 2));
      g_variant_dict_insert (&dict, "ended-by", "s", json_array_get_string_element (session, 3));
      g_variant_dict_insert_value (&dict, "pages", g_variant_builder_end (&page_list));
      g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
    }
  return g_variant_builder_end (&builder);
}

/* Adds key → value to an a{sv} builder. GVariantDict would parse a format string and hash every
 * key; History builds 18 entries for each of up to 20 rows per call. */
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
  add_entry (&builder, "participants", participants_from_json (sp_stmt_column_text (stmt, 17)));
  add_entry (&builder, "co-browse", cobrowse_from_json (sp_stmt_column_text (stmt, 18)));
  add_entry (&builder, "encrypted", g_variant_new_boolean (sqlite3_column_int (stmt, 19) != 0));
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
