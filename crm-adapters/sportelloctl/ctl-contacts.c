/* Contacts1 commands: the customer record (lookup, search, show, edit, history, import). */
#include "ctl-commands.h"
#include "ctl-import.h"
#include "ctl-output.h"

static const char *const contact_order[] = {
  "id", "first-name", "last-name", "organisation", "email", "addresses", "notes", NULL,
};

/* The fields of `contacts add` and `contacts update`. */
typedef struct
{
  char *id;
  char *first_name;
  char *last_name;
  char *organisation;
  char *email;
  char *notes;
  char **addresses;
} ContactOptions;

static void
contact_options_clear (ContactOptions *options)
{
  g_free (options->id);
  g_free (options->first_name);
  g_free (options->last_name);
  g_free (options->organisation);
  g_free (options->email);
  g_free (options->notes);
  g_strfreev (options->addresses);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ContactOptions, contact_options_clear)

static void
print_contact (CtlContext *ctx, GVariant *contact)
{
  if (ctx->json)
    ctl_print_variant_json (contact);
  else
    ctl_print_record (contact, contact_order);
}

static char *
full_name (GVariant *contact)
{
  g_autofree char *name = g_strdup_printf ("%s %s", ctl_record_string (contact, "first-name"),
                                           ctl_record_string (contact, "last-name"));
  return g_strdup (g_strstrip (name));
}

static void
print_contact_list (GVariant *contacts)
{
  g_autoptr (CtlTable) table = ctl_table_new ();
  GVariantIter iter;
  GVariant *contact;

  g_variant_iter_init (&iter, contacts);
  while ((contact = g_variant_iter_next_value (&iter)))
    {
      g_autofree char *name = full_name (contact);
      g_autoptr (GVariant) addresses
        = g_variant_lookup_value (contact, "addresses", G_VARIANT_TYPE_STRING_ARRAY);
      g_autofree char *joined = addresses ? ctl_format_value (addresses) : g_strdup ("");

      ctl_table_add (table, ctl_record_string (contact, "id"), name,
                     ctl_record_string (contact, "organisation"), joined,
                     ctl_record_string (contact, "email"), NULL);
      g_variant_unref (contact);
    }
  ctl_table_print (table);
}

static int
run_lookup (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;
  g_autoptr (GVariant) contact = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts || !sp_contacts1_call_lookup_sync (contacts, argv[1], &contact, NULL, &error))
    return ctl_fail (ctx, error);
  print_contact (ctx, contact);
  return CTL_EXIT_OK;
}

static int
run_get (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;
  g_autoptr (GVariant) contact = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts || !sp_contacts1_call_get_sync (contacts, argv[1], &contact, NULL, &error))
    return ctl_fail (ctx, error);
  print_contact (ctx, contact);
  return CTL_EXIT_OK;
}

static int
run_search (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  int limit = 0;
  const GOptionEntry entries[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "At most this many contacts (default 50)", "N" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;
  g_autoptr (GVariant) found = NULL;
  g_autofree char *text = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 1, -1))
    return CTL_EXIT_USAGE;
  if (limit < 0)
    return ctl_usage_error (command, "--limit must not be negative");
  text = g_strjoinv (" ", argv + 1);
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts
      || !sp_contacts1_call_search_sync (contacts, text, (guint)limit, &found, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (found);
  else if (g_variant_n_children (found) == 0)
    g_print ("no contact matches '%s'\n", text);
  else
    print_contact_list (found);
  return CTL_EXIT_OK;
}

static char *
history_headline (GVariant *record)
{
  gint64 started = 0;
  guint64 duration = 0;
  g_autofree char *when = NULL;
  g_autofree char *length = NULL;
  g_autofree char *dispositions = NULL;
  g_autoptr (GVariant) codes
    = g_variant_lookup_value (record, "dispositions", G_VARIANT_TYPE_STRING_ARRAY);
  const char *remote_name = ctl_record_string (record, "remote-name");
  g_autofree char *who = NULL;
  gboolean video = FALSE;

  g_variant_lookup (record, "started", "x", &started);
  g_variant_lookup (record, "duration-ms", "t", &duration);
  g_variant_lookup (record, "video", "b", &video);
  when = ctl_format_time (started);
  length = ctl_format_duration (duration);
  dispositions = codes ? ctl_format_value (codes) : g_strdup ("");
  who = *remote_name
          ? g_strdup_printf ("%s (%s)", ctl_record_string (record, "remote"), remote_name)
          : g_strdup (ctl_record_string (record, "remote"));
  return g_strdup_printf ("%s  %-8s  %s  %s  %s%s%s%s", when,
                          ctl_record_string (record, "direction"), who, length,
                          ctl_record_string (record, "status"), video ? "  video" : "",
                          *dispositions ? "  " : "", dispositions);
}

