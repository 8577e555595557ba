/* The local side of the shared store between two real SQLite stores, A and B, standing for two
 * agents: what A's outbox holds after each kind of write, and what B's copy looks like once A's
 * changes are applied there (as the sync does after they went through PostgreSQL). */
#include "sp-store-sync.h"

#include <json-glib/json-glib.h>

typedef struct
{
  SpStore *a;
  SpStore *b;
} Fixture;

static SpStore *
open_store (const char *name)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, "sportello.db", NULL);
  g_autoptr (GError) error = NULL;
  SpStore *store = sp_store_open (path, "00", &error);

  g_assert_no_error (error);
  g_assert_true (sp_store_set_sharing (store, TRUE, &error));
  g_assert_no_error (error);
  return store;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->a = open_store ("a");
  f->b = open_store ("b");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->a, sp_store_free);
  g_clear_pointer (&f->b, sp_store_free);
}

static GVariant *
record (const char *text)
{
  g_autoptr (GError) error = NULL;
  GVariant *value = g_variant_parse (NULL, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return value;
}

static char *
save_contact (SpStore *store, const char *text)
{
  g_autoptr (GVariant) contact = record (text);
  g_autoptr (GError) error = NULL;
  char *id = sp_store_contact_save (store, contact, &error);

  g_assert_no_error (error);
  return id;
}

/* Takes everything queued in @from, applies it to @to the way the sync does, and returns the
 * batch (a JSON array) for the test to look at. */
static JsonArray *
carry (SpStore *from, SpStore *to, const char *origin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GArray) changes = g_array_new (FALSE, TRUE, sizeof (SpRemoteChange));
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_free);
  gint64 up_to = 0;
  guint records = 0;
  g_autofree char *batch = sp_store_outbox_peek (from, 1000, &up_to, &records, &error);
  JsonArray *array;
  static gint64 cursor;

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, batch, -1, &error));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, records);
  for (guint i = 0; i < records; i++)
    {
      JsonObject *change = json_array_get_object_element (array, i);
      SpRemoteChange remote = {
        .kind = json_object_get_string_member (change, "kind"),
        .id = json_object_get_string_member (change, "id"),
        .deleted = json_object_get_boolean_member_with_default (change, "deleted", FALSE),
        .updated = json_object_get_int_member (change, "updated"),
        .origin = origin,
      };

      if (json_object_has_member (change, "doc"))
        {
          remote.doc = json_to_string (json_object_get_member (change, "doc"), FALSE);
          g_ptr_array_add (docs, (gpointer)remote.doc);
        }
      g_array_append_val (changes, remote);
    }
  g_assert_true (sp_store_apply_remote (to, "test-source", (SpRemoteChange *)changes->data,
                                        changes->len, ++cursor, &error));
  g_assert_no_error (error);
  if (records)
    g_assert_true (sp_store_outbox_done (from, up_to, &error));
  g_assert_no_error (error);
  return json_array_ref (array);
}

/* A whole import, in slices of three. */
static guint
import_all (SpStore *store)
{
  g_autoptr (GError) error = NULL;
  SpStoreImportCursor cursor = { 0 };
  gboolean finished = FALSE;
  guint total = 0;

  while (!finished)
    {
      total += sp_store_outbox_queue_some (store, &cursor, 3, &finished, &error);
      g_assert_no_error (error);
    }
  return total;
}

static guint
pending (SpStore *store)
{
  g_autoptr (GError) error = NULL;
  guint n = sp_store_outbox_pending (store, &error);

  g_assert_no_error (error);
  return n;
}

static const char *
get_s (GVariant *dict, const char *key)
{
  const char *value = NULL;

  g_assert_true (g_variant_lookup (dict, key, "&s", &value));
  return value;
}

