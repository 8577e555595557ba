/* Schema version 7 of the local store: what the shared store needs (sp-store-sync.c).
 *
 * Every change to a record that is shared (a contact, an interaction with everything recorded
 * about it, a standard response, a push item) adds a row to sync_outbox from a trigger, so the
 * queue entry is written in the same transaction as the change itself: a crash keeps both or
 * neither. This happens only while a shared store is configured (sync_state.sharing). Changes
 * that come from the shared store are written with sync_state.applying set, and the triggers
 * leave those alone. The heartbeat of a live interaction (alive) is not a change. */
#pragma once

#define SP_SYNC_NOW "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"
#define SP_SYNC_LOCAL_CHANGE                                                                       \
  " WHEN (SELECT value FROM sync_state WHERE key = 'sharing') = 1"                                 \
  " AND (SELECT value FROM sync_state WHERE key = 'applying') = 0"

/* Not queued again while an entry for the same record waits unread (past 'peeked', what the sync
 * task has read): one waiting entry per record, so the outbox's length is what is behind. */
#define SP_SYNC_NOT_WAITING(kind, id_expr)                                                         \
  " NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.kind = '" kind "' AND o.record = " id_expr     \
  " AND o.seq > (SELECT value FROM sync_state WHERE key = 'peeked'))"

/* clang-format off: SQL assembled from macros reads best one clause per line. */
/* A trigger queueing the record @id_expr (the row itself: new.id or old.id). */
#define SP_SYNC_TRIGGER(name, event, table, kind, id_expr)                                         \
  "CREATE TRIGGER " name " AFTER " event " ON " table SP_SYNC_LOCAL_CHANGE                         \
  " AND" SP_SYNC_NOT_WAITING (kind, id_expr) " BEGIN"                                              \
                                             "  INSERT INTO sync_outbox (kind, record, queued)"    \
                                             "  VALUES ('" kind "', " id_expr ", " SP_SYNC_NOW     \
                                             ");"                                                  \
                                             " END;"

/* A trigger queueing the record that owns a changed row (@owner: a FROM ... WHERE ... naming
 * one row with an id column); nothing when the owner is gone (a cascading delete). */
#define SP_SYNC_OWNER_TRIGGER(name, event, table, kind, owner)                                     \
  "CREATE TRIGGER " name " AFTER " event " ON " table SP_SYNC_LOCAL_CHANGE " BEGIN"                \
  "  INSERT INTO sync_outbox (kind, record, queued)"                                               \
  "  SELECT '" kind "', id, " SP_SYNC_NOW " FROM " owner                                           \
  " AND" SP_SYNC_NOT_WAITING (kind, "id") ";"                                                      \
                                          " END;"
/* clang-format on */

#define SP_SYNC_TABLES                                                                             \
  "CREATE TABLE sync_outbox ("                                                                     \
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"                                                       \
  "  kind TEXT NOT NULL CHECK (kind IN ('contact', 'interaction', 'response', 'push-item')),"      \
  "  record TEXT NOT NULL,"                                                                        \
  "  queued INTEGER NOT NULL);"                                                                    \
  "CREATE INDEX sync_outbox_by_record ON sync_outbox (kind, record);"                              \
  "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"                           \
  "INSERT INTO sync_state (key, value) VALUES ('sharing', 0), ('applying', 0), ('peeked', 0),"     \
  " ('cursor', 0), ('source', '');"                                                                \
  "ALTER TABLE interactions ADD COLUMN origin TEXT NOT NULL DEFAULT '';"

#define SP_SYNC_ON_CONTACTS_INSERT                                                                 \
  SP_SYNC_TRIGGER ("contacts_sync_insert", "INSERT", "contacts", "contact", "new.id")
#define SP_SYNC_ON_CONTACTS_UPDATE                                                                 \
  SP_SYNC_TRIGGER ("contacts_sync_update", "UPDATE", "contacts", "contact", "new.id")
#define SP_SYNC_ON_CONTACTS_DELETE                                                                 \
  SP_SYNC_TRIGGER ("contacts_sync_delete", "DELETE", "contacts", "contact", "old.id")
#define SP_SYNC_ON_ADDRESSES_INSERT                                                                \
  SP_SYNC_OWNER_TRIGGER ("contact_addresses_sync_insert", "INSERT", "contact_addresses",           \
                         "contact", "contacts WHERE rowid = new.contact")
#define SP_SYNC_ON_ADDRESSES_DELETE                                                                \
  SP_SYNC_OWNER_TRIGGER ("contact_addresses_sync_delete", "DELETE", "contact_addresses",           \
                         "contact", "contacts WHERE rowid = old.contact")
#define SP_SYNC_ON_INTERACTIONS_INSERT                                                             \
  SP_SYNC_TRIGGER ("interactions_sync_insert", "INSERT", "interactions", "interaction", "new.id")
#define SP_SYNC_ON_INTERACTIONS_UPDATE                                                             \
  SP_SYNC_TRIGGER (                                                                                \
    "interactions_sync_update",                                                                    \
    "UPDATE OF contact, direction, remote, remote_name, started, answered, ended, status, "        \
    "end_actor, end_reason, video, attached_data, case_data, notes, encrypted",                    \
    "interactions", "interaction", "new.id")