static void
print_history (GVariant *records)
{
  GVariantIter iter;
  GVariant *record;

  g_variant_iter_init (&iter, records);
  while ((record = g_variant_iter_next_value (&iter)))
    {
      g_autofree char *headline = history_headline (record);
      const char *notes = ctl_record_string (record, "notes");

      g_print ("%s\n", headline);
      if (*notes)
        {
          g_auto (GStrv) lines = g_strsplit (notes, "\n", -1);

          for (guint i = 0; lines[i]; i++)
            g_print ("    %s %s\n", i == 0 ? "notes:" : "      ", lines[i]);
        }
      g_variant_unref (record);
    }
}

static int
run_history (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  int offset = 0, limit = 0;
  const GOptionEntry entries[] = {
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, "Skip this many interactions", "N" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "At most this many interactions (default 20)",
      "N" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;
  g_autoptr (GVariant) records = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  if (offset < 0 || limit < 0)
    return ctl_usage_error (command, "--offset and --limit must not be negative");
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts
      || !sp_contacts1_call_history_sync (contacts, argv[1], (guint)offset, (guint)limit, &records,
                                          NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    ctl_print_variant_json (records);
  else if (g_variant_n_children (records) == 0)
    g_print ("no interactions with contact '%s'\n", argv[1]);
  else
    print_history (records);
  return CTL_EXIT_OK;
}

static void
add_string (GVariantDict *dict, const char *key, const char *value)
{
  if (value)
    g_variant_dict_insert (dict, key, "s", value);
}

/* Only the options given go into the record: Save keeps the stored value of every key left out. */
static GVariant *
contact_from_options (const ContactOptions *options, const char *id)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  add_string (&dict, "id", id);
  add_string (&dict, "first-name", options->first_name);
  add_string (&dict, "last-name", options->last_name);
  add_string (&dict, "organisation", options->organisation);
  add_string (&dict, "email", options->email);
  add_string (&dict, "notes", options->notes);
  if (options->addresses)
    g_variant_dict_insert_value (&dict, "addresses",
                                 g_variant_new_strv ((const char *const *)options->addresses, -1));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static int
save_contact (CtlContext *ctx, SpContacts1 *contacts, GVariant *record)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;

  if (!sp_contacts1_call_save_sync (contacts, record, &id, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_parsed ("{'id': <%s>}", id));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%s\n", id);
  return CTL_EXIT_OK;
}

/* The options of `contacts add` (@with_id) and `contacts update`, writing into @o. */
static GArray *
contact_entries (ContactOptions *o, gboolean with_id)
{
  const GOptionEntry id_entry
    = { "id", 0, 0, G_OPTION_ARG_STRING, &o->id, "Create the contact under this id", "ID" };
  const GOptionEntry fields[] = {
    { "first-name", 0, 0, G_OPTION_ARG_STRING, &o->first_name, "First name", "TEXT" },
    { "last-name", 0, 0, G_OPTION_ARG_STRING, &o->last_name, "Last name", "TEXT" },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &o->organisation, "Organisation", "TEXT" },
    { "email", 0, 0, G_OPTION_ARG_STRING, &o->email, "E-mail address", "ADDRESS" },
    { "notes", 0, 0, G_OPTION_ARG_STRING, &o->notes, "Notes", "TEXT" },
    { "address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->addresses,
      "Phone number or SIP URI (repeat for more)", "ADDRESS" },
  };
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry)); /* ends with a zeroed entry */

  if (with_id)
    g_array_append_val (entries, id_entry);
  g_array_append_vals (entries, fields, G_N_ELEMENTS (fields));
  return entries;
}

