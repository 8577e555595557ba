/* The co-browse registry's rules (docs/co-browse.md): codes and keys, one customer browser per
 * code, the limit on wrong codes, pages of the site only, the customer leaving, and a code that
 * expires unused. */
#include <string.h>

#include "sp-cobrowse-registry.h"
#include "sp-interaction.h"

#define BROWSER "b-0123456789abcdef"
#define OTHER_BROWSER "b-fedcba9876543210"

typedef struct
{
  SpConfig *config;
  SpCoBrowseRegistry *registry;
  GPtrArray *ended; /* "id reason" */
} Fixture;

static void
on_ended (SpCoBrowseRegistry *registry, const char *id, const char *reason, gint kind,
          gpointer data)
{
  Fixture *fixture = data;

  g_ptr_array_add (fixture->ended, g_strdup_printf ("%s %s", id, reason));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->config = sp_config_new_defaults ();
  g_strfreev (fixture->config->cobrowse_site_origins);
  fixture->config->cobrowse_site_origins = g_strsplit ("https://www.example.com", ";", -1);
  fixture->config->cobrowse_start_url = g_strdup ("https://www.example.com/");
  fixture->config->cobrowse_max_attempts = 3;
  fixture->config->cobrowse_code_lifetime_s = 1;
  fixture->registry = sp_cobrowse_registry_new (fixture->config);
  fixture->ended = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->registry, "ended", G_CALLBACK (on_ended), fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->registry);
  sp_config_free (fixture->config);
  g_ptr_array_unref (fixture->ended);
}

static SpCoBrowse *
open_session (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  SpCoBrowse *cobrowse
    = sp_cobrowse_registry_open (fixture->registry, SP_COBROWSE_KIND_SITE, &error);

  g_assert_no_error (error);
  return cobrowse;
}

/* Keys are given on command lines: none may start like an option. Without the redraw, 2000 draws
 * would start with '-' or '_' about 62 times. */
static void
test_tokens_start_alphanumeric (void)
{
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *token = sp_cobrowse_random_token (32, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (token), ==, 43);
      g_assert_true (g_ascii_isalnum (token[0]));
      g_assert_cmpuint (
        strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), ==, 43);
    }
}

static void
test_open (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SpCoBrowse) first = open_session (fixture);
  g_autoptr (SpCoBrowse) second = open_session (fixture);
  g_autofree char *customer = sp_cobrowse_registry_customer_url (fixture->registry, first);
  g_autofree char *agent = sp_cobrowse_registry_agent_url (fixture->registry, first);
  g_autofree char *expected
    = g_strdup_printf ("http://127.0.0.1:8733/j/%s", sp_cobrowse_get_code (first));
  const char *code = sp_cobrowse_get_code (first);

  g_assert_true (sp_cobrowse_registry_enabled (fixture->registry));
  g_assert_cmpuint (strlen (code), ==, 6);
  g_assert_cmpuint (strspn (code, "0123456789"), ==, 6);
  g_assert_cmpstr (code, !=, sp_cobrowse_get_code (second));
  g_assert_cmpuint (strlen (sp_cobrowse_get_agent_key (first)), ==, 43);
  g_assert_cmpstr (sp_cobrowse_get_agent_key (first), !=, sp_cobrowse_get_agent_key (second));
  g_assert_cmpstr (customer, ==, expected);
  g_assert_true (g_str_has_prefix (agent, "http://127.0.0.1:8733/a/"));
  g_assert_cmpint (sp_cobrowse_get_state (first), ==, SP_COBROWSE_WAITING);
}

static void
assert_join_fails (Fixture *fixture, const char *code, const char *browser, int expected)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (
    sp_cobrowse_registry_join (fixture->registry, SP_COBROWSE_KIND_SITE, code, browser, &error));
  g_assert_error (error, SP_INTERACTION_ERROR, expected);
}

