/* One message a browser sends through the co-browse relay (docs/co-browse.md, "Events"): checked
 * against who sent it and the session's rules, and rebuilt with the known fields only, so
 * nothing else ever reaches the other browser. No I/O: unit-tested on its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CB_MESSAGE_MAX_BYTES 4096

typedef enum
{
  CB_ROLE_CUSTOMER,
  CB_ROLE_AGENT,
} CbRole;

typedef enum
{
  CB_MESSAGE_NAVIGATE,
  CB_MESSAGE_SCROLL,
  CB_MESSAGE_POINTER,
  CB_MESSAGE_CLICK,
  CB_MESSAGE_HIGHLIGHT,
  CB_MESSAGE_INPUT,
  CB_MESSAGE_CONTROL,
  CB_MESSAGE_LEAVE,
} CbMessageType;

/* What the relay needs besides the text to forward. */
typedef struct
{
  CbMessageType type;
  char *url;     /* navigate: the page */
  CbRole leader; /* control: the new leader */
  char *forward; /* the message to send to the other browser (NULL for leave) */
} CbMessage;

const char *
cb_role_to_string (CbRole role);

/* Checks TEXT sent by FROM while LEADER leads, for a site of ORIGINS. NULL with a reason when it
 * must be dropped. */
CbMessage *
cb_message_check (const char *text, gsize length, CbRole from, CbRole leader,
                  const char *const *origins, GError **error);
void
cb_message_free (CbMessage *message);

/* The origin of an absolute http(s) URL as browsers write it ("https://host[:port]"), or NULL. */
char *
cb_origin_of (const char *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbMessage, cb_message_free)

G_END_DECLS
