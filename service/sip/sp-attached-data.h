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
/* @attached: a{ss}. Returns "Name: value\r\n" lines for SIPTAG_HEADER_STR (empty when none).
 * Keys that are not header tokens, and values with line breaks, are left out. */
char *
sp_attached_data_to_headers (GVariant *attached, const SpAttachedDataMap *map);

G_END_DECLS
