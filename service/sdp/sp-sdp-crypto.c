/* SDES in offer/answer (RFC 4568 §5, §6): each side's a=crypto line carries the key it sends
 * with. An offer lists one line per suite, each with its own key and tag; the answer picks one
 * line by its tag and gives its own key for that suite under the same tag. A re-offer repeats
 * the agreed line only, so nothing is re-keyed unless a side changes its key. */
#include "sp-sdp-crypto.h"

#include <string.h>

/* Strongest first; every peer we know of takes AES_CM_128_HMAC_SHA1_80 (RFC 4568's default). */
static const SpSrtpSuite offer_order[] = {
  SP_SRTP_AES_256_CM_HMAC_SHA1_80,
  SP_SRTP_AES_CM_128_HMAC_SHA1_80,
  SP_SRTP_AES_256_CM_HMAC_SHA1_32,
  SP_SRTP_AES_CM_128_HMAC_SHA1_32,
};

gboolean
sp_sdp_crypto_proto_is_srtp (const char *proto)
{
  return proto
         && (g_ascii_strcasecmp (proto, "RTP/SAVP") == 0
             || g_ascii_strcasecmp (proto, "RTP/SAVPF") == 0);
}

static gboolean
proto_is_rtp_avp (const char *proto)
{
  return proto
         && (g_ascii_strcasecmp (proto, "RTP/AVP") == 0
             || g_ascii_strcasecmp (proto, "RTP/AVPF") == 0);
}

void
sp_sdp_crypto_parse (SpSdpMedia *media, const sdp_attribute_t *attributes)
{
  for (const sdp_attribute_t *a = attributes; a; a = a->a_next)
    {
      g_autoptr (GError) error = NULL;
      SpSdesCrypto crypto;

      if (!a->a_name || g_ascii_strcasecmp (a->a_name, "crypto") != 0)
        continue;
      if (sp_sdes_parse (a->a_value, &crypto, &error))
        g_array_append_val (media->cryptos, crypto);
      else
        {
          /* The message names what is wrong, never the key. */
          g_debug ("a=crypto line not used: %s", error->message);
          media->unusable_cryptos++;
        }
      sp_sdes_clear (&crypto);
    }
}

void
sp_sdp_crypto_print (GString *out, const SpSdpMedia *media)
{
  for (guint i = 0; i < media->cryptos->len; i++)
    {
      char *value = sp_sdes_print (&g_array_index (media->cryptos, SpSdesCrypto, i));

      g_string_append_printf (out, "a=crypto:%s\r\n", value);
      sp_sdes_free_text (value);
    }
}

gboolean
sp_sdp_crypto_equal (const SpSdpMedia *a, const SpSdpMedia *b)
{
  if (a->cryptos->len != b->cryptos->len)
    return FALSE;
  for (guint i = 0; i < a->cryptos->len; i++)
    if (!sp_sdes_equal (&g_array_index (a->cryptos, SpSdesCrypto, i),
                        &g_array_index (b->cryptos, SpSdesCrypto, i)))
      return FALSE;
  return TRUE;
}

void
sp_sdp_crypto_copy (SpSdpMedia *to, const SpSdpMedia *from)
{
  sp_sdp_crypto_drop (to);
  if (from->cryptos->len)
    g_array_append_vals (to->cryptos, from->cryptos->data, from->cryptos->len);
  to->unusable_cryptos = from->unusable_cryptos;
}

void
sp_sdp_crypto_drop (SpSdpMedia *media)
{
  g_array_set_size (media->cryptos, 0); /* the clear function wipes each key */
  media->unusable_cryptos = 0;
}

/* ---- answering ---- */

gboolean
sp_sdp_crypto_can_answer_proto (const SpSdpMedia *offered, SpSdpCryptoPolicy policy)
{
  if (proto_is_rtp_avp (offered->proto))
    return TRUE;
  return sp_sdp_crypto_proto_is_srtp (offered->proto) && policy != SP_SDP_CRYPTO_NONE;
}

