/* Sofia-SIP magic types, shared by the files that talk to NUA. Handles are bound to a GObject:
 * an SpCallLeg for calls, the SpSipAgent for the registration. Include this before any Sofia
 * header, and only from service/sip/. */
#pragma once

#include <glib-object.h>

#define SU_ROOT_MAGIC_T struct _SpSipAgent
#define NUA_MAGIC_T struct _SpSipAgent
#define NUA_HMAGIC_T GObject

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_glib.h>

#include "sp-call-leg.h"

G_BEGIN_DECLS

/* Called by the agent: a leg for a handle NUA created for an incoming INVITE. */
SpCallLeg *
sp_call_leg_new_incoming (nua_handle_t *handle, const sip_t *sip);
/* Called by the agent: a leg for an outgoing INVITE on a handle it created. */
SpCallLeg *
sp_call_leg_new_outgoing (nua_handle_t *handle, const char *target, const char *call_id);
/* Called by the agent: the attached data its INVITE carried (floating a{ss}). */
void
sp_call_leg_set_attached_data (SpCallLeg *self, GVariant *attached_data);
/* Called by the agent: how attached data maps to headers when a REFER carries it. */
void
sp_call_leg_set_header_map (SpCallLeg *self, const char *uui_key, const char *const *header_map);
/* Called by the agent: the Contact (a header value) this leg's answers carry, NULL for Sofia's. */
void
sp_call_leg_set_contact (SpCallLeg *self, const char *contact);
/* A header value from a Request-URI ("sip:…?Name=value"), unescaped, with the separators
 * baresip 1.0 mangles put back. NULL for a bad escape. */
char *
sp_uri_header_value (const char *escaped);
/* The agent forwards every event of a bound handle here. */
void
sp_call_leg_handle_event (SpCallLeg *self, nua_event_t event, int status, const char *phrase,
                          const sip_t *sip, tagi_t tags[]);

G_END_DECLS
