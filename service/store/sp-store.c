/* Opening the database, schema migrations (PRAGMA user_version) and the helpers every store
 * file uses. A damaged or read-only file is never rewritten: it is reported and left alone. */
#include "sp-store-private.h"
#include "sp-store-sync-schema.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (sp - store - error - quark, sp_store_error)

/* Each entry moves the schema from version i to i + 1. Never edit a released entry: add one. */
static const char *const migrations[] = {
  /* 1: contacts, history, notes, dispositions, responses, push catalogue */
  "CREATE TABLE contacts ("
  "  rowid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  first_name TEXT NOT NULL DEFAULT '',"
  "  last_name TEXT NOT NULL DEFAULT '',"
  "  organisation TEXT NOT NULL DEFAULT '',"
  "  email TEXT NOT NULL DEFAULT '',"
  "  notes TEXT NOT NULL DEFAULT '',"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL);"
  "CREATE TABLE contact_addresses ("
  "  contact INTEGER NOT NULL REFERENCES contacts(rowid) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  address TEXT NOT NULL,"
  "  normalised TEXT NOT NULL UNIQUE,"
  "  PRIMARY KEY (contact, position)) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE contacts_fts USING fts5("
  "  first_name, last_name, organisation, email, notes,"
  "  content='contacts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');"
  "CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN"
  "  INSERT INTO contacts_fts(rowid, first_name, last_name, organisation, email, notes)"
  "  VALUES (new.rowid, new.first_name, new.last_name, new.organisation, new.email, new.notes);"
  "END;"
  "CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN"
  "  INSERT INTO contacts_fts(contacts_fts, rowid, first_name, last_name, organisation, email, "
  "notes)"
  "  VALUES ('delete', old.rowid, old.first_name, old.last_name, old.organisation, old.email, "
  "old.notes);"
  "END;"
  "CREATE TRIGGER contacts_fts_update AFTER UPDATE ON contacts BEGIN"
  "  INSERT INTO contacts_fts(contacts_fts, rowid, first_name, last_name, organisation, email, "
  "notes)"
  "  VALUES ('delete', old.rowid, old.first_name, old.last_name, old.organisation, old.email, "
  "old.notes);"
  "  INSERT INTO contacts_fts(rowid, first_name, last_name, organisation, email, notes)"
  "  VALUES (new.rowid, new.first_name, new.last_name, new.organisation, new.email, new.notes);"
  "END;"
  "CREATE TABLE interactions ("
  "  rowid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  contact INTEGER REFERENCES contacts(rowid) ON DELETE SET NULL,"
  "  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),"
  "  remote TEXT NOT NULL,"
  "  remote_name TEXT NOT NULL DEFAULT '',"
  "  started INTEGER NOT NULL,"
  "  answered INTEGER NOT NULL DEFAULT 0,"
  "  ended INTEGER NOT NULL DEFAULT 0,"
  "  status TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'done', 'interrupted')),"
  "  end_actor TEXT NOT NULL DEFAULT '',"
  "  end_reason TEXT NOT NULL DEFAULT '',"
  "  video INTEGER NOT NULL DEFAULT 0,"
  "  attached_data TEXT NOT NULL DEFAULT '{}',"
  "  case_data TEXT NOT NULL DEFAULT '{}',"
  "  notes TEXT NOT NULL DEFAULT '');"
  "CREATE INDEX interactions_by_contact ON interactions(contact, started DESC);"
  "CREATE INDEX interactions_live ON interactions(status) WHERE status = 'live';"
  "CREATE TABLE interaction_dispositions ("
  "  interaction INTEGER NOT NULL REFERENCES interactions(rowid) ON DELETE CASCADE,"
  "  code TEXT NOT NULL,"
  "  PRIMARY KEY (interaction, code)) WITHOUT ROWID;"
  "CREATE TABLE interaction_pushes ("
  "  rowid INTEGER PRIMARY KEY,"
  "  interaction INTEGER NOT NULL REFERENCES interactions(rowid) ON DELETE CASCADE,"
  "  item_id TEXT NOT NULL,"
  "  started INTEGER NOT NULL,"
  "  ended INTEGER NOT NULL,"
  "  ended_by TEXT NOT NULL CHECK (ended_by IN ('stop', 'end-of-clip', 'error', 'call-ended')));"
  "CREATE INDEX interaction_pushes_by_interaction ON interaction_pushes(interaction);"
  "CREATE TABLE responses ("
  "  rowid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  title TEXT NOT NULL,"
  "  category TEXT NOT NULL DEFAULT '',"
  "  body TEXT NOT NULL,"
  "  updated INTEGER NOT NULL);"
  "CREATE INDEX responses_by_category ON responses(category);"
  "CREATE VIRTUAL TABLE responses_fts USING fts5("
  "  title, body, category, content='responses', content_rowid='rowid',"
  "  tokenize='unicode61 remove_diacritics 2');"
  "CREATE TRIGGER responses_fts_insert AFTER INSERT ON responses BEGIN"
  "  INSERT INTO responses_fts(rowid, title, body, category) VALUES (new.rowid, new.title, "
  "new.body, new.category);"
  "END;"
  "CREATE TRIGGER responses_fts_delete AFTER DELETE ON responses BEGIN"
  "  INSERT INTO responses_fts(responses_fts, rowid, title, body, category)"
  "  VALUES ('delete', old.rowid, old.title, old.body, old.category);"
  "END;"
  "CREATE TRIGGER responses_fts_update AFTER UPDATE ON responses BEGIN"
  "  INSERT INTO responses_fts(responses_fts, rowid, title, body, category)"
  "  VALUES ('delete', old.rowid, old.title, old.body, old.category);"
  "  INSERT INTO responses_fts(rowid, title, body, category) VALUES (new.rowid, new.title, "
  "new.body, new.category);"
  "END;"
  "CREATE TABLE push_items ("
  "  rowid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  title TEXT NOT NULL,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  kind TEXT NOT NULL CHECK (kind IN ('video', 'image')),"
  "  path TEXT NOT NULL,"
  "  thumbnail TEXT NOT NULL DEFAULT '',"
  "  duration_ms INTEGER NOT NULL,"
  "  added INTEGER NOT NULL);",
  /* 2: whether a push clip has a sound track (AddPushItem measures it) */
  "ALTER TABLE push_items ADD COLUMN has_audio INTEGER NOT NULL DEFAULT 0;",
  /* 3: the last time a live interaction was known alive (every write and a heartbeat move it),
   * which becomes the end of an interaction the service did not live to finish; pushes are
   * recorded when they start ('live') so a crash keeps them ('interrupted'). SQLite cannot
   * change a CHECK constraint in place: the pushes table is copied into a new one. */
  "ALTER TABLE interactions ADD COLUMN alive INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE interaction_pushes_3 ("
  "  rowid INTEGER PRIMARY KEY,"
  "  interaction INTEGER NOT NULL REFERENCES interactions(rowid) ON DELETE CASCADE,"
  "  item_id TEXT NOT NULL,"
  "  started INTEGER NOT NULL,"
  "  ended INTEGER NOT NULL,"
  "  ended_by TEXT NOT NULL CHECK (ended_by IN ('live', 'stop', 'end-of-clip', 'error',"
  "    'call-ended', 'interrupted')));"
  "INSERT INTO interaction_pushes_3 (rowid, interaction, item_id, started, ended, ended_by)"
  "  SELECT rowid, interaction, item_id, started, ended, ended_by FROM interaction_pushes;"
  "DROP TABLE interaction_pushes;"
  "ALTER TABLE interaction_pushes_3 RENAME TO interaction_pushes;"
  "CREATE INDEX interaction_pushes_by_interaction ON interaction_pushes(interaction);",
  /* 4: the parties of each interaction (the contact, consulted people, conferenced agents): who,
   * in what role, when they joined and left, and how their leg ended */
  "CREATE TABLE interaction_participants ("
  "  rowid INTEGER PRIMARY KEY,"
  "  interaction INTEGER NOT NULL REFERENCES interactions(rowid) ON DELETE CASCADE,"
  "  party TEXT NOT NULL,"
  "  role TEXT NOT NULL,"
  "  uri TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  joined INTEGER NOT NULL,"
  "  left INTEGER NOT NULL,"
  "  UNIQUE (interaction, party));",
  /* 5: co-browse sessions of an interaction (docs/co-browse.md) and the pages visited in each */
  "CREATE TABLE interaction_cobrowse ("
  "  rowid INTEGER PRIMARY KEY,"
  "  interaction INTEGER NOT NULL REFERENCES interactions(rowid) ON DELETE CASCADE,"
  "  started INTEGER NOT NULL,"
  "  joined INTEGER NOT NULL,"
  "  ended INTEGER NOT NULL,"
  "  ended_by TEXT NOT NULL CHECK (ended_by IN ('live', 'stopped', 'call-ended',"
  "    'customer-left', 'expired', 'interrupted')));"
  "CREATE INDEX interaction_cobrowse_by_interaction ON interaction_cobrowse(interaction);"
  "CREATE TABLE interaction_cobrowse_pages ("
  "  rowid INTEGER PRIMARY KEY,"
  "  cobrowse INTEGER NOT NULL REFERENCES interaction_cobrowse(rowid) ON DELETE CASCADE,"
  "  visited INTEGER NOT NULL,"
  "  url TEXT NOT NULL);"
  "CREATE INDEX interaction_cobrowse_pages_by_cobrowse ON interaction_cobrowse_pages(cobrowse);",
  /* 6: whether the call's media were encrypted (SRTP) */
  "ALTER TABLE interactions ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;",
  /* 7: the shared store (sp-store-sync.c): every change is queued in the outbox by a trigger, in
   * the very transaction of the write; interactions other agents handled are marked by origin */
  SP_STORE_SYNC_MIGRATION,
};

