/* Inside the SDP library: SDES keys (a=crypto, RFC 4568) in descriptions and in offer/answer.
 * sp-sdp.c calls these at each step; the rules are here. */
#pragma once

#include "sp-sdp.h"

#include <sofia-sip/sdp.h>

/* RTP/SAVP or RTP/SAVPF: a stream that is SRTP or nothing. */
gboolean
sp_sdp_crypto_proto_is_srtp (const char *proto);

/* The a=crypto lines of an m-line into @media (usable ones kept, the others counted). */
void
sp_sdp_crypto_parse (SpSdpMedia *media, const sdp_attribute_t *attributes);
void
sp_sdp_crypto_print (GString *out, const SpSdpMedia *media);
gboolean
sp_sdp_crypto_equal (const SpSdpMedia *a, const SpSdpMedia *b);
void
sp_sdp_crypto_copy (SpSdpMedia *to, const SpSdpMedia *from);
/* Forgets every key of @media (a stream with port 0 publishes none). */
void
sp_sdp_crypto_drop (SpSdpMedia *media);

/* Whether @policy lets us answer @offered's protocol at all (keys are checked later). */
gboolean
sp_sdp_crypto_can_answer_proto (const SpSdpMedia *offered, SpSdpCryptoPolicy policy);
/* Adds to @answer our key for the first offered line whose suite we have, under its tag. FALSE:
 * the stream must be refused (SRTP needed and no line usable). */
gboolean
sp_sdp_crypto_answer (SpSdpMedia *answer, const SpSdpMedia *offered, const SpSdpSlot *slot,
                      SpSdpCryptoPolicy policy);
/* The protocol and a=crypto lines of an offered m-line: every suite we have a key for, or only
 * the active one after an exchange agreed on it. */
void
sp_sdp_crypto_offer (SpSdpMedia *media, const SpSdpSlot *slot, SpSdpCryptoPolicy policy);
/* Fills the stream's keys from a completed exchange, checking the answer's line against the
 * offer's (same tag and suite, exactly one line). SP_SDP_ERROR_INVALID_ANSWER otherwise. */
gboolean
sp_sdp_crypto_negotiate (SpSdpStream *stream, const SpSdpMedia *local_m, const SpSdpMedia *remote_m,
                         const SpSdpMedia *offered, const SpSdpMedia *answered, GError **error);
