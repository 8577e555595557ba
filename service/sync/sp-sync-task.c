/* The shared store's sync task, inside the sync module (sp-shared-store-module.h): connect, make
 * the schema exist, LISTEN,
 * take what others changed, send what is queued here; again on every local commit, every
 * notification and every POLL_S seconds; after any failure, reconnect after a growing delay. */
#include "sp-shared-store-module.h"
#include "sp-shared-store.h"

#include <gmodule.h>
#include <stdlib.h>

#include "sp-pg-connection.h"
#include "sp-pg-schema.h"
#include "sp-secrets.h"
#include "sp-store-sync.h"

#define QUERY_TIMEOUT_MS 15000
#define POLL_S 30
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 10000
#define PUSH_ENTRIES 500
#define IMPORT_SLICE 10000

struct _SpSyncTask
{
  GObject parent_instance;

  SpStore *store;
  char *uri;
  char *shown_uri; /* without a password */
  char *origin;
  SpPgConnection *conn; /* NULL while not connected */
  gboolean connected;   /* connected, schema checked and listening */
  gboolean busy;        /* a pull or a push is in flight */
  gboolean want_pull;
  gboolean want_push;
  gint64 cursor;
  gint64 pushing_up_to;
  const char *state;
  char *last_error;
  gint64 last_success;
  guint queued;
  guint importing; /* records an import has still to queue */
  SpStoreImportCursor import_cursor;
  guint import_id;
  guint retry_ms;
  guint retry_id;
  guint poll_id;
  GCancellable *cancellable;
};

#define SP_TYPE_SYNC_TASK (sp_sync_task_get_type ())
G_DECLARE_FINAL_TYPE (SpSyncTask, sp_sync_task, SP, SYNC_TASK, GObject)
G_DEFINE_FINAL_TYPE (SpSyncTask, sp_sync_task, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
connect_now (SpSyncTask *self);
static void
step (SpSyncTask *self);

static void
set_state (SpSyncTask *self, const char *state, const char *error)
{
  gboolean changed = g_strcmp0 (self->state, state) != 0;

  if (error && g_strcmp0 (self->last_error, error) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (error);
      g_warning ("shared store %s: %s", self->shown_uri, error);
      changed = TRUE;
    }
  if (g_strcmp0 (state, "up-to-date") == 0)
    {
      self->last_success = g_get_real_time ();
      changed = TRUE;
    }
  self->state = state;
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
count_queued (SpSyncTask *self)
{
  g_autoptr (GError) error = NULL;
  guint queued = sp_store_outbox_pending (self->store, &error);

  if (error)
    return;
  if (queued != self->queued)
    {
      self->queued = queued;
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
    }
}

static gboolean
on_retry (gpointer data)
{
  SpSyncTask *self = data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* Drops the connection (if any) and tries again later; the outbox keeps everything. */
static void
fail (SpSyncTask *self, const char *state, const char *why)
{
  if (self->conn)
    g_signal_handlers_disconnect_by_data (self->conn, self);
  g_clear_object (&self->conn);
  self->connected = FALSE;
  self->busy = FALSE;
  set_state (self, state, why);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (self->retry_ms, on_retry, self);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

static void
fail_with (SpSyncTask *self, const char *what, GError *error)
{
  g_autofree char *why = g_strdup_printf ("%s: %s", what, error->message);

  fail (self, "offline", why);
}

/* The reply to a query on the current connection; NULL when that connection was given up
 * meanwhile, or when the query failed (the sync then fails, saying it was while @what). */
static PGresult *
take_reply (SpSyncTask *self, GObject *source, GAsyncResult *result, const char *what)
{
  g_autoptr (GError) error = NULL;
  PGresult *reply = sp_pg_connection_query_finish (SP_PG_CONNECTION (source), result, &error);

  if (!self->conn || SP_PG_CONNECTION (source) != self->conn)
    {
      g_clear_pointer (&reply, PQclear);
      return NULL;
    }
  if (!reply)
    fail_with (self, what, error);
  return reply;
}

/* ---- Taking other agents' changes --------------------------------------------------------- */

static gboolean
apply_rows (SpSyncTask *self, PGresult *rows, GError **error)
{
  int n = PQntuples (rows);
  g_autofree SpRemoteChange *changes = g_new0 (SpRemoteChange, MAX (n, 1));
  guint kept = 0;
  gint64 cursor = self->cursor;

  for (int i = 0; i < n; i++)
    {
      const char *origin = PQgetvalue (rows, i, 5);

      cursor = g_ascii_strtoll (PQgetvalue (rows, i, 6), NULL, 10);
      if (g_strcmp0 (origin, self->origin) == 0)
        continue; /* our own change, back from the server */
      changes[kept++] = (SpRemoteChange){
        .kind = PQgetvalue (rows, i, 0),
        .id = PQgetvalue (rows, i, 1),
        .doc = PQgetisnull (rows, i, 2) ? NULL : PQgetvalue (rows, i, 2),
        .deleted = g_str_equal (PQgetvalue (rows, i, 3), "t"),
        .updated = g_ascii_strtoll (PQgetvalue (rows, i, 4), NULL, 10),
        .origin = origin,
      };
    }
  if (!sp_store_apply_remote (self->store, self->uri, changes, kept, cursor, error))
    return FALSE;
  self->cursor = cursor;
  return TRUE;
}

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PGresult) rows = take_reply (self, source, result, "taking changes");

  if (!rows)
    return;
  self->busy = FALSE;
  if (!apply_rows (self, rows, &error))
    {
      fail_with (self, "keeping changes in the local store", error);
      return;
    }
  if (PQntuples (rows) >= SP_PG_PULL_LIMIT)
    self->want_pull = TRUE;
  step (self);
}

static void
pull (SpSyncTask *self)
{
  g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, self->cursor);
  const char *params[] = { cursor };

  self->want_pull = FALSE;
  self->busy = TRUE;
  sp_pg_connection_query_async (self->conn, sp_pg_pull_sql, params, 1, self->cancellable, on_pulled,
                                g_object_ref (self));
}

/* ---- Sending this agent's changes -------------------------------------------------------- */

static void
on_pushed (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PGresult) reply = take_reply (self, source, result, "sending changes");

  if (!reply)
    return;
  self->busy = FALSE;
  if (!sp_store_outbox_done (self->store, self->pushing_up_to, &error))
    {
      fail_with (self, "emptying the outbox", error);
      return;
    }
  self->want_push = TRUE; /* until the outbox is empty */
  count_queued (self);
  step (self);
}