int
sp_store_get_latest_schema_version (void)
{
  return (int)G_N_ELEMENTS (migrations);
}

void
sp_stmt_release (SpStmt *stmt)
{
  if (!stmt)
    return;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static gboolean
is_unavailable_code (int rc)
{
  switch (rc & 0xff)
    {
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
      case SQLITE_READONLY:
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN:
      case SQLITE_PERM:
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return TRUE;
      default:
        return FALSE;
    }
}

/* Always returns FALSE, so callers can `return sp_store_set_error (...)`. */
gboolean
sp_store_set_error (SpStore *store, int rc, GError **error, const char *what)
{
  const char *detail = store && store->db ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc);

  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_CONFLICT, "%s: %s", what, detail);
  else if (is_unavailable_code (rc))
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE,
                 "%s: the database %s cannot be used: %s", what, store ? store->path : "", detail);
  else
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_FAILED, "%s: %s", what, detail);
  return FALSE;
}

gboolean
sp_store_check_writable (SpStore *store, GError **error)
{
  if (!store->read_only)
    return TRUE;
  g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE,
               "the database %s is read-only; nothing can be saved until it is writable again",
               store->path);
  return FALSE;
}

SpStmt *
sp_store_prepare (SpStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (store->statements, sql);
  int rc;

  if (stmt)
    return stmt;
  rc = sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sp_store_set_error (store, rc, error, "preparing a query");
      return NULL;
    }
  g_hash_table_insert (store->statements, (gpointer)sql, stmt);
  return stmt;
}