static void
test_join_binds_one_browser (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SpCoBrowse) cobrowse = open_session (fixture);
  const char *code = sp_cobrowse_get_code (cobrowse);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) site = g_variant_ref_sink (sp_cobrowse_registry_site (fixture->registry));
  const char *start;

  g_assert_true (
    sp_cobrowse_registry_join (fixture->registry, SP_COBROWSE_KIND_SITE, code, BROWSER, &error)
    == cobrowse);
  g_assert_no_error (error);
  g_assert_cmpint (sp_cobrowse_get_state (cobrowse), ==, SP_COBROWSE_JOINED);
  g_assert_cmpint (sp_cobrowse_get_joined (cobrowse), >, 0);
  /* The same browser again (a reload): fine. Another one: refused. */
  g_assert_true (
    sp_cobrowse_registry_join (fixture->registry, SP_COBROWSE_KIND_SITE, code, BROWSER, &error)
    == cobrowse);
  assert_join_fails (fixture, code, OTHER_BROWSER, SP_INTERACTION_ERROR_NOT_ALLOWED);
  g_assert_true (sp_cobrowse_registry_join_agent (fixture->registry,
                                                  sp_cobrowse_get_agent_key (cobrowse), &error)
                 == cobrowse);
  g_assert_true (g_variant_lookup (site, "start-url", "&s", &start));
  g_assert_cmpstr (start, ==, "https://www.example.com/");
}

