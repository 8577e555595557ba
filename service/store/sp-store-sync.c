/* The local side of the shared store (sp-store-sync.h): reading the outbox into JSON changes and
 * writing other agents' changes into the local tables. Documents are built and taken apart by
 * SQLite's JSON functions, so a record has one description here, next to its tables. */
#include "sp-store-private.h"
#include "sp-store-sync.h"
#include "sp-store-sync-schema.h"

#define CONTACT_DOC                                                                                \
  "json_object('id', c.id, 'first-name', c.first_name, 'last-name', c.last_name,"                  \
  " 'organisation', c.organisation, 'email', c.email, 'notes', c.notes, 'created', c.created,"     \
  " 'updated', c.updated, 'addresses', json((SELECT json_group_array(json_array(a.position,"       \
  " a.address, a.normalised)) FROM contact_addresses a WHERE a.contact = c.rowid)))"

#define INTERACTION_DOC                                                                            \
  "json_object('id', i.id, 'contact', (SELECT id FROM contacts WHERE rowid = i.contact),"          \
  " 'direction', i.direction, 'remote', i.remote, 'remote-name', i.remote_name,"                   \
  " 'started', i.started, 'answered', i.answered, 'ended', i.ended, 'status', i.status,"           \
  " 'end-actor', i.end_actor, 'end-reason', i.end_reason, 'video', i.video,"                       \
  " 'encrypted', i.encrypted, 'alive', i.alive, 'attached-data', json(i.attached_data),"           \
  " 'case-data', json(i.case_data), 'notes', i.notes,"                                             \
  " 'dispositions', json((SELECT json_group_array(code) FROM interaction_dispositions"             \
  "   WHERE interaction = i.rowid)),"                                                              \
  " 'pushes', json((SELECT json_group_array(json_array(item_id, started, ended, ended_by))"        \
  "   FROM interaction_pushes WHERE interaction = i.rowid)),"                                      \
  " 'participants', json((SELECT json_group_array(json_array(party, role, uri, name, state,"       \
  "   joined, left)) FROM interaction_participants WHERE interaction = i.rowid)),"                 \
  " 'co-browse', json((SELECT json_group_array(json_array(b.started, b.joined, b.ended,"           \
  "   b.ended_by, json((SELECT json_group_array(json_array(g.url, g.visited))"                     \
  "   FROM interaction_cobrowse_pages g WHERE g.cobrowse = b.rowid))))"                            \
  "   FROM interaction_cobrowse b WHERE b.interaction = i.rowid)))"

#define RESPONSE_DOC                                                                               \
  "json_object('id', r.id, 'title', r.title, 'category', r.category, 'body', r.body,"              \
  " 'updated', r.updated)"

#define PUSH_ITEM_DOC                                                                              \
  "json_object('id', p.id, 'title', p.title, 'description', p.description, 'kind', p.kind,"        \
  " 'path', p.path, 'thumbnail', p.thumbnail, 'duration-ms', p.duration_ms, 'added', p.added,"     \
  " 'has-audio', p.has_audio)"

/* Each kind: the change as JSON from the local row (?1 the id, ?2 now), with its version: a
 * contact's or response's own update time, a push item's addition, for an interaction the time it
 * is read (only its agent writes it, so each reading is newer than the last). No row: the record
 * was deleted, and the deletion's version is the time it is read. */
typedef struct
{
  const char *kind;
  const char *change_sql;
  gboolean deletable;
} SyncKind;

