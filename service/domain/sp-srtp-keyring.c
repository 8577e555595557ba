#define _DEFAULT_SOURCE /* explicit_bzero */
#include "sp-srtp-keyring.h"

#include <string.h>

static gboolean
draw (SpSrtpKeyring *ring, GError **error)
{
  for (guint kind = SP_SRTP_AUDIO; kind <= SP_SRTP_VIDEO; kind++)
    for (SpSrtpSuite suite = 0; suite < SP_SRTP_N_SUITES; suite++)
      if (!sp_sdes_generate (suite, 1, &ring->keys[kind][suite], error))
        {
          sp_srtp_keyring_clear (ring);
          return FALSE;
        }
  ring->drawn = TRUE;
  return TRUE;
}

static void
fill_slot (const SpSrtpKeyring *ring, SpSdpSlot *slot, SpSrtpKind kind)
{
  memcpy (slot->keys, ring->keys[kind], sizeof slot->keys);
  slot->active = ring->agreed[kind];
  slot->active_suite = ring->suite[kind];
  slot->active_tag = ring->tag[kind];
}

gboolean
sp_srtp_keyring_caps (SpSrtpKeyring *ring, SpSdpCryptoPolicy policy, SpSdpLocal *local,
                      GError **error)
{
  gboolean filled[2] = { FALSE, FALSE };

  local->crypto = policy;
  if (policy == SP_SDP_CRYPTO_NONE)
    return TRUE;
  if (!ring->drawn && !draw (ring, error))
    return FALSE;
  for (guint i = 0; i < local->slots->len; i++)
    {
      SpSdpSlot *slot = &g_array_index (local->slots, SpSdpSlot, i);
      SpSrtpKind kind = slot->kind == SP_SDP_MEDIA_VIDEO ? SP_SRTP_VIDEO : SP_SRTP_AUDIO;

      if (!slot->enabled || slot->rtp_port == 0 || slot->kind == SP_SDP_MEDIA_OTHER || filled[kind])
        continue;
      fill_slot (ring, slot, kind);
      filled[kind] = TRUE;
    }
  return TRUE;
}

static gboolean
note (SpSrtpKeyring *ring, SpSrtpKind kind, const SpSdpStream *stream)
{
  ring->agreed[kind] = stream && stream->active && stream->encrypted;
  if (ring->agreed[kind])
    {
      ring->suite[kind] = stream->send_key.suite;
      ring->tag[kind] = stream->send_key.tag;
    }
  return ring->agreed[kind];
}

gboolean
sp_srtp_keyring_agreed (SpSrtpKeyring *ring, const SpSdpStream *audio, const SpSdpStream *video)
{
  gboolean audio_encrypted = note (ring, SP_SRTP_AUDIO, audio);
  gboolean video_encrypted = note (ring, SP_SRTP_VIDEO, video);

  return audio_encrypted && (!video || !video->active || video_encrypted);
}

void
sp_srtp_keyring_clear (SpSrtpKeyring *ring)
{
  explicit_bzero (ring, sizeof *ring);
}