static gboolean
slot_has_key (const SpSdpSlot *slot, SpSrtpSuite suite)
{
  return slot && slot->keys[suite].key_length == sp_srtp_suite_key_length (suite);
}

gboolean
sp_sdp_crypto_answer (SpSdpMedia *answer, const SpSdpMedia *offered, const SpSdpSlot *slot,
                      SpSdpCryptoPolicy policy)
{
  gboolean srtp_only = sp_sdp_crypto_proto_is_srtp (offered->proto);

  if (policy != SP_SDP_CRYPTO_NONE)
    for (guint i = 0; i < offered->cryptos->len; i++)
      {
        const SpSdesCrypto *line = &g_array_index (offered->cryptos, SpSdesCrypto, i);
        SpSdesCrypto ours;

        if (!slot_has_key (slot, line->suite))
          continue;
        ours = slot->keys[line->suite];
        ours.tag = line->tag;
        g_array_append_val (answer->cryptos, ours);
        sp_sdes_clear (&ours);
        return TRUE;
      }
  return !srtp_only && policy != SP_SDP_CRYPTO_MANDATORY;
}

/* ---- offering ---- */

void
sp_sdp_crypto_offer (SpSdpMedia *media, const SpSdpSlot *slot, SpSdpCryptoPolicy policy)
{
  sp_sdp_crypto_drop (media);
  if (policy == SP_SDP_CRYPTO_NONE)
    return;
  if (policy == SP_SDP_CRYPTO_MANDATORY)
    {
      g_free (media->proto);
      media->proto = g_strdup ("RTP/SAVP");
    }
  if (slot->active && slot_has_key (slot, slot->active_suite))
    {
      SpSdesCrypto line = slot->keys[slot->active_suite];

      line.tag = slot->active_tag;
      g_array_append_val (media->cryptos, line);
      sp_sdes_clear (&line);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (offer_order); i++)
    if (slot_has_key (slot, offer_order[i]))
      {
        SpSdesCrypto line = slot->keys[offer_order[i]];

        line.tag = media->cryptos->len + 1;
        g_array_append_val (media->cryptos, line);
        sp_sdes_clear (&line);
      }
}

/* ---- completing an exchange ---- */

static const SpSdesCrypto *
find_tag (const SpSdpMedia *media, guint tag)
{
  for (guint i = 0; i < media->cryptos->len; i++)
    if (g_array_index (media->cryptos, SpSdesCrypto, i).tag == tag)
      return &g_array_index (media->cryptos, SpSdesCrypto, i);
  return NULL;
}

gboolean
sp_sdp_crypto_negotiate (SpSdpStream *stream, const SpSdpMedia *local_m, const SpSdpMedia *remote_m,
                         const SpSdpMedia *offered, const SpSdpMedia *answered, GError **error)
{
  const SpSdesCrypto *chosen, *offered_line;

  if (!stream->active)
    return TRUE;
  if (answered->cryptos->len == 0)
    {
      if (!sp_sdp_crypto_proto_is_srtp (offered->proto))
        return TRUE; /* plain RTP */
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_INVALID_ANSWER,
                   "m-line %u: SRTP (%s) was answered without a usable a=crypto line",
                   stream->index, offered->proto);
      return FALSE;
    }
  chosen = &g_array_index (answered->cryptos, SpSdesCrypto, 0);
  offered_line = find_tag (offered, chosen->tag);
  if (answered->cryptos->len > 1 || !offered_line || offered_line->suite != chosen->suite)
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_INVALID_ANSWER,
                   "m-line %u: the answer's a=crypto is not one line with an offered tag and its "
                   "suite (RFC 4568 §5.1.2)",
                   stream->index);
      return FALSE;
    }
  stream->encrypted = TRUE;
  stream->send_key = *find_tag (local_m, chosen->tag);
  stream->recv_key = *find_tag (remote_m, chosen->tag);
  return TRUE;
}