static const SyncKind sync_kinds[] = {
  { "contact",
    "SELECT json_object('kind', 'contact', 'id', c.id, 'updated', c.updated, 'doc', " CONTACT_DOC
    ") FROM contacts c WHERE c.id = ?1",
    TRUE },
  { "interaction",
    "SELECT json_object('kind', 'interaction', 'id', i.id, 'updated', MAX(?2, i.started),"
    " 'doc', " INTERACTION_DOC ") FROM interactions i WHERE i.id = ?1 AND i.origin = ''",
    FALSE },
  { "response",
    "SELECT json_object('kind', 'response', 'id', r.id, 'updated', r.updated, 'doc', " RESPONSE_DOC
    ") FROM responses r WHERE r.id = ?1",
    TRUE },
  { "push-item",
    "SELECT json_object('kind', 'push-item', 'id', p.id, 'updated', p.added, 'doc', " PUSH_ITEM_DOC
    ") FROM push_items p WHERE p.id = ?1",
    TRUE },
};

static const SyncKind *
find_kind (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (sync_kinds); i++)
    if (g_str_equal (sync_kinds[i].kind, kind))
      return &sync_kinds[i];
  return NULL;
}

/* Appends the change of one record to @batch; FALSE only on a database error. */
static gboolean
append_change (SpStore *store, GString *batch, const SyncKind *kind, const char *id, gint64 now,
               gboolean *appended, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (store, kind->change_sql, error);
  g_autoptr (SpStmt) gone = NULL;
  int rc;

  *appended = FALSE;
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sp_store_set_error (store, rc, error, "reading a change");
  if (rc == SQLITE_DONE && !kind->deletable)
    return TRUE;
  if (rc == SQLITE_DONE)
    {
      gone = sp_store_prepare (store,
                               "SELECT json_object('kind', ?1, 'id', ?2, 'updated', ?3, 'deleted',"
                               " json('true'))",
                               error);
      if (!gone)
        return FALSE;
      sp_stmt_bind_text (gone, 1, kind->kind);
      sp_stmt_bind_text (gone, 2, id);
      sqlite3_bind_int64 (gone, 3, now);
      if ((rc = sqlite3_step (gone)) != SQLITE_ROW)
        return sp_store_set_error (store, rc, error, "reading a change");
      stmt = g_steal_pointer (&gone);
    }
  g_string_append (batch, batch->len > 1 ? "," : "");
  g_string_append (batch, sp_stmt_column_text (stmt, 0));
  *appended = TRUE;
  return TRUE;
}

static gboolean
set_peeked (SpStore *store, gint64 up_to, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store, "UPDATE sync_state SET value = ?1 WHERE key = 'peeked' AND value < ?1", error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, up_to);
  return sp_store_step_done (store, stmt, error);
}

char *
sp_store_outbox_peek (SpStore *store, guint max_entries, gint64 *up_to, guint *records,
                      GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store,
    "SELECT kind, record, MIN(seq), MAX(MAX(seq)) OVER () FROM"
    " (SELECT * FROM sync_outbox ORDER BY seq LIMIT ?1) GROUP BY kind, record ORDER BY 3",
    error);
  g_autoptr (GString) batch = g_string_new ("[");
  gint64 now = g_get_real_time ();
  int rc;

  *up_to = 0;
  *records = 0;
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, max_entries);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const SyncKind *kind = find_kind (sp_stmt_column_text (stmt, 0));
      gboolean appended = FALSE;

      *up_to = sqlite3_column_int64 (stmt, 3);
      if (kind
          && !append_change (store, batch, kind, sp_stmt_column_text (stmt, 1), now, &appended,
                             error))
        return NULL;
      *records += appended ? 1 : 0;
    }
  if (rc != SQLITE_DONE)
    {
      sp_store_set_error (store, rc, error, "reading the outbox");
      return NULL;
    }
  g_clear_pointer (&stmt, sp_stmt_release);
  /* What is read now is on its way: a change made from here on is queued again. */
  if (*up_to && !store->read_only && !set_peeked (store, *up_to, error))
    return NULL;
  g_string_append_c (batch, ']');
  return g_string_free (g_steal_pointer (&batch), FALSE);
}

