/* Human and JSON output. Human text goes through g_print (converted to the locale's charset);
 * JSON is always written as UTF-8, as RFC 8259 requires. */
#include "ctl-output.h"

#include <stdio.h>

struct _CtlTable
{
  GPtrArray *rows; /* of GStrv */
  guint columns;
};

void
ctl_print_json (JsonNode *node, gboolean pretty)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, pretty);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
ctl_print_variant_json (GVariant *value)
{
  g_autoptr (JsonNode) node = json_gvariant_serialize (value);

  ctl_print_json (node, TRUE);
}

static void
append_value (GString *out, GVariant *value);

static void
append_dict (GString *out, GVariant *value)
{
  GVariantIter iter;
  GVariant *entry;
  gboolean first = TRUE;

  g_variant_iter_init (&iter, value);
  while ((entry = g_variant_iter_next_value (&iter)))
    {
      g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr (GVariant) item = g_variant_get_child_value (entry, 1);

      g_string_append (out, first ? "" : ", ");
      append_value (out, key);
      g_string_append_c (out, '=');
      append_value (out, item);
      first = FALSE;
      g_variant_unref (entry);
    }
}

static void
append_array (GString *out, GVariant *value)
{
  gsize n = g_variant_n_children (value);
  /* A list of records reads better as one {…} per record. */
  gboolean records = g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{sv}"));

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (value, i);

      g_string_append (out, i ? ", " : "");
      g_string_append (out, records ? "{" : "");
      append_value (out, child);
      g_string_append (out, records ? "}" : "");
    }
}

/* A tuple such as EndReason (ssss) reads "(remote, hangup, …)"; all-empty reads as nothing. */
static void
append_tuple (GString *out, GVariant *value)
{
  g_autoptr (GString) inner = g_string_new (NULL);
  gsize n = g_variant_n_children (value);
  gboolean blank = TRUE;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
      gsize before;

      g_string_append (inner, i ? ", " : "");
      before = inner->len;
      append_value (inner, child);
      blank = blank && inner->len == before;
    }
  if (!blank)
    g_string_append_printf (out, "(%s)", inner->str);
}

static void
append_value (GString *out, GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      append_value (out, inner);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
           || g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    g_string_append (out, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (value) ? "yes" : "no");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DICTIONARY))
    append_dict (out, value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_ARRAY))
    append_array (out, value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_TUPLE))
    append_tuple (out, value);
  else
    {
      g_autofree char *text = g_variant_print (value, FALSE);
      g_string_append (out, text);
    }
}

/* Strings as they are, booleans as yes/no, lists comma-separated, dictionaries as k=v. */
char *
ctl_format_value (GVariant *value)
{
  GString *out = g_string_new (NULL);

  append_value (out, value);
  return g_string_free (out, FALSE);
}

char *
ctl_format_time (gint64 usec)
{
  g_autoptr (GDateTime) time = NULL;

  if (usec <= 0)
    return g_strdup ("-");
  time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

char *
ctl_format_duration (guint64 ms)
{
  guint64 seconds = (ms + 500) / 1000;

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", seconds / 3600,
                            (guint)(seconds / 60 % 60), (guint)(seconds % 60));
  return g_strdup_printf ("%u:%02u", (guint)(seconds / 60), (guint)(seconds % 60));
}

/* The string under @key, or "" when the record has none: the field is simply blank. */
const char *
ctl_record_string (GVariant *record, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (record, key, "&s", &value))
    return "";
  return value;
}

/* Continuation lines of a multi-line value are indented under the first one. */
void
ctl_print_field (const char *key, const char *value, guint width)
{
  g_auto (GStrv) lines = g_strsplit (value, "\n", -1);
  g_autofree char *label = g_strdup_printf ("%s:", key);

  g_print ("%-*s %s\n", (int)width + 1, label, lines[0] ? lines[0] : "");
  for (guint i = 1; lines[0] && lines[i]; i++)
    g_print ("%-*s %s\n", (int)width + 1, "", lines[i]);
}

static gboolean
is_listed (const char *key, const char *const *order)
{
  return order && g_strv_contains (order, key);
}

/* An empty string or list says nothing: such fields are left out of the human view. */
static gboolean
has_value (GVariant *record, const char *key)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (record, key, NULL);

  if (!value)
    return FALSE;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return *g_variant_get_string (value, NULL) != '\0';
  if (g_variant_is_container (value))
    return g_variant_n_children (value) > 0;
  return TRUE;
}

/* Keys in @order first (when present), then the record's other keys, sorted. */
void
ctl_print_record (GVariant *record, const char *const *order)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) extra = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const char *key;
  guint width = 0;

  for (guint i = 0; order && order[i]; i++)
    if (has_value (record, order[i]))
      g_ptr_array_add (keys, g_strdup (order[i]));
  g_variant_iter_init (&iter, record);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    if (!is_listed (key, order) && has_value (record, key))
      g_ptr_array_add (extra, g_strdup (key));
  g_ptr_array_sort (extra, (GCompareFunc)g_strcmp0);
  g_ptr_array_extend_and_steal (keys, g_steal_pointer (&extra));
  for (guint i = 0; i < keys->len; i++)
    width = MAX (width, (guint)strlen (g_ptr_array_index (keys, i)));
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr (GVariant) value
        = g_variant_lookup_value (record, g_ptr_array_index (keys, i), NULL);
      g_autofree char *text = ctl_format_value (value);

      ctl_print_field (g_ptr_array_index (keys, i), text, width);
    }
}

void
ctl_print_lines (const char *const *lines)
{
  for (guint i = 0; lines && lines[i]; i++)
    g_print ("%s\n", lines[i]);
}

CtlTable *
ctl_table_new (void)
{
  CtlTable *table = g_new0 (CtlTable, 1);

  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  return table;
}

void
ctl_table_free (CtlTable *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

/* Newlines would break the one-line-per-record promise: show them as spaces in tables. */
void
ctl_table_add (CtlTable *table, const char *first, ...)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GStrv row;
  va_list args;

  va_start (args, first);
  for (const char *cell = first; cell; cell = va_arg (args, const char *))
    {
      g_autofree char *flat = g_strdelimit (g_strdup (cell), "\r\n\t", ' ');
      g_strv_builder_add (builder, flat);
    }
  va_end (args);
  row = g_strv_builder_end (builder);
  table->columns = MAX (table->columns, g_strv_length (row));
  g_ptr_array_add (table->rows, row);
}

void
ctl_table_print (CtlTable *table)
{
  g_autofree guint *widths = g_new0 (guint, table->columns + 1);

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);
      for (guint c = 0; row[c]; c++)
        widths[c] = MAX (widths[c], (guint)g_utf8_strlen (row[c], -1));
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);
      g_autoptr (GString) line = g_string_new (NULL);

      for (guint c = 0; row[c]; c++)
        {
          g_string_append (line, row[c]);
          if (row[c + 1])
            for (guint pad = (guint)g_utf8_strlen (row[c], -1); pad < widths[c] + 2; pad++)
              g_string_append_c (line, ' ');
        }
      /* Trailing blanks from empty last cells help nobody. */
      while (line->len && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      g_print ("%s\n", line->str);
    }
}