gboolean
sp_store_exec (SpStore *store, const char *sql, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, &message);

  if (rc == SQLITE_OK)
    return TRUE;
  sqlite3_free (message);
  return sp_store_set_error (store, rc, error, "running a statement");
}

gboolean
sp_store_step_done (SpStore *store, SpStmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  return sp_store_set_error (store, rc, error, "writing");
}

gboolean
sp_store_begin (SpStore *store, GError **error)
{
  return sp_store_check_writable (store, error) && sp_store_exec (store, "BEGIN IMMEDIATE", error);
}

gboolean
sp_store_commit (SpStore *store, GError **error)
{
  if (sp_store_exec (store, "COMMIT", error))
    return TRUE;
  sp_store_rollback (store);
  return FALSE;
}

void
sp_store_rollback (SpStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
}

void
sp_stmt_bind_text (SpStmt *stmt, int index, const char *text)
{
  sqlite3_bind_text (stmt, index, text ? text : "", -1, SQLITE_TRANSIENT);
}

const char *
sp_stmt_column_text (SpStmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text ? (const char *)text : "";
}

/* Ids given by a caller end up in file names (push clips), URLs (CRM links, the web bridge) and
 * D-Bus object paths: only characters that are safe in all of them, and a bounded length. */
gboolean
sp_store_check_id (const char *id, GError **error)
{
  gsize len = strlen (id);

  if (len >= 1 && len <= SP_STORE_ID_MAX && strspn (id, SP_STORE_ID_CHARS) == len)
    return TRUE;
  if (len > SP_STORE_ID_MAX)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                 "key 'id' is %" G_GSIZE_FORMAT " bytes long; an id has 1 to %d characters", len,
                 SP_STORE_ID_MAX);
  else
    {
      g_autofree char *shown = g_strescape (id, NULL);
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "key 'id': '%s' is not a valid id (1 to %d characters, each a letter A-Z or "
                   "a-z, a digit, '_' or '-')",
                   shown, SP_STORE_ID_MAX);
    }
  return FALSE;
}