gboolean
sp_store_outbox_done (SpStore *store, gint64 up_to, GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;

  if (!sp_store_check_writable (store, error))
    return FALSE;
  stmt = sp_store_prepare (store, "DELETE FROM sync_outbox WHERE seq <= ?1", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, up_to);
  return sp_store_step_done (store, stmt, error);
}

static gint64
single_integer (SpStore *store, const char *sql, const char *text, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (store, sql, error);
  int rc;

  if (!stmt)
    return -1;
  if (text)
    sp_stmt_bind_text (stmt, 1, text);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    return 0;
  sp_store_set_error (store, rc, error, "reading the sync state");
  return -1;
}

/* The outbox only grows at its end and is emptied from its start (sp_store_outbox_done), so
 * its length is the distance between its ends: two index look-ups, however long it is (each
 * MIN and MAX on its own; together in one SELECT, SQLite would scan the table). */
guint
sp_store_outbox_pending (SpStore *store, GError **error)
{
  gint64 n = single_integer (
    store,
    "SELECT COALESCE((SELECT MAX(seq) FROM sync_outbox) - (SELECT MIN(seq) FROM sync_outbox) + 1,"
    " 0)",
    NULL, error);

  return n > 0 ? (guint)n : 0;
}

/* What an import queues, contacts first and interactions last (a contact is in the shared store
 * before its history): each table's shareable rows, by rowid. A slice is found first (the last
 * rowid of the next ?2 after ?1), then queued (the rows after ?1 up to ?2). */
#define SHAREABLE(kind, table, where)                                                              \
  {                                                                                                \
    "SELECT COUNT(*) FROM " table " WHERE 1" where,                                                \
      "SELECT MAX(rowid) FROM (SELECT rowid FROM " table " WHERE rowid > ?1" where                 \
      " ORDER BY rowid LIMIT ?2)",                                                                 \
      "INSERT INTO sync_outbox (kind, record, queued) SELECT '" kind "', id, " SP_SYNC_NOW         \
      " FROM " table " WHERE rowid > ?1 AND rowid <= ?2" where                                     \
  }

static const struct
{
  const char *count_sql;
  const char *last_sql;
  const char *queue_sql;
} shareable[] = {
  SHAREABLE ("contact", "contacts", ""),
  SHAREABLE ("response", "responses", ""),
  SHAREABLE ("push-item", "push_items", ""),
  SHAREABLE ("interaction", "interactions", " AND origin = ''"),
};

guint
sp_store_count_shareable (SpStore *store, GError **error)
{
  gint64 total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (shareable); i++)
    {
      gint64 n = single_integer (store, shareable[i].count_sql, NULL, error);

      if (n < 0)
        return 0;
      total += n;
    }
  return (guint)total;
}

/* One table's next slice, inside the caller's transaction. */
static gboolean
queue_slice (SpStore *store, SpStoreImportCursor *cursor, guint max, guint *count, GError **error)
{
  g_autoptr (SpStmt) last = sp_store_prepare (store, shareable[cursor->table].last_sql, error);
  g_autoptr (SpStmt) queue = sp_store_prepare (store, shareable[cursor->table].queue_sql, error);
  gint64 up_to;
  int rc;

  *count = 0;
  if (!last || !queue)
    return FALSE;
  sqlite3_bind_int64 (last, 1, cursor->after);
  sqlite3_bind_int64 (last, 2, max);
  if ((rc = sqlite3_step (last)) != SQLITE_ROW)
    return sp_store_set_error (store, rc, error, "queueing the store");
  if (sqlite3_column_type (last, 0) == SQLITE_NULL)
    {
      cursor->table++;
      cursor->after = 0;
      return TRUE;
    }
  up_to = sqlite3_column_int64 (last, 0);
  sqlite3_bind_int64 (queue, 1, cursor->after);
  sqlite3_bind_int64 (queue, 2, up_to);
  if (!sp_store_step_done (store, queue, error))
    return FALSE;
  *count = (guint)sqlite3_changes (store->db);
  cursor->after = up_to;
  return TRUE;
}

