/* One leg's SRTP keys (SDES, RFC 4568): ours for every suite, for its voice and its video, drawn
 * once for the leg and kept, and what the last exchange agreed, so a re-offer repeats it. */
#pragma once

#include "sp-sdp.h"

G_BEGIN_DECLS

typedef enum
{
  SP_SRTP_AUDIO,
  SP_SRTP_VIDEO,
} SpSrtpKind;

typedef struct
{
  SpSdesCrypto keys[2][SP_SRTP_N_SUITES]; /* by SpSrtpKind, then suite */
  gboolean drawn;
  gboolean agreed[2];
  SpSrtpSuite suite[2];
  guint tag[2];
} SpSrtpKeyring;

/* Sets @local's policy and gives its first enabled audio and video slots our keys (drawn the
 * first time). FALSE when the kernel has no random bytes: @local then offers and accepts no
 * keys, which under a mandatory policy means no call. */
gboolean
sp_srtp_keyring_caps (SpSrtpKeyring *ring, SpSdpCryptoPolicy policy, SpSdpLocal *local,
                      GError **error);
/* Keeps what an exchange agreed; TRUE when every active stream of it is SRTP. */
gboolean
sp_srtp_keyring_agreed (SpSrtpKeyring *ring, const SpSdpStream *audio, const SpSdpStream *video);
/* Wipes the keys. */
void
sp_srtp_keyring_clear (SpSrtpKeyring *ring);

G_END_DECLS
