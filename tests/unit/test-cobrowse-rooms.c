/* The co-browse relay's rooms and tickets (crm-adapters/co-browse/cb-rooms.c): a ticket lets one
 * role into one session, the room keeps the site the service gave, one socket per role, and an
 * ended session takes its tickets with it. */
#include "cb-rooms.h"

#include <string.h>

#define SITE_ORIGIN "https://www.example.com"
#define START "https://www.example.com/start"

static GVariant *
site (void)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const char *const origins[] = { SITE_ORIGIN, "http://127.0.0.1:8080", NULL };

  g_variant_builder_add (&builder, "{sv}", "origins", g_variant_new_strv (origins, -1));
  g_variant_builder_add (&builder, "{sv}", "start-url", g_variant_new_string (START));
  g_variant_builder_add (&builder, "{sv}", "agent-name", g_variant_new_string ("Anna"));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
is_base64url (const char *text)
{
  for (const char *c = text; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

static void
test_tickets (void)
{
  g_autoptr (CbRooms) rooms = cb_rooms_new ();
  g_autoptr (GVariant) given = site ();
  g_autofree char *customer = cb_rooms_issue (rooms, "s1", CB_ROLE_CUSTOMER, given);
  g_autofree char *agent = cb_rooms_issue (rooms, "s1", CB_ROLE_AGENT, given);
  g_autofree char *other = cb_rooms_issue (rooms, "s2", CB_ROLE_CUSTOMER, NULL);
  CbRole role = CB_ROLE_AGENT;
  CbRoom *room;

  /* 32 random bytes each, base64url without padding, all different. */
  g_assert_cmpuint (strlen (customer), ==, 43);
  g_assert_true (is_base64url (customer) && is_base64url (agent));
  g_assert_cmpstr (customer, !=, agent);
  g_assert_cmpstr (customer, !=, other);

  room = cb_rooms_redeem (rooms, customer, &role);
  g_assert_nonnull (room);
  g_assert_cmpint (role, ==, CB_ROLE_CUSTOMER);
  g_assert_cmpstr (room->session, ==, "s1");
  g_assert_cmpstr (room->start_url, ==, START);
  g_assert_cmpuint (g_strv_length (room->origins), ==, 2);
  g_assert_cmpstr (room->origins[0], ==, SITE_ORIGIN);
  g_assert_cmpint (room->leader, ==, CB_ROLE_AGENT);
  g_assert_true (cb_rooms_redeem (rooms, agent, &role) == room);
  g_assert_cmpint (role, ==, CB_ROLE_AGENT);
  /* A ticket is not used up: a new page of the site says hello with it again. */
  g_assert_true (cb_rooms_redeem (rooms, customer, &role) == room);
  g_assert_cmpint (role, ==, CB_ROLE_CUSTOMER);

  /* Another session's ticket leads to its own room; no site, no origins (nothing navigates). */
  room = cb_rooms_redeem (rooms, other, &role);
  g_assert_nonnull (room);
  g_assert_cmpstr (room->session, ==, "s2");
  g_assert_cmpuint (g_strv_length (room->origins), ==, 0);
  g_assert_cmpstr (room->start_url, ==, "");

  /* Unknown, truncated, or no ticket: nothing. */
  g_assert_null (cb_rooms_redeem (rooms, "not-a-ticket", &role));
  g_assert_null (cb_rooms_redeem (rooms, NULL, &role));
  customer[42] = '\0';
  g_assert_null (cb_rooms_redeem (rooms, customer, &role));
  g_assert_null (cb_rooms_redeem (rooms, "", &role));
}

static void
test_later_site_ignored (void)
{
  g_autoptr (CbRooms) rooms = cb_rooms_new ();
  g_autoptr (GVariant) given = site ();
  g_autofree char *first = cb_rooms_issue (rooms, "s1", CB_ROLE_AGENT, given);
  g_autofree char *second = cb_rooms_issue (rooms, "s1", CB_ROLE_CUSTOMER, NULL);
  CbRoom *room = cb_rooms_lookup (rooms, "s1");

  /* The room is made once, with the site of its first join. */
  g_assert_nonnull (room);
  g_assert_true (cb_rooms_redeem (rooms, second, NULL) == room);
  g_assert_cmpstr (room->start_url, ==, START);
  g_assert_cmpuint (g_strv_length (room->origins), ==, 2);
}

static void
test_one_socket_per_role (void)
{
  g_autoptr (CbRooms) rooms = cb_rooms_new ();
  g_autofree char *ticket = cb_rooms_issue (rooms, "s1", CB_ROLE_CUSTOMER, NULL);
  CbRoom *room = cb_rooms_redeem (rooms, ticket, NULL);
  int first, second, agent;

  g_assert_null (cb_room_attach (room, CB_ROLE_CUSTOMER, &first));
  g_assert_null (cb_room_peer (room, CB_ROLE_CUSTOMER));
  g_assert_null (cb_room_attach (room, CB_ROLE_AGENT, &agent));
  g_assert_true (cb_room_peer (room, CB_ROLE_CUSTOMER) == &agent);
  g_assert_true (cb_room_peer (room, CB_ROLE_AGENT) == &first);
  /* The same role again (the next page): the new socket takes the place, the old one is named. */
  g_assert_true (cb_room_attach (room, CB_ROLE_CUSTOMER, &second) == &first);
  g_assert_true (cb_room_peer (room, CB_ROLE_AGENT) == &second);
  /* The replaced socket closing later does not take the new one out. */
  g_assert_false (cb_room_detach (room, CB_ROLE_CUSTOMER, &first));
  g_assert_true (cb_room_peer (room, CB_ROLE_AGENT) == &second);
  g_assert_true (cb_room_detach (room, CB_ROLE_CUSTOMER, &second));
  g_assert_null (cb_room_peer (room, CB_ROLE_AGENT));
  g_assert_false (cb_room_detach (room, CB_ROLE_CUSTOMER, &second));
}

static void
test_remove (void)
{
  g_autoptr (CbRooms) rooms = cb_rooms_new ();
  g_autofree char *a1 = cb_rooms_issue (rooms, "s1", CB_ROLE_AGENT, NULL);
  g_autofree char *c1 = cb_rooms_issue (rooms, "s1", CB_ROLE_CUSTOMER, NULL);
  g_autofree char *c1b = cb_rooms_issue (rooms, "s1", CB_ROLE_CUSTOMER, NULL);
  g_autofree char *c2 = cb_rooms_issue (rooms, "s12", CB_ROLE_CUSTOMER, NULL);
  g_autoptr (GPtrArray) live = cb_rooms_list (rooms);
  g_autoptr (GPtrArray) after = NULL;

  g_assert_cmpuint (live->len, ==, 2);
  g_assert_cmpuint (cb_rooms_count_tickets (rooms), ==, 4);
  cb_rooms_remove (rooms, "s1");
  /* Every ticket into s1 is gone; s12 (a longer id with the same start) is untouched. */
  g_assert_null (cb_rooms_redeem (rooms, a1, NULL));
  g_assert_null (cb_rooms_redeem (rooms, c1, NULL));
  g_assert_null (cb_rooms_redeem (rooms, c1b, NULL));
  g_assert_null (cb_rooms_lookup (rooms, "s1"));
  g_assert_nonnull (cb_rooms_redeem (rooms, c2, NULL));
  g_assert_cmpuint (cb_rooms_count_tickets (rooms), ==, 1);
  after = cb_rooms_list (rooms);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (after, 0), ==, "s12");
  /* Removing what is not there is harmless; a session that comes back starts a new room. */
  cb_rooms_remove (rooms, "s1");
  cb_rooms_remove (rooms, "nothing");
  g_free (a1);
  a1 = cb_rooms_issue (rooms, "s1", CB_ROLE_AGENT, NULL);
  g_assert_nonnull (cb_rooms_redeem (rooms, a1, NULL));
  g_assert_null (cb_rooms_lookup (rooms, "s1")->browsers[CB_ROLE_AGENT]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cobrowse-rooms/tickets", test_tickets);
  g_test_add_func ("/cobrowse-rooms/later-site-ignored", test_later_site_ignored);
  g_test_add_func ("/cobrowse-rooms/one-socket-per-role", test_one_socket_per_role);
  g_test_add_func ("/cobrowse-rooms/remove", test_remove);
  return g_test_run ();
}
