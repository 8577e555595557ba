/* What Agent1.Dial accepts as a target: a phone number or a SIP/SIPS URI, bounded in length and
 * free of anything that could become more than a request URI. Pure; see test-dial-input.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_DIAL_TARGET_MAX 256

/* The request URI for @target: a phone number becomes sip:NUMBER@DOMAIN;user=phone, a SIP or
 * SIPS URI is kept (scheme in lower case). NULL with SP_SIP_ERROR_INVALID for anything else. */
char *
sp_dial_target_to_uri (const char *target, const char *domain, GError **error);

G_END_DECLS
