/* The SQLite store on a temporary file: schema migrations and refusals, then contacts, history,
 * standard responses and the push catalogue through the public API. */
#include "sp-store.h"
/* Only for the connection's PRAGMA foreign_keys, which no other connection can see. */
#include "sp-store-private.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  char *path;
  SpStore *store;
} Fixture;

static char *
temp_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "sportello", "sportello.db", NULL);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->path = temp_db_path ();
  f->store = sp_store_open (f->path, "00", &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->store, sp_store_free);
  g_clear_pointer (&f->path, g_free);
}

static void
fixture_reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&f->store, sp_store_free);
  f->store = sp_store_open (f->path, "00", &error);
  g_assert_no_error (error);
}

/* ---- helpers ---- */

/* Parses GVariant text ("{'title': <'x'>}") into a non-floating value. */
static GVariant *
record (const char *text)
{
  g_autoptr (GError) error = NULL;
  GVariant *value = g_variant_parse (NULL, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return value;
}

static const char *
get_s (GVariant *dict, const char *key)
{
  const char *value = NULL;

  g_assert_true (g_variant_lookup (dict, key, "&s", &value));
  return value;
}

static gint64
get_x (GVariant *dict, const char *key)
{
  gint64 value = 0;

  g_assert_true (g_variant_lookup (dict, key, "x", &value));
  return value;
}

/* "a|b|c" from the @key of each record of an aa{sv}. */
static char *
join_key (GVariant *list, const char *key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) values = NULL;

  g_assert_true (g_variant_is_of_type (list, G_VARIANT_TYPE ("aa{sv}")));
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr (GVariant) item = g_variant_get_child_value (list, i);
      g_strv_builder_add (builder, get_s (item, key));
    }
  values = g_strv_builder_end (builder);
  return g_strjoinv ("|", values);
}

/* "a|b|c" from an as or the as at @key of a record. */
static char *
join_strv (GVariant *dict, const char *key)
{
  g_autoptr (GVariant) strv = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING_ARRAY);
  g_autofree const char **values = NULL;

  g_assert_nonnull (strv);
  values = g_variant_get_strv (strv, NULL);
  return g_strjoinv ("|", (char **)values);
}

static char *
dict_value (GVariant *dict, const char *key, const char *entry)
{
  g_autoptr (GVariant) map = g_variant_lookup_value (dict, key, G_VARIANT_TYPE ("a{ss}"));
  char *value = NULL;

  g_assert_nonnull (map);
  if (!g_variant_lookup (map, entry, "s", &value))
    return NULL;
  return value;
}

static gint64
pragma_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
pragma_text (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* ---- migrations and refusals ---- */

static void
test_fresh_file (Fixture *f, gconstpointer data)
{
  int latest = sp_store_get_latest_schema_version ();
  sqlite3 *other = NULL;
  g_autofree char *journal = NULL;

  g_assert_cmpint (latest, >=, 1);
  g_assert_cmpint (sp_store_get_schema_version (f->store), ==, latest);
  g_assert_cmpstr (sp_store_get_path (f->store), ==, f->path);
  g_assert_false (sp_store_is_read_only (f->store));
  g_assert_cmpint (pragma_int (f->store->db, "PRAGMA foreign_keys"), ==, 1);

  /* What is in the file, as a second process would see it. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &other, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (pragma_int (other, "PRAGMA user_version"), ==, latest);
  journal = pragma_text (other, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  sqlite3_close (other);
}

/* Reopening must find the schema current and keep the data: running migration 1 again would
 * fail on the existing tables. */
static void
test_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) contact
    = record ("{'first-name': <'Mario'>, 'addresses': <['+39 02 1234']>}");
  g_autofree char *id = sp_store_contact_save (f->store, contact, NULL);
  g_autoptr (GVariant) found = NULL;

  g_assert_nonnull (id);
  fixture_reopen (f);
  fixture_reopen (f);
  g_assert_cmpint (sp_store_get_schema_version (f->store), ==,
                   sp_store_get_latest_schema_version ());
  found = sp_store_contact_lookup (f->store, "0039021234", NULL);
  g_assert_nonnull (found);
  g_assert_cmpstr (get_s (found, "id"), ==, id);
}

static void
assert_open_refused (const char *path, const char *message_part)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  gsize before_len, after_len;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpStore) store = NULL;

  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));
  store = sp_store_open (path, "00", &error);
  g_assert_null (store);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, before, before_len);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_newer_schema_refused (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE future (x); INSERT INTO future VALUES (1);"
                                          " PRAGMA user_version = %d;",
                                          sp_store_get_latest_schema_version () + 1);
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  assert_open_refused (path, "newer than this sportellod knows");
}

static void
test_garbage_refused (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GString) garbage = g_string_new (NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  while (garbage->len < 8192)
    g_string_append (garbage, "this is not a database, it is a shopping list. ");
  g_assert_true (g_file_set_contents (path, garbage->str, (gssize)garbage->len, NULL));
  assert_open_refused (path, "cannot be used");

  g_assert_true (g_file_set_contents (path, "hello\n", -1, NULL));
  assert_open_refused (path, "cannot be used");
}

/* ---- contacts ---- */

static char *
save_contact (Fixture *f, const char *text)
{
  g_autoptr (GVariant) contact = record (text);
  g_autoptr (GError) error = NULL;
  char *id = sp_store_contact_save (f->store, contact, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static void
assert_lookup_finds (Fixture *f, const char *address, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) found = sp_store_contact_lookup (f->store, address, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (get_s (found, "id"), ==, id);
}

static void
assert_lookup_fails (Fixture *f, const char *address, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) found = sp_store_contact_lookup (f->store, address, &error);

  g_assert_null (found);
  g_assert_error (error, SP_STORE_ERROR, code);
}

static guint
search_count (Fixture *f, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) found = sp_store_contact_search (f->store, text, 0, &error);

  g_assert_no_error (error);
  return (guint)g_variant_n_children (found);
}

static void
test_contact_save_get (Fixture *f, gconstpointer data)
{
  g_autofree char *id
    = save_contact (f, "{'first-name': <'Mario'>, 'last-name': <'Rossi'>, 'organisation': <'ACME'>,"
                       " 'email': <'mario@acme.it'>, 'notes': <'VIP'>,"
                       " 'addresses': <['+39 02 1234', 'sip:Mario@ACME.it']>}");
  g_autoptr (GVariant) contact = sp_store_contact_get (f->store, id, NULL);
  g_autofree char *addresses = join_strv (contact, "addresses");

  g_assert_true (g_str_has_prefix (id, "c-"));
  g_assert_cmpstr (get_s (contact, "id"), ==, id);
  g_assert_cmpstr (get_s (contact, "first-name"), ==, "Mario");
  g_assert_cmpstr (get_s (contact, "last-name"), ==, "Rossi");
  g_assert_cmpstr (get_s (contact, "organisation"), ==, "ACME");
  g_assert_cmpstr (get_s (contact, "email"), ==, "mario@acme.it");
  g_assert_cmpstr (get_s (contact, "notes"), ==, "VIP");
  /* Addresses come back as written, in order; only the matching key is normalised. */
  g_assert_cmpstr (addresses, ==, "+39 02 1234|sip:Mario@ACME.it");
}

static void
test_contact_given_id (Fixture *f, gconstpointer data)
{
  g_autofree char *id = save_contact (f, "{'id': <'crm-42'>, 'last-name': <'Bianchi'>}");
  g_autoptr (GVariant) contact = sp_store_contact_get (f->store, "crm-42", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) missing = sp_store_contact_get (f->store, "crm-43", &error);

  g_assert_cmpstr (id, ==, "crm-42");
  g_assert_cmpstr (get_s (contact, "last-name"), ==, "Bianchi");
  g_assert_cmpstr (get_s (contact, "first-name"), ==, "");
  g_assert_null (missing);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
}

