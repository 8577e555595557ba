/* Attached data ⇄ SIP headers. Incoming: User-to-User (RFC 7433) and configured headers become
 * keys; "X-Sportello-KEY" headers always map to KEY. Outgoing: the reverse. Pure functions. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *uui_key; /* the key User-to-User maps to ("UserToUser"); NULL to ignore it */
  const char *const *header_map; /* "Header-Name=Key" entries, or NULL */
} SpAttachedDataMap;

/* @headers: a(ss) (name, value) in message order. Returns a floating a{ss}. */
GVariant *
sp_attached_data_from_headers (GVariant *headers, const SpAttachedDataMap *map);
/* Limits on attached data given by a caller (Agent1.Dial): each key becomes a header name, each
 * value a header value, and both are stored with the interaction. */
#define SP_ATTACHED_DATA_MAX_ENTRIES 32
#define SP_ATTACHED_DATA_MAX_KEY 64
#define SP_ATTACHED_DATA_MAX_VALUE 1024

/* @attached: a{ss}. FALSE with SP_SIP_ERROR_INVALID, naming the entry, when there are too many
 * entries, a key is not 1..64 token characters (RFC 3261 §25.1), or a value is longer than
 * 1024 bytes or holds a control character. */
gboolean
sp_attached_data_check (GVariant *attached, GError **error);

/* @attached: a{ss}. Returns "Name: value\r\n" lines for SIPTAG_HEADER_STR (empty when none).
 * Keys that are not header tokens, and values with line breaks, are left out. */
char *
sp_attached_data_to_headers (GVariant *attached, const SpAttachedDataMap *map);

G_END_DECLS
