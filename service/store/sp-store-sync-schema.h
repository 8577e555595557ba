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

/* A trigger queueing the record @id_expr (the row itself: new.id or old.id). */
#define SP_SYNC_TRIGGER(name, event, table, kind, id_expr)                                         \
  "CREATE TRIGGER " name " AFTER " event " ON " table SP_SYNC_LOCAL_CHANGE " BEGIN"                \
  "  INSERT INTO sync_outbox (kind, record, queued) VALUES ('" kind "', " id_expr ", " SP_SYNC_NOW \
  ");"                                                                                             \
  "END;"

/* A trigger queueing the record that owns a changed row (@owner: a FROM ... WHERE ... naming
 * one row with an id column); nothing when the owner is gone (a cascading delete). */
#define SP_SYNC_OWNER_TRIGGER(name, event, table, kind, owner)                                     \
  "CREATE TRIGGER " name " AFTER " event " ON " table SP_SYNC_LOCAL_CHANGE " BEGIN"                \
  "  INSERT INTO sync_outbox (kind, record, queued) SELECT '" kind "', id, " SP_SYNC_NOW           \
  "    FROM " owner ";"                                                                            \
  "END;"

#define SP_SYNC_INTERACTION_OF(ref) "interactions WHERE rowid = " ref

#define SP_STORE_SYNC_MIGRATION                                                                    \
  "CREATE TABLE sync_outbox ("                                                                     \
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"                                                       \
  "  kind TEXT NOT NULL CHECK (kind IN ('contact', 'interaction', 'response', 'push-item')),"      \
  "  record TEXT NOT NULL,"                                                                        \
  "  queued INTEGER NOT NULL);"                                                                    \
  "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"                           \
  "INSERT INTO sync_state (key, value) VALUES ('sharing', 0), ('applying', 0), ('cursor', 0),"     \
  " ('source', '');"                                                                               \
  "ALTER TABLE interactions ADD COLUMN origin TEXT NOT NULL DEFAULT '';" SP_SYNC_TRIGGER (         \
    "contacts_sync_insert", "INSERT", "contacts", "contact",                                       \
    "new.id") SP_SYNC_TRIGGER ("contacts_sync_update", "UPDATE", "contacts", "contact", "new.id")  \
    SP_SYNC_TRIGGER ("contacts_sync_delete", "DELETE", "contacts", "contact",                      \
                     "old.id") SP_SYNC_OWNER_TRIGGER ("contact_addresses_sync_insert", "INSERT",   \
                                                      "contact_addresses", "contact",              \
                                                      "contacts WHERE rowid = new.contact")        \
      SP_SYNC_OWNER_TRIGGER ("contact_addresses_sync_delete", "DELETE", "contact_addresses",       \
                             "contact", "contacts WHERE rowid = old.contact")                      \
        SP_SYNC_TRIGGER ("interactions_sync_insert", "INSERT", "interactions", "interaction",      \
                         "new.id")                                                                 \
          SP_SYNC_TRIGGER (                                                                        \
            "interactions_sync_update",                                                            \
            "UPDATE OF contact, direction, remote, remote_name, started, answered, ended,"         \
            " status, end_actor, end_reason, video, attached_data, case_data, notes,"              \
            " encrypted",                                                                          \
            "interactions", "interaction",                                                         \
            "new.id") SP_SYNC_OWNER_TRIGGER ("dispositions_sync_insert", "INSERT",                 \
                                             "interaction_dispositions", "interaction",            \
                                             SP_SYNC_INTERACTION_OF ("new.interaction"))           \
            SP_SYNC_OWNER_TRIGGER ("dispositions_sync_delete", "DELETE",                           \
                                   "interaction_dispositions", "interaction",                      \
                                   SP_SYNC_INTERACTION_OF ("old.interaction"))                     \
              SP_SYNC_OWNER_TRIGGER ("pushes_sync_insert", "INSERT", "interaction_pushes",         \
                                     "interaction", SP_SYNC_INTERACTION_OF ("new.interaction"))    \
                SP_SYNC_OWNER_TRIGGER ("pushes_sync_update", "UPDATE", "interaction_pushes",       \
                                       "interaction", SP_SYNC_INTERACTION_OF ("new.interaction"))  \
                  SP_SYNC_OWNER_TRIGGER ("participants_sync_insert", "INSERT",                     \
                                         "interaction_participants", "interaction",                \
                                         SP_SYNC_INTERACTION_OF ("new.interaction"))               \
                    SP_SYNC_OWNER_TRIGGER ("participants_sync_update", "UPDATE",                   \
                                           "interaction_participants", "interaction",              \
                                           SP_SYNC_INTERACTION_OF ("new.interaction"))             \
                      SP_SYNC_OWNER_TRIGGER ("cobrowse_sync_insert", "INSERT",                     \
                                             "interaction_cobrowse", "interaction",                \
                                             SP_SYNC_INTERACTION_OF ("new.interaction"))           \
                        SP_SYNC_OWNER_TRIGGER ("cobrowse_sync_update", "UPDATE",                   \
                                               "interaction_cobrowse", "interaction",              \
                                               SP_SYNC_INTERACTION_OF ("new.interaction"))         \
                          SP_SYNC_OWNER_TRIGGER ("cobrowse_pages_sync_insert", "INSERT",           \
                                                 "interaction_cobrowse_pages", "interaction",      \
                                                 SP_SYNC_INTERACTION_OF (                          \
                                                   "(SELECT interaction FROM interaction_cobrowse" \
                                                   " WHERE rowid = new.cobrowse)"))                \
                            SP_SYNC_TRIGGER ("responses_sync_insert", "INSERT", "responses",       \
                                             "response", "new.id")                                 \
                              SP_SYNC_TRIGGER ("responses_sync_update", "UPDATE", "responses",     \
                                               "response", "new.id")                               \
                                SP_SYNC_TRIGGER ("responses_sync_delete", "DELETE", "responses",   \
                                                 "response", "old.id")                             \
                                  SP_SYNC_TRIGGER ("push_items_sync_insert", "INSERT",             \
                                                   "push_items", "push-item", "new.id")            \
                                    SP_SYNC_TRIGGER ("push_items_sync_update", "UPDATE",           \
                                                     "push_items", "push-item", "new.id")          \
                                      SP_SYNC_TRIGGER ("push_items_sync_delete", "DELETE",         \
                                                       "push_items", "push-item", "old.id")