/* Random ids ("c-" and 32 hex digits, a version 4 UUID without its dashes): unique across every
 * agent sharing a store, and still only characters that are safe in paths, URLs and files. */
char *
sp_store_new_id (const char *prefix)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *id = g_string_new (prefix);

  g_string_append_c (id, '-');
  for (const char *c = uuid; *c; c++)
    if (*c != '-')
      g_string_append_c (id, *c);
  return g_string_free (id, FALSE);
}

gboolean
sp_record_check_keys (GVariant *record, const char *const *allowed, GError **error)
{
  GVariantIter iter;
  const char *key;

  if (!g_variant_is_of_type (record, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID, "a record must be a{sv}, not %s",
                   g_variant_get_type_string (record));
      return FALSE;
    }
  g_variant_iter_init (&iter, record);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    if (!g_strv_contains (allowed, key))
      {
        g_autofree char *list = g_strjoinv (", ", (char **)allowed);
        g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                     "unknown key '%s' (known keys: %s)", key, list);
        return FALSE;
      }
  return TRUE;
}

/* Reads a string key; a missing key leaves *value NULL and succeeds, a wrong type fails. */
gboolean
sp_record_get_string (GVariant *record, const char *key, const char **value, GError **error)
{
  g_autoptr (GVariant) item = NULL;

  /* Serialise first, as g_variant_get() does for "&s": a tree-form record (built or parsed, not
   * received) frees its children when it is serialised later, and *value would dangle. */
  g_variant_get_data (record);
  item = g_variant_lookup_value (record, key, NULL);
  *value = NULL;
  if (!item)
    return TRUE;
  if (!g_variant_is_of_type (item, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "key '%s' must be a string (s), not %s", key, g_variant_get_type_string (item));
      return FALSE;
    }
  *value = g_variant_get_string (item, NULL); /* owned by @record */
  return TRUE;
}

/* Turns user words into an FTS5 query of quoted prefix terms ("ros" "mil" → "ros"* "mil"*), so
 * no user text is ever parsed as FTS syntax. A word "category:NAME" is returned apart. */
char *
sp_store_fts_query (const char *text, char **category)
{
  g_auto (GStrv) words = g_strsplit_set (text ? text : "", " \t\r\n", -1);
  GString *query = g_string_new (NULL);

  if (category)
    *category = NULL;
  for (guint i = 0; words[i]; i++)
    {
      if (!*words[i])
        continue;
      if (category && g_str_has_prefix (words[i], "category:"))
        {
          g_free (*category);
          *category = g_strdup (words[i] + strlen ("category:"));
          continue;
        }
      if (query->len)
        g_string_append_c (query, ' ');
      g_string_append_c (query, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append (query, "\"*");
    }
  return g_string_free (query, FALSE);
}

static gboolean
migrate (SpStore *store, GError **error)
{
  int version = sp_store_get_schema_version (store);
  int latest = sp_store_get_latest_schema_version ();

  if (version > latest)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE,
                   "the database %s has schema version %d, newer than this sportellod knows (%d); "
                   "it was left untouched",
                   store->path, version, latest);
      return FALSE;
    }
  if (version == latest)
    return TRUE;
  if (!sp_store_check_writable (store, error))
    return FALSE;
  for (int v = version; v < latest; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!sp_store_begin (store, error) || !sp_store_exec (store, migrations[v], error)
          || !sp_store_exec (store, bump, error) || !sp_store_commit (store, error))
        {
          sp_store_rollback (store);
          g_prefix_error (error, "migrating the schema to version %d: ", v + 1);
          return FALSE;
        }
      g_info ("database %s migrated to schema version %d", store->path, v + 1);
    }
  return TRUE;
}