guint
sp_store_outbox_queue_some (SpStore *store, SpStoreImportCursor *cursor, guint max,
                            gboolean *finished, GError **error)
{
  guint queued = 0;

  *finished = cursor->table >= G_N_ELEMENTS (shareable);
  if (*finished)
    return 0;
  if (!sp_store_begin (store, error))
    return 0;
  while (queued < max && cursor->table < G_N_ELEMENTS (shareable))
    {
      guint count;

      if (!queue_slice (store, cursor, max - queued, &count, error))
        {
          sp_store_rollback (store);
          return 0;
        }
      queued += count;
    }
  if (!sp_store_commit (store, error))
    return 0;
  *finished = cursor->table >= G_N_ELEMENTS (shareable);
  return queued;
}

gint64
sp_store_sync_cursor (SpStore *store, const char *source, GError **error)
{
  return single_integer (store,
                         "SELECT CASE WHEN (SELECT value FROM sync_state WHERE key = 'source') = ?1"
                         " THEN (SELECT value FROM sync_state WHERE key = 'cursor') ELSE 0 END",
                         source, error);
}

/* ---- Other agents' changes ---------------------------------------------------------------- */

/* Values are read from the change's document (?1) with json_extract. */

/* Runs @sql, an upsert of @change: its document as ?1, its version as ?2. */
static gboolean
upsert_document (SpStore *store, const char *sql, const SpRemoteChange *change, GError **error)
{
  g_autoptr (SpStmt) upsert = sp_store_prepare (store, sql, error);

  if (!upsert)
    return FALSE;
  sp_stmt_bind_text (upsert, 1, change->doc);
  sqlite3_bind_int64 (upsert, 2, change->updated);
  return sp_store_step_done (store, upsert, error);
}

/* A newer version replaces the local one; the addresses follow only when it did. A number that
 * already belongs to another local contact stays with that one. */
