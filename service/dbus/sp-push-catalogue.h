/* The push catalogue's files: a clip is copied into DATA_DIR/push/, checked by decoding the
 * copy, thumbnailed and recorded in the store; removing it deletes its row and its files. */
#pragma once

#include <gio/gio.h>

#include "sp-store.h"

G_BEGIN_DECLS

/* Where the clips and thumbnails are kept: DATA_DIR/push. */
char *
sp_push_catalogue_dir (const char *data_dir);

/* Adds the file at @path (absolute) as DATA_DIR/push/ID.EXT with a thumbnail
 * DATA_DIR/push/ID-thumb.png; an image is shown for @image_ms (0: the default). @store is
 * borrowed: it must outlive the operation, or @cancellable be cancelled first (the store is
 * then left alone). Copying and decoding happen in a worker thread; the store is written on the
 * caller's context. Errors: G_IO_ERROR_NOT_FOUND (no file), G_IO_ERROR_INVALID_ARGUMENT (a bad
 * title, path or display time), SP_MEDIA_ERROR_UNSUPPORTED_MEDIA (prefixed with the path),
 * SP_STORE_ERROR_UNAVAILABLE (read-only database), other GIO errors from copying. */
void
sp_push_catalogue_add_async (SpStore *store, const char *data_dir, const char *path,
                             const char *title, const char *description, guint image_ms,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
/* Returns the new item's id. */
char *
sp_push_catalogue_add_finish (GAsyncResult *result, GError **error);

/* Removes the item and deletes the files of it that are in DATA_DIR/push (never a file it
 * merely points to elsewhere). SP_STORE_ERROR_NOT_FOUND for an unknown id. */
gboolean
sp_push_catalogue_remove (SpStore *store, const char *data_dir, const char *id, GError **error);

/* The longest an image may be shown: an hour. */
#define SP_PUSH_CATALOGUE_MAX_IMAGE_MS (3600 * 1000)

G_END_DECLS