int
sp_store_get_schema_version (SpStore *store)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (store->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
configure_connection (SpStore *store, GError **error)
{
  int rc;

  sqlite3_busy_timeout (store->db, 2000);
  sqlite3_extended_result_codes (store->db, 1);
  /* Reading the schema first makes a damaged or foreign file fail here, before any write. */
  rc = sqlite3_exec (store->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return sp_store_set_error (store, rc, error, "opening");
  return sp_store_exec (store, "PRAGMA foreign_keys = ON", error);
}

/* Only after migrate(): switching to WAL rewrites the file header, and a file we refuse (newer
 * schema) must be left byte for byte as it was. */
static gboolean
use_wal (SpStore *store, GError **error)
{
  if (store->read_only)
    return TRUE;
  /* WAL + synchronous=NORMAL: every committed note survives a crash of the process. */
  return sp_store_exec (store, "PRAGMA journal_mode = WAL", error)
         && sp_store_exec (store, "PRAGMA synchronous = NORMAL", error);
}

static gboolean
file_is_read_only (const char *path)
{
  /* EPERM: an immutable file (even root cannot write it); EROFS: a read-only file system. */
  return g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0
         && (errno == EACCES || errno == EPERM || errno == EROFS);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

SpStore *
sp_store_open (const char *path, const char *international_prefix, GError **error)
{
  g_autoptr (SpStore) store = g_new0 (SpStore, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  int flags;
  int rc;

  store->path = g_strdup (path);
  store->international_prefix = g_strdup (international_prefix ? international_prefix : "");
  store->statements
    = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE,
                   "cannot create the data directory %s: %s", dir, g_strerror (errno));
      return NULL;
    }
  store->read_only = file_is_read_only (path);
  flags = store->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  rc = sqlite3_open_v2 (path, &store->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      sp_store_set_error (store, rc, error, "opening");
      return NULL;
    }
  if (!configure_connection (store, error) || !migrate (store, error) || !use_wal (store, error))
    return NULL;
  if (store->read_only)
    g_warning ("the database %s is read-only: history, notes and edits cannot be saved", path);
  return g_steal_pointer (&store);
}

void
sp_store_free (SpStore *store)
{
  if (!store)
    return;
  g_clear_handle_id (&store->commit_idle, g_source_remove);
  g_clear_pointer (&store->statements, g_hash_table_unref);
  if (store->db)
    sqlite3_close (store->db);
  g_free (store->path);
  g_free (store->international_prefix);
  g_free (store);
}

const char *
sp_store_get_path (SpStore *store)
{
  return store->path;
}

gboolean
sp_store_is_read_only (SpStore *store)
{
  return store->read_only;
}

/* One record, in its own transaction. */
char *
sp_store_save_one (SpStore *store, GVariant *record, SpStoreSaveFunc save, GError **error)
{
  g_autofree char *id = NULL;

  if (!sp_store_begin (store, error))
    return NULL;
  id = save (store, record, error);
  if (!id || !sp_store_commit (store, error))
    {
      sp_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&id);
}

/* Every record or none, in one transaction; a refused record is named "record N:". */
guint
sp_store_import_all (SpStore *store, GVariant *records, SpStoreSaveFunc save, GError **error)
{
  GVariantIter iter;
  GVariant *record;
  guint count = 0;

  if (!sp_store_begin (store, error))
    return 0;
  g_variant_iter_init (&iter, records);
  while ((record = g_variant_iter_next_value (&iter)))
    {
      g_autoptr (GVariant) owned = record;
      g_autofree char *id = save (store, record, error);

      if (!id)
        {
          sp_store_rollback (store);
          g_prefix_error (error, "record %u: ", count + 1);
          return 0;
        }
      count++;
    }
  if (!sp_store_commit (store, error))
    return 0;
  return count;
}

/* Runs @sql ("DELETE ... WHERE id = ?1"); NOT_FOUND names @what when no row had @id. */
gboolean
sp_store_delete_by_id (SpStore *store, const char *sql, const char *id, const char *what,
                       GError **error)
{
  g_autoptr (SpStmt) stmt = NULL;

  if (!sp_store_check_writable (store, error))
    return FALSE;
  stmt = sp_store_prepare (store, sql, error);
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, id);
  if (!sp_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND, "no %s has the id '%s'", what,
                   id);
      return FALSE;
    }
  return TRUE;
}
