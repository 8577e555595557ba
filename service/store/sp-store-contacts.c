/* Contacts: records with phone numbers / SIP addresses (matched after normalisation) and
 * full-text search (FTS5) over names, organisation, e-mail and notes. */
#include "sp-address.h"
#include "sp-store-private.h"

static const char *const contact_keys[]
  = { "id", "first-name", "last-name", "organisation", "email", "notes", "addresses", NULL };
/* Text fields in the order of the contacts table's columns 2..6. */
static const char *const text_fields[]
  = { "first-name", "last-name", "organisation", "email", "notes" };

#define RANKED_MATCHES 2000

#define CONTACT_COLUMNS "c.rowid, c.id, c.first_name, c.last_name, c.organisation, c.email, c.notes"

static GVariant *
addresses_of (SpStore *store, sqlite3_int64 rowid, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store, "SELECT address FROM contact_addresses WHERE contact = ?1 ORDER BY position", error);
  GVariantBuilder builder;
  int rc;

  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, rowid);
  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add (&builder, "s", sp_stmt_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      sp_store_set_error (store, rc, error, "reading addresses");
      return NULL;
    }
  return g_variant_builder_end (&builder);
}

/* Builds the a{sv} of the row @stmt is on (columns as CONTACT_COLUMNS). */
static GVariant *
contact_from_row (SpStore *store, SpStmt *stmt, GError **error)
{
  GVariantDict dict;
  GVariant *addresses = addresses_of (store, sqlite3_column_int64 (stmt, 0), error);

  if (!addresses)
    return NULL;
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "s", sp_stmt_column_text (stmt, 1));
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    g_variant_dict_insert (&dict, text_fields[i], "s", sp_stmt_column_text (stmt, (int)i + 2));
  g_variant_dict_insert_value (&dict, "addresses", addresses);
  return g_variant_dict_end (&dict);
}

static GVariant *
single_contact (SpStore *store, SpStmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return contact_from_row (store, stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND, "no contact %s", what);
  else
    sp_store_set_error (store, rc, error, "reading a contact");
  return NULL;
}

GVariant *
sp_store_contact_get (SpStore *store, const char *id, GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store, "SELECT " CONTACT_COLUMNS " FROM contacts c WHERE c.id = ?1", error);
  g_autofree char *what = g_strdup_printf ("has the id '%s'", id);

  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, id);
  return single_contact (store, stmt, what, error);
}

GVariant *
sp_store_contact_lookup (SpStore *store, const char *address, GError **error)
{
  g_autofree char *key = sp_address_normalise (address, store->international_prefix, error);
  g_autofree char *what = NULL;
  g_autoptr (SpStmt) stmt = NULL;

  if (!key)
    return NULL;
  stmt = sp_store_prepare (store,
                           "SELECT " CONTACT_COLUMNS
                           " FROM contact_addresses a JOIN contacts c ON c.rowid = a.contact"
                           " WHERE a.normalised = ?1",
                           error);
  if (!stmt)
    return NULL;
  sp_stmt_bind_text (stmt, 1, key);
  what = g_strdup_printf ("has the address '%s' (normalised: %s)", address, key);
  return single_contact (store, stmt, what, error);
}

