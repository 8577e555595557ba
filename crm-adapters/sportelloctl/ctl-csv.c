/* An RFC 4180 CSV reader over a file held in memory, reporting every malformed row with its
 * line number and carrying on at the next line, so one run shows all the problems. */
#include "ctl-csv.h"

#include <string.h>

typedef struct
{
  CtlImportBatch *batch;
  const char *data;
  gsize length;
  gsize pos;
  guint line; /* the line data[pos] is on, from 1 */
} Reader;

static gboolean
at_end (Reader *r)
{
  return r->pos >= r->length;
}

/* RFC 4180 says CRLF; files from Unix tools end lines with LF alone. Both are accepted. */
static gboolean
at_newline (Reader *r)
{
  const char *p = r->data + r->pos;

  return !at_end (r) && (*p == '\n' || (*p == '\r' && r->pos + 1 < r->length && p[1] == '\n'));
}

static void
skip_newline (Reader *r)
{
  r->pos += r->data[r->pos] == '\r' ? 2 : 1;
  r->line++;
}

static void
skip_rest_of_line (Reader *r)
{
  while (!at_end (r) && !at_newline (r))
    r->pos++;
  if (!at_end (r))
    skip_newline (r);
}

static gboolean
read_quoted (Reader *r, GString *field)
{
  guint opened = r->line;

  for (r->pos++;; r->pos++)
    {
      if (at_end (r))
        {
          ctl_import_batch_problem (r->batch, opened, "a quoted field is never closed");
          return FALSE;
        }
      if (r->data[r->pos] == '"')
        {
          if (r->pos + 1 < r->length && r->data[r->pos + 1] == '"')
            r->pos++; /* a doubled quote stands for one */
          else
            break;
        }
      else if (r->data[r->pos] == '\n')
        r->line++;
      g_string_append_c (field, r->data[r->pos]);
    }
  r->pos++;
  if (!at_end (r) && r->data[r->pos] != ',' && !at_newline (r))
    {
      ctl_import_batch_problem (r->batch, r->line, "text after the closing quote of a field");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_plain (Reader *r, GString *field)
{
  for (; !at_end (r) && r->data[r->pos] != ',' && !at_newline (r); r->pos++)
    {
      if (r->data[r->pos] == '"')
        {
          ctl_import_batch_problem (
            r->batch, r->line,
            "a quote inside an unquoted field (quote the whole field and double the quote)");
          return FALSE;
        }
      g_string_append_c (field, r->data[r->pos]);
    }
  return TRUE;
}

/* Reads the next row into @fields; FALSE at the end of the data. *@ok is FALSE when the row
 * was malformed (already reported); the reader then stands at the next line. */
static gboolean
read_row (Reader *r, GPtrArray *fields, guint *line, gboolean *ok)
{
  g_ptr_array_set_size (fields, 0);
  while (at_newline (r))
    skip_newline (r);
  if (at_end (r))
    return FALSE;
  *line = r->line;
  for (;;)
    {
      g_autoptr (GString) field = g_string_new (NULL);

      *ok = !at_end (r) && r->data[r->pos] == '"' ? read_quoted (r, field) : read_plain (r, field);
      if (!*ok)
        {
          skip_rest_of_line (r);
          return TRUE;
        }
      g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
      if (at_end (r) || r->data[r->pos] != ',')
        break;
      r->pos++;
    }
  if (!at_end (r))
    skip_newline (r);
  return TRUE;
}

/* "First_Name " and "first-name" name the same key. */
static char *
normalise_column (const char *name)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name));

  return g_strdelimit (g_ascii_strdown (stripped, -1), "_", '-');
}

static GStrv
header_columns (CtlImportBatch *batch, guint line, GPtrArray *fields, const char *const *known)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) columns = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; i < fields->len; i++)
    {
      g_autofree char *name = normalise_column (g_ptr_array_index (fields, i));
      g_autofree char *list = g_strjoinv (", ", (char **)known);

      if (!g_utf8_validate (name, -1, NULL) || !g_strv_contains (known, name))
        {
          ctl_import_batch_problem (batch, line, "unknown column '%s' (the columns are: %s)",
                                    g_utf8_validate (name, -1, NULL) ? name : "?", list);
          ok = FALSE;
        }
      g_strv_builder_add (builder, name);
    }
  columns = g_strv_builder_end (builder);
  for (guint i = 0; columns[i]; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (columns[i], columns[j]) && g_strv_contains (known, columns[i]))
        {
          ctl_import_batch_problem (batch, line, "column '%s' appears twice", columns[i]);
          ok = FALSE;
        }
  return ok ? g_steal_pointer (&columns) : NULL;
}

/* Cells are trimmed; an empty one is left out of the record (NULL). FALSE if one is not UTF-8. */
static gboolean
prepare_cells (CtlImportBatch *batch, guint line, const char *const *columns, GPtrArray *fields,
               gboolean *empty)
{
  *empty = TRUE;
  for (guint i = 0; i < fields->len; i++)
    {
      char *cell = fields->pdata[i];

      if (!g_utf8_validate (cell, -1, NULL))
        {
          ctl_import_batch_problem (batch, line, "the '%s' cell is not valid UTF-8", columns[i]);
          return FALSE;
        }
      if (!*g_strstrip (cell))
        g_clear_pointer (&fields->pdata[i], g_free);
      else
        *empty = FALSE;
    }
  return TRUE;
}

static void
import_rows (Reader *r, const char *const *columns, CtlCsvRowFunc row_func)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  guint n_columns = g_strv_length ((char **)columns);
  guint line = 0;
  gboolean ok = FALSE, empty = FALSE;

  while (read_row (r, fields, &line, &ok))
    {
      if (!ok)
        continue;
      if (fields->len != n_columns)
        {
          ctl_import_batch_problem (r->batch, line, "%u fields, but the header names %u columns",
                                    fields->len, n_columns);
          continue;
        }
      /* Rows a spreadsheet pads with empty cells are no records at all. */
      if (!prepare_cells (r->batch, line, columns, fields, &empty) || empty)
        continue;
      row_func (r->batch, line, columns, (const char *const *)fields->pdata);
    }
}

void
ctl_csv_import (CtlImportBatch *batch, const char *data, gsize length,
                const char *const *known_columns, CtlCsvRowFunc row_func)
{
  Reader r = { batch, data, length, 0, 1 };
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) columns = NULL;
  guint line = 1;
  gboolean ok = FALSE;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    r.pos = 3;
  if (!read_row (&r, fields, &line, &ok))
    {
      ctl_import_batch_problem (batch, 1,
                                "the file is empty: a header row naming the columns is required");
      return;
    }
  if (!ok)
    return;
  columns = header_columns (batch, line, fields, known_columns);
  if (columns)
    import_rows (&r, (const char *const *)columns, row_func);
}