#define SP_SYNC_ON_DISPOSITIONS_INSERT                                                             \
  SP_SYNC_OWNER_TRIGGER ("dispositions_sync_insert", "INSERT", "interaction_dispositions",         \
                         "interaction", "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_DISPOSITIONS_DELETE                                                             \
  SP_SYNC_OWNER_TRIGGER ("dispositions_sync_delete", "DELETE", "interaction_dispositions",         \
                         "interaction", "interactions WHERE rowid = old.interaction")
#define SP_SYNC_ON_PUSHES_INSERT                                                                   \
  SP_SYNC_OWNER_TRIGGER ("pushes_sync_insert", "INSERT", "interaction_pushes", "interaction",      \
                         "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_PUSHES_UPDATE                                                                   \
  SP_SYNC_OWNER_TRIGGER ("pushes_sync_update", "UPDATE", "interaction_pushes", "interaction",      \
                         "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_PARTICIPANTS_INSERT                                                             \
  SP_SYNC_OWNER_TRIGGER ("participants_sync_insert", "INSERT", "interaction_participants",         \
                         "interaction", "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_PARTICIPANTS_UPDATE                                                             \
  SP_SYNC_OWNER_TRIGGER ("participants_sync_update", "UPDATE", "interaction_participants",         \
                         "interaction", "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_COBROWSE_INSERT                                                                 \
  SP_SYNC_OWNER_TRIGGER ("cobrowse_sync_insert", "INSERT", "interaction_cobrowse", "interaction",  \
                         "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_COBROWSE_UPDATE                                                                 \
  SP_SYNC_OWNER_TRIGGER ("cobrowse_sync_update", "UPDATE", "interaction_cobrowse", "interaction",  \
                         "interactions WHERE rowid = new.interaction")
#define SP_SYNC_ON_PAGES_INSERT                                                                    \
  SP_SYNC_OWNER_TRIGGER ("cobrowse_pages_sync_insert", "INSERT", "interaction_cobrowse_pages",     \
                         "interaction",                                                            \
                         "interactions WHERE rowid = (SELECT interaction FROM "                    \
                         "interaction_cobrowse WHERE rowid = new.cobrowse)")
#define SP_SYNC_ON_RESPONSES_INSERT                                                                \
  SP_SYNC_TRIGGER ("responses_sync_insert", "INSERT", "responses", "response", "new.id")
#define SP_SYNC_ON_RESPONSES_UPDATE                                                                \
  SP_SYNC_TRIGGER ("responses_sync_update", "UPDATE", "responses", "response", "new.id")
#define SP_SYNC_ON_RESPONSES_DELETE                                                                \
  SP_SYNC_TRIGGER ("responses_sync_delete", "DELETE", "responses", "response", "old.id")
#define SP_SYNC_ON_PUSH_ITEMS_INSERT                                                               \
  SP_SYNC_TRIGGER ("push_items_sync_insert", "INSERT", "push_items", "push-item", "new.id")
#define SP_SYNC_ON_PUSH_ITEMS_UPDATE                                                               \
  SP_SYNC_TRIGGER ("push_items_sync_update", "UPDATE", "push_items", "push-item", "new.id")
#define SP_SYNC_ON_PUSH_ITEMS_DELETE                                                               \
  SP_SYNC_TRIGGER ("push_items_sync_delete", "DELETE", "push_items", "push-item", "old.id")

/* clang-format off */
#define SP_STORE_SYNC_MIGRATION \
  SP_SYNC_TABLES \
  SP_SYNC_ON_CONTACTS_INSERT \
  SP_SYNC_ON_CONTACTS_UPDATE \
  SP_SYNC_ON_CONTACTS_DELETE \
  SP_SYNC_ON_ADDRESSES_INSERT \
  SP_SYNC_ON_ADDRESSES_DELETE \
  SP_SYNC_ON_INTERACTIONS_INSERT \
  SP_SYNC_ON_INTERACTIONS_UPDATE \
  SP_SYNC_ON_DISPOSITIONS_INSERT \
  SP_SYNC_ON_DISPOSITIONS_DELETE \
  SP_SYNC_ON_PUSHES_INSERT \
  SP_SYNC_ON_PUSHES_UPDATE \
  SP_SYNC_ON_PARTICIPANTS_INSERT \
  SP_SYNC_ON_PARTICIPANTS_UPDATE \
  SP_SYNC_ON_COBROWSE_INSERT \
  SP_SYNC_ON_COBROWSE_UPDATE \
  SP_SYNC_ON_PAGES_INSERT \
  SP_SYNC_ON_RESPONSES_INSERT \
  SP_SYNC_ON_RESPONSES_UPDATE \
  SP_SYNC_ON_RESPONSES_DELETE \
  SP_SYNC_ON_PUSH_ITEMS_INSERT \
  SP_SYNC_ON_PUSH_ITEMS_UPDATE \
  SP_SYNC_ON_PUSH_ITEMS_DELETE
/* clang-format on */
