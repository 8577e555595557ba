/* The local side of the shared store. Changes leave through the outbox (filled by the store's
 * own triggers, in the transaction of each write) and arrive as other agents' changes applied to
 * the local copy. A change travels as JSON: {"kind", "id", "updated", "doc"} or, for a deleted
 * contact, response or push item, {"kind", "id", "updated", "deleted": true}. */
#pragma once

#include <glib.h>

#include "sp-store.h"

G_BEGIN_DECLS

/* Whether writes are queued for a shared store from now on (kept in the file). Without one,
 * nothing is queued; an agent that joins a team later sends its store with an import. */
gboolean
sp_store_set_sharing (SpStore *store, gboolean sharing, GError **error);

/* The oldest changes waiting (up to @max_entries outbox entries), one per record, the current
 * version of each, as a JSON array; *@up_to is what sp_store_outbox_done() takes once they are
 * safe elsewhere. *@records is 0 (and the array empty) when nothing waits. */
char *
sp_store_outbox_peek (SpStore *store, guint max_entries, gint64 *up_to, guint *records,
                      GError **error);
gboolean
sp_store_outbox_done (SpStore *store, gint64 up_to, GError **error);
/* How many records have changes waiting (0 with an error when it cannot be read). */
guint
sp_store_outbox_pending (SpStore *store, GError **error);
/* An import queues every record this agent holds that is its own to share (contacts,
 * responses, push items and the interactions it handled), a slice at a time so that no single
 * transaction is long: start with a zeroed cursor and call sp_store_outbox_queue_some() until it
 * says it has finished. sp_store_count_shareable() says how many there are. */
typedef struct
{
  guint table;  /* which kind of record is being queued */
  gint64 after; /* the last row queued of it */
} SpStoreImportCursor;

guint
sp_store_count_shareable (SpStore *store, GError **error);
/* Queues up to @max records from @cursor on, in one transaction; returns how many and moves
 * @cursor past them; *@finished once every table is done. */
guint
sp_store_outbox_queue_some (SpStore *store, SpStoreImportCursor *cursor, guint max,
                            gboolean *finished, GError **error);

typedef struct
{
  const char *kind; /* "contact" | "interaction" | "response" | "push-item" */
  const char *id;
  const char *doc; /* JSON object, NULL when deleted */
  gboolean deleted;
  gint64 updated; /* µs: the version, newer wins */
  const char *origin;
} SpRemoteChange;

/* Applies other agents' changes to the local copy in one transaction, without queueing them,
 * and records @cursor (the position in the shared store @source after them). A contact, response or
 * push item is only replaced by a newer version; an interaction is never removed and never one of
 * this agent's own. */
gboolean
sp_store_apply_remote (SpStore *store, const char *source, const SpRemoteChange *changes,
                       guint n_changes, gint64 cursor, GError **error);
/* Where the local copy stands in the shared store @source (0: nothing taken yet, or a different
 * source than last time). */
gint64
sp_store_sync_cursor (SpStore *store, const char *source, GError **error);

/* @func runs from the main loop after a transaction that may have queued changes committed. */
typedef void (*SpStoreCommitFunc) (gpointer user_data);
void
sp_store_set_commit_func (SpStore *store, SpStoreCommitFunc func, gpointer user_data);

G_END_DECLS
