/* One join link of an interaction, made for the customer's browser through the relay: a
 * co-browse session (docs/co-browse.md) or a browser video invitation (docs/browser-video.md).
 * Its opaque id, the customer's 6-digit join code, the agent's key, its state and, for
 * co-browse, the pages visited. Made and ended by the registry (sp-cobrowse-registry.h); the
 * interaction follows it. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SP_COBROWSE_WAITING, /* the code is given; no customer browser joined yet */
  SP_COBROWSE_JOINED,
  SP_COBROWSE_ENDED,
} SpCoBrowseState;

typedef enum
{
  SP_COBROWSE_KIND_SITE,  /* co-browse of the company's site */
  SP_COBROWSE_KIND_VIDEO, /* the call's video through the customer's browser (WebRTC) */
} SpCoBrowseKind;

#define SP_TYPE_COBROWSE (sp_cobrowse_get_type ())
G_DECLARE_FINAL_TYPE (SpCoBrowse, sp_cobrowse, SP, COBROWSE, GObject)

/* Signals: "page" (const char *url, gint64 time): a page both browsers are on; "notify::state". */

/* A new session with fresh random id, code and agent key; NULL with an error when the kernel's
 * generator gives nothing. */
SpCoBrowse *
sp_cobrowse_new (SpCoBrowseKind kind, GError **error);

SpCoBrowseKind
sp_cobrowse_get_kind (SpCoBrowse *self);

const char *
sp_cobrowse_get_id (SpCoBrowse *self);
const char *
sp_cobrowse_get_code (SpCoBrowse *self);
const char *
sp_cobrowse_get_agent_key (SpCoBrowse *self);
SpCoBrowseState
sp_cobrowse_get_state (SpCoBrowse *self);
const char *
sp_cobrowse_state_to_string (SpCoBrowseState state);
/* The browser key of the customer's browser, NULL before it joined. */
const char *
sp_cobrowse_get_browser (SpCoBrowse *self);
gint64
sp_cobrowse_get_started (SpCoBrowse *self); /* g_get_real_time() */
gint64
sp_cobrowse_get_joined (SpCoBrowse *self); /* 0 before */
gint64
sp_cobrowse_get_ended (SpCoBrowse *self); /* 0 before */
/* stopped, call-ended, customer-left or expired; "" while it lasts. */
const char *
sp_cobrowse_get_ended_by (SpCoBrowse *self);
/* The last page visited and when (g_get_real_time()); FALSE when none yet. */
gboolean
sp_cobrowse_get_last_page (SpCoBrowse *self, const char **url, gint64 *time);

/* The registry's transitions. */
void
sp_cobrowse_bind (SpCoBrowse *self, const char *browser);
void
sp_cobrowse_add_page (SpCoBrowse *self, const char *url);
void
sp_cobrowse_end (SpCoBrowse *self, const char *reason);

/* COUNT random bytes from the kernel as base64url without padding, starting with a letter or a
 * digit; NULL on failure. */
char *
sp_cobrowse_random_token (gsize count, GError **error);

G_END_DECLS
