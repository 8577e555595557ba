/* The store: contacts, interaction history, standard responses and the push catalogue.
 * Records go in and out as GVariant dictionaries (a{sv}) with the keys documented in
 * dbus-interfaces/, so every layer above speaks one record format. */
#pragma once

#include <glib.h>

#include "sp-store-error.h"

G_BEGIN_DECLS

typedef struct _SpStore SpStore;

SpStore *
sp_store_open (const char *path, const char *international_prefix, GError **error);
void
sp_store_free (SpStore *store);
const char *
sp_store_get_path (SpStore *store);
gboolean
sp_store_is_read_only (SpStore *store);
int
sp_store_get_schema_version (SpStore *store);
int
sp_store_get_latest_schema_version (void);

/* Contacts (sp-store-contacts.c) */
GVariant *
sp_store_contact_get (SpStore *store, const char *id, GError **error);
GVariant *
sp_store_contact_lookup (SpStore *store, const char *address, GError **error);
GVariant *
sp_store_contact_search (SpStore *store, const char *text, guint limit, GError **error);
char *
sp_store_contact_save (SpStore *store, GVariant *contact, GError **error);
gboolean
sp_store_contact_delete (SpStore *store, const char *id, GError **error);
guint
sp_store_contact_import (SpStore *store, GVariant *contacts, GError **error);

/* Interactions and history (sp-store-history.c) */
typedef struct
{
  const char *direction; /* "inbound" | "outbound" */
  const char *remote;
  const char *remote_name;
  const char *contact_id;  /* NULL or "" for none */
  gint64 started;          /* µs since the epoch */
  GVariant *attached_data; /* a{ss} or NULL */
  GVariant *case_data;     /* a{ss} or NULL */
} SpInteractionStart;

typedef struct
{
  gint64 answered;
  gint64 ended;
  const char *end_actor;
  const char *end_reason;
  gboolean video;
  const char *notes;
  const char *const *dispositions;
  GVariant *case_data; /* a{ss} or NULL */
} SpInteractionEnd;

char *
sp_store_interaction_begin (SpStore *store, const SpInteractionStart *start, GError **error);
/* The live record, written as it changes. Each of these writes also moves the row's
 * last-known-alive time to now: the end an interrupted interaction gets after a crash. */
gboolean
sp_store_interaction_set_notes (SpStore *store, const char *interaction_id, const char *notes,
                                GError **error);
gboolean
sp_store_interaction_set_case_data (SpStore *store, const char *interaction_id, GVariant *case_data,
                                    GError **error);
gboolean
sp_store_interaction_set_dispositions (SpStore *store, const char *interaction_id,
                                       const char *const *codes, GError **error);
gboolean
sp_store_interaction_set_answered (SpStore *store, const char *interaction_id, gint64 answered,
                                   GError **error);
gboolean
sp_store_interaction_set_ended (SpStore *store, const char *interaction_id, gint64 ended,
                                const char *end_actor, const char *end_reason, GError **error);
gboolean
sp_store_interaction_set_video_used (SpStore *store, const char *interaction_id, GError **error);
/* The call's media were encrypted (SRTP) at some point. */
gboolean
sp_store_interaction_set_encrypted (SpStore *store, const char *interaction_id, GError **error);
/* The heartbeat of a live interaction: only its last-known-alive time. */
gboolean
sp_store_interaction_touch (SpStore *store, const char *interaction_id, GError **error);
/* A push is recorded when it starts (returns its row, or 0 on failure) and when it ends. */
gint64
sp_store_interaction_push_started (SpStore *store, const char *interaction_id, const char *item_id,
                                   gint64 started, GError **error);
gboolean
sp_store_interaction_push_ended (SpStore *store, gint64 push, gint64 ended, const char *ended_by,
                                 GError **error);
/* The interaction's parties as Participants shows them (aa{sv}: id, role, uri, name, state,
 * joined, left), each row updated or added, in one transaction. */
/* Co-browse (sp-store-cobrowse.c): a session's row (0 on failure), then its changes. */
gint64
sp_store_cobrowse_started (SpStore *store, const char *interaction_id, gint64 started,
                           GError **error);
gboolean
sp_store_cobrowse_joined (SpStore *store, gint64 cobrowse, gint64 joined, GError **error);
gboolean
sp_store_cobrowse_page (SpStore *store, gint64 cobrowse, const char *url, gint64 visited,
                        GError **error);
gboolean
sp_store_cobrowse_ended (SpStore *store, gint64 cobrowse, gint64 ended, const char *ended_by,
                         GError **error);
gboolean
sp_store_interaction_set_participants (SpStore *store, const char *interaction_id,
                                       GVariant *participants, GError **error);
/* Mark Done: everything once more, status 'done', in one transaction. */
gboolean
sp_store_interaction_finish (SpStore *store, const char *interaction_id,
                             const SpInteractionEnd *end, GError **error);
/* At start-up: live rows from a crashed run become 'interrupted', ended at the end they
 * recorded or else at their last-known-alive time; their running pushes too. */
guint
sp_store_interactions_mark_interrupted (SpStore *store, GError **error);
GVariant *
sp_store_history (SpStore *store, const char *contact_id, guint offset, guint limit,
                  GError **error);
GVariant *
sp_store_interaction_get (SpStore *store, const char *interaction_id, GError **error);

/* Standard responses (sp-store-responses.c) */
GVariant *
sp_store_response_get (SpStore *store, const char *id, GError **error);
GVariant *
sp_store_response_search (SpStore *store, const char *text, guint limit, GError **error);
GStrv
sp_store_response_categories (SpStore *store, GError **error);
char *
sp_store_response_save (SpStore *store, GVariant *response, GError **error);
gboolean
sp_store_response_delete (SpStore *store, const char *id, GError **error);
guint
sp_store_response_import (SpStore *store, GVariant *responses, GError **error);

/* Push catalogue (sp-store-push.c) */
GVariant *
sp_store_push_list (SpStore *store, GError **error);
GVariant *
sp_store_push_get (SpStore *store, const char *id, GError **error);
char *
sp_store_push_add (SpStore *store, GVariant *item, GError **error);
/* A fresh id for sp_store_push_add(), for files named after the item before it is added. */
char *
sp_store_push_new_id (void);
gboolean
sp_store_push_remove (SpStore *store, const char *id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpStore, sp_store_free)

G_END_DECLS