GVariant *
sp_store_contact_search (SpStore *store, const char *text, guint limit, GError **error)
{
  g_autofree char *query = sp_store_fts_query (text, NULL);
  g_autoptr (SpStmt) stmt = NULL;
  GVariantBuilder builder;
  int rc;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  if (!*query)
    return g_variant_builder_end (&builder);
  /* bm25 costs about 1 µs per match and FTS5 ranks every match before LIMIT: a two-letter
   * prefix can match half the contacts. Rank only the first RANKED_MATCHES matches (in rowid
   * order), so a broad search stays fast and a precise one is still best-first. */
  stmt = sp_store_prepare (
    store,
    "SELECT " CONTACT_COLUMNS " FROM (SELECT rowid, rank FROM contacts_fts"
    " WHERE contacts_fts MATCH ?1 LIMIT " G_STRINGIFY (
      RANKED_MATCHES) ") f"
                      " JOIN contacts c ON c.rowid = f.rowid ORDER BY f.rank LIMIT ?2",
    error);
  if (!stmt)
    {
      g_variant_builder_clear (&builder);
      return NULL;
    }
  sp_stmt_bind_text (stmt, 1, query);
  sqlite3_bind_int64 (stmt, 2, limit ? limit : 50);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GVariant *contact = contact_from_row (store, stmt, error);
      if (!contact)
        {
          g_variant_builder_clear (&builder);
          return NULL;
        }
      g_variant_builder_add_value (&builder, contact);
    }
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&builder);
      sp_store_set_error (store, rc, error, "searching contacts");
      return NULL;
    }
  return g_variant_builder_end (&builder);
}

static gboolean
validate_contact (SpStore *store, GVariant *contact, GError **error)
{
  g_autoptr (GVariant) addresses = NULL;
  const char *value;

  if (!sp_record_check_keys (contact, contact_keys, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    if (!sp_record_get_string (contact, text_fields[i], &value, error))
      return FALSE;
  if (!sp_record_get_string (contact, "id", &value, error))
    return FALSE;
  if (value && !*value)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "key 'id' must not be empty (leave it out for a new contact)");
      return FALSE;
    }
  if (value && !sp_store_check_id (value, error))
    return FALSE;
  addresses = g_variant_lookup_value (contact, "addresses", NULL);
  if (addresses && !g_variant_is_of_type (addresses, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "key 'addresses' must be a list of strings (as), not %s",
                   g_variant_get_type_string (addresses));
      return FALSE;
    }
  return TRUE;
}

static gboolean
find_rowid (SpStore *store, const char *id, sqlite3_int64 *rowid, GError **error)
{
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store, "SELECT rowid FROM contacts WHERE id = ?1", error);
  int rc;

  *rowid = 0;
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *rowid = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return sp_store_set_error (store, rc, error, "finding a contact");
  return TRUE;
}

static gboolean
insert_contact (SpStore *store, const char *id, sqlite3_int64 *rowid, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store, "INSERT INTO contacts (id, created, updated) VALUES (?1, ?2, ?2)", error);

  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if (!sp_store_step_done (store, stmt, error))
    return FALSE;
  *rowid = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

static gboolean
update_text_fields (SpStore *store, sqlite3_int64 rowid, GVariant *contact, GError **error)
{
  /* COALESCE keeps the stored value of every field the record leaves out. */
  g_autoptr (SpStmt) stmt
    = sp_store_prepare (store,
                        "UPDATE contacts SET first_name = COALESCE(?2, first_name),"
                        " last_name = COALESCE(?3, last_name),"
                        " organisation = COALESCE(?4, organisation),"
                        " email = COALESCE(?5, email), notes = COALESCE(?6, notes),"
                        " updated = ?7 WHERE rowid = ?1",
                        error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rowid);
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const char *value = NULL;
      sp_record_get_string (contact, text_fields[i], &value, NULL);
      if (value)
        sp_stmt_bind_text (stmt, (int)i + 2, value);
    }
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  return sp_store_step_done (store, stmt, error);
}