static void
push (SpSyncTask *self)
{
  g_autoptr (GError) error = NULL;
  guint records = 0;
  g_autofree char *batch
    = sp_store_outbox_peek (self->store, PUSH_ENTRIES, &self->pushing_up_to, &records, &error);
  const char *params[2];

  self->want_push = FALSE;
  if (!batch)
    {
      fail_with (self, "reading the outbox", error);
      return;
    }
  if (self->pushing_up_to == 0)
    {
      step (self);
      return;
    }
  params[0] = batch;
  params[1] = self->origin;
  self->busy = TRUE;
  set_state (self, "syncing", NULL);
  sp_pg_connection_query_async (self->conn, sp_pg_push_sql, params, 2, self->cancellable, on_pushed,
                                g_object_ref (self));
}

/* One thing at a time: others' changes first, then ours, then up to date. */
static void
step (SpSyncTask *self)
{
  if (!self->connected || self->busy)
    return;
  if (self->want_pull)
    pull (self);
  else if (self->want_push)
    push (self);
  else if (self->importing)
    set_state (self, "syncing", NULL); /* more is being queued */
  else
    {
      count_queued (self);
      self->retry_ms = RETRY_FIRST_MS;
      set_state (self, "up-to-date", NULL);
    }
}

static void
on_local_commit (gpointer data)
{
  SpSyncTask *self = data;

  self->want_push = TRUE;
  count_queued (self);
  step (self);
}

static void
on_notification (SpPgConnection *conn, const char *channel, const char *payload, gpointer data)
{
  SpSyncTask *self = data;

  if (g_strcmp0 (payload, self->origin) == 0)
    return;
  self->want_pull = TRUE;
  step (self);
}

static void
on_lost (SpPgConnection *conn, const char *why, gpointer data)
{
  SpSyncTask *self = data;
  g_autofree char *message = g_strdup_printf ("the connection was lost: %s", why);

  fail (self, "offline", message);
}