static void
test_contact_update_partial (Fixture *f, gconstpointer data)
{
  g_autofree char *id
    = save_contact (f, "{'first-name': <'Mario'>, 'notes': <'old'>, 'addresses': <['021234']>}");
  g_autofree char *update = g_strdup_printf ("{'id': <'%s'>, 'notes': <'new'>}", id);
  g_autofree char *replace
    = g_strdup_printf ("{'id': <'%s'>, 'addresses': <['sip:mario@example.com']>}", id);
  g_autofree char *same_id = save_contact (f, update);
  g_autoptr (GVariant) contact = sp_store_contact_get (f->store, id, NULL);
  g_autofree char *addresses = join_strv (contact, "addresses");
  g_autofree char *replaced_id = NULL;

  g_assert_cmpstr (same_id, ==, id);
  g_assert_cmpstr (get_s (contact, "first-name"), ==, "Mario");
  g_assert_cmpstr (get_s (contact, "notes"), ==, "new");
  g_assert_cmpstr (addresses, ==, "021234");

  replaced_id = save_contact (f, replace);
  assert_lookup_finds (f, "sip:mario@EXAMPLE.com", id);
  assert_lookup_fails (f, "02 1234", SP_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (search_count (f, "new"), ==, 1);
  g_assert_cmpuint (search_count (f, "old"), ==, 0);
}

static void
test_contact_lookup (Fixture *f, gconstpointer data)
{
  g_autofree char *mario
    = save_contact (f, "{'addresses': <['+39 02 1234 5678', 'sip:Mario@Example.com']>}");
  g_autofree char *luigi = save_contact (f, "{'addresses': <['(02) 8765-4321']>}");

  assert_lookup_finds (f, "tel:+39-02-12345678", mario);
  assert_lookup_finds (f, "0039 02 1234 5678", mario);
  assert_lookup_finds (f, "<sip:+390212345678@pbx.example.com;user=phone>", mario);
  assert_lookup_finds (f, "\"Mario\" <sip:Mario@EXAMPLE.com:5060;transport=tcp>", mario);
  assert_lookup_finds (f, "sip:0287654321@10.0.0.1", luigi);
  /* SIP users compare case-sensitively (RFC 3261 §19.1.4). */
  assert_lookup_fails (f, "sip:mario@example.com", SP_STORE_ERROR_NOT_FOUND);
  assert_lookup_fails (f, "+39 02 1234 5679", SP_STORE_ERROR_NOT_FOUND);
  assert_lookup_fails (f, "hello", SP_STORE_ERROR_INVALID);
}

static void
test_contact_search (Fixture *f, gconstpointer data)
{
  g_autofree char *a = save_contact (
    f, "{'first-name': <'Mario'>, 'last-name': <'Rossi'>, 'organisation': <'ACME'>}");
  g_autofree char *b = save_contact (
    f, "{'first-name': <'Jürgen'>, 'last-name': <'Müller'>, 'email': <'jm@example.de'>}");
  g_autofree char *c = save_contact (
    f, "{'first-name': <'Maria'>, 'last-name': <'Rossini'>, 'notes': <'prefers e-mail'>}");
  g_autoptr (GVariant) found = sp_store_contact_search (f->store, "ros mario", 0, NULL);
  g_autofree char *ids = join_key (found, "id");

  g_assert_cmpstr (ids, ==, a);
  g_assert_cmpuint (search_count (f, "ross"), ==, 2);
  g_assert_cmpuint (search_count (f, "MAR"), ==, 2);
  g_assert_cmpuint (search_count (f, "muller"), ==, 1); /* diacritics removed */
  g_assert_cmpuint (search_count (f, "jurg"), ==, 1);
  g_assert_cmpuint (search_count (f, "acme"), ==, 1);
  g_assert_cmpuint (search_count (f, "example"), ==, 1);
  g_assert_cmpuint (search_count (f, "prefers"), ==, 1);
  g_assert_cmpuint (search_count (f, "nobody"), ==, 0);
  g_assert_cmpuint (search_count (f, ""), ==, 0);
  g_assert_cmpuint (search_count (f, "   "), ==, 0);
  /* User text is never FTS syntax. */
  g_assert_cmpuint (search_count (f, "\" * AND NEAR( - :"), ==, 0);
  g_assert_cmpuint (search_count (f, "rossi OR"), ==, 0);
  g_clear_pointer (&found, g_variant_unref);
  found = sp_store_contact_search (f->store, "ross", 1, NULL);
  g_assert_cmpuint (g_variant_n_children (found), ==, 1);
  g_assert_nonnull (b);
  g_assert_nonnull (c);
}

static void
test_contact_delete (Fixture *f, gconstpointer data)
{
  g_autofree char *id
    = save_contact (f, "{'first-name': <'Gone'>, 'addresses': <['+39 02 1234']>}");
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) contact = NULL;
  g_autofree char *heir = NULL;

  g_assert_true (sp_store_contact_delete (f->store, id, &error));
  g_assert_no_error (error);
  contact = sp_store_contact_get (f->store, id, &error);
  g_assert_null (contact);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sp_store_contact_delete (f->store, id, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (search_count (f, "gone"), ==, 0);
  assert_lookup_fails (f, "+39021234", SP_STORE_ERROR_NOT_FOUND);
  /* The addresses went with the contact (ON DELETE CASCADE needs foreign_keys on). */
  heir = save_contact (f, "{'first-name': <'Heir'>, 'addresses': <['0039021234']>}");
  assert_lookup_finds (f, "+39 02 1234", heir);
}

static const char *const bad_contacts[] = {
  "{'first-name': <'Bad'>, 'phone': <'123'>}",
  "{'first-name': <42>}",
  "{'first-name': <'Bad'>, 'id': <''>}",
  "{'first-name': <'Bad'>, 'addresses': <'+39 02 1234'>}",
  "{'first-name': <'Bad'>, 'addresses': <['+39 02 1234', 'hello']>}",
  "@a{sv} {'first-name': <@ms nothing>}",
  "{'first-name': 'not a vardict'}",
  /* Ids that would escape a path, a URL or an object path, or are too long. */
  "{'first-name': <'Bad'>, 'id': <'../x'>}",
  "{'first-name': <'Bad'>, 'id': <'a/b'>}",
  "{'first-name': <'Bad'>, 'id': <'crm 1'>}",
  "{'first-name': <'Bad'>, 'id': <'crm.1'>}",
  "{'first-name': <'Bad'>, 'id': <'\\u00e8'>}",
  "{'first-name': <'Bad'>, 'id': <'x\\u0001'>}",
  "{'first-name': <'Bad'>, 'id': "
  "<'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'>}",
  /* Nothing to tell the contact apart by. */
  "@a{sv} {}",
  "{'notes': <'bad, but who?'>}",
  "{'first-name': <'  '>, 'last-name': <'\\t'>, 'email': <''>, 'addresses': <@as []>}",
};

static void
test_contact_invalid (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_contacts); i++)
    {
      g_autoptr (GVariant) contact = record (bad_contacts[i]);
      g_autoptr (GError) error = NULL;
      g_autofree char *id = sp_store_contact_save (f->store, contact, &error);

      g_assert_null (id);
      g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID);
    }
  /* Nothing of the failed records stays behind, not even the valid first address. */
  g_assert_cmpuint (search_count (f, "bad"), ==, 0);
  assert_lookup_fails (f, "+39021234", SP_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (pragma_int (f->store->db, "SELECT count(*) FROM contacts"), ==, 0);
}

/* The widest ids allowed, and each allowed character. */
static void
test_contact_id_alphabet (Fixture *f, gconstpointer data)
{
  static const char *const good[] = {
    "{'first-name': <'A'>, 'id': <'x'>}",
    "{'first-name': <'A'>, 'id': "
    "<'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'>}",
    "{'first-name': <'A'>, 'id': <'crm-1001_b'>}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_free (save_contact (f, good[i]));
  g_assert_cmpint (pragma_int (f->store->db, "SELECT count(*) FROM contacts"), ==, 3);
}

/* An update cannot leave a contact with nothing to tell it apart by; any one thing is enough. */
static void
test_contact_needs_something (Fixture *f, gconstpointer data)
{
  static const char *const enough[] = {
    "{'id': <'only-last'>, 'last-name': <'Neri'>}",
    "{'id': <'only-org'>, 'organisation': <'Acme'>}",
    "{'id': <'only-email'>, 'email': <'x@example.com'>}",
    "{'id': <'only-address'>, 'addresses': <['+39 02 5555']>}",
  };
  g_autofree char *id = save_contact (f, "{'first-name': <'Mario'>, 'notes': <'kept'>}");
  g_autofree char *blanking = g_strdup_printf ("{'id': <'%s'>, 'first-name': <' '>}", id);
  g_autoptr (GVariant) update = record (blanking);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) stored = NULL;
  g_autofree char *saved = sp_store_contact_save (f->store, update, &error);

  g_assert_null (saved);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "needs a name"));
  stored = sp_store_contact_get (f->store, id, NULL);
  g_assert_cmpstr (get_s (stored, "first-name"), ==, "Mario");
  for (guint i = 0; i < G_N_ELEMENTS (enough); i++)
    g_free (save_contact (f, enough[i]));
}