static gboolean
owner_of (SpStore *store, const char *normalised, char **owner_id, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (store,
                                              "SELECT c.id FROM contact_addresses a JOIN contacts "
                                              "c ON c.rowid = a.contact WHERE a.normalised = ?1",
                                              error);
  int rc;

  *owner_id = NULL;
  if (!stmt)
    return FALSE;
  sp_stmt_bind_text (stmt, 1, normalised);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *owner_id = g_strdup (sp_stmt_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    return sp_store_set_error (store, rc, error, "checking an address");
  return TRUE;
}

static gboolean
insert_address (SpStore *store, sqlite3_int64 rowid, const char *id, guint position,
                const char *address, GError **error)
{
  g_autofree char *normalised = sp_address_normalise (address, store->international_prefix, error);
  g_autofree char *owner = NULL;
  g_autoptr (SpStmt) stmt = NULL;

  if (!normalised || !owner_of (store, normalised, &owner, error))
    return FALSE;
  if (owner)
    {
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_CONFLICT,
                   "address '%s' (normalised: %s) already belongs to contact '%s'", address,
                   normalised, owner);
      return FALSE;
    }
  stmt = sp_store_prepare (store,
                           "INSERT INTO contact_addresses (contact, position, address, normalised) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rowid);
  sqlite3_bind_int (stmt, 2, (int)position);
  sp_stmt_bind_text (stmt, 3, address);
  sp_stmt_bind_text (stmt, 4, normalised);
  return sp_store_step_done (store, stmt, error);
}

static gboolean
replace_addresses (SpStore *store, sqlite3_int64 rowid, const char *id, GVariant *contact,
                   GError **error)
{
  g_autoptr (GVariant) addresses
    = g_variant_lookup_value (contact, "addresses", G_VARIANT_TYPE_STRING_ARRAY);
  g_autoptr (SpStmt) clear = NULL;
  g_autofree const char **list = NULL;

  if (!addresses)
    return TRUE;
  clear = sp_store_prepare (store, "DELETE FROM contact_addresses WHERE contact = ?1", error);
  if (!clear)
    return FALSE;
  sqlite3_bind_int64 (clear, 1, rowid);
  if (!sp_store_step_done (store, clear, error))
    return FALSE;
  list = g_variant_get_strv (addresses, NULL);
  for (guint i = 0; list[i]; i++)
    if (!insert_address (store, rowid, id, i, list[i], error))
      return FALSE;
  return TRUE;
}

/* A contact someone can be told apart by: a name, an organisation, an e-mail address or an
 * address to match calls with (notes alone are not). Checked on the stored row, so an update
 * cannot blank the last of them either. */
static gboolean
check_identifiable (SpStore *store, sqlite3_int64 rowid, GError **error)
{
  g_autoptr (SpStmt) stmt = sp_store_prepare (
    store,
    "SELECT trim(first_name || last_name || organisation || email, char(32, 9, 10, 13)) != ''"
    " OR EXISTS (SELECT 1 FROM contact_addresses WHERE contact = ?1) FROM contacts"
    " WHERE rowid = ?1",
    error);
  int rc;

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rowid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return sp_store_set_error (store, rc, error, "checking a contact");
  if (sqlite3_column_int (stmt, 0))
    return TRUE;
  g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
               "a contact needs a name, an organisation, an address or an e-mail address "
               "('first-name', 'last-name', 'organisation', 'addresses' or 'email')");
  return FALSE;
}

/* Saves inside the caller's transaction. */
static char *
save_one (SpStore *store, GVariant *contact, GError **error)
{
  const char *given_id = NULL;
  g_autofree char *id = NULL;
  sqlite3_int64 rowid = 0;

  if (!validate_contact (store, contact, error))
    return NULL;
  sp_record_get_string (contact, "id", &given_id, NULL);
  id = given_id ? g_strdup (given_id) : sp_store_new_id ("c");
  if (!find_rowid (store, id, &rowid, error))
    return NULL;
  if (rowid == 0 && !insert_contact (store, id, &rowid, error))
    return NULL;
  if (!update_text_fields (store, rowid, contact, error)
      || !replace_addresses (store, rowid, id, contact, error)
      || !check_identifiable (store, rowid, error))
    return NULL;
  return g_steal_pointer (&id);
}

char *
sp_store_contact_save (SpStore *store, GVariant *contact, GError **error)
{
  return sp_store_save_one (store, contact, save_one, error);
}

gboolean
sp_store_contact_delete (SpStore *store, const char *id, GError **error)
{
  return sp_store_delete_by_id (store, "DELETE FROM contacts WHERE id = ?1", id, "contact", error);
}

guint
sp_store_contact_import (SpStore *store, GVariant *contacts, GError **error)
{
  return sp_store_import_all (store, contacts, save_one, error);
}
