/* SRTP on every leg of an interaction, as [security] media-encryption says: the contact's, and
 * the side legs to consulted people and conferenced agents. Each participant keeps its own keys
 * (sp-srtp-keyring.c); the contact's agreement decides Encrypted. */
#include "sp-interaction-private.h"

#include <string.h>

static SpSdpCryptoPolicy
policy (SpInteraction *self)
{
  switch (self->context.config->media_encryption)
    {
      case SP_MEDIA_ENCRYPTION_REQUIRED:
        return SP_SDP_CRYPTO_MANDATORY;
      case SP_MEDIA_ENCRYPTION_PREFERRED:
        return SP_SDP_CRYPTO_OPTIONAL;
      case SP_MEDIA_ENCRYPTION_NONE:
      default:
        return SP_SDP_CRYPTO_NONE;
    }
}

void
sp_interaction_srtp_caps (SpInteraction *self, SpParticipant *party, SpSdpLocal *local)
{
  g_autoptr (GError) error = NULL;

  /* Without keys nothing encrypted is offered or accepted: under "required" the leg fails
   * rather than going out in clear. */
  if (!sp_srtp_keyring_caps (&party->srtp, policy (self), local, &error))
    sp_interaction_log (self, G_LOG_LEVEL_WARNING, "no SRTP keys for %s: %s", party->id,
                        error->message);
}

SpMediaSrtp
sp_interaction_srtp_params (const SpSdpStream *stream)
{
  SpMediaSrtp srtp = { .suite = SP_MEDIA_SRTP_NONE };

  if (!stream || !stream->active || !stream->encrypted)
    return srtp;
  /* SpMediaSrtpSuite lists the suites in SpSrtpSuite's order, after NONE. */
  srtp.suite = (SpMediaSrtpSuite)(stream->send_key.suite + 1);
  srtp.key_length = stream->send_key.key_length;
  memcpy (srtp.send_key, stream->send_key.key, srtp.key_length);
  memcpy (srtp.recv_key, stream->recv_key.key, srtp.key_length);
  return srtp;
}

void
sp_interaction_srtp_agreed (SpInteraction *self, SpParticipant *party, const SpSdpStream *audio,
                            const SpSdpStream *video)
{
  gboolean encrypted = sp_srtp_keyring_agreed (&party->srtp, audio, video);

  if (party != self->contact || encrypted == self->encrypted)
    return;
  self->encrypted = encrypted;
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "media %s",
                      encrypted ? "encrypted (SRTP)" : "in clear (RTP)");
  sp_interaction_notify (self, "encrypted");
  if (encrypted)
    sp_interaction_record (self, SP_RECORD_ENCRYPTED, NULL);
}