static void
test_contact_address_conflict (Fixture *f, gconstpointer data)
{
  g_autofree char *owner
    = save_contact (f, "{'first-name': <'Anna'>, 'addresses': <['+39 02 1234']>}");
  g_autoptr (GVariant) other
    = record ("{'first-name': <'Bruno'>, 'addresses': <['sip:bruno@b', '0039-02-1234']>}");
  g_autoptr (GError) error = NULL;
  g_autofree char *id = sp_store_contact_save (f->store, other, &error);
  g_autofree char *message = g_strdup_printf (
    "address '0039-02-1234' (normalised: +39021234) already belongs to contact '%s'", owner);

  g_assert_null (id);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpuint (search_count (f, "bruno"), ==, 0);
  assert_lookup_fails (f, "sip:bruno@b", SP_STORE_ERROR_NOT_FOUND);
  assert_lookup_finds (f, "+39021234", owner);
}

static void
test_contact_import (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) contacts
    = record ("[{'id': <'crm-1'>, 'first-name': <'Uno'>, 'addresses': <['021']>},"
              " {'id': <'crm-2'>, 'first-name': <'Due'>, 'addresses': <['022']>},"
              " {'first-name': <'Tre'>, 'addresses': <['sip:tre@x']>}]");
  g_autoptr (GVariant) empty = record ("@aa{sv} []");
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (sp_store_contact_import (f->store, contacts, &error), ==, 3);
  g_assert_no_error (error);
  assert_lookup_finds (f, "021", "crm-1");
  assert_lookup_finds (f, "022", "crm-2");
  g_assert_cmpuint (search_count (f, "tre"), ==, 1);
  g_assert_cmpuint (sp_store_contact_import (f->store, empty, &error), ==, 0);
  g_assert_no_error (error);
}

typedef struct
{
  const char *records;
  int code;
  const char *prefix;
} ImportFailure;

