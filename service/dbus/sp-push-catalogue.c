/* Adding and removing push clips. The copy, the check and the row go together: the clip is
 * copied first and the copy is what gets decoded, so what is kept is what was checked, and the
 * catalogue does not depend on the original staying where it was. A failure at any step leaves
 * nothing behind in DATA_DIR/push or in the store. */
#include "sp-push-catalogue.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sp-clip-probe.h"

typedef struct
{
  SpStore *store; /* borrowed */
  char *source;   /* the caller's file */
  char *title;
  char *description;
  guint image_ms;
  char *id;
  char *dir;
  char *part;      /* DIR/ID.part: the copy while it is checked */
  char *clip;      /* DIR/ID.EXT, once checked */
  char *thumbnail; /* DIR/ID-thumb.png */
  SpClipInfo info;
} AddOp;

static void
add_op_free (gpointer data)
{
  AddOp *op = data;

  g_free (op->source);
  g_free (op->title);
  g_free (op->description);
  g_free (op->id);
  g_free (op->dir);
  g_free (op->part);
  g_free (op->clip);
  g_free (op->thumbnail);
  g_free (op);
}

char *
sp_push_catalogue_dir (const char *data_dir)
{
  return g_build_filename (data_dir, "push", NULL);
}

static void
delete_files (AddOp *op)
{
  g_unlink (op->part);
  if (op->clip)
    g_unlink (op->clip);
  g_unlink (op->thumbnail);
}

/* The caller's extension when it is a plain one ("webm", "MP4"), else the format's usual one. */
static char *
pick_extension (const char *source, const char *detected)
{
  g_autofree char *name = g_path_get_basename (source);
  const char *dot = strrchr (name, '.');
  gsize length = dot ? strlen (dot + 1) : 0;

  if (dot && dot != name && length >= 1 && length <= 5)
    {
      gboolean plain = TRUE;

      for (const char *p = dot + 1; *p; p++)
        plain = plain && g_ascii_isalnum (*p);
      if (plain)
        return g_ascii_strdown (dot + 1, -1);
    }
  return g_strdup (detected);
}

static void
prepare_files_in_thread (GTask *task, gpointer source_object, gpointer data,
                         GCancellable *cancellable)
{
  AddOp *op = data;
  g_autoptr (GFile) from = g_file_new_for_path (op->source);
  g_autoptr (GFile) to = g_file_new_for_path (op->part);
  g_autoptr (GError) error = NULL;
  g_autofree char *extension = NULL;

  if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, &error))
    {
      g_prefix_error (&error, "cannot copy '%s' into %s: ", op->source, op->dir);
      goto fail;
    }
  if (!sp_clip_probe (op->part, op->image_ms, op->thumbnail, &op->info, cancellable, &error))
    {
      if (g_error_matches (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_MEDIA))
        g_prefix_error (&error, "'%s' ", op->source);
      goto fail;
    }
  extension = pick_extension (op->source, op->info.extension);
  if (extension)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", op->id, extension);
      op->clip = g_build_filename (op->dir, name, NULL);
    }
  else
    op->clip = g_build_filename (op->dir, op->id, NULL);
  if (g_rename (op->part, op->clip) != 0)
    {
      int saved = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot rename %s to %s: %s",
                   op->part, op->clip, g_strerror (saved));
      goto fail;
    }
  g_task_return_boolean (task, TRUE);
  return;

fail:
  delete_files (op);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* On the caller's context: the store is only ever used there. */
static void
on_files_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  AddOp *op = g_task_get_task_data (task);
  g_autoptr (GVariant) item = NULL;
  GError *error = NULL;
  GVariantDict dict;
  char *id;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      delete_files (op);
      return;
    }
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "s", op->id);
  g_variant_dict_insert (&dict, "title", "s", op->title);
  g_variant_dict_insert (&dict, "description", "s", op->description);
  g_variant_dict_insert (&dict, "kind", "s", sp_clip_kind_to_string (op->info.kind));
  g_variant_dict_insert (&dict, "path", "s", op->clip);
  g_variant_dict_insert (&dict, "thumbnail", "s", op->thumbnail);
  g_variant_dict_insert (&dict, "duration-ms", "t", op->info.duration_ms);
  g_variant_dict_insert (&dict, "has-audio", "b", op->info.has_audio);
  item = g_variant_ref_sink (g_variant_dict_end (&dict));
  id = sp_store_push_add (op->store, item, &error);
  if (!id)
    {
      delete_files (op);
      g_task_return_error (task, error);
      return;
    }
  g_info ("push item %s added from %s: %s, %" G_GUINT64_FORMAT " ms%s", id, op->source,
          sp_clip_kind_to_string (op->info.kind), op->info.duration_ms,
          op->info.has_audio ? ", with sound" : "");
  g_task_return_pointer (task, id, g_free);
}

