/* Contacts from CSV (one row per contact, columns named by record keys) or from vCard. */
#include "ctl-csv.h"
#include "ctl-import.h"

static const char *const contact_columns[] = {
  "id", "first-name", "last-name", "organisation", "email", "notes", "addresses", NULL,
};

/* Several addresses share one cell, separated by ';' (a comma would need quoting). */
static GVariant *
addresses_from_cell (const char *cell)
{
  g_auto (GStrv) parts = g_strsplit (cell, ";", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) addresses = NULL;

  for (guint i = 0; parts[i]; i++)
    if (*g_strstrip (parts[i]))
      g_strv_builder_add (builder, parts[i]);
  addresses = g_strv_builder_end (builder);
  return addresses[0] ? g_variant_new_strv ((const char *const *)addresses, -1) : NULL;
}

static void
on_contact_row (CtlImportBatch *batch, guint line, const char *const *columns,
                const char *const *cells)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  for (guint i = 0; columns[i]; i++)
    {
      if (!cells[i])
        continue;
      if (g_str_equal (columns[i], "addresses"))
        {
          GVariant *addresses = addresses_from_cell (cells[i]);
          if (addresses)
            g_variant_dict_insert_value (&dict, "addresses", addresses);
        }
      else
        g_variant_dict_insert (&dict, columns[i], "s", cells[i]);
    }
  ctl_import_batch_add (batch, line, g_variant_dict_end (&dict));
}

gboolean
ctl_import_read_contacts (CtlImportBatch *batch, const char *format, GError **error)
{
  static const char *const formats[] = { "csv", "vcf", "vcard", NULL };
  g_autofree char *chosen = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  data = ctl_import_load (batch, format, formats, &chosen, &length, error);
  if (!data)
    return FALSE;
  if (g_str_equal (chosen, "csv"))
    ctl_csv_import (batch, data, length, contact_columns, on_contact_row);
  else
    ctl_import_parse_vcard (batch, data, length);
  return TRUE;
}
