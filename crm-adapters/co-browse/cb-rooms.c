/* Rooms and tickets: who may say hello on the WebSocket, and to which session it belongs. */
#include "cb-rooms.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/random.h>

typedef struct
{
  CbRole role;
  char *session;
} Ticket;

struct _CbRooms
{
  GHashTable *rooms;   /* session → CbRoom (owned) */
  GHashTable *tickets; /* ticket → Ticket (owned) */
};

static void
room_free (CbRoom *room)
{
  g_free (room->session);
  g_strfreev (room->origins);
  g_free (room->start_url);
  g_free (room);
}

static void
ticket_free (Ticket *ticket)
{
  g_free (ticket->session);
  g_free (ticket);
}

CbRooms *
cb_rooms_new (void)
{
  CbRooms *self = g_new0 (CbRooms, 1);

  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)room_free);
  self->tickets
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)ticket_free);
  return self;
}

void
cb_rooms_free (CbRooms *self)
{
  if (!self)
    return;
  g_hash_table_unref (self->tickets);
  g_hash_table_unref (self->rooms);
  g_free (self);
}

/* 32 bytes as unpadded base64url: as hard to guess as the agent key (docs/co-browse.md). */
static char *
random_token (void)
{
  guchar bytes[32];
  char *token;

  if (getrandom (bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
    return NULL;
  token = g_base64_encode (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  return token;
}

char *
cb_rooms_issue (CbRooms *self, const char *session, CbRole role, GVariant *site)
{
  CbRoom *room = g_hash_table_lookup (self->rooms, session);
  char *token = random_token ();
  Ticket *ticket;

  if (!token)
    return NULL;
  if (!room)
    {
      room = g_new0 (CbRoom, 1);
      room->session = g_strdup (session);
      room->leader = CB_ROLE_AGENT;
      if (!site || !g_variant_lookup (site, "origins", "^as", &room->origins))
        room->origins = g_new0 (char *, 1);
      if (!site || !g_variant_lookup (site, "start-url", "s", &room->start_url))
        room->start_url = g_strdup ("");
      g_hash_table_insert (self->rooms, room->session, room);
    }
  ticket = g_new0 (Ticket, 1);
  ticket->role = role;
  ticket->session = g_strdup (session);
  g_hash_table_insert (self->tickets, g_strdup (token), ticket);
  return token;
}

CbRoom *
cb_rooms_redeem (CbRooms *self, const char *token, CbRole *role)
{
  Ticket *ticket = token ? g_hash_table_lookup (self->tickets, token) : NULL;
  CbRoom *room = ticket ? g_hash_table_lookup (self->rooms, ticket->session) : NULL;

  if (room && role)
    *role = ticket->role;
  return room;
}

CbRoom *
cb_rooms_lookup (CbRooms *self, const char *session)
{
  return session ? g_hash_table_lookup (self->rooms, session) : NULL;
}

void
cb_rooms_remove (CbRooms *self, const char *session)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->tickets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (((Ticket *)value)->session, session))
      g_hash_table_iter_remove (&iter);
  g_hash_table_remove (self->rooms, session);
}

GPtrArray *
cb_rooms_list (CbRooms *self)
{
  GPtrArray *sessions = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (sessions, g_strdup (key));
  return sessions;
}

guint
cb_rooms_count_tickets (CbRooms *self)
{
  return g_hash_table_size (self->tickets);
}

gpointer
cb_room_attach (CbRoom *room, CbRole role, gpointer browser)
{
  gpointer old = room->browsers[role];

  room->browsers[role] = browser;
  return old != browser ? old : NULL;
}

gboolean
cb_room_detach (CbRoom *room, CbRole role, gpointer browser)
{
  if (room->browsers[role] != browser || browser == NULL)
    return FALSE;
  room->browsers[role] = NULL;
  return TRUE;
}

gpointer
cb_room_peer (const CbRoom *room, CbRole role)
{
  return room->browsers[role == CB_ROLE_AGENT ? CB_ROLE_CUSTOMER : CB_ROLE_AGENT];
}
