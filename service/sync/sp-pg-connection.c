/* libpq's asynchronous API on the GLib main loop (sp-pg-connection.h). */
#include "sp-pg-connection.h"

#include <glib-unix.h>
#include <string.h>

G_DEFINE_QUARK (sp - pg - error - quark, sp_pg_error)

typedef struct
{
  char *sql;
  GStrv params;
  guint n_params;
} Query;

struct _SpPgConnection
{
  GObject parent_instance;

  char *uri;
  char *password;
  guint query_timeout_ms;
  PGconn *conn;
  GSource *watch;
  GIOCondition watching;
  GTask *connecting;
  GQueue queries; /* of GTask (Query); the head is in flight when sent is TRUE */
  gboolean sent;
  PGresult *last;   /* the in-flight query's latest result */
  PGresult *failed; /* its first error, if any */
  guint deadline;
  gboolean lost;
};

G_DEFINE_FINAL_TYPE (SpPgConnection, sp_pg_connection, G_TYPE_OBJECT)

enum
{
  SIGNAL_NOTIFICATION,
  SIGNAL_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
query_free (gpointer data)
{
  Query *query = data;

  g_free (query->sql);
  g_strfreev (query->params);
  g_free (query);
}

/* libpq's messages end with a newline, sometimes two lines: one line for logs and D-Bus. */
static char *
clean_message (const char *message)
{
  g_autofree char *copy = g_strstrip (g_strdup (message && *message ? message : "unknown error"));

  return g_strdelimit (g_steal_pointer (&copy), "\n", ' ');
}

static void
stop_watch (SpPgConnection *self);
static void
watch_socket (SpPgConnection *self, GIOCondition condition);

/* The connection is broken: every waiting caller learns it, and "lost" is emitted once. */
static void
lose (SpPgConnection *self, const char *message)
{
  g_autofree char *why = clean_message (message);
  GTask *task;

  if (self->lost)
    return;
  self->lost = TRUE;
  g_object_ref (self);
  stop_watch (self);
  g_clear_handle_id (&self->deadline, g_source_remove);
  g_clear_pointer (&self->last, PQclear);
  g_clear_pointer (&self->failed, PQclear);
  if (self->connecting)
    {
      task = g_steal_pointer (&self->connecting);
      g_task_return_new_error (task, SP_PG_ERROR, SP_PG_ERROR_CONNECTION, "%s", why);
      g_object_unref (task);
    }
  while ((task = g_queue_pop_head (&self->queries)))
    {
      g_task_return_new_error (task, SP_PG_ERROR, SP_PG_ERROR_CONNECTION, "%s", why);
      g_object_unref (task);
    }
  g_signal_emit (self, signals[SIGNAL_LOST], 0, why);
  g_object_unref (self);
}

static gboolean
on_deadline (gpointer data)
{
  SpPgConnection *self = data;

  self->deadline = 0;
  lose (self, self->connecting ? "no answer from the server while connecting"
                               : "no answer from the server to a query");
  return G_SOURCE_REMOVE;
}

static void
arm_deadline (SpPgConnection *self)
{
  g_clear_handle_id (&self->deadline, g_source_remove);
  self->deadline = g_timeout_add (self->query_timeout_ms, on_deadline, self);
}

static void
send_next (SpPgConnection *self);

static void
finish_query (SpPgConnection *self)
{
  g_autoptr (GTask) task = g_queue_pop_head (&self->queries);
  g_autoptr (PGresult) failed = g_steal_pointer (&self->failed);
  PGresult *last = g_steal_pointer (&self->last);

  self->sent = FALSE;
  g_clear_handle_id (&self->deadline, g_source_remove);
  if (failed)
    {
      g_autofree char *why = clean_message (PQresultErrorMessage (failed));
      g_clear_pointer (&last, PQclear);
      g_task_return_new_error (task, SP_PG_ERROR, SP_PG_ERROR_QUERY, "%s", why);
    }
  else
    g_task_return_pointer (task, last, (GDestroyNotify)PQclear);
  send_next (self);
}

static void
keep_result (SpPgConnection *self, PGresult *result)
{
  switch (PQresultStatus (result))
    {
      case PGRES_BAD_RESPONSE:
      case PGRES_FATAL_ERROR:
      case PGRES_NONFATAL_ERROR:
        if (!self->failed)
          self->failed = result;
        else
          PQclear (result);
        break;
      default:
        g_clear_pointer (&self->last, PQclear);
        self->last = result;
        break;
    }
}

static void
read_results (SpPgConnection *self)
{
  PGnotify *notification;

  while (self->sent && !PQisBusy (self->conn))
    {
      PGresult *result = PQgetResult (self->conn);

      if (!result)
        {
          finish_query (self);
          if (self->lost)
            return;
          continue;
        }
      keep_result (self, result);
    }
  g_object_ref (self);
  while (!self->lost && (notification = PQnotifies (self->conn)))
    {
      g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, notification->relname,
                     notification->extra);
      PQfreemem (notification);
    }
  g_object_unref (self);
}

