/* Standard responses from CSV (columns id, title, category, body) or from JSON (an array of
 * objects with those keys). Placeholders are checked by the service, which names the record. */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ctl-csv.h"
#include "ctl-import.h"

static const char *const response_keys[] = { "id", "title", "category", "body", NULL };

static gboolean
check_response (CtlImportBatch *batch, guint line, GVariantDict *dict)
{
  /* With an id the record may update a stored response, which needs neither. */
  if (!g_variant_dict_contains (dict, "id")
      && (!g_variant_dict_contains (dict, "title") || !g_variant_dict_contains (dict, "body")))
    {
      ctl_import_batch_problem (batch, line, "a new response needs a title and a body");
      return FALSE;
    }
  return TRUE;
}

static void
on_response_row (CtlImportBatch *batch, guint line, const char *const *columns,
                 const char *const *cells)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  for (guint i = 0; columns[i]; i++)
    if (cells[i])
      g_variant_dict_insert (&dict, columns[i], "s", cells[i]);
  if (check_response (batch, line, &dict))
    ctl_import_batch_add (batch, line, g_variant_dict_end (&dict));
  else
    g_variant_dict_clear (&dict);
}

/* json-glib keeps no positions in the tree: note where each element of the top-level array
 * starts (or, for a scalar, ends) as the parser meets it. */
typedef struct
{
  int depth;
  guint pending; /* the line a top-level element started on */
  GArray *lines;
} JsonLines;

static void
on_json_start (JsonParser *parser, gpointer data)
{
  JsonLines *tracker = data;

  if (tracker->depth == 1)
    tracker->pending = json_parser_get_current_line (parser);
  tracker->depth++;
}

static void
on_json_end (JsonParser *parser, gpointer container, gpointer data)
{
  ((JsonLines *)data)->depth--;
}

static void
on_json_element (JsonParser *parser, JsonArray *array, int index, gpointer data)
{
  JsonLines *tracker = data;
  guint line = tracker->pending ? tracker->pending : json_parser_get_current_line (parser);

  if (tracker->depth != 1)
    return;
  g_array_append_val (tracker->lines, line);
  tracker->pending = 0;
}

static gboolean
add_json_member (CtlImportBatch *batch, guint line, GVariantDict *dict, const char *key,
                 JsonNode *value)
{
  if (!g_strv_contains (response_keys, key))
    {
      ctl_import_batch_problem (batch, line,
                                "unknown key '%s' (the keys are: id, title, category, body)", key);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_NULL (value))
    return TRUE;
  if (json_node_get_value_type (value) != G_TYPE_STRING)
    {
      ctl_import_batch_problem (batch, line, "the value of '%s' must be a string", key);
      return FALSE;
    }
  if (*json_node_get_string (value))
    g_variant_dict_insert (dict, key, "s", json_node_get_string (value));
  return TRUE;
}

static void
add_json_record (CtlImportBatch *batch, guint line, JsonNode *element)
{
  GVariantDict dict;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      ctl_import_batch_problem (batch, line, "each element must be an object");
      return;
    }
  g_variant_dict_init (&dict, NULL);
  json_object_iter_init (&iter, json_node_get_object (element));
  while (json_object_iter_next (&iter, &key, &value))
    ok = add_json_member (batch, line, &dict, key, value) && ok;
  if (ok && check_response (batch, line, &dict))
    ctl_import_batch_add (batch, line, g_variant_dict_end (&dict));
  else
    g_variant_dict_clear (&dict);
}

/* json-glib reports "<data>:LINE:COLUMN: message": turn that into a problem on LINE. */
static void
report_json_error (CtlImportBatch *batch, const GError *error)
{
  guint line = 0, column = 0;
  int consumed = 0;

  if (sscanf (error->message, "<data>:%u:%u: %n", &line, &column, &consumed) >= 2 && consumed > 0)
    ctl_import_batch_problem (batch, line, "%s", error->message + consumed);
  else
    ctl_import_batch_problem (batch, 1, "%s", error->message);
}

static void
parse_json (CtlImportBatch *batch, const char *data, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GError) error = NULL;
  JsonLines tracker = { 0, 0, lines };
  JsonNode *root;
  JsonArray *array;

  g_signal_connect (parser, "object-start", G_CALLBACK (on_json_start), &tracker);
  g_signal_connect (parser, "array-start", G_CALLBACK (on_json_start), &tracker);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_json_end), &tracker);
  g_signal_connect (parser, "array-end", G_CALLBACK (on_json_end), &tracker);
  g_signal_connect (parser, "array-element", G_CALLBACK (on_json_element), &tracker);
  if (!json_parser_load_from_data (parser, data, (gssize)length, &error))
    {
      report_json_error (batch, error);
      return;
    }
  root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_ARRAY (root))
    {
      ctl_import_batch_problem (batch, 1, "expected an array of response objects");
      return;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    add_json_record (batch, i < lines->len ? g_array_index (lines, guint, i) : 1,
                     json_array_get_element (array, i));
}

gboolean
ctl_import_read_responses (CtlImportBatch *batch, const char *format, GError **error)
{
  static const char *const formats[] = { "csv", "json", NULL };
  g_autofree char *chosen = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  data = ctl_import_load (batch, format, formats, &chosen, &length, error);
  if (!data)
    return FALSE;
  if (g_str_equal (chosen, "csv"))
    ctl_csv_import (batch, data, length, response_keys, on_response_row);
  else
    parse_json (batch, data, length);
  return TRUE;
}