static gboolean
check_request (SpStore *store, const char *path, const char *title, guint image_ms, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (title));

  if (sp_store_is_read_only (store))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE,
                   "the database %s is read-only; nothing can be added to the push catalogue",
                   sp_store_get_path (store));
      return FALSE;
    }
  if (!*stripped)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a push item needs a title");
      return FALSE;
    }
  if (image_ms > SP_PUSH_CATALOGUE_MAX_IMAGE_MS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "an image can be shown for at most %u s, not %u s",
                   SP_PUSH_CATALOGUE_MAX_IMAGE_MS / 1000, image_ms / 1000);
      return FALSE;
    }
  /* sportellod does not share the caller's working directory. */
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an absolute path",
                   path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no file at '%s'", path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not a regular file",
                   path);
      return FALSE;
    }
  if (g_access (path, R_OK) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' cannot be read: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
sp_push_catalogue_add_async (SpStore *store, const char *data_dir, const char *path,
                             const char *title, const char *description, guint image_ms,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GTask) files = NULL;
  g_autofree char *thumbnail_name = NULL;
  g_autofree char *part_name = NULL;
  GError *error = NULL;
  AddOp *op;

  g_task_set_source_tag (task, sp_push_catalogue_add_async);
  if (!check_request (store, path, title, image_ms, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  op = g_new0 (AddOp, 1);
  g_task_set_task_data (task, op, add_op_free);
  op->store = store;
  op->source = g_strdup (path);
  op->title = g_strstrip (g_strdup (title));
  op->description = g_strdup (description ? description : "");
  op->image_ms = image_ms;
  op->id = sp_store_push_new_id ();
  op->dir = sp_push_catalogue_dir (data_dir);
  part_name = g_strdup_printf ("%s.part", op->id);
  thumbnail_name = g_strdup_printf ("%s-thumb.png", op->id);
  op->part = g_build_filename (op->dir, part_name, NULL);
  op->thumbnail = g_build_filename (op->dir, thumbnail_name, NULL);
  if (g_mkdir_with_parents (op->dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               "cannot create %s: %s", op->dir, g_strerror (saved));
      return;
    }
  files = g_task_new (NULL, cancellable, on_files_ready, g_object_ref (task));
  g_task_set_task_data (files, op, NULL);
  g_task_run_in_thread (files, prepare_files_in_thread);
}

char *
sp_push_catalogue_add_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
is_in_dir (const char *path, const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (path);

  return g_str_equal (parent, dir);
}

gboolean
sp_push_catalogue_remove (SpStore *store, const char *data_dir, const char *id, GError **error)
{
  g_autoptr (GVariant) item = NULL;
  g_autofree char *dir = sp_push_catalogue_dir (data_dir);
  const char *files[2] = { NULL, NULL };

  /* A write on a read-only database is refused as such, whether or not the id exists. */
  if (sp_store_is_read_only (store))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE,
                   "the database %s is read-only; nothing can be removed from the push catalogue",
                   sp_store_get_path (store));
      return FALSE;
    }
  item = sp_store_push_get (store, id, error);
  if (!item || !sp_store_push_remove (store, id, error))
    return FALSE;
  g_variant_lookup (item, "path", "&s", &files[0]);
  g_variant_lookup (item, "thumbnail", "&s", &files[1]);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      /* A row added by other means may point anywhere: only our own copies are deleted. */
      if (!files[i] || !*files[i] || !is_in_dir (files[i], dir))
        continue;
      if (g_unlink (files[i]) != 0)
        {
          int saved = errno;

          if (saved != ENOENT)
            g_warning ("push item %s removed, but %s could not be deleted: %s", id, files[i],
                       g_strerror (saved));
        }
    }
  g_info ("push item %s removed", id);
  return TRUE;
}
