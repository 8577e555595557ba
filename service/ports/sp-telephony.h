/* The domain's view of the phone line: it dials new legs and hears of incoming ones.
 * Implemented by the SIP user agent (SpSipAgent) and by the fakes of the unit tests. */
#pragma once

#include "sp-leg.h"

G_BEGIN_DECLS

#define SP_TYPE_TELEPHONY (sp_telephony_get_type ())
G_DECLARE_INTERFACE (SpTelephony, sp_telephony, SP, TELEPHONY, GObject)

/* Signals: "incoming-call" (SpLeg *leg): a new party calls; the leg waits for ring, accept or
 * reject. "replacing-call" (SpLeg *old, SpLeg *leg): LEG asks to take the place of our
 * established OLD (RFC 3891 Replaces, after a consultation transfer elsewhere); whoever keeps
 * LEG accepts it and hangs up OLD, else it is refused with 481. */
struct _SpTelephonyInterface
{
  GTypeInterface parent_iface;

  char *(*target_uri) (SpTelephony *self, const char *target, GError **error);
  SpLeg *(*dial) (SpTelephony *self, const char *target_uri, GVariant *attached_data,
                  const char *offer_sdp, GError **error);
  const char *(*get_local_address) (SpTelephony *self);
};

/* A phone number or URI as the request URI to dial; NULL with SP_LEG_ERROR_INVALID. */
char *
sp_telephony_target_uri (SpTelephony *self, const char *target, GError **error);
/* Calls TARGET_URI with OFFER_SDP, carrying ATTACHED_DATA (a{ss} or NULL); the new leg reports
 * "progress", "answer", "established" or "ended". SP_LEG_ERROR_INVALID for attached data
 * that cannot travel. */
SpLeg *
sp_telephony_dial (SpTelephony *self, const char *target_uri, GVariant *attached_data,
                   const char *offer_sdp, GError **error);
/* The address our media should bind and write in SDP (NULL: any). */
const char *
sp_telephony_get_local_address (SpTelephony *self);

G_END_DECLS