static gboolean
apply_contact (SpStore *store, const SpRemoteChange *change, GError **error)
{
  g_autoptr (SpStmt) clear = NULL;
  g_autoptr (SpStmt) addresses = NULL;

  if (!upsert_document (
        store,
        "INSERT INTO contacts (id, first_name, last_name, organisation, email, notes, created,"
        " updated) VALUES (json_extract(?1, '$.id'), json_extract(?1, '$.\"first-name\"'),"
        " json_extract(?1, '$.\"last-name\"'), json_extract(?1, '$.organisation'),"
        " json_extract(?1, '$.email'), json_extract(?1, '$.notes'),"
        " json_extract(?1, '$.created'), ?2)"
        " ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name,"
        " last_name = excluded.last_name, organisation = excluded.organisation,"
        " email = excluded.email, notes = excluded.notes, updated = excluded.updated"
        " WHERE excluded.updated > contacts.updated",
        change, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    return TRUE;
  clear = sp_store_prepare (store,
                            "DELETE FROM contact_addresses WHERE contact ="
                            " (SELECT rowid FROM contacts WHERE id = ?1)",
                            error);
  addresses = sp_store_prepare (
    store,
    "INSERT OR IGNORE INTO contact_addresses (contact, position, address, normalised)"
    " SELECT (SELECT rowid FROM contacts WHERE id = ?2), json_extract(value, '$[0]'),"
    " json_extract(value, '$[1]'), json_extract(value, '$[2]')"
    " FROM json_each(?1, '$.addresses')",
    error);
  if (!clear || !addresses)
    return FALSE;
  sp_stmt_bind_text (clear, 1, change->id);
  sp_stmt_bind_text (addresses, 1, change->doc);
  sp_stmt_bind_text (addresses, 2, change->id);
  return sp_store_step_done (store, clear, error) && sp_store_step_done (store, addresses, error);
}

static gboolean
apply_response (SpStore *store, const SpRemoteChange *change, GError **error)
{
  return upsert_document (
    store,
    "INSERT INTO responses (id, title, category, body, updated)"
    " VALUES (json_extract(?1, '$.id'), json_extract(?1, '$.title'),"
    " json_extract(?1, '$.category'), json_extract(?1, '$.body'), ?2)"
    " ON CONFLICT (id) DO UPDATE SET title = excluded.title, category = excluded.category,"
    " body = excluded.body, updated = excluded.updated WHERE excluded.updated > responses.updated",
    change, error);
}

static gboolean
apply_push_item (SpStore *store, const SpRemoteChange *change, GError **error)
{
  return upsert_document (
    store,
    "INSERT INTO push_items (id, title, description, kind, path, thumbnail, duration_ms, added,"
    " has_audio) VALUES (json_extract(?1, '$.id'), json_extract(?1, '$.title'),"
    " json_extract(?1, '$.description'), json_extract(?1, '$.kind'), json_extract(?1, '$.path'),"
    " json_extract(?1, '$.thumbnail'), json_extract(?1, '$.\"duration-ms\"'), ?2,"
    " json_extract(?1, '$.\"has-audio\"'))"
    " ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
    " description = excluded.description, kind = excluded.kind, path = excluded.path,"
    " thumbnail = excluded.thumbnail, duration_ms = excluded.duration_ms,"
    " added = excluded.added, has_audio = excluded.has_audio"
    " WHERE excluded.added > push_items.added",
    change, error);
}

/* The parts of an interaction, replaced as a whole: ?1 the document, ?2 the interaction's id. */
static const char *const interaction_parts_sql[] = {
  "DELETE FROM interaction_dispositions WHERE interaction ="
  " (SELECT rowid FROM interactions WHERE id = ?2 AND origin != '') AND ?1 IS NOT NULL",
  "DELETE FROM interaction_pushes WHERE interaction ="
  " (SELECT rowid FROM interactions WHERE id = ?2 AND origin != '') AND ?1 IS NOT NULL",
  "DELETE FROM interaction_participants WHERE interaction ="
  " (SELECT rowid FROM interactions WHERE id = ?2 AND origin != '') AND ?1 IS NOT NULL",
  "DELETE FROM interaction_cobrowse WHERE interaction ="
  " (SELECT rowid FROM interactions WHERE id = ?2 AND origin != '') AND ?1 IS NOT NULL",
  "INSERT OR IGNORE INTO interaction_dispositions (interaction, code)"
  " SELECT i.rowid, value FROM interactions i, json_each(?1, '$.dispositions')"
  " WHERE i.id = ?2 AND i.origin != ''",
  "INSERT INTO interaction_pushes (interaction, item_id, started, ended, ended_by)"
  " SELECT i.rowid, json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
  " json_extract(value, '$[2]'), json_extract(value, '$[3]')"
  " FROM interactions i, json_each(?1, '$.pushes') WHERE i.id = ?2 AND i.origin != ''",
  "INSERT INTO interaction_participants (interaction, party, role, uri, name, state, joined, left)"
  " SELECT i.rowid, json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
  " json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'),"
  " json_extract(value, '$[5]'), json_extract(value, '$[6]')"
  " FROM interactions i, json_each(?1, '$.participants') WHERE i.id = ?2 AND i.origin != ''",
};

/* Co-browse sessions one by one: each session's pages refer to its new row. */
static gboolean
apply_cobrowse (SpStore *store, const SpRemoteChange *change, GError **error)
{
  g_autoptr (SpStmt) sessions = sp_store_prepare (
    store,
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
    " json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'),"
    " i.rowid FROM interactions i, json_each(?1, '$.\"co-browse\"')"
    " WHERE i.id = ?2 AND i.origin != ''",
    error);
  int rc;

  if (!sessions)
    return FALSE;
  sp_stmt_bind_text (sessions, 1, change->doc);
  sp_stmt_bind_text (sessions, 2, change->id);
  while ((rc = sqlite3_step (sessions)) == SQLITE_ROW)
    {
      g_autoptr (SpStmt) session = sp_store_prepare (
        store,
        "INSERT INTO interaction_cobrowse (interaction, started, joined, ended, ended_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
        error);
      g_autoptr (SpStmt) pages = sp_store_prepare (
        store,
        "INSERT INTO interaction_cobrowse_pages (cobrowse, url, visited) SELECT ?2,"
        " json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)",
        error);

      if (!session || !pages)
        return FALSE;
      for (int i = 0; i < 4; i++)
        sqlite3_bind_value (session, i + 2, sqlite3_column_value (sessions, i));
      sqlite3_bind_value (session, 1, sqlite3_column_value (sessions, 5));
      if (!sp_store_step_done (store, session, error))
        return FALSE;
      sp_stmt_bind_text (pages, 1, sp_stmt_column_text (sessions, 4));
      sqlite3_bind_int64 (pages, 2, sqlite3_last_insert_rowid (store->db));
      if (!sp_store_step_done (store, pages, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return sp_store_set_error (store, rc, error, "reading a co-browse session");
  return TRUE;
}

/* Another agent's interaction, as that agent last recorded it; this agent's own rows are never
 * touched (their id is theirs alone). */
static gboolean
apply_interaction (SpStore *store, const SpRemoteChange *change, GError **error)
{
  g_autoptr (SpStmt) upsert = sp_store_prepare (
    store,
    "INSERT INTO interactions (id, contact, direction, remote, remote_name, started, answered,"
    " ended, status, end_actor, end_reason, video, encrypted, alive, attached_data, case_data,"
    " notes, origin) VALUES (json_extract(?1, '$.id'),"
    " (SELECT rowid FROM contacts WHERE id = json_extract(?1, '$.contact')),"
    " json_extract(?1, '$.direction'), json_extract(?1, '$.remote'),"
    " json_extract(?1, '$.\"remote-name\"'), json_extract(?1, '$.started'),"
    " json_extract(?1, '$.answered'), json_extract(?1, '$.ended'), json_extract(?1, '$.status'),"
    " json_extract(?1, '$.\"end-actor\"'), json_extract(?1, '$.\"end-reason\"'),"
    " json_extract(?1, '$.video'), json_extract(?1, '$.encrypted'), json_extract(?1, '$.alive'),"
    " json_extract(?1, '$.\"attached-data\"'), json_extract(?1, '$.\"case-data\"'),"
    " json_extract(?1, '$.notes'), ?2)"
    " ON CONFLICT (id) DO UPDATE SET contact = excluded.contact, direction = excluded.direction,"
    " remote = excluded.remote, remote_name = excluded.remote_name, started = excluded.started,"
    " answered = excluded.answered, ended = excluded.ended, status = excluded.status,"
    " end_actor = excluded.end_actor, end_reason = excluded.end_reason, video = excluded.video,"
    " encrypted = excluded.encrypted, alive = excluded.alive,"
    " attached_data = excluded.attached_data, case_data = excluded.case_data,"
    " notes = excluded.notes, origin = excluded.origin WHERE interactions.origin != ''",
    error);

  if (!upsert)
    return FALSE;
  sp_stmt_bind_text (upsert, 1, change->doc);
  sp_stmt_bind_text (upsert, 2, change->origin && *change->origin ? change->origin : "?");
  if (!sp_store_step_done (store, upsert, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (interaction_parts_sql); i++)
    {
      g_autoptr (SpStmt) part = sp_store_prepare (store, interaction_parts_sql[i], error);

      if (!part)
        return FALSE;
      sp_stmt_bind_text (part, 1, change->doc);
      sp_stmt_bind_text (part, 2, change->id);
      if (!sp_store_step_done (store, part, error))
        return FALSE;
    }
  return apply_cobrowse (store, change, error);
}

/* A deletion removes the local record unless it changed after the deletion. */
static gboolean
apply_deletion (SpStore *store, const SpRemoteChange *change, GError **error)
{
  static const struct
  {
    const char *kind;
    const char *sql;
  } deletions[] = {
    { "contact", "DELETE FROM contacts WHERE id = ?1 AND updated <= ?2" },
    { "response", "DELETE FROM responses WHERE id = ?1 AND updated <= ?2" },
    { "push-item", "DELETE FROM push_items WHERE id = ?1 AND added <= ?2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (deletions); i++)
    if (g_str_equal (deletions[i].kind, change->kind))
      {
        g_autoptr (SpStmt) stmt = sp_store_prepare (store, deletions[i].sql, error);

        if (!stmt)
          return FALSE;
        sp_stmt_bind_text (stmt, 1, change->id);
        sqlite3_bind_int64 (stmt, 2, change->updated);
        return sp_store_step_done (store, stmt, error);
      }
  return TRUE;
}

static gboolean
apply_one (SpStore *store, const SpRemoteChange *change, GError **error)
{
  if (change->deleted || !change->doc)
    return apply_deletion (store, change, error);
  if (g_str_equal (change->kind, "contact"))
    return apply_contact (store, change, error);
  if (g_str_equal (change->kind, "interaction"))
    return apply_interaction (store, change, error);
  if (g_str_equal (change->kind, "response"))
    return apply_response (store, change, error);
  if (g_str_equal (change->kind, "push-item"))
    return apply_push_item (store, change, error);
  return TRUE; /* a kind from a newer version: not ours to keep */
}

static gboolean
set_state (SpStore *store, const char *key, const char *text, gint64 number, GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store, "UPDATE sync_state SET value = ?2 WHERE key = ?1", error);

  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, key);
  if (text)
    sp_stmt_bind_text (stmt, 2, text);
  else
    sqlite3_bind_int64 (stmt, 2, number);
  return sp_store_step_done (store, stmt, error);
}

gboolean
sp_store_set_sharing (SpStore *store, gboolean sharing, GError **error)
{
  if (store->read_only)
    return TRUE;
  return set_state (store, "sharing", NULL, sharing ? 1 : 0, error);
}

gboolean
sp_store_apply_remote (SpStore *store, const char *source, const SpRemoteChange *changes,
                       guint n_changes, gint64 cursor, GError **error)
{
  if (!sp_store_begin (store, error))
    return FALSE;
  if (!set_state (store, "applying", NULL, 1, error))
    goto failed;
  for (guint i = 0; i < n_changes; i++)
    if (!apply_one (store, &changes[i], error))
      {
        g_prefix_error (error, "the %s '%s' from the shared store: ", changes[i].kind,
                        changes[i].id);
        goto failed;
      }
  if (!set_state (store, "applying", NULL, 0, error)
      || !set_state (store, "cursor", NULL, cursor, error)
      || !set_state (store, "source", source, 0, error))
    goto failed;
  return sp_store_commit (store, error);

failed:
  sp_store_rollback (store);
  return FALSE;
}

/* ---- Telling the sync that something may be queued ------------------------------------- */

static gboolean
run_commit_func (gpointer data)
{
  SpStore *store = data;

  store->commit_idle = 0;
  if (store->commit_func)
    store->commit_func (store->commit_data);
  return G_SOURCE_REMOVE;
}

/* SQLite's commit hook: no database work allowed here, only a note for the main loop. */
static int
on_commit (void *data)
{
  SpStore *store = data;

  if (!store->commit_idle)
    store->commit_idle = g_idle_add (run_commit_func, store);
  return 0;
}

void
sp_store_set_commit_func (SpStore *store, SpStoreCommitFunc func, gpointer user_data)
{
  store->commit_func = func;
  store->commit_data = user_data;
  sqlite3_commit_hook (store->db, func ? on_commit : NULL, store);
  if (!func)
    g_clear_handle_id (&store->commit_idle, g_source_remove);
}
