/* One PostgreSQL connection driven by libpq's asynchronous API on the GLib main loop: the
 * connection is made without blocking (PQconnectStart/PQconnectPoll on the socket), queries run
 * one after the other from a queue (PQsendQueryParams, results read as the socket becomes
 * readable) and LISTEN notifications arrive as a signal. Nothing here ever waits on the network.
 *
 * A query that gets no answer within the query timeout, or any sign of a broken connection,
 * fails every waiting query with SP_PG_ERROR_CONNECTION and emits "lost" once; the object is
 * then spent (make a new one to reconnect). */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define SP_PG_ERROR (sp_pg_error_quark ())
GQuark
sp_pg_error_quark (void);

typedef enum
{
  SP_PG_ERROR_CONNECTION, /* could not connect, or the connection broke */
  SP_PG_ERROR_QUERY,      /* the server refused a statement; the connection is still good */
} SpPgError;

#define SP_TYPE_PG_CONNECTION (sp_pg_connection_get_type ())
G_DECLARE_FINAL_TYPE (SpPgConnection, sp_pg_connection, SP, PG_CONNECTION, GObject)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* @uri: a libpq connection URI or key=value string; @password: NULL for none (or .pgpass). */
SpPgConnection *
sp_pg_connection_new (const char *uri, const char *password, guint query_timeout_ms);

void
sp_pg_connection_connect_async (SpPgConnection *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_pg_connection_connect_finish (SpPgConnection *self, GAsyncResult *result, GError **error);

/* One statement with parameters ($1…), or several separated by ';' when @n_params is 0. The
 * result is the last statement's (free with PQclear). */
void
sp_pg_connection_query_async (SpPgConnection *self, const char *sql, const char *const *params,
                              guint n_params, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
PGresult *
sp_pg_connection_query_finish (SpPgConnection *self, GAsyncResult *result, GError **error);

/* LISTEN on @channel (quoted as an identifier here). */
void
sp_pg_connection_listen_async (SpPgConnection *self, const char *channel, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_pg_connection_listen_finish (SpPgConnection *self, GAsyncResult *result, GError **error);

/* The server's version as libpq reports it (150018 for 15.18), 0 before connecting. */
int
sp_pg_connection_get_server_version (SpPgConnection *self);

G_END_DECLS