/* A contact saved on A is found by its number on B (screen pop), and B does not send it back. */
static void
test_contact_travels (Fixture *f, gconstpointer data)
{
  g_autofree char *id = save_contact (
    f->a, "{'first-name': <'Maria'>, 'last-name': <'Rossi'>, 'addresses': <['+39 055 123', "
          "'sip:maria@example.com']>}");
  g_autoptr (JsonArray) batch = NULL;
  g_autoptr (GVariant) found = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_str_has_prefix (id, "c-"));
  g_assert_cmpuint (strlen (id), ==, 34);
  g_assert_cmpuint (pending (f->a), ==, 1);
  batch = carry (f->a, f->b, "sip:a@example.com");
  g_assert_cmpuint (json_array_get_length (batch), ==, 1);
  g_assert_cmpuint (pending (f->a), ==, 0);
  g_assert_cmpuint (pending (f->b), ==, 0);
  found = sp_store_contact_lookup (f->b, "0039055123", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (get_s (found, "id"), ==, id);
  g_assert_cmpstr (get_s (found, "last-name"), ==, "Rossi");
  g_clear_pointer (&found, g_variant_unref);
  found = sp_store_contact_lookup (f->b, "sip:maria@example.com", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (get_s (found, "first-name"), ==, "Maria");
}

/* Newer wins: B's own later edit survives A's older version arriving; A's later one replaces it. */
static void
test_contact_newer_wins (Fixture *f, gconstpointer data)
{
  g_autofree char *id
    = save_contact (f->a, "{'id': <'c-shared'>, 'first-name': <'Old'>, 'addresses': <['123']>}");
  g_autoptr (GVariant) contact = NULL;
  g_autofree char *b_id = NULL;

  json_array_unref (carry (f->a, f->b, "a"));
  g_free (save_contact (f->a, "{'id': <'c-shared'>, 'first-name': <'From A'>}"));
  g_usleep (2000);
  b_id = save_contact (f->b, "{'id': <'c-shared'>, 'first-name': <'From B'>}");
  json_array_unref (carry (f->a, f->b, "a"));
  contact = sp_store_contact_get (f->b, id, NULL);
  g_assert_cmpstr (get_s (contact, "first-name"), ==, "From B");
  g_clear_pointer (&contact, g_variant_unref);
  g_usleep (2000);
  g_free (save_contact (f->a, "{'id': <'c-shared'>, 'first-name': <'Latest A'>}"));
  json_array_unref (carry (f->a, f->b, "a"));
  contact = sp_store_contact_get (f->b, id, NULL);
  g_assert_cmpstr (get_s (contact, "first-name"), ==, "Latest A");
}

/* A deletion travels as a deletion, and B does not queue what it applied. */
static void
test_contact_deleted (Fixture *f, gconstpointer data)
{
  g_autofree char *id = save_contact (f->a, "{'first-name': <'Gone'>}");
  g_autoptr (JsonArray) batch = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) contact = NULL;

  json_array_unref (carry (f->a, f->b, "a"));
  g_assert_true (sp_store_contact_delete (f->a, id, &error));
  batch = carry (f->a, f->b, "a");
  g_assert_true (
    json_object_get_boolean_member (json_array_get_object_element (batch, 0), "deleted"));
  contact = sp_store_contact_get (f->b, id, &error);
  g_assert_null (contact);
  g_assert_error (error, SP_STORE_ERROR, SP_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (pending (f->b), ==, 0);
}

/* A's whole interaction (notes, dispositions, participants, a push) is in B's history of the
 * contact; B's start-up never marks it interrupted while it is live at A. */
static void
test_interaction_travels (Fixture *f, gconstpointer data)
{
  g_autofree char *contact
    = save_contact (f->a, "{'first-name': <'Maria'>, 'addresses': <['55']>}");
  g_autoptr (GVariant) attached = record ("{'queue': 'support'}");
  SpInteractionStart start = { "inbound", "sip:55@pbx", "Maria", contact, 1000, attached, NULL };
  const char *codes[] = { "resolved", NULL };
  SpInteractionEnd end = { 2000, 9000, "contact", "hangup", TRUE, "printer fixed", codes, NULL };
  g_autoptr (GVariant) parties
    = record ("[{'id': <'p1'>, 'role': <'contact'>, 'uri': <'sip:55@pbx'>, 'name': <'Maria'>,"
              " 'state': <'talking'>, 'joined': <int64 2000>, 'left': <int64 0>}]");
  g_autoptr (GError) error = NULL;
  g_autofree char *id = sp_store_interaction_begin (f->a, &start, &error);
  g_autoptr (GVariant) history = NULL;
  g_autoptr (GVariant) got = NULL;
  g_autoptr (GVariant) dispositions = NULL;
  g_autoptr (GVariant) participants = NULL;

  g_assert_no_error (error);
  g_assert_true (sp_store_interaction_set_participants (f->a, id, parties, &error));
  g_assert_cmpint (sp_store_interaction_push_started (f->a, id, "p-clip", 3000, &error), >, 0);
  json_array_unref (carry (f->a, f->b, "sip:agent-a@example.com"));
  g_assert_cmpuint (sp_store_interactions_mark_interrupted (f->b, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (sp_store_interaction_touch (f->a, id, &error));
  g_assert_cmpuint (pending (f->a), ==, 0); /* the heartbeat is not a change */
  g_assert_true (sp_store_interaction_finish (f->a, id, &end, &error));
  json_array_unref (carry (f->a, f->b, "sip:agent-a@example.com"));
  history = sp_store_history (f->b, contact, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (history), ==, 1);
  got = g_variant_get_child_value (history, 0);
  g_assert_cmpstr (get_s (got, "id"), ==, id);
  g_assert_cmpstr (get_s (got, "notes"), ==, "printer fixed");
  g_assert_cmpstr (get_s (got, "status"), ==, "done");
  dispositions = g_variant_lookup_value (got, "dispositions", G_VARIANT_TYPE_STRING_ARRAY);
  g_assert_cmpuint (g_variant_n_children (dispositions), ==, 1);
  participants = g_variant_lookup_value (got, "participants", NULL);
  g_assert_cmpuint (g_variant_n_children (participants), ==, 1);
  g_assert_cmpuint (pending (f->b), ==, 0);
  /* B's own import queues only what is B's: nothing of A's interaction. */
  g_assert_cmpuint (sp_store_count_shareable (f->b, &error), ==, 1);
  g_assert_cmpuint (import_all (f->b), ==, 1);
}

/* Responses and push items travel, and the cursor is kept per source. */
static void
test_responses_and_push_items (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) response
    = record ("{'title': <'Greeting'>, 'category': <'Open'>, 'body': <'Hello {name}'>}");
  g_autoptr (GVariant) item
    = record ("{'title': <'Clip'>, 'kind': <'video'>, 'path': <'/srv/clip.webm'>,"
              " 'duration-ms': <uint64 5000>, 'has-audio': <true>}");
  g_autoptr (GError) error = NULL;
  g_autofree char *rid = sp_store_response_save (f->a, response, &error);
  g_autofree char *pid = sp_store_push_add (f->a, item, &error);
  g_autoptr (GVariant) got = NULL;

  g_assert_no_error (error);
  json_array_unref (carry (f->a, f->b, "a"));
  got = sp_store_response_get (f->b, rid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (get_s (got, "body"), ==, "Hello {name}");
  g_clear_pointer (&got, g_variant_unref);
  got = sp_store_push_get (f->b, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (get_s (got, "path"), ==, "/srv/clip.webm");
  g_assert_cmpint (sp_store_sync_cursor (f->b, "test-source", &error), >, 0);
  g_assert_cmpint (sp_store_sync_cursor (f->b, "another-source", &error), ==, 0);
}

/* The outbox survives a reopen (it is in the file, written with the change). */
static void
test_outbox_survives_reopen (Fixture *f, gconstpointer data)
{
  g_free (save_contact (f->a, "{'first-name': <'Kept'>}"));
  g_clear_pointer (&f->a, sp_store_free);
  f->a = open_store ("a");
  g_assert_cmpuint (pending (f->a), ==, 1);
}

/* Without a shared store nothing is queued; an import queues everything at once. */
static void
test_nothing_queued_without_sharing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_store_set_sharing (f->a, FALSE, &error));
  for (guint i = 0; i < 7; i++)
    g_free (save_contact (f->a, "{'first-name': <'Alone'>}"));
  g_assert_cmpuint (pending (f->a), ==, 0);
  g_assert_cmpuint (sp_store_count_shareable (f->a, &error), ==, 7);
  g_assert_cmpuint (import_all (f->a), ==, 7); /* slices of 3, 3 and 1 */
  g_assert_cmpuint (pending (f->a), ==, 7);
}

#define ADD(path, func)                                                                            \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/store-sync/contact/travels", test_contact_travels);
  ADD ("/store-sync/contact/newer-wins", test_contact_newer_wins);
  ADD ("/store-sync/contact/deleted", test_contact_deleted);
  ADD ("/store-sync/interaction/travels", test_interaction_travels);
  ADD ("/store-sync/responses-and-push-items", test_responses_and_push_items);
  ADD ("/store-sync/outbox-survives-reopen", test_outbox_survives_reopen);
  ADD ("/store-sync/nothing-queued-without-sharing", test_nothing_queued_without_sharing);
  return g_test_run ();
}
