/* The shared store: this agent's local SQLite store kept in step with a PostgreSQL database the
 * whole team shares ([shared-store] uri). The local store stays what the agent works from: its
 * outbox is drained to PostgreSQL (idempotent upserts by record id), and other agents' changes
 * come back through LISTEN/NOTIFY (and a periodic look) into the local copy. A lost network,
 * a stopped server or a wrong password never stops a call or loses a write: the state says why
 * the store is behind, and the sync resumes by itself.
 *
 * The sync itself (libpq and everything it pulls in) is a loadable module,
 * libsportello-sync.so, opened only when a shared store is configured: an agent working alone
 * does not map libpq at all. This is the loader's API. */
#pragma once

#include <glib-object.h>

#include "sp-store.h"

G_BEGIN_DECLS

#define SP_SECRET_KIND_SHARED_STORE_PASSWORD "shared-store-password"

/* A GObject from the module; it emits "changed" (no arguments) whenever its state changes. */
typedef GObject SpSharedStore;

/* Loads the module and starts syncing @store with @uri; @origin names this agent in the shared
 * store (its account URI). NULL with @error when the module cannot be loaded. */
SpSharedStore *
sp_shared_store_new (SpStore *store, const char *uri, const char *origin, GError **error);
/* The state as Agent1.SyncState shows it (a{sv}: state — connecting, syncing, up-to-date,
 * offline or incompatible —, uri, queued, last-success, last-error, position). */
GVariant *
sp_shared_store_describe (SpSharedStore *self);
/* Queues every record that is this agent's to share: an import of the local store. */
guint
sp_shared_store_import (SpSharedStore *self, GError **error);
/* Before the local store goes: nothing is sent or taken any more, the connection is closed. */
void
sp_shared_store_stop (SpSharedStore *self);
/* The URI without any password in it, for logs and D-Bus. */
char *
sp_shared_store_redact_uri (const char *uri);

G_END_DECLS
