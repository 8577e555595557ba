/* Normalises phone numbers and SIP/tel URIs to one matching key, so that "+39 02 1234",
 * "tel:+39-02-1234" and "<sip:+39021234@pbx;user=phone>" find the same contact. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the key ("+39021234", "021234" or "sip:alice@example.com"), or NULL with
 * SP_STORE_ERROR_INVALID when the text holds no number or user part. A leading
 * @international_prefix ("00") becomes "+"; NULL or "" disables that rule. */
char *
sp_address_normalise (const char *address, const char *international_prefix, GError **error);

G_END_DECLS