static void
test_contact_import_all_or_nothing (Fixture *f, gconstpointer data)
{
  static const ImportFailure rows[] = {
    { "[{'first-name': <'Uno'>, 'addresses': <['021']>}, {'first-name': <'Due'>, 'fax': <'1'>}]",
      SP_STORE_ERROR_INVALID, "record 2: unknown key 'fax'" },
    { "[{'first-name': <'Uno'>, 'addresses': <['021']>}, {'first-name': <'Due'>},"
      " {'first-name': <'Tre'>, 'addresses': <['0 2 1']>}]",
      SP_STORE_ERROR_CONFLICT, "record 3: address '0 2 1'" },
    { "[{'first-name': <'Uno'>, 'addresses': <['021']>}, {'first-name': <'Due'>}, @a{sv} {}]",
      SP_STORE_ERROR_INVALID, "record 3: a contact needs a name" },
    { "[{'first-name': <'Uno'>, 'addresses': <['021']>}, {'first-name': <'Due'>, 'id': <'../x'>}]",
      SP_STORE_ERROR_INVALID, "record 2: key 'id': '../x' is not a valid id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (GVariant) contacts = record (rows[i].records);
      g_autoptr (GError) error = NULL;

      g_assert_cmpuint (sp_store_contact_import (f->store, contacts, &error), ==, 0);
      g_assert_error (error, SP_STORE_ERROR, rows[i].code);
      g_assert_true (g_str_has_prefix (error->message, rows[i].prefix));
      g_assert_cmpuint (search_count (f, "uno"), ==, 0);
      g_assert_cmpuint (search_count (f, "due"), ==, 0);
      assert_lookup_fails (f, "021", SP_STORE_ERROR_NOT_FOUND);
    }
}

/* ---- interactions and history ---- */

static char *
begin (Fixture *f, const char *contact_id, gint64 started, const char *remote)
{
  g_autoptr (GVariant) attached = record ("{'ticket': 'T-1', 'queue': 'support'}");
  g_autoptr (GVariant) case_data = record ("{'Priority': 'High', 'Product': ''}");
  SpInteractionStart start
    = { "inbound", remote, "Caller", contact_id, started, attached, case_data };
  g_autoptr (GError) error = NULL;
  char *id = sp_store_interaction_begin (f->store, &start, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static void
finish (Fixture *f, const char *id, gint64 started)
{
  SpInteractionEnd end
    = { started + 1000000, started + 61000000, "agent", "hangup", FALSE, "done", NULL, NULL };
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_store_interaction_finish (f->store, id, &end, &error));
  g_assert_no_error (error);
}

static GVariant *
get_interaction (Fixture *f, const char *id)
{
  g_autoptr (GError) error = NULL;
  GVariant *interaction = sp_store_interaction_get (f->store, id, &error);

  g_assert_no_error (error);
  return interaction;
}

static void
test_interaction_begin (Fixture *f, gconstpointer data)
{
  g_autofree char *contact = save_contact (f, "{'first-name': <'Mario'>}");
  g_autofree char *id = begin (f, contact, 1000, "sip:mario@example.com");
  g_autoptr (GVariant) row = get_interaction (f, id);
  g_autofree char *ticket = dict_value (row, "attached-data", "ticket");
  g_autofree char *priority = dict_value (row, "case-data", "Priority");
  g_autofree char *codes = join_strv (row, "dispositions");
  g_autoptr (GVariant) pushes = g_variant_lookup_value (row, "pushes", G_VARIANT_TYPE ("aa{sv}"));

  g_assert_true (g_str_has_prefix (id, "i-"));
  g_assert_cmpstr (get_s (row, "id"), ==, id);
  g_assert_cmpstr (get_s (row, "contact-id"), ==, contact);
  g_assert_cmpstr (get_s (row, "direction"), ==, "inbound");
  g_assert_cmpstr (get_s (row, "remote"), ==, "sip:mario@example.com");
  g_assert_cmpstr (get_s (row, "remote-name"), ==, "Caller");
  g_assert_cmpstr (get_s (row, "status"), ==, "live");
  g_assert_cmpstr (get_s (row, "notes"), ==, "");
  g_assert_cmpint (get_x (row, "started"), ==, 1000);
  g_assert_cmpint (get_x (row, "answered"), ==, 0);
  g_assert_cmpstr (ticket, ==, "T-1");
  g_assert_cmpstr (priority, ==, "High");
  g_assert_cmpstr (codes, ==, "");
  g_assert_cmpuint (g_variant_n_children (pushes), ==, 0);
}

static void
test_interaction_begin_contacts (Fixture *f, gconstpointer data)
{
  SpInteractionStart start = { "outbound", "sip:x@y", NULL, "c-nobody", 1, NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = sp_store_interaction_begin (f->store, &start, &error);
  g_autofree char *anonymous = NULL;
  g_autoptr (GVariant) row = NULL;
  g_autofree char *priority = NULL;

  g_assert_null (id);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);

  start.contact_id = NULL;
  anonymous = sp_store_interaction_begin (f->store, &start, NULL);
  row = get_interaction (f, anonymous);
  priority = dict_value (row, "case-data", "Priority");
  g_assert_cmpstr (get_s (row, "contact-id"), ==, "");
  g_assert_cmpstr (get_s (row, "direction"), ==, "outbound");
  g_assert_null (priority);
}

static void
test_interaction_notes_case_data (Fixture *f, gconstpointer data)
{
  g_autofree char *id = begin (f, NULL, 1, "sip:a@b");
  g_autoptr (GVariant) case_data = record ("{'Priority': 'Low', 'Serial': 'SN-9'}");
  g_autoptr (GVariant) row = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *serial = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_store_interaction_set_notes (f->store, id, "first line\nsecond: è", NULL));
  g_assert_true (sp_store_interaction_set_case_data (f->store, id, case_data, NULL));
  row = get_interaction (f, id);
  priority = dict_value (row, "case-data", "Priority");
  serial = dict_value (row, "case-data", "Serial");
  g_assert_cmpstr (get_s (row, "notes"), ==, "first line\nsecond: è");
  g_assert_cmpstr (priority, ==, "Low");
  g_assert_cmpstr (serial, ==, "SN-9");

  g_assert_false (sp_store_interaction_set_notes (f->store, "i-nope", "x", &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sp_store_interaction_set_case_data (f->store, "i-nope", case_data, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
}

/* A push is a row from its start ('live', ended 0) until it ends. */
static void
test_interaction_pushes (Fixture *f, gconstpointer data)
{
  g_autofree char *id = begin (f, NULL, 1, "sip:a@b");
  g_autoptr (GVariant) row = NULL;
  g_autoptr (GVariant) pushes = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autofree char *items = NULL;
  g_autofree char *ends = NULL;
  g_autoptr (GError) error = NULL;
  gint64 late, early;

  late = sp_store_interaction_push_started (f->store, id, "p-late", 300, NULL);
  early = sp_store_interaction_push_started (f->store, id, "p-early", 100, NULL);
  g_assert_cmpint (late, >, 0);
  g_assert_cmpint (early, >, 0);
  g_assert_cmpint (pragma_int (f->store->db, "SELECT count(*) FROM interaction_pushes"
                                             " WHERE ended_by = 'live' AND ended = 0"),
                   ==, 2);
  g_assert_true (sp_store_interaction_push_ended (f->store, late, 400, "stop", NULL));
  g_assert_true (sp_store_interaction_push_ended (f->store, early, 200, "end-of-clip", NULL));
  row = get_interaction (f, id);
  pushes = g_variant_lookup_value (row, "pushes", G_VARIANT_TYPE ("aa{sv}"));
  items = join_key (pushes, "item-id");
  ends = join_key (pushes, "ended-by");
  g_assert_cmpstr (items, ==, "p-early|p-late");
  g_assert_cmpstr (ends, ==, "end-of-clip|stop");
  first = g_variant_get_child_value (pushes, 0);
  g_assert_cmpint (get_x (first, "started"), ==, 100);
  g_assert_cmpint (get_x (first, "ended"), ==, 200);

  /* A push ends once; an unknown interaction has no pushes. */
  g_assert_false (sp_store_interaction_push_ended (f->store, late, 500, "error", &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (sp_store_interaction_push_started (f->store, "i-nope", "p", 1, &error), ==, 0);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
}

/* Co-browse sessions and their pages, in order; one still live when the service dies ends
 * 'interrupted' at the interaction's end. */
static void
test_interaction_cobrowse (Fixture *f, gconstpointer data)
{
  g_autofree char *id = begin (f, NULL, 1000, "sip:a@b");
  g_autoptr (GVariant) row = NULL;
  g_autoptr (GVariant) sessions = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autoptr (GVariant) second = NULL;
  g_autoptr (GVariant) pages = NULL;
  g_autoptr (GVariant) page = NULL;
  g_autofree char *urls = NULL;
  g_autofree char *ends = NULL;
  g_autoptr (GError) error = NULL;
  gint64 done, live;

  done = sp_store_cobrowse_started (f->store, id, 2000, &error);
  g_assert_no_error (error);
  g_assert_true (sp_store_cobrowse_joined (f->store, done, 2500, NULL));
  g_assert_true (sp_store_cobrowse_page (f->store, done, "https://www.example.com/", 2600, NULL));
  g_assert_true (
    sp_store_cobrowse_page (f->store, done, "https://www.example.com/shop", 2700, NULL));
  g_assert_true (sp_store_cobrowse_ended (f->store, done, 3000, "stopped", NULL));
  g_assert_false (
    sp_store_cobrowse_page (f->store, done, "https://www.example.com/x", 3100, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  live = sp_store_cobrowse_started (f->store, id, 4000, NULL);
  g_assert_cmpint (live, >, done);
  g_assert_true (sp_store_interaction_set_ended (f->store, id, 5000, "remote", "hangup", NULL));
  g_assert_cmpint (sp_store_cobrowse_started (f->store, "i-nope", 1, &error), ==, 0);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);

  fixture_reopen (f);
  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->store, NULL), ==, 1);
  row = get_interaction (f, id);
  sessions = g_variant_lookup_value (row, "co-browse", G_VARIANT_TYPE ("aa{sv}"));
  ends = join_key (sessions, "ended-by");
  g_assert_cmpstr (ends, ==, "stopped|interrupted");
  first = g_variant_get_child_value (sessions, 0);
  g_assert_cmpint (get_x (first, "started"), ==, 2000);
  g_assert_cmpint (get_x (first, "joined"), ==, 2500);
  g_assert_cmpint (get_x (first, "ended"), ==, 3000);
  pages = g_variant_lookup_value (first, "pages", G_VARIANT_TYPE ("aa{sv}"));
  urls = join_key (pages, "url");
  g_assert_cmpstr (urls, ==, "https://www.example.com/|https://www.example.com/shop");
  page = g_variant_get_child_value (pages, 1);
  g_assert_cmpint (get_x (page, "time"), ==, 2700);
  second = g_variant_get_child_value (sessions, 1);
  g_assert_cmpint (get_x (second, "joined"), ==, 0);
  g_assert_cmpint (get_x (second, "ended"), ==, 5000);
}

static gint64
alive_of (Fixture *f, const char *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT alive FROM interactions WHERE id = '%s'", id);
  return pragma_int (f->store->db, sql);
}

/* What happens during a call is stored as it happens, and every write moves `alive`. */
static void
test_interaction_live_writes (Fixture *f, gconstpointer data)
{
  const char *const first[] = { "resolved", "callback", NULL };
  const char *const second[] = { "escalated", NULL };
  g_autofree char *id = begin (f, NULL, 1000, "sip:a@b");
  g_autoptr (GVariant) row = NULL;
  g_autofree char *codes = NULL;
  g_autoptr (GError) error = NULL;
  gboolean video = FALSE, encrypted = TRUE;
  gint64 before = g_get_real_time ();

  g_assert_cmpint (alive_of (f, id), <=, before);
  row = get_interaction (f, id);
  g_assert_true (g_variant_lookup (row, "encrypted", "b", &encrypted));
  g_assert_false (encrypted);
  g_clear_pointer (&row, g_variant_unref);
  g_assert_true (sp_store_interaction_set_answered (f->store, id, 2000, NULL));
  g_assert_cmpint (alive_of (f, id), >=, before);
  g_assert_true (sp_store_interaction_set_dispositions (f->store, id, first, NULL));
  g_assert_true (sp_store_interaction_set_dispositions (f->store, id, second, NULL));
  g_assert_true (sp_store_interaction_set_video_used (f->store, id, NULL));
  g_assert_true (sp_store_interaction_set_encrypted (f->store, id, NULL));
  g_assert_true (sp_store_interaction_set_ended (f->store, id, 9000, "remote", "hangup", NULL));
  row = get_interaction (f, id);
  codes = join_strv (row, "dispositions");
  g_assert_cmpstr (codes, ==, "escalated"); /* replaced, not added */
  g_assert_cmpint (get_x (row, "answered"), ==, 2000);
  g_assert_cmpint (get_x (row, "ended"), ==, 9000);
  g_assert_cmpstr (get_s (row, "end-actor"), ==, "remote");
  g_assert_cmpstr (get_s (row, "end-reason"), ==, "hangup");
  g_assert_true (g_variant_lookup (row, "video", "b", &video));
  g_assert_true (video);
  g_assert_true (g_variant_lookup (row, "encrypted", "b", &encrypted));
  g_assert_true (encrypted);
  g_assert_cmpstr (get_s (row, "status"), ==, "live");

  before = alive_of (f, id);
  g_assert_true (sp_store_interaction_touch (f->store, id, NULL));
  g_assert_cmpint (alive_of (f, id), >=, before);
  g_assert_false (sp_store_interaction_set_dispositions (f->store, "i-nope", first, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sp_store_interaction_set_answered (f->store, "i-nope", 1, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
}

/* A failed write changes nothing: the selection is one transaction. */
static void
test_interaction_dispositions_all_or_nothing (Fixture *f, gconstpointer data)
{
  const char *const first[] = { "resolved", NULL };
  const char *const second[] = { "callback", "refused", NULL };
  g_autofree char *id = begin (f, NULL, 1000, "sip:a@b");
  g_autoptr (GVariant) row = NULL;
  g_autofree char *codes = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_store_interaction_set_dispositions (f->store, id, first, NULL));
  g_assert_cmpint (sqlite3_exec (f->store->db,
                                 "CREATE TRIGGER refuse BEFORE INSERT ON interaction_dispositions"
                                 " WHEN new.code = 'refused' BEGIN SELECT RAISE(ABORT, 'no'); END;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_false (sp_store_interaction_set_dispositions (f->store, id, second, &error));
  g_assert_nonnull (error);
  row = get_interaction (f, id);
  codes = join_strv (row, "dispositions");
  g_assert_cmpstr (codes, ==, "resolved");
}

static void
test_interaction_finish (Fixture *f, gconstpointer data)
{
  const char *const codes[] = { "resolved", "callback", "resolved", NULL };
  g_autoptr (GVariant) case_data = record ("{'Priority': 'Low'}");
  SpInteractionEnd end = { 2000000, 5500000, "remote", "bye", TRUE, "all good", codes, case_data };
  g_autofree char *id = begin (f, NULL, 1000000, "sip:a@b");
  g_autoptr (GVariant) row = NULL;
  g_autofree char *dispositions = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *product = NULL;
  guint64 duration = 0;
  gboolean video = FALSE;

  g_assert_true (sp_store_interaction_finish (f->store, id, &end, NULL));
  row = get_interaction (f, id);
  dispositions = join_strv (row, "dispositions");
  priority = dict_value (row, "case-data", "Priority");
  product = dict_value (row, "case-data", "Product");
  g_assert_cmpstr (get_s (row, "status"), ==, "done");
  g_assert_cmpint (get_x (row, "answered"), ==, 2000000);
  g_assert_cmpint (get_x (row, "ended"), ==, 5500000);
  g_assert_true (g_variant_lookup (row, "duration-ms", "t", &duration));
  g_assert_cmpuint (duration, ==, 3500);
  g_assert_true (g_variant_lookup (row, "video", "b", &video));
  g_assert_true (video);
  g_assert_cmpstr (get_s (row, "end-actor"), ==, "remote");
  g_assert_cmpstr (get_s (row, "end-reason"), ==, "bye");
  g_assert_cmpstr (get_s (row, "notes"), ==, "all good");
  g_assert_cmpstr (dispositions, ==, "callback|resolved");
  g_assert_cmpstr (priority, ==, "Low");
  g_assert_null (product); /* case data given at the end replaces, it does not merge */
}

static void
test_interaction_finish_keeps_case_data (Fixture *f, gconstpointer data)
{
  SpInteractionEnd end = { 0, 5000000, "agent", "cancel", FALSE, "", NULL, NULL };
  g_autofree char *id = begin (f, NULL, 1, "sip:a@b");
  g_autoptr (GVariant) row = NULL;
  g_autofree char *priority = NULL;
  guint64 duration = 1;

  g_assert_true (sp_store_interaction_finish (f->store, id, &end, NULL));
  row = get_interaction (f, id);
  priority = dict_value (row, "case-data", "Priority");
  g_assert_cmpstr (priority, ==, "High");
  g_assert_true (g_variant_lookup (row, "duration-ms", "t", &duration));
  g_assert_cmpuint (duration, ==, 0); /* never answered */
}

static void
test_interaction_finish_not_found (Fixture *f, gconstpointer data)
{
  const char *const first_codes[] = { "resolved", NULL };
  const char *const second_codes[] = { "escalated", NULL };
  SpInteractionEnd first = { 1, 2, "agent", "hangup", FALSE, "first", first_codes, NULL };
  SpInteractionEnd second = { 3, 4, "remote", "bye", TRUE, "second", second_codes, NULL };
  g_autofree char *id = begin (f, NULL, 1, "sip:a@b");
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) row = NULL;
  g_autofree char *codes = NULL;

  g_assert_false (sp_store_interaction_finish (f->store, "i-nope", &first, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sp_store_interaction_finish (f->store, id, &first, NULL));
  g_assert_false (sp_store_interaction_finish (f->store, id, &second, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);

  row = get_interaction (f, id);
  codes = join_strv (row, "dispositions");
  g_assert_cmpstr (get_s (row, "notes"), ==, "first");
  g_assert_cmpstr (codes, ==, "resolved");
}

static void
assert_history (Fixture *f, const char *contact, guint offset, guint limit,
                const char *expected_remotes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) history = sp_store_history (f->store, contact, offset, limit, &error);
  g_autofree char *remotes = NULL;

  g_assert_no_error (error);
  remotes = join_key (history, "remote");
  g_assert_cmpstr (remotes, ==, expected_remotes);
}

static void
test_history_order_paging (Fixture *f, gconstpointer data)
{
  static const gint64 starts[] = { 30, 10, 50, 20, 40 };
  g_autofree char *contact = save_contact (f, "{'first-name': <'Mario'>}");
  g_autofree char *other = save_contact (f, "{'first-name': <'Other'>}");
  g_autofree char *live = begin (f, contact, 99, "live");
  g_autofree char *others = begin (f, other, 60, "other");
  g_autofree char *tie = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (starts); i++)
    {
      g_autofree char *remote = g_strdup_printf ("t%" G_GINT64_FORMAT, starts[i]);
      g_autofree char *id = begin (f, contact, starts[i], remote);
      finish (f, id, starts[i]);
    }
  finish (f, others, 60);
  assert_history (f, contact, 0, 0, "t50|t40|t30|t20|t10");
  assert_history (f, contact, 0, 2, "t50|t40");
  assert_history (f, contact, 2, 2, "t30|t20");
  assert_history (f, contact, 4, 2, "t10");
  assert_history (f, contact, 5, 2, "");
  assert_history (f, other, 0, 0, "other");

  /* Same start time: the later row first. */
  tie = begin (f, contact, 50, "t50-later");
  finish (f, tie, 50);
  assert_history (f, contact, 0, 2, "t50-later|t50");
  g_assert_nonnull (live);
}

static void
test_history_needs_contact (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *contact;
    int code;
  } rows[] = { { NULL, SP_STORE_ERROR_INVALID },
               { "", SP_STORE_ERROR_INVALID },
               { "c-nobody", SP_STORE_ERROR_NOT_FOUND } };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) history = sp_store_history (f->store, rows[i].contact, 0, 0, &error);

      g_assert_null (history);
      g_assert_error (error, SP_STORE_ERROR, rows[i].code);
    }
}

/* What start-up does after a crash: rows still 'live' become 'interrupted', notes kept. */
static void
test_mark_interrupted (Fixture *f, gconstpointer data)
{
  SpInteractionEnd end = { 1, 2, "agent", "hangup", FALSE, "", NULL, NULL };
  g_autofree char *contact = save_contact (f, "{'first-name': <'Mario'>}");
  g_autofree char *typed = begin (f, contact, 10, "typed");
  g_autofree char *silent = begin (f, contact, 20, "silent");
  g_autofree char *done = begin (f, contact, 30, "done");
  g_autoptr (GVariant) row = NULL;
  g_autoptr (GVariant) done_row = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (
    sp_store_interaction_set_notes (f->store, typed, "customer said the serial is 42", NULL));
  finish (f, done, 30);
  assert_history (f, contact, 0, 0, "done");

  fixture_reopen (f);
  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->store, &error), ==, 2);
  g_assert_no_error (error);
  row = get_interaction (f, typed);
  g_assert_cmpstr (get_s (row, "status"), ==, "interrupted");
  g_assert_cmpstr (get_s (row, "notes"), ==, "customer said the serial is 42");
  g_assert_cmpstr (get_s (row, "end-actor"), ==, "system");
  g_assert_cmpstr (get_s (row, "end-reason"), ==, "service-restarted");
  done_row = get_interaction (f, done);
  g_assert_cmpstr (get_s (done_row, "status"), ==, "done");
  g_assert_cmpstr (get_s (done_row, "end-actor"), ==, "agent");
  assert_history (f, contact, 0, 0, "done|silent|typed");

  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->store, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_false (sp_store_interaction_finish (f->store, silent, &end, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
}

static void
set_alive (Fixture *f, const char *id, gint64 alive)
{
  g_autofree char *sql = g_strdup_printf (
    "UPDATE interactions SET alive = %" G_GINT64_FORMAT " WHERE id = '%s'", alive, id);
  g_assert_cmpint (sqlite3_exec (f->store->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static guint64
duration_of (GVariant *row)
{
  guint64 duration = 0;

  g_assert_true (g_variant_lookup (row, "duration-ms", "t", &duration));
  return duration;
}

/* The end of an interrupted interaction: the recorded end when the call had ended, else the
 * last-known-alive time (never before the answer or the start); running pushes end there. */
static void
test_mark_interrupted_end_times (Fixture *f, gconstpointer data)
{
  g_autofree char *talking = begin (f, NULL, 1000000, "talking");
  g_autofree char *ended = begin (f, NULL, 1000000, "ended");
  g_autofree char *ringing = begin (f, NULL, 1000000, "ringing");
  g_autofree char *stale = begin (f, NULL, 1000000, "stale");
  g_autoptr (GVariant) row = NULL;
  g_autoptr (GVariant) pushes = NULL;
  g_autoptr (GVariant) push = NULL;
  g_autofree char *ended_by = NULL;
  gint64 running;

  g_assert_true (sp_store_interaction_set_answered (f->store, talking, 3000000, NULL));
  running = sp_store_interaction_push_started (f->store, talking, "p-1", 4000000, NULL);
  g_assert_cmpint (running, >, 0);
  set_alive (f, talking, 63000000);
  g_assert_true (sp_store_interaction_set_answered (f->store, ended, 3000000, NULL));
  g_assert_true (
    sp_store_interaction_set_ended (f->store, ended, 8000000, "remote", "hangup", NULL));
  set_alive (f, ended, 90000000); /* a note typed after the call: not its end */
  set_alive (f, ringing, 5000000);
  g_assert_true (sp_store_interaction_set_answered (f->store, stale, 7000000, NULL));
  set_alive (f, stale, 0); /* a row from schema 2, which had no alive time */

  fixture_reopen (f);
  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->store, NULL), ==, 4);

  row = get_interaction (f, talking);
  g_assert_cmpint (get_x (row, "answered"), ==, 3000000);
  g_assert_cmpint (get_x (row, "ended"), ==, 63000000);
  g_assert_cmpuint (duration_of (row), ==, 60000);
  g_assert_cmpstr (get_s (row, "end-reason"), ==, "service-restarted");
  pushes = g_variant_lookup_value (row, "pushes", G_VARIANT_TYPE ("aa{sv}"));
  push = g_variant_get_child_value (pushes, 0);
  ended_by = join_key (pushes, "ended-by");
  g_assert_cmpstr (ended_by, ==, "interrupted");
  g_assert_cmpint (get_x (push, "ended"), ==, 63000000);
  g_clear_pointer (&row, g_variant_unref);

  row = get_interaction (f, ended);
  g_assert_cmpstr (get_s (row, "status"), ==, "interrupted");
  g_assert_cmpint (get_x (row, "ended"), ==, 8000000);
  g_assert_cmpuint (duration_of (row), ==, 5000);
  g_assert_cmpstr (get_s (row, "end-actor"), ==, "remote");
  g_assert_cmpstr (get_s (row, "end-reason"), ==, "hangup");
  g_clear_pointer (&row, g_variant_unref);

  row = get_interaction (f, ringing);
  g_assert_cmpint (get_x (row, "ended"), ==, 5000000);
  g_assert_cmpuint (duration_of (row), ==, 0); /* never answered */
  g_clear_pointer (&row, g_variant_unref);

  row = get_interaction (f, stale);
  g_assert_cmpint (get_x (row, "ended"), ==, 7000000);
}

/* The parties of an interaction follow what Participants shows (each row updated in place);
 * those still there when the service died leave at the interaction's interrupted end. */
static void
test_interaction_participants (Fixture *f, gconstpointer data)
{
  g_autofree char *id = begin (f, NULL, 1000000, "sip:a@b");
  g_autoptr (GVariant) calling = g_variant_ref_sink (g_variant_new_parsed (
    "[{'id': <'contact'>, 'role': <'contact'>, 'uri': <'sip:a@b'>, 'name': <'A'>,"
    "  'state': <'held'>, 'joined': <int64 2000000>, 'left': <int64 0>},"
    " {'id': <'conference-1'>, 'role': <'agent'>, 'uri': <'sip:bob@x'>, 'name': <'Bob'>,"
    "  'state': <'calling'>, 'joined': <int64 0>, 'left': <int64 0>}]"));
  g_autoptr (GVariant) talking = g_variant_ref_sink (g_variant_new_parsed (
    "[{'id': <'contact'>, 'role': <'contact'>, 'uri': <'sip:a@b'>, 'name': <'A'>,"
    "  'state': <'talking'>, 'joined': <int64 2000000>, 'left': <int64 0>},"
    " {'id': <'conference-1'>, 'role': <'agent'>, 'uri': <'sip:bob@x'>, 'name': <'Bob'>,"
    "  'state': <'talking'>, 'joined': <int64 3000000>, 'left': <int64 0>, 'conference': <true>},"
    " {'id': <'conference-2'>, 'role': <'agent'>, 'uri': <'sip:carla@x'>, 'name': <'Carla'>,"
    "  'state': <'declined'>, 'joined': <int64 0>, 'left': <int64 3500000>}]"));
  g_autoptr (GVariant) row = NULL;
  g_autoptr (GVariant) parties = NULL;
  g_autoptr (GVariant) bob = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *states = NULL;
  g_autofree char *names = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_store_interaction_set_participants (f->store, id, calling, NULL));
  g_assert_true (sp_store_interaction_set_participants (f->store, id, talking, NULL));
  row = get_interaction (f, id);
  parties = g_variant_lookup_value (row, "participants", G_VARIANT_TYPE ("aa{sv}"));
  ids = join_key (parties, "id");
  states = join_key (parties, "state");
  names = join_key (parties, "name");
  g_assert_cmpstr (ids, ==, "contact|conference-1|conference-2");
  g_assert_cmpstr (states, ==, "talking|talking|declined");
  g_assert_cmpstr (names, ==, "A|Bob|Carla");
  bob = g_variant_get_child_value (parties, 1);
  g_assert_cmpint (get_x (bob, "joined"), ==, 3000000);
  g_assert_cmpint (get_x (bob, "left"), ==, 0);
  g_clear_pointer (&bob, g_variant_unref);
  g_clear_pointer (&parties, g_variant_unref);
  g_clear_pointer (&row, g_variant_unref);

  set_alive (f, id, 9000000);
  fixture_reopen (f);
  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->store, NULL), ==, 1);
  row = get_interaction (f, id);
  parties = g_variant_lookup_value (row, "participants", G_VARIANT_TYPE ("aa{sv}"));
  bob = g_variant_get_child_value (parties, 1);
  g_assert_cmpint (get_x (bob, "left"), ==, 9000000);
  g_clear_pointer (&bob, g_variant_unref);
  bob = g_variant_get_child_value (parties, 2);
  g_assert_cmpint (get_x (bob, "left"), ==, 3500000); /* left before: kept */

  g_assert_false (sp_store_interaction_set_participants (f->store, "i-nope", talking, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
}

/* Undoes migration 7 (the shared store's outbox, its triggers and the interactions' origin). */
static void
drop_sync_schema (Fixture *f)
{
  g_autoptr (GString) sql = g_string_new ("");
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (f->store->db,
                                       "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                       " AND name LIKE '%\\_sync\\_%' ESCAPE '\\'",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (sql, "DROP TRIGGER %s;", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_string_append (sql, "DROP TABLE sync_outbox; DROP TABLE sync_state;"
                        "ALTER TABLE interactions DROP COLUMN origin;");
  g_assert_cmpint (sqlite3_exec (f->store->db, sql->str, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* Undoes migrations 3 to 7 on the open database, as a sportellod of schema 2 would have left
 * it. */
static void
downgrade_to_schema_2 (Fixture *f)
{
  static const char sql[]
    = "DROP TABLE interaction_cobrowse_pages;"
      "DROP TABLE interaction_cobrowse;"
      "DROP TABLE interaction_participants;"
      "DROP TABLE interaction_pushes;"
      "CREATE TABLE interaction_pushes ("
      "  rowid INTEGER PRIMARY KEY,"
      "  interaction INTEGER NOT NULL REFERENCES interactions(rowid) ON DELETE CASCADE,"
      "  item_id TEXT NOT NULL, started INTEGER NOT NULL, ended INTEGER NOT NULL,"
      "  ended_by TEXT NOT NULL CHECK (ended_by IN ('stop', 'end-of-clip', 'error',"
      "    'call-ended')));"
      "CREATE INDEX interaction_pushes_by_interaction ON interaction_pushes(interaction);"
      "ALTER TABLE interactions DROP COLUMN alive;"
      "ALTER TABLE interactions DROP COLUMN encrypted;"
      "PRAGMA user_version = 2;";

  drop_sync_schema (f);
  g_assert_cmpint (sqlite3_exec (f->store->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* A database of schema 2 (before last-known-alive times and live pushes) is migrated in place:
 * its rows are kept, a push may now be 'live', and a crashed call ends at its answer. */
static void
test_history_from_schema_2 (Fixture *f, gconstpointer data)
{
  g_autofree char *id = begin (f, NULL, 1000000, "sip:old@example.com");
  g_autoptr (GVariant) row = NULL;
  g_autoptr (GVariant) pushes = NULL;
  g_autofree char *items = NULL;
  g_autofree char *ends = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *pushes_sql = NULL;

  g_assert_true (sp_store_interaction_set_answered (f->store, id, 4000000, NULL));
  /* Back to schema 2, as a sportellod of that version left it after a crash. */
  downgrade_to_schema_2 (f);
  sql = g_strdup_printf ("INSERT INTO interaction_pushes (interaction, item_id, started, ended,"
                         " ended_by) SELECT rowid, 'p-old', 5, 6, 'stop' FROM interactions"
                         " WHERE id = '%s'",
                         id);
  g_assert_cmpint (sqlite3_exec (f->store->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  fixture_reopen (f);
  g_assert_cmpint (sp_store_get_schema_version (f->store), ==,
                   sp_store_get_latest_schema_version ());
  pushes_sql
    = pragma_text (f->store->db, "SELECT sql FROM sqlite_schema WHERE name = 'interaction_pushes'");
  g_assert_nonnull (strstr (pushes_sql, "'live'"));
  g_assert_cmpint (pragma_int (f->store->db, "SELECT count(*) FROM sqlite_schema"
                                             " WHERE name = 'interaction_pushes_by_interaction'"),
                   ==, 1);
  g_assert_cmpint (alive_of (f, id), ==, 0);
  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->store, NULL), ==, 1);
  row = get_interaction (f, id);
  pushes = g_variant_lookup_value (row, "pushes", G_VARIANT_TYPE ("aa{sv}"));
  items = join_key (pushes, "item-id");
  ends = join_key (pushes, "ended-by");
  g_assert_cmpstr (items, ==, "p-old");
  g_assert_cmpstr (ends, ==, "stop");
  g_assert_cmpstr (get_s (row, "remote"), ==, "sip:old@example.com");
  g_assert_cmpint (get_x (row, "answered"), ==, 4000000);
  g_assert_cmpint (get_x (row, "ended"), ==, 4000000);
  /* And it works as schema 3 from now on. */
  g_assert_cmpint (sp_store_interaction_push_started (f->store, id, "p-new", 7, NULL), >, 0);
}

/* ---- standard responses ---- */

static char *
save_response (Fixture *f, const char *text)
{
  g_autoptr (GVariant) response = record (text);
  g_autoptr (GError) error = NULL;
  char *id = sp_store_response_save (f->store, response, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static void
add_sample_responses (Fixture *f)
{
  static const char *const samples[] = {
    "{'title': <'Password reset'>, 'category': <'Account'>, 'body': <'To reset it, {agent.name} "
    "sends a link.'>}",
    "{'title': <'Invoice copy'>, 'category': <'Billing'>, 'body': <'We will send a copy of the "
    "invoice.'>}",
    "{'title': <'Refund'>, 'category': <'Billing'>, 'body': <'Refunds take five days.'>}",
    "{'title': <'Opening hours'>, 'body': <'The caffè is open from nine.'>}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *id = save_response (f, samples[i]);
      g_assert_true (g_str_has_prefix (id, "r-"));
    }
}

static void
assert_response_search (Fixture *f, const char *text, guint limit, const char *expected_titles)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) found = sp_store_response_search (f->store, text, limit, &error);
  g_autofree char *titles = NULL;

  g_assert_no_error (error);
  titles = join_key (found, "title");
  g_assert_cmpstr (titles, ==, expected_titles);
}

static void
test_response_save_get (Fixture *f, gconstpointer data)
{
  g_autofree char *id = save_response (f, "{'title': <'Greeting'>, 'category': <'General'>,"
                                          " 'body': <'Hello {contact.first-name}!'>}");
  g_autofree char *again = NULL;
  g_autofree char *update = g_strdup_printf ("{'id': <'%s'>, 'body': <'Good morning!'>}", id);
  g_autoptr (GVariant) response = sp_store_response_get (f->store, id, NULL);
  g_autoptr (GVariant) updated = NULL;

  g_assert_cmpstr (get_s (response, "id"), ==, id);
  g_assert_cmpstr (get_s (response, "title"), ==, "Greeting");
  g_assert_cmpstr (get_s (response, "category"), ==, "General");
  g_assert_cmpstr (get_s (response, "body"), ==, "Hello {contact.first-name}!");

  again = save_response (f, update);
  updated = sp_store_response_get (f->store, id, NULL);
  g_assert_cmpstr (again, ==, id);
  g_assert_cmpstr (get_s (updated, "title"), ==, "Greeting");
  g_assert_cmpstr (get_s (updated, "category"), ==, "General");
  g_assert_cmpstr (get_s (updated, "body"), ==, "Good morning!");
  assert_response_search (f, "hello", 0, "");
  assert_response_search (f, "morning", 0, "Greeting");
}

static void
test_response_invalid (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "{'title': <'No body'>}",
    "{'body': <'No title'>}",
    "{'title': <''>, 'body': <'Empty title'>}",
    "{'id': <''>, 'title': <'T'>, 'body': <'B'>}",
    "{'title': <'T'>, 'body': <'B'>, 'tags': <'x'>}",
    "{'title': <'T'>, 'body': <'B'>, 'category': <1>}",
    "{'id': <'../greeting'>, 'title': <'T'>, 'body': <'B'>}",
    "{'id': <'greeting?x=1'>, 'title': <'T'>, 'body': <'B'>}",
  };
  g_auto (GStrv) categories = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GVariant) response = record (bad[i]);
      g_autoptr (GError) error = NULL;
      g_autofree char *id = sp_store_response_save (f->store, response, &error);

      g_assert_null (id);
      g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID);
    }
  assert_response_search (f, "", 0, "");
  categories = sp_store_response_categories (f->store, NULL);
  g_assert_cmpuint (g_strv_length (categories), ==, 0);
}

static void
test_response_search (Fixture *f, gconstpointer data)
{
  add_sample_responses (f);
  assert_response_search (f, "pass", 0, "Password reset");
  assert_response_search (f, "INVOICE", 0, "Invoice copy");
  assert_response_search (f, "caffe", 0, "Opening hours");
  assert_response_search (f, "copy invoice", 0, "Invoice copy");
  assert_response_search (f, "five days refund", 0, "Refund");
  assert_response_search (f, "nothing", 0, "");
  assert_response_search (f, "category:billing", 0, "Invoice copy|Refund");
  assert_response_search (f, "refund category:Billing", 0, "Refund");
  assert_response_search (f, "category:Account invoice", 0, "");
  assert_response_search (f, "category:Nope", 0, "");
  assert_response_search (f, "", 0, "Opening hours|Password reset|Invoice copy|Refund");
  assert_response_search (f, "", 2, "Opening hours|Password reset");
  assert_response_search (f, "{agent.name} \" * NOT", 0, "");
}

static void
test_response_categories_delete (Fixture *f, gconstpointer data)
{
  const char *const all[] = { "Account", "Billing", NULL };
  const char *const after[] = { "Billing", NULL };
  g_auto (GStrv) categories = NULL;
  g_auto (GStrv) remaining = NULL;
  g_autoptr (GVariant) found = NULL;
  g_autoptr (GVariant) gone = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autoptr (GError) error = NULL;

  add_sample_responses (f);
  categories = sp_store_response_categories (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (categories, all);

  found = sp_store_response_search (f->store, "category:Account", 0, NULL);
  first = g_variant_get_child_value (found, 0);
  g_assert_true (sp_store_response_delete (f->store, get_s (first, "id"), &error));
  g_assert_no_error (error);
  gone = sp_store_response_get (f->store, get_s (first, "id"), &error);
  g_assert_null (gone);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sp_store_response_delete (f->store, get_s (first, "id"), &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  remaining = sp_store_response_categories (f->store, NULL);
  g_assert_cmpstrv (remaining, after);
  assert_response_search (f, "password", 0, "");
}

static void
test_response_import (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) good
    = record ("[{'id': <'r-crm-1'>, 'title': <'One'>, 'body': <'First'>},"
              " {'title': <'Two'>, 'body': <'Second'>, 'category': <'Misc'>}]");
  g_autoptr (GVariant) bad
    = record ("[{'title': <'Three'>, 'body': <'Third'>}, {'title': <'Four'>}]");
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) one = NULL;

  g_assert_cmpuint (sp_store_response_import (f->store, good, &error), ==, 2);
  g_assert_no_error (error);
  one = sp_store_response_get (f->store, "r-crm-1", NULL);
  g_assert_cmpstr (get_s (one, "body"), ==, "First");

  g_assert_cmpuint (sp_store_response_import (f->store, bad, &error), ==, 0);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "record 2: "));
  assert_response_search (f, "", 0, "One|Two");
}

/* ---- push catalogue ---- */

static char *
add_push (Fixture *f, const char *text)
{
  g_autoptr (GVariant) item = record (text);
  g_autoptr (GError) error = NULL;
  char *id = sp_store_push_add (f->store, item, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static void
test_push_add_list_get (Fixture *f, gconstpointer data)
{
  g_autofree char *video
    = add_push (f, "{'title': <'Setup guide'>, 'kind': <'video'>, 'path': <'/srv/setup.mp4'>,"
                   " 'description': <'How to plug it in'>, 'thumbnail': <'/srv/setup.png'>,"
                   " 'duration-ms': <uint64 42000>}");
  g_autofree char *image
    = add_push (f, "{'id': <'p-diagram'>, 'title': <'Cable diagram'>, 'kind': <'image'>,"
                   " 'path': <'/srv/cables.png'>, 'duration-ms': <uint64 0>}");
  g_autofree char *sound
    = add_push (f, "{'title': <'With sound'>, 'kind': <'video'>, 'path': <'/srv/sound.webm'>,"
                   " 'duration-ms': <uint64 2000>, 'has-audio': <true>}");
  g_autoptr (GVariant) list = sp_store_push_list (f->store, NULL);
  g_autofree char *titles = join_key (list, "title");
  g_autoptr (GVariant) item = sp_store_push_get (f->store, video, NULL);
  g_autoptr (GVariant) with_sound = sp_store_push_get (f->store, sound, NULL);
  g_autofree char *fresh = sp_store_push_new_id ();
  guint64 duration = 0;
  gboolean has_audio = TRUE;

  g_assert_true (g_str_has_prefix (video, "p-"));
  g_assert_cmpstr (image, ==, "p-diagram");
  g_assert_cmpstr (titles, ==, "Cable diagram|Setup guide|With sound");
  g_assert_cmpstr (get_s (item, "title"), ==, "Setup guide");
  g_assert_cmpstr (get_s (item, "kind"), ==, "video");
  g_assert_cmpstr (get_s (item, "path"), ==, "/srv/setup.mp4");
  g_assert_cmpstr (get_s (item, "description"), ==, "How to plug it in");
  g_assert_cmpstr (get_s (item, "thumbnail"), ==, "/srv/setup.png");
  g_assert_true (g_variant_lookup (item, "duration-ms", "t", &duration));
  g_assert_cmpuint (duration, ==, 42000);
  g_assert_true (g_variant_lookup (item, "has-audio", "b", &has_audio));
  g_assert_false (has_audio);
  g_assert_true (g_variant_lookup (with_sound, "has-audio", "b", &has_audio));
  g_assert_true (has_audio);
  g_assert_true (g_str_has_prefix (fresh, "p-"));
  g_assert_cmpstr (fresh, !=, video);
}

/* A catalogue from schema 1 (no has_audio column) keeps its rows; they have no sound. */
static void
test_push_from_schema_1 (Fixture *f, gconstpointer data)
{
  g_autofree char *id = add_push (
    f, "{'title': <'Old clip'>, 'kind': <'video'>, 'path': <'/old.webm'>, 'duration-ms': <uint64 "
       "9>, 'has-audio': <true>}");
  g_autoptr (GVariant) item = NULL;
  gboolean has_audio = TRUE;

  downgrade_to_schema_2 (f);
  g_assert_cmpint (sqlite3_exec (f->store->db,
                                 "ALTER TABLE push_items DROP COLUMN has_audio;"
                                 " PRAGMA user_version = 1;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  fixture_reopen (f);
  g_assert_cmpint (sp_store_get_schema_version (f->store), ==,
                   sp_store_get_latest_schema_version ());
  item = sp_store_push_get (f->store, id, NULL);
  g_assert_nonnull (item);
  g_assert_cmpstr (get_s (item, "title"), ==, "Old clip");
  g_assert_true (g_variant_lookup (item, "has-audio", "b", &has_audio));
  g_assert_false (has_audio);
}

static void
test_push_invalid (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "{'title': <'T'>, 'kind': <'video'>, 'path': <'/p'>}",
    "{'title': <'T'>, 'kind': <'video'>, 'path': <'/p'>, 'duration-ms': <int32 5>}",
    "{'kind': <'video'>, 'path': <'/p'>, 'duration-ms': <uint64 5>}",
    "{'title': <'T'>, 'kind': <'video'>, 'duration-ms': <uint64 5>}",
    "{'title': <'T'>, 'kind': <'audio'>, 'path': <'/p'>, 'duration-ms': <uint64 5>}",
    "{'title': <'T'>, 'kind': <'video'>, 'path': <'/p'>, 'duration-ms': <uint64 5>, 'loop': "
    "<true>}",
    "{'id': <'../p'>, 'title': <'T'>, 'kind': <'video'>, 'path': <'/p'>, 'duration-ms': <uint64 "
    "5>}",
    "{'id': <'p-1'>, 'title': <'Again'>, 'kind': <'video'>, 'path': <'/q'>, 'duration-ms': <uint64 "
    "5>}",
    "{'title': <'T'>, 'kind': <'video'>, 'path': <'/p'>, 'duration-ms': <uint64 5>, 'has-audio': "
    "<'yes'>}",
  };
  g_autofree char *first
    = add_push (f, "{'id': <'p-1'>, 'title': <'First'>, 'kind': <'video'>, 'path': <'/p'>,"
                   " 'duration-ms': <uint64 5>}");
  g_autoptr (GVariant) list = NULL;
  g_autofree char *titles = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GVariant) item = record (bad[i]);
      g_autoptr (GError) error = NULL;
      g_autofree char *id = sp_store_push_add (f->store, item, &error);
      g_autofree char *ignored = sp_store_push_add (f->store, item, NULL);

      g_assert_null (id);
      g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID);
      g_assert_null (ignored);
    }
  list = sp_store_push_list (f->store, NULL);
  titles = join_key (list, "title");
  g_assert_cmpstr (titles, ==, "First");
}

static void
test_push_remove (Fixture *f, gconstpointer data)
{
  g_autofree char *id = add_push (
    f, "{'title': <'Clip'>, 'kind': <'video'>, 'path': <'/c'>, 'duration-ms': <uint64 1>}");
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) gone = NULL;
  g_autoptr (GVariant) list = NULL;

  g_assert_true (sp_store_push_remove (f->store, id, &error));
  g_assert_no_error (error);
  gone = sp_store_push_get (f->store, id, &error);
  g_assert_null (gone);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sp_store_push_remove (f->store, id, &error));
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  list = sp_store_push_list (f->store, NULL);
  g_assert_cmpuint (g_variant_n_children (list), ==, 0);
}

#define ADD(path, func)                                                                            \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/store/schema/fresh-file", test_fresh_file);
  ADD ("/store/schema/reopen", test_reopen);
  g_test_add_func ("/store/schema/newer-version-refused", test_newer_schema_refused);
  g_test_add_func ("/store/schema/garbage-refused", test_garbage_refused);
  ADD ("/store/contacts/save-get", test_contact_save_get);
  ADD ("/store/contacts/given-id", test_contact_given_id);
  ADD ("/store/contacts/update-partial", test_contact_update_partial);
  ADD ("/store/contacts/lookup", test_contact_lookup);
  ADD ("/store/contacts/search", test_contact_search);
  ADD ("/store/contacts/delete", test_contact_delete);
  ADD ("/store/contacts/invalid", test_contact_invalid);
  ADD ("/store/contacts/id-alphabet", test_contact_id_alphabet);
  ADD ("/store/contacts/needs-something", test_contact_needs_something);
  ADD ("/store/contacts/address-conflict", test_contact_address_conflict);
  ADD ("/store/contacts/import", test_contact_import);
  ADD ("/store/contacts/import-all-or-nothing", test_contact_import_all_or_nothing);
  ADD ("/store/history/begin", test_interaction_begin);
  ADD ("/store/history/begin-contacts", test_interaction_begin_contacts);
  ADD ("/store/history/notes-case-data", test_interaction_notes_case_data);
  ADD ("/store/history/pushes", test_interaction_pushes);
  ADD ("/store/history/co-browse", test_interaction_cobrowse);
  ADD ("/store/history/participants", test_interaction_participants);
  ADD ("/store/history/live-writes", test_interaction_live_writes);
  ADD ("/store/history/dispositions-all-or-nothing", test_interaction_dispositions_all_or_nothing);
  ADD ("/store/history/finish", test_interaction_finish);
  ADD ("/store/history/finish-keeps-case-data", test_interaction_finish_keeps_case_data);
  ADD ("/store/history/finish-not-found", test_interaction_finish_not_found);
  ADD ("/store/history/order-paging", test_history_order_paging);
  ADD ("/store/history/needs-contact", test_history_needs_contact);
  ADD ("/store/history/mark-interrupted", test_mark_interrupted);
  ADD ("/store/history/mark-interrupted-end-times", test_mark_interrupted_end_times);
  ADD ("/store/schema/history-from-schema-2", test_history_from_schema_2);
  ADD ("/store/responses/save-get", test_response_save_get);
  ADD ("/store/responses/invalid", test_response_invalid);
  ADD ("/store/responses/search", test_response_search);
  ADD ("/store/responses/categories-delete", test_response_categories_delete);
  ADD ("/store/responses/import", test_response_import);
  ADD ("/store/push/add-list-get", test_push_add_list_get);
  ADD ("/store/push/invalid", test_push_invalid);
  ADD ("/store/push/remove", test_push_remove);
  ADD ("/store/push/from-schema-1", test_push_from_schema_1);
  return g_test_run ();
}
