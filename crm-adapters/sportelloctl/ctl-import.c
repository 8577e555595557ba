/* The import batch: records with their line numbers, the problems found while parsing, and
 * the single Import call that sends them all. */
#include "ctl-import.h"

#include <stdlib.h>
#include <string.h>

#include "ctl-output.h"

/* Large files take a while to parse and to store: say how far we are, on stderr. */
#define PROGRESS_EVERY 10000

CtlImportBatch *
ctl_import_batch_new (const char *path)
{
  CtlImportBatch *batch = g_new0 (CtlImportBatch, 1);

  batch->path = g_strdup (path);
  batch->records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  batch->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  batch->problems = g_ptr_array_new_with_free_func (g_free);
  return batch;
}

void
ctl_import_batch_free (CtlImportBatch *batch)
{
  g_free (batch->path);
  g_ptr_array_unref (batch->records);
  g_array_unref (batch->lines);
  g_ptr_array_unref (batch->problems);
  g_free (batch);
}

void
ctl_import_batch_add (CtlImportBatch *batch, guint line, GVariant *record)
{
  g_ptr_array_add (batch->records, g_variant_ref_sink (record));
  g_array_append_val (batch->lines, line);
  if (batch->records->len % PROGRESS_EVERY == 0)
    g_printerr ("parsed %u records…\n", batch->records->len);
}

void
ctl_import_batch_problem (CtlImportBatch *batch, guint line, const char *format, ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (batch->problems, g_strdup_printf ("%s:%u: %s", batch->path, line, reason));
}

/* Prints every problem; TRUE when there was any, and then nothing must be sent. */
gboolean
ctl_import_batch_report_problems (CtlImportBatch *batch)
{
  for (guint i = 0; i < batch->problems->len; i++)
    g_printerr ("%s\n", (const char *)g_ptr_array_index (batch->problems, i));
  if (batch->problems->len == 0)
    return FALSE;
  g_printerr ("sportelloctl: %s: %u problem%s, nothing imported\n", batch->path,
              batch->problems->len, batch->problems->len == 1 ? "" : "s");
  return TRUE;
}

/* The service names a refused record "record N: …" (N from 1): point at the file's line. */
static gboolean
report_refused_record (CtlImportBatch *batch, const char *name, const char *message)
{
  const char *rest;
  char *end = NULL;
  guint64 index;

  if (!g_str_has_prefix (message, "record "))
    return FALSE;
  index = g_ascii_strtoull (message + strlen ("record "), &end, 10);
  if (end == message + strlen ("record ") || !g_str_has_prefix (end, ": ") || index < 1
      || index > batch->lines->len)
    return FALSE;
  rest = end + 2;
  g_printerr ("%s:%u: %s\n", batch->path, g_array_index (batch->lines, guint, index - 1), rest);
  g_printerr ("sportelloctl: %s: %s, nothing imported\n", batch->path, name);
  return TRUE;
}

static GVariant *
batch_to_variant (CtlImportBatch *batch)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < batch->records->len; i++)
    g_variant_builder_add_value (&builder, g_ptr_array_index (batch->records, i));
  return g_variant_builder_end (&builder);
}

static int
fail_import (CtlContext *ctx, CtlImportBatch *batch, GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);

  if (!name || ctl_error_is_service_missing (error))
    return ctl_fail (ctx, error);
  g_dbus_error_strip_remote_error (error);
  if (report_refused_record (batch, name, error->message))
    return CTL_EXIT_FAILURE;
  return ctl_fail_message ("%s: %s: %s", batch->path, name, error->message);
}

/* One call, one transaction; no timeout, since storing a large file takes as long as it takes. */
int
ctl_import_batch_send (CtlContext *ctx, CtlImportBatch *batch, GDBusProxy *proxy, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  guint count = 0;

  if (batch->records->len >= PROGRESS_EVERY)
    g_printerr ("sending %u records…\n", batch->records->len);
  reply = g_dbus_proxy_call_sync (proxy, "Import",
                                  g_variant_new ("(@aa{sv})", batch_to_variant (batch)),
                                  G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL, &error);
  if (!reply)
    return fail_import (ctx, batch, error);
  g_variant_get (reply, "(u)", &count);
  if (ctx->json)
    {
      g_autoptr (GVariant) result = g_variant_ref_sink (
        g_variant_new_parsed ("{'file': <%s>, 'imported': <%u>}", batch->path, count));
      ctl_print_variant_json (result);
    }
  else
    g_print ("imported %u %s\n", count, what);
  return CTL_EXIT_OK;
}

static const char *
format_from_name (const char *path)
{
  const char *dot = strrchr (path, '.');

  return dot && !strchr (dot, G_DIR_SEPARATOR) ? dot + 1 : "";
}

/* Reads the file and settles its format: @format if given, else the file name's extension;
 * either must be one of @formats (an unknown one is a usage error, G_OPTION_ERROR). */
char *
ctl_import_load (CtlImportBatch *batch, const char *format, const char *const *formats,
                 char **chosen, gsize *length, GError **error)
{
  g_autofree char *wanted = g_ascii_strdown (format ? format : format_from_name (batch->path), -1);
  g_autofree char *data = NULL;

  if (!g_strv_contains (formats, wanted))
    {
      g_autofree char *list = g_strjoinv (", ", (char **)formats);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: cannot tell the format (%s); use --format", batch->path, list);
      return NULL;
    }
  if (!g_file_get_contents (batch->path, &data, length, error))
    return NULL;
  *chosen = g_steal_pointer (&wanted);
  return g_steal_pointer (&data);
}