/* Sends what libpq still holds; watches for writability only while something is left. */
static void
flush (SpPgConnection *self)
{
  int rc = PQflush (self->conn);

  if (rc < 0)
    lose (self, PQerrorMessage (self->conn));
  else
    watch_socket (self, rc == 1 ? G_IO_IN | G_IO_OUT : G_IO_IN);
}

static void
on_readable_or_writable (SpPgConnection *self, GIOCondition condition)
{
  if (condition & G_IO_OUT)
    flush (self);
  if (self->lost || !(condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    return;
  if (!PQconsumeInput (self->conn))
    {
      lose (self, PQerrorMessage (self->conn));
      return;
    }
  read_results (self);
  if (!self->lost && PQstatus (self->conn) == CONNECTION_BAD)
    lose (self, PQerrorMessage (self->conn));
}

static void
connection_made (SpPgConnection *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->connecting);

  g_clear_handle_id (&self->deadline, g_source_remove);
  if (PQsetnonblocking (self->conn, 1) != 0)
    {
      self->connecting = g_steal_pointer (&task);
      lose (self, PQerrorMessage (self->conn));
      return;
    }
  watch_socket (self, G_IO_IN);
  g_task_return_boolean (task, TRUE);
  send_next (self);
}

static void
continue_connecting (SpPgConnection *self)
{
  switch (PQconnectPoll (self->conn))
    {
      case PGRES_POLLING_READING:
        watch_socket (self, G_IO_IN);
        break;
      case PGRES_POLLING_WRITING:
        watch_socket (self, G_IO_OUT);
        break;
      case PGRES_POLLING_OK:
        connection_made (self);
        break;
      default:
        lose (self, PQerrorMessage (self->conn));
        break;
    }
}

static gboolean
on_socket (gint fd, GIOCondition condition, gpointer data)
{
  SpPgConnection *self = data;

  g_object_ref (self);
  if (self->connecting)
    continue_connecting (self);
  else
    on_readable_or_writable (self, condition);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static void
stop_watch (SpPgConnection *self)
{
  if (!self->watch)
    return;
  g_source_destroy (self->watch);
  g_clear_pointer (&self->watch, g_source_unref);
  self->watching = 0;
}

/* libpq may change its socket while connecting: the watch follows PQsocket() each time. */
static void
watch_socket (SpPgConnection *self, GIOCondition condition)
{
  int fd = PQsocket (self->conn);

  if (fd < 0)
    {
      lose (self, "the connection has no socket");
      return;
    }
  if (self->watch && self->watching == condition && !self->connecting)
    return;
  stop_watch (self);
  self->watch = g_unix_fd_source_new (fd, condition | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (self->watch, G_SOURCE_FUNC (on_socket), self, NULL);
  g_source_attach (self->watch, g_main_context_get_thread_default ());
  self->watching = condition;
}

static void
send_next (SpPgConnection *self)
{
  GTask *task = g_queue_peek_head (&self->queries);
  Query *query;
  int ok;

  if (!task || self->sent || self->lost || self->connecting || !self->conn)
    return;
  query = g_task_get_task_data (task);
  if (query->n_params > 0)
    ok = PQsendQueryParams (self->conn, query->sql, (int)query->n_params, NULL,
                            (const char *const *)query->params, NULL, NULL, 0);
  else
    ok = PQsendQuery (self->conn, query->sql);
  if (!ok)
    {
      lose (self, PQerrorMessage (self->conn));
      return;
    }
  self->sent = TRUE;
  arm_deadline (self);
  flush (self);
}

void
sp_pg_connection_connect_async (SpPgConnection *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  static const char *const keywords[] = {
    "dbname",           "password",
    "application_name", "keepalives",
    "keepalives_idle",  "keepalives_interval",
    "keepalives_count", NULL,
  };
  const char *values[] = { self->uri, self->password, "sportellod", "1", "10", "5", "3", NULL };
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sp_pg_connection_connect_async);
  if (self->conn || self->lost)
    {
      g_task_return_new_error (task, SP_PG_ERROR, SP_PG_ERROR_CONNECTION,
                               "a connection is made only once");
      return;
    }
  self->conn = PQconnectStartParams (keywords, values, 1);
  self->connecting = g_steal_pointer (&task);
  if (!self->conn || PQstatus (self->conn) == CONNECTION_BAD)
    {
      lose (self, self->conn ? PQerrorMessage (self->conn) : "out of memory");
      return;
    }
  arm_deadline (self);
  watch_socket (self, G_IO_OUT);
}

gboolean
sp_pg_connection_connect_finish (SpPgConnection *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sp_pg_connection_query_async (SpPgConnection *self, const char *sql, const char *const *params,
                              guint n_params, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Query *query = g_new0 (Query, 1);

  g_task_set_source_tag (task, sp_pg_connection_query_async);
  query->sql = g_strdup (sql);
  query->n_params = n_params;
  query->params = g_new0 (char *, n_params + 1);
  for (guint i = 0; i < n_params; i++)
    query->params[i] = g_strdup (params[i]);
  g_task_set_task_data (task, query, query_free);
  if (self->lost || !self->conn)
    {
      g_task_return_new_error (task, SP_PG_ERROR, SP_PG_ERROR_CONNECTION, "not connected");
      g_object_unref (task);
      return;
    }
  g_queue_push_tail (&self->queries, task);
  send_next (self);
}

PGresult *
sp_pg_connection_query_finish (SpPgConnection *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_listened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PGresult) reply
    = sp_pg_connection_query_finish (SP_PG_CONNECTION (source), result, &error);

  if (error)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_pg_connection_listen_async (SpPgConnection *self, const char *channel, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  char *quoted
    = self->conn && !self->lost ? PQescapeIdentifier (self->conn, channel, strlen (channel)) : NULL;
  g_autofree char *sql = NULL;

  if (!quoted)
    {
      g_task_return_new_error (task, SP_PG_ERROR, SP_PG_ERROR_CONNECTION, "not connected");
      g_object_unref (task);
      return;
    }
  sql = g_strdup_printf ("LISTEN %s", quoted);
  PQfreemem (quoted);
  sp_pg_connection_query_async (self, sql, NULL, 0, cancellable, on_listened, task);
}

gboolean
sp_pg_connection_listen_finish (SpPgConnection *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

int
sp_pg_connection_get_server_version (SpPgConnection *self)
{
  return self->conn ? PQserverVersion (self->conn) : 0;
}

SpPgConnection *
sp_pg_connection_new (const char *uri, const char *password, guint query_timeout_ms)
{
  SpPgConnection *self = g_object_new (SP_TYPE_PG_CONNECTION, NULL);

  self->uri = g_strdup (uri);
  self->password = g_strdup (password);
  self->query_timeout_ms = query_timeout_ms;
  return self;
}

static void
sp_pg_connection_dispose (GObject *object)
{
  SpPgConnection *self = SP_PG_CONNECTION (object);

  if (!self->lost && (self->conn || self->connecting))
    lose (self, "the connection was closed");
  stop_watch (self);
  G_OBJECT_CLASS (sp_pg_connection_parent_class)->dispose (object);
}

static void
sp_pg_connection_finalize (GObject *object)
{
  SpPgConnection *self = SP_PG_CONNECTION (object);

  g_clear_pointer (&self->conn, PQfinish);
  if (self->password)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->uri);
  G_OBJECT_CLASS (sp_pg_connection_parent_class)->finalize (object);
}

static void
sp_pg_connection_class_init (SpPgConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_pg_connection_dispose;
  object_class->finalize = sp_pg_connection_finalize;
  signals[SIGNAL_NOTIFICATION]
    = g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_LOST] = g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sp_pg_connection_init (SpPgConnection *self)
{
  g_queue_init (&self->queries);
}
