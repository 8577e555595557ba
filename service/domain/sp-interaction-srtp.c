/* SRTP for the contact's streams, as [security] media-encryption says: our SDES keys are drawn
 * once per call for every suite and put into each offer and answer; what an exchange agreed is
 * kept, so a re-offer repeats it (no re-key), and decides Encrypted. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "sp-interaction-private.h"

#include <string.h>

enum
{
  AUDIO,
  VIDEO
};

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

static gboolean
draw_keys (SpInteraction *self)
{
  g_autoptr (GError) error = NULL;

  for (guint kind = AUDIO; kind <= VIDEO; kind++)
    for (SpSrtpSuite suite = 0; suite < SP_SRTP_N_SUITES; suite++)
      if (!sp_sdes_generate (suite, 1, &self->srtp_keys[kind][suite], &error))
        {
          /* Without keys nothing encrypted is offered or accepted: under "required" the call
           * fails rather than going out in clear. */
          sp_interaction_log (self, G_LOG_LEVEL_WARNING, "no SRTP keys: %s", error->message);
          sp_interaction_srtp_clear (self);
          return FALSE;
        }
  self->srtp_keys_drawn = TRUE;
  return TRUE;
}

static void
fill_slot (SpInteraction *self, SpSdpSlot *slot, guint kind)
{
  memcpy (slot->keys, self->srtp_keys[kind], sizeof slot->keys);
  slot->active = self->srtp_agreed[kind];
  slot->active_suite = self->srtp_suite[kind];
  slot->active_tag = self->srtp_tag[kind];
}

void
sp_interaction_srtp_caps (SpInteraction *self, SpSdpLocal *local)
{
  gboolean audio_done = FALSE, video_done = FALSE;

  local->crypto = policy (self);
  if (local->crypto == SP_SDP_CRYPTO_NONE || (!self->srtp_keys_drawn && !draw_keys (self)))
    return;
  for (guint i = 0; i < local->slots->len; i++)
    {
      SpSdpSlot *slot = &g_array_index (local->slots, SpSdpSlot, i);

      if (!slot->enabled || slot->rtp_port == 0)
        continue;
      if (slot->kind == SP_SDP_MEDIA_AUDIO && !audio_done)
        {
          fill_slot (self, slot, AUDIO);
          audio_done = TRUE;
        }
      else if (slot->kind == SP_SDP_MEDIA_VIDEO && !video_done)
        {
          fill_slot (self, slot, VIDEO);
          video_done = TRUE;
        }
    }
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

static void
note_agreed (SpInteraction *self, guint kind, const SpSdpStream *stream)
{
  self->srtp_agreed[kind] = stream && stream->active && stream->encrypted;
  if (self->srtp_agreed[kind])
    {
      self->srtp_suite[kind] = stream->send_key.suite;
      self->srtp_tag[kind] = stream->send_key.tag;
    }
}

void
sp_interaction_srtp_agreed (SpInteraction *self, const SpSdpStream *audio, const SpSdpStream *video)
{
  gboolean encrypted;

  note_agreed (self, AUDIO, audio);
  note_agreed (self, VIDEO, video);
  encrypted = self->srtp_agreed[AUDIO] && (!video || !video->active || self->srtp_agreed[VIDEO]);
  if (encrypted == self->encrypted)
    return;
  self->encrypted = encrypted;
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "media %s",
                      encrypted ? "encrypted (SRTP)" : "in clear (RTP)");
  sp_interaction_notify (self, "encrypted");
  if (encrypted)
    sp_interaction_record (self, SP_RECORD_ENCRYPTED, NULL);
}

void
sp_interaction_srtp_clear (SpInteraction *self)
{
  explicit_bzero (self->srtp_keys, sizeof self->srtp_keys);
  self->srtp_keys_drawn = FALSE;
}
