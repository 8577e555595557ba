/* The SIP user agent of the configured account: Sofia-SIP NUA on the GLib main loop. It
 * registers (digest auth with the password from the Secret Service), hands incoming calls out
 * as SpCallLegs, and dials. */
#pragma once

#include <gio/gio.h>

#include "sp-call-leg.h"
#include "sp-telephony.h"

G_BEGIN_DECLS

/* The SIP layer's errors are the legs' (sp-leg.h). */
#define SP_SIP_ERROR SP_LEG_ERROR
#define SP_SIP_ERROR_FAILED SP_LEG_ERROR_FAILED
#define SP_SIP_ERROR_INVALID SP_LEG_ERROR_INVALID /* a bad target or setting */

typedef struct
{
  const char *aor; /* sip:agent@example.com */
  const char *display_name;
  const char *listen;    /* ADDRESS:PORT */
  const char *transport; /* udp | tcp | tls */
  /* For tls: PEM paths (ca NULL: the system's CAs) and whether a server we call is verified. */
  const char *tls_certificate;
  const char *tls_private_key;
  const char *tls_ca;
  gboolean tls_verify_peer;
  const char *registrar; /* "" for none */
  const char *proxy;     /* "" for none */
  /* Attached data <-> headers (sp-attached-data.h) */
  const char *uui_key;                 /* the key User-to-User maps to; NULL to ignore it */
  const char *const *attached_headers; /* "Header-Name=Key" entries, or NULL */
} SpSipSettings;

#define SP_TYPE_SIP_AGENT (sp_sip_agent_get_type ())
G_DECLARE_FINAL_TYPE (SpSipAgent, sp_sip_agent, SP, SIP_AGENT, GObject)

/* Implements SpTelephony (its signal "incoming-call"). Signals: "password-needed" () before
 * retrying a registration whose password was refused (answer with sp_sip_agent_start());
 * notify::registration.
 */
SpSipAgent *
sp_sip_agent_new (const SpSipSettings *settings, GError **error);
/* disabled | unregistered | registering | registered | failed */
const char *
sp_sip_agent_get_registration (SpSipAgent *self);
const char *
sp_sip_agent_get_registration_error (SpSipAgent *self);
/* Starts registering (when a registrar is configured) with @password (NULL: none stored). */
void
sp_sip_agent_start (SpSipAgent *self, const char *password);
/* Dials @target (a SIP URI) with @offer_sdp and extra @headers ("Name: value" lines). */
SpCallLeg *
sp_sip_agent_dial (SpSipAgent *self, const char *target, const char *headers, const char *offer_sdp,
                   GError **error);
/* Turns a phone number or SIP URI into the request URI to dial, or NULL with SP_SIP_ERROR_INVALID.
 */
char *
sp_sip_agent_target_uri (SpSipAgent *self, const char *target, GError **error);
const char *
sp_sip_agent_get_local_address (SpSipAgent *self);
/* "sip:ADDRESS:PORT" where the agent really listens, with ";transport=tls" over TLS ("" until
 * known); notify::contact-uri. */
const char *
sp_sip_agent_get_contact_uri (SpSipAgent *self);

void
sp_sip_agent_shutdown_async (SpSipAgent *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
gboolean
sp_sip_agent_shutdown_finish (SpSipAgent *self, GAsyncResult *result, GError **error);

G_END_DECLS