static gboolean
on_poll (gpointer data)
{
  SpSyncTask *self = data;

  self->want_pull = TRUE;
  step (self);
  return G_SOURCE_CONTINUE;
}

/* ---- Connecting --------------------------------------------------------------------------- */

static void
on_listening (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (GError) error = NULL;

  if (!self->conn || SP_PG_CONNECTION (source) != self->conn)
    return;
  if (!sp_pg_connection_listen_finish (self->conn, result, &error))
    {
      fail_with (self, "listening for changes", error);
      return;
    }
  g_signal_connect (self->conn, "notification", G_CALLBACK (on_notification), self);
  self->connected = TRUE;
  self->want_pull = self->want_push = TRUE;
  set_state (self, "syncing", NULL);
  step (self);
}

static void
on_schema_created (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (PGresult) reply = take_reply (self, source, result, "creating the schema");

  if (!reply)
    return;
  sp_pg_connection_listen_async (self->conn, SP_PG_CHANNEL, self->cancellable, on_listening,
                                 g_object_ref (self));
}

static void
on_version (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (PGresult) reply = take_reply (self, source, result, "reading the schema version");
  int version;

  if (!reply)
    return;
  if (PQntuples (reply) != 1)
    {
      fail (self, "offline", "reading the schema version: sportello.meta has none");
      return;
    }
  version = atoi (PQgetvalue (reply, 0, 0));
  if (version > SP_PG_SCHEMA_VERSION)
    {
      g_autofree char *why = g_strdup_printf (
        "the shared store's schema is version %d, newer than this sportellod knows (%d); "
        "nothing is sent or taken until sportellod is updated, and the outbox keeps every change",
        version, SP_PG_SCHEMA_VERSION);
      fail (self, "incompatible", why);
      return;
    }
  sp_pg_connection_query_async (self->conn, sp_pg_schema_create_sql, NULL, 0, self->cancellable,
                                on_schema_created, g_object_ref (self));
}

static void
on_bootstrapped (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (PGresult) reply = take_reply (self, source, result, "preparing the schema");

  if (!reply)
    return;
  sp_pg_connection_query_async (self->conn, sp_pg_schema_version_sql, NULL, 0, self->cancellable,
                                on_version, g_object_ref (self));
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (GError) error = NULL;

  if (!self->conn || SP_PG_CONNECTION (source) != self->conn)
    return;
  if (!sp_pg_connection_connect_finish (self->conn, result, &error))
    {
      fail_with (self, "connecting", error);
      return;
    }
  g_signal_connect (self->conn, "lost", G_CALLBACK (on_lost), self);
  sp_pg_connection_query_async (self->conn, sp_pg_schema_bootstrap_sql, NULL, 0, self->cancellable,
                                on_bootstrapped, g_object_ref (self));
}

/* The password is looked up again before every attempt: one stored after a refusal is used. */
static void
on_password (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SpSyncTask) self = data;
  g_autoptr (GError) error = NULL;
  char *password = sp_secrets_lookup_finish (result, &error);

  if (!self->store || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error)
    g_info ("shared store: no password from the Secret Service (%s); connecting without one",
            error->message);
  self->conn = sp_pg_connection_new (self->uri, password, QUERY_TIMEOUT_MS);
  if (password)
    sp_secrets_free (password);
  sp_pg_connection_connect_async (self->conn, self->cancellable, on_connected, g_object_ref (self));
}

static void
connect_now (SpSyncTask *self)
{
  set_state (self, "connecting", NULL);
  sp_secrets_lookup_async (self->uri, SP_SECRET_KIND_SHARED_STORE_PASSWORD, self->cancellable,
                           on_password, g_object_ref (self));
}

/* ---- The module's table (sp-shared-store-module.h) ------------------------------------- */

static GVariant *
describe (GObject *object)
{
  SpSyncTask *self = SP_SYNC_TASK (object);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "state", g_variant_new_string (self->state));
  g_variant_builder_add (&builder, "{sv}", "uri", g_variant_new_string (self->shown_uri));
  g_variant_builder_add (&builder, "{sv}", "queued", g_variant_new_uint32 (self->queued));
  g_variant_builder_add (&builder, "{sv}", "importing", g_variant_new_uint32 (self->importing));
  g_variant_builder_add (&builder, "{sv}", "last-success",
                         g_variant_new_int64 (self->last_success));
  g_variant_builder_add (&builder, "{sv}", "last-error",
                         g_variant_new_string (self->last_error ? self->last_error : ""));
  g_variant_builder_add (&builder, "{sv}", "position", g_variant_new_int64 (self->cursor));
  return g_variant_builder_end (&builder);
}

