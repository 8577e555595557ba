/* libFuzzer target: parse -> print -> re-parse, answer, re-offer and validate, checking the
 * invariants the unit tests check on fixed rows. Build: CC=clang meson setup build-fuzz
 * -Dfuzzing=true -Db_sanitize=address,undefined; run: build-fuzz/tests/fuzz/fuzz-sdp
 * -dict=tests/fuzz/sdp.dict tests/fuzz/corpus. */
#include "sp-sdp.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Our own descriptions must always read back as what we meant. */
static void
check_round_trip (const SpSdpSession *session)
{
  g_autofree char *text = sp_sdp_print (session);
  g_autoptr (SpSdpSession) again = sp_sdp_parse (text, -1, NULL);

  if (!again || !sp_sdp_same_content (session, again))
    abort ();
}

static SpSdpLocal *
make_local (const SpSdpSession *remote, size_t size)
{
  SpSdpLocal *local = sp_sdp_local_new ("fuzz", 1, "192.0.2.10");

  /* Let the input's size pick the policy, so every branch is reachable. */
  local->video_allowed = (size & 1) != 0;
  local->h264_encoder = (size & 2) != 0;
  local->crypto = (SpSdpCryptoPolicy)((size >> 5) % 3);
  for (guint i = 0; i < remote->media->len && i < 4; i++)
    {
      guint index = sp_sdp_local_add_slot (local, i == 1 ? SP_SDP_MEDIA_VIDEO : SP_SDP_MEDIA_AUDIO,
                                           4000 + 2 * i, (size & 4) && i == 0 ? 5001 : 0,
                                           (SpSdpDirection)((size >> 3) & SP_SDP_SENDRECV));

      if (local->crypto != SP_SDP_CRYPTO_NONE && !sp_sdp_local_draw_keys (local, index, NULL))
        abort ();
    }
  return local;
}

static void
exercise_answer (const SpSdpSession *remote, const SpSdpLocal *local)
{
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (remote, local, NULL, NULL);
  g_autoptr (SpSdpSession) again = NULL;
  g_autoptr (SpSdpSession) reoffer = NULL;
  g_autoptr (GPtrArray) streams = NULL;

  if (!answer)
    return;
  check_round_trip (answer);
  /* Our answer must pass our own answer validation. */
  if (!sp_sdp_negotiated (answer, remote, FALSE, &streams, NULL))
    abort ();
  /* The same offer again changes nothing: same version. */
  again = sp_sdp_answer (remote, local, answer, NULL);
  if (!again || again->version != answer->version)
    abort ();
  reoffer = sp_sdp_offer (local, answer);
  check_round_trip (reoffer);
  if (reoffer->media->len < answer->media->len)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SpSdpSession) remote = sp_sdp_parse ((const char *)data, (gssize)size, NULL);
  g_autoptr (SpSdpLocal) local = NULL;
  g_autoptr (SpSdpSession) offer = NULL;
  g_autoptr (GPtrArray) streams = NULL;

  if (!remote)
    return 0;
  check_round_trip (remote);
  (void)sp_sdp_remote_is_hold (remote);
  local = make_local (remote, size);
  exercise_answer (remote, local);
  /* The input as an answer to our offer: may be invalid, must never crash. */
  offer = sp_sdp_offer (local, NULL);
  check_round_trip (offer);
  if (sp_sdp_negotiated (offer, remote, TRUE, &streams, NULL) && streams->len != offer->media->len)
    abort ();
  return 0;
}