static void
test_bad_input (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  assert_join_fails (fixture, "12345", BROWSER, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  assert_join_fails (fixture, "12345a", BROWSER, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  assert_join_fails (fixture, "123456", "short", SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  assert_join_fails (fixture, "123456", "b-0123456789abcde!",
                     SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  g_assert_null (sp_cobrowse_registry_join_agent (fixture->registry, "nope", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
}

/* After max-attempts wrong codes in a minute, even the right code waits. */
static void
test_wrong_codes_are_limited (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SpCoBrowse) cobrowse = open_session (fixture);
  const char *code = sp_cobrowse_get_code (cobrowse);
  char wrong[7];

  for (guint i = 0; i < 3; i++)
    {
      g_snprintf (wrong, sizeof wrong, "%06u",
                  (guint)((g_ascii_strtoull (code, NULL, 10) + 1 + i) % 1000000));
      assert_join_fails (fixture, wrong, BROWSER, SP_INTERACTION_ERROR_NOT_FOUND);
    }
  assert_join_fails (fixture, code, BROWSER, SP_INTERACTION_ERROR_NOT_ALLOWED);
  g_assert_cmpint (sp_cobrowse_get_state (cobrowse), ==, SP_COBROWSE_WAITING);
}

static void
test_pages (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SpCoBrowse) cobrowse = open_session (fixture);
  const char *id = sp_cobrowse_get_id (cobrowse);
  g_autoptr (GError) error = NULL;
  g_autofree char *long_url = g_strdup_printf ("https://www.example.com/%0*d", 2100, 0);
  const char *url;
  gint64 time;

  g_assert_false (sp_cobrowse_get_last_page (cobrowse, &url, &time));
  g_assert_true (sp_cobrowse_registry_visited (fixture->registry, id,
                                               "https://www.example.com:443/shop?item=1", &error));
  g_assert_true (sp_cobrowse_get_last_page (cobrowse, &url, &time));
  g_assert_cmpstr (url, ==, "https://www.example.com:443/shop?item=1");
  g_assert_false (
    sp_cobrowse_registry_visited (fixture->registry, id, "https://evil.example/", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (sp_cobrowse_registry_visited (fixture->registry, id, "/relative", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (sp_cobrowse_registry_visited (fixture->registry, id, long_url, &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (sp_cobrowse_registry_visited (fixture->registry, "unknown",
                                                "https://www.example.com/", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
}

static void
test_customer_leaves (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SpCoBrowse) cobrowse = open_session (fixture);
  g_autofree char *id = g_strdup (sp_cobrowse_get_id (cobrowse));
  g_autofree char *expected = g_strdup_printf ("%s customer-left", id);
  g_autoptr (GError) error = NULL;

  g_assert_false (sp_cobrowse_registry_left (fixture->registry, id, "visitor", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* The agent's browser leaving ends nothing: it may come back. */
  g_assert_true (sp_cobrowse_registry_left (fixture->registry, id, "agent", &error));
  g_assert_cmpuint (fixture->ended->len, ==, 0);
  g_assert_true (sp_cobrowse_registry_left (fixture->registry, id, "customer", &error));
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->ended, 0), ==, expected);
  g_assert_cmpint (sp_cobrowse_get_state (cobrowse), ==, SP_COBROWSE_ENDED);
  g_assert_cmpstr (sp_cobrowse_get_ended_by (cobrowse), ==, "customer-left");
  /* Over is over: its code, key and id are gone. */
  assert_join_fails (fixture, sp_cobrowse_get_code (cobrowse), BROWSER,
                     SP_INTERACTION_ERROR_NOT_FOUND);
  g_assert_false (sp_cobrowse_registry_left (fixture->registry, id, "customer", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
  sp_cobrowse_registry_end (fixture->registry, cobrowse, "stopped");
  g_assert_cmpuint (fixture->ended->len, ==, 1);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* A code nobody used within its lifetime (1 s here) ends the session; joining with it then says
 * it expired rather than that it is wrong, and it does not count as a wrong code. */
static void
test_code_expires (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SpCoBrowse) waiting = open_session (fixture);
  g_autoptr (SpCoBrowse) joined = open_session (fixture);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (sp_cobrowse_registry_join (fixture->registry, SP_COBROWSE_KIND_SITE,
                                               sp_cobrowse_get_code (joined), BROWSER, &error));
  g_timeout_add (2500, quit_loop, loop);
  g_main_loop_run (loop);
  g_assert_cmpint (sp_cobrowse_get_state (waiting), ==, SP_COBROWSE_ENDED);
  g_assert_cmpstr (sp_cobrowse_get_ended_by (waiting), ==, "expired");
  g_assert_cmpint (sp_cobrowse_get_state (joined), ==, SP_COBROWSE_JOINED);
  for (guint i = 0; i < 4; i++)
    assert_join_fails (fixture, sp_cobrowse_get_code (waiting), BROWSER,
                       SP_INTERACTION_ERROR_INVALID_STATE);
}

/* A browser video invitation lives in the same registry (one code space) but is not a co-browse
 * session: its code, id and key open nothing of co-browse, and a co-browse code joins no video. */
static void
test_video_invitations_are_apart (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpCoBrowse) video
    = sp_cobrowse_registry_open (fixture->registry, SP_COBROWSE_KIND_VIDEO, &error);
  g_autoptr (SpCoBrowse) site = open_session (fixture);
  g_autofree char *url = sp_cobrowse_registry_customer_url (fixture->registry, video);
  g_autofree char *expected
    = g_strdup_printf ("http://127.0.0.1:8733/v/%s", sp_cobrowse_get_code (video));
  const char *id = sp_cobrowse_get_id (video);

  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, expected);
  assert_join_fails (fixture, sp_cobrowse_get_code (video), BROWSER,
                     SP_INTERACTION_ERROR_NOT_FOUND);
  g_assert_null (sp_cobrowse_registry_join (fixture->registry, SP_COBROWSE_KIND_VIDEO,
                                            sp_cobrowse_get_code (site), BROWSER, &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (
    sp_cobrowse_registry_join_agent (fixture->registry, sp_cobrowse_get_agent_key (video), &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (
    sp_cobrowse_registry_visited (fixture->registry, id, "https://www.example.com/", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (sp_cobrowse_registry_find (fixture->registry, SP_COBROWSE_KIND_SITE, id, &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sp_cobrowse_registry_join (fixture->registry, SP_COBROWSE_KIND_VIDEO,
                                            sp_cobrowse_get_code (video), BROWSER, &error)
                 == video);
  g_assert_true (sp_cobrowse_registry_find (fixture->registry, SP_COBROWSE_KIND_VIDEO, id, &error)
                 == video);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cobrowse/open", test_open);
  ADD ("/cobrowse/join-binds-one-browser", test_join_binds_one_browser);
  ADD ("/cobrowse/bad-input", test_bad_input);
  ADD ("/cobrowse/wrong-codes-are-limited", test_wrong_codes_are_limited);
  ADD ("/cobrowse/pages", test_pages);
  ADD ("/cobrowse/customer-leaves", test_customer_leaves);
  ADD ("/cobrowse/code-expires", test_code_expires);
  g_test_add_func ("/cobrowse/tokens-start-alphanumeric", test_tokens_start_alphanumeric);
  ADD ("/cobrowse/video-invitations-are-apart", test_video_invitations_are_apart);
  return g_test_run ();
}