/* One slice of an import per main-loop turn: a long store is queued in short transactions, so
 * calls keep being answered while it is. */
static gboolean
import_step (gpointer data)
{
  SpSyncTask *self = data;
  g_autoptr (GError) error = NULL;
  gboolean finished = FALSE;
  guint queued;

  if (!self->store)
    return G_SOURCE_REMOVE;
  queued = sp_store_outbox_queue_some (self->store, &self->import_cursor, IMPORT_SLICE, &finished,
                                       &error);
  if (error)
    {
      g_autofree char *why = g_strdup_printf ("importing the local store: %s", error->message);

      self->importing = 0;
      self->import_id = 0;
      set_state (self, self->state, why);
      return G_SOURCE_REMOVE;
    }
  self->importing = finished ? 0 : self->importing - MIN (self->importing, queued);
  on_local_commit (self);
  if (!finished)
    return G_SOURCE_CONTINUE;
  self->import_id = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Counts what is to be sent and starts queueing it; a second import starts over. */
static guint
import (GObject *object, GError **error)
{
  SpSyncTask *self = SP_SYNC_TASK (object);
  guint total;

  if (!self->store)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the shared store was stopped");
      return 0;
    }
  total = sp_store_count_shareable (self->store, error);
  if (error && *error)
    return 0;
  self->import_cursor = (SpStoreImportCursor){ 0 };
  self->importing = total;
  if (!self->import_id)
    self->import_id = g_idle_add (import_step, self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return total;
}

static GObject *
create (SpStore *store, const char *uri, const char *shown_uri, const char *origin)
{
  SpSyncTask *self = g_object_new (SP_TYPE_SYNC_TASK, NULL);
  g_autoptr (GError) error = NULL;

  self->store = store;
  self->uri = g_strdup (uri);
  self->shown_uri = g_strdup (shown_uri);
  self->origin = g_strdup (origin);
  self->cursor = sp_store_sync_cursor (store, uri, &error);
  if (self->cursor < 0)
    self->cursor = 0;
  if (!sp_store_set_sharing (store, TRUE, &error))
    g_warning ("shared store: changes cannot be queued: %s", error->message);
  count_queued (self);
  sp_store_set_commit_func (store, on_local_commit, self);
  self->poll_id = g_timeout_add_seconds (POLL_S, on_poll, self);
  connect_now (self);
  return G_OBJECT (self);
}

static void
stop (GObject *object)
{
  SpSyncTask *self = SP_SYNC_TASK (object);

  g_cancellable_cancel (self->cancellable);
  if (self->store)
    sp_store_set_commit_func (self->store, NULL, NULL);
  self->store = NULL;
  self->connected = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->import_id, g_source_remove);
  self->importing = 0;
  if (self->conn)
    g_signal_handlers_disconnect_by_data (self->conn, self);
  g_clear_object (&self->conn);
}

G_MODULE_EXPORT const SpSharedStoreModule sp_shared_store_module = {
  .abi = SP_SHARED_STORE_MODULE_ABI,
  .create = create,
  .describe = describe,
  .import = import,
  .stop = stop,
};

static void
sp_sync_task_dispose (GObject *object)
{
  stop (object);
  G_OBJECT_CLASS (sp_sync_task_parent_class)->dispose (object);
}

static void
sp_sync_task_finalize (GObject *object)
{
  SpSyncTask *self = SP_SYNC_TASK (object);

  g_clear_object (&self->cancellable);
  g_free (self->uri);
  g_free (self->shown_uri);
  g_free (self->origin);
  g_free (self->last_error);
  G_OBJECT_CLASS (sp_sync_task_parent_class)->finalize (object);
}

static void
sp_sync_task_class_init (SpSyncTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_sync_task_dispose;
  object_class->finalize = sp_sync_task_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sp_sync_task_init (SpSyncTask *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = "connecting";
  self->retry_ms = RETRY_FIRST_MS;
}
