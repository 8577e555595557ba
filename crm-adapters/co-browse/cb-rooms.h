/* The relay's table of co-browse sessions ("rooms") and the tickets that let a browser into one
 * (docs/co-browse.md, "Flow" 2–4). No I/O: the browsers are opaque pointers the caller owns, so
 * the unit tests check the table alone. */
#pragma once

#include <glib.h>

#include "cb-message.h"

G_BEGIN_DECLS

typedef struct
{
  char *session;
  GStrv origins;        /* the site's origins, from CoBrowse1.Join's site */
  char *start_url;      /* "" when the service gave none */
  CbRole leader;        /* the agent leads first */
  gpointer browsers[2]; /* by CbRole: the socket of each side, NULL when absent */
} CbRoom;

typedef struct _CbRooms CbRooms;

CbRooms *
cb_rooms_new (void);
void
cb_rooms_free (CbRooms *self);

/* A new ticket (43 characters of base64url from the kernel's generator) for a browser of ROLE in
 * SESSION; the room is made on the first ticket, with SITE (a{sv} from Join or JoinAgent). NULL
 * when no random bytes could be had. */
char *
cb_rooms_issue (CbRooms *self, const char *session, CbRole role, GVariant *site);
/* The room TICKET lets into, with the ROLE it was issued for; NULL for an unknown ticket. A ticket
 * stays valid while its room lasts (a new page of the site says hello again). */
CbRoom *
cb_rooms_redeem (CbRooms *self, const char *ticket, CbRole *role);
CbRoom *
cb_rooms_lookup (CbRooms *self, const char *session);
/* Forgets SESSION's room and every ticket into it (the caller has closed its browsers). */
void
cb_rooms_remove (CbRooms *self, const char *session);
/* The live sessions' ids (free with g_ptr_array_unref). */
GPtrArray *
cb_rooms_list (CbRooms *self);
guint
cb_rooms_count_tickets (CbRooms *self);

/* Puts BROWSER in ROLE's place; returns the browser it replaces (one socket per role), or NULL. */
gpointer
cb_room_attach (CbRoom *room, CbRole role, gpointer browser);
/* Takes BROWSER out of ROLE's place if it is still there; TRUE when it was. */
gboolean
cb_room_detach (CbRoom *room, CbRole role, gpointer browser);
gpointer
cb_room_peer (const CbRoom *room, CbRole role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRooms, cb_rooms_free)

G_END_DECLS