static int
run_add (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_auto (ContactOptions) options = { 0 };
  g_autoptr (GArray) entries = contact_entries (&options, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;
  g_autoptr (GVariant) existing = NULL;
  g_autoptr (GVariant) record = NULL;

  if (!ctl_parse_options (ctx, command, (GOptionEntry *)entries->data, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  if (!options.first_name || !options.last_name)
    return ctl_usage_error (command, "a new contact needs --first-name and --last-name");
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts)
    return ctl_fail (ctx, error);
  /* Save would silently update a contact that has this id; adding must not. */
  if (options.id)
    {
      if (sp_contacts1_call_get_sync (contacts, options.id, &existing, NULL, &error))
        return ctl_fail_message (
          "a contact with the id '%s' already exists (use 'contacts update')", options.id);
      if (!ctl_error_has_name (error, CTL_ERROR_NOT_FOUND))
        return ctl_fail (ctx, error);
      g_clear_error (&error);
    }
  record = contact_from_options (&options, options.id);
  return save_contact (ctx, contacts, record);
}

static int
run_update (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_auto (ContactOptions) options = { 0 };
  g_autoptr (GArray) entries = contact_entries (&options, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;
  g_autoptr (GVariant) existing = NULL;
  g_autoptr (GVariant) record = NULL;

  if (!ctl_parse_options (ctx, command, (GOptionEntry *)entries->data, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  record = contact_from_options (&options, argv[1]);
  if (g_variant_n_children (record) < 2)
    return ctl_usage_error (command, "nothing to update: give at least one field");
  contacts = ctl_context_contacts_proxy (ctx, &error);
  /* Save would create a contact under an unknown id; updating must not. */
  if (!contacts || !sp_contacts1_call_get_sync (contacts, argv[1], &existing, NULL, &error))
    return ctl_fail (ctx, error);
  return save_contact (ctx, contacts, record);
}

static int
run_delete (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts || !sp_contacts1_call_delete_sync (contacts, argv[1], NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply
        = g_variant_ref_sink (g_variant_new_parsed ("{'deleted': <%s>}", argv[1]));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("deleted %s\n", argv[1]);
  return CTL_EXIT_OK;
}

static int
run_import (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "csv or vcf (default: from the file name)",
      "FORMAT" },
    { NULL },
  };
  g_autoptr (CtlImportBatch) batch = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpContacts1) contacts = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  batch = ctl_import_batch_new (argv[1]);
  if (!ctl_import_read_contacts (batch, format, &error))
    return error->domain == G_OPTION_ERROR ? ctl_usage_error (command, "%s", error->message)
                                           : ctl_fail_message ("%s", error->message);
  if (ctl_import_batch_report_problems (batch))
    return CTL_EXIT_FAILURE;
  contacts = ctl_context_contacts_proxy (ctx, &error);
  if (!contacts)
    return ctl_fail (ctx, error);
  return ctl_import_batch_send (ctx, batch, G_DBUS_PROXY (contacts), "contacts");
}

const CtlCommand ctl_contacts_commands[] = {
  { "contacts", "lookup", "ADDRESS", "Find the contact that owns a phone number or SIP URI",
    run_lookup },
  { "contacts", "search", "TEXT… [--limit N]",
    "Full-text search over names, organisations, e-mail and notes", run_search },
  { "contacts", "get", "ID", "Show a contact", run_get },
  { "contacts", "history", "ID [--offset N] [--limit N]",
    "A contact's past interactions, newest first", run_history },
  { "contacts", "add",
    "[--id ID] --first-name X --last-name Y "
    "[--organisation O] [--email E] [--notes N] [--address A]…",
    "Add a contact; prints its id", run_add },
  { "contacts", "update",
    "ID [--first-name X] [--last-name Y] [--organisation O] [--email E] [--notes N] [--address A]…",
    "Change a contact's fields (--address replaces the whole list)", run_update },
  { "contacts", "delete", "ID", "Remove a contact (its history stays)", run_delete },
  { "contacts", "import", "FILE.csv|FILE.vcf [--format csv|vcf]",
    "Import contacts in one transaction: all of them or none", run_import },
  { NULL },
};
