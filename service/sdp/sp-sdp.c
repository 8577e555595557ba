/* Pure SDP offer/answer (RFC 3264): Sofia-SIP parses, we keep plain structs, negotiate and
 * print ourselves (we need exact control over rtcp-fb, a=rtcp and port-0 slots). */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "sp-sdp.h"
#include "sp-sdp-crypto.h"

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (sp - sdp - error - quark, sp_sdp_error)

#define TELEPHONE_EVENT "telephone-event"
#define RTX "rtx"
#define FIRST_DYNAMIC_PT 96
#define LAST_PT 127

/* ---- constructors and destructors ---------------------------------------------------- */

SpSdpCodec *
sp_sdp_codec_new (guint pt, const char *name, guint clock_rate, guint channels, const char *fmtp)
{
  SpSdpCodec *codec = g_new0 (SpSdpCodec, 1);

  codec->pt = pt;
  codec->name = g_strdup (name);
  codec->clock_rate = clock_rate;
  codec->channels = channels;
  codec->fmtp = g_strdup (fmtp);
  return codec;
}

SpSdpCodec *
sp_sdp_codec_copy (const SpSdpCodec *codec)
{
  SpSdpCodec *copy
    = sp_sdp_codec_new (codec->pt, codec->name, codec->clock_rate, codec->channels, codec->fmtp);

  copy->rtcp_fb = g_strdupv (codec->rtcp_fb);
  return copy;
}

void
sp_sdp_codec_free (SpSdpCodec *codec)
{
  if (!codec)
    return;
  g_free (codec->name);
  g_free (codec->fmtp);
  g_strfreev (codec->rtcp_fb);
  g_free (codec);
}

static SpSdpMediaKind
kind_of (const char *media)
{
  if (g_ascii_strcasecmp (media, "audio") == 0)
    return SP_SDP_MEDIA_AUDIO;
  if (g_ascii_strcasecmp (media, "video") == 0)
    return SP_SDP_MEDIA_VIDEO;
  return SP_SDP_MEDIA_OTHER;
}

SpSdpMedia *
sp_sdp_media_new (const char *media, guint port, const char *proto)
{
  SpSdpMedia *m = g_new0 (SpSdpMedia, 1);

  m->kind = kind_of (media);
  m->media = g_strdup (media);
  m->port = port;
  m->proto = g_strdup (proto);
  m->rtcp_port = port ? port + 1 : 0;
  m->direction = SP_SDP_SENDRECV;
  m->codecs = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_sdp_codec_free);
  m->cryptos = g_array_new (FALSE, TRUE, sizeof (SpSdesCrypto));
  g_array_set_clear_func (m->cryptos, (GDestroyNotify)sp_sdes_clear);
  return m;
}

SpSdpMedia *
sp_sdp_media_copy (const SpSdpMedia *media)
{
  SpSdpMedia *copy = sp_sdp_media_new (media->media, media->port, media->proto);

  copy->kind = media->kind;
  copy->address = g_strdup (media->address);
  copy->rtcp_port = media->rtcp_port;
  copy->direction = media->direction;
  copy->formats = g_strdupv (media->formats);
  for (guint i = 0; i < media->codecs->len; i++)
    g_ptr_array_add (copy->codecs, sp_sdp_codec_copy (media->codecs->pdata[i]));
  sp_sdp_crypto_copy (copy, media);
  return copy;
}

void
sp_sdp_media_free (SpSdpMedia *media)
{
  if (!media)
    return;
  g_free (media->media);
  g_free (media->proto);
  g_free (media->address);
  g_ptr_array_unref (media->codecs);
  g_strfreev (media->formats);
  g_array_unref (media->cryptos);
  g_free (media);
}

SpSdpSession *
sp_sdp_session_new (const char *username, guint64 session_id, guint64 version, const char *address)
{
  SpSdpSession *session = g_new0 (SpSdpSession, 1);

  session->username = g_strdup (username && *username ? username : "-");
  session->session_id = session_id;
  session->version = version;
  session->origin_address = g_strdup (address);
  session->address = g_strdup (address);
  session->media = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_sdp_media_free);
  return session;
}

SpSdpSession *
sp_sdp_session_copy (const SpSdpSession *session)
{
  SpSdpSession *copy = sp_sdp_session_new (session->username, session->session_id, session->version,
                                           session->origin_address);

  g_free (copy->address);
  copy->address = g_strdup (session->address);
  for (guint i = 0; i < session->media->len; i++)
    g_ptr_array_add (copy->media, sp_sdp_media_copy (session->media->pdata[i]));
  return copy;
}

void
sp_sdp_session_free (SpSdpSession *session)
{
  if (!session)
    return;
  g_free (session->username);
  g_free (session->origin_address);
  g_free (session->address);
  g_ptr_array_unref (session->media);
  g_free (session);
}

static void
add_local_codec (GPtrArray *codecs, guint pt, const char *name, guint clock_rate, guint channels,
                 const char *fmtp, const char *const *rtcp_fb)
{
  SpSdpCodec *codec = sp_sdp_codec_new (pt, name, clock_rate, channels, fmtp);

  codec->rtcp_fb = g_strdupv ((char **)rtcp_fb);
  g_ptr_array_add (codecs, codec);
}

static void
wipe_slot (gpointer slot)
{
  explicit_bzero (slot, sizeof (SpSdpSlot));
}

SpSdpLocal *
sp_sdp_local_new (const char *username, guint64 session_id, const char *address)
{
  /* Generic NACK, PLI and FIR (RFC 4585 §4.2, RFC 5104 §7.1): what a VP8/H264 receiver
   * needs to recover from loss and to ask for a key frame after a camera/clip switch. */
  static const char *const video_fb[] = { "nack", "nack pli", "ccm fir", NULL };
  SpSdpLocal *local = g_new0 (SpSdpLocal, 1);

  local->username = g_strdup (username && *username ? username : "-");
  local->session_id = session_id;
  local->address = g_strdup (address);
  local->audio_codecs = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_sdp_codec_free);
  local->video_codecs = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_sdp_codec_free);
  add_local_codec (local->audio_codecs, 111, "opus", 48000, 2, "useinbandfec=1", NULL);
  add_local_codec (local->audio_codecs, 0, "PCMU", 8000, 1, NULL, NULL);
  add_local_codec (local->audio_codecs, 8, "PCMA", 8000, 1, NULL, NULL);
  add_local_codec (local->audio_codecs, 101, TELEPHONE_EVENT, 8000, 1, "0-16", NULL);
  add_local_codec (local->video_codecs, 96, "VP8", 90000, 0, NULL, video_fb);
  add_local_codec (local->video_codecs, 97, "H264", 90000, 0,
                   "profile-level-id=42e01f;packetization-mode=1", video_fb);
  local->video_rtx = TRUE;
  local->slots = g_array_new (FALSE, TRUE, sizeof (SpSdpSlot));
  g_array_set_clear_func (local->slots, wipe_slot);
  return local;
}

void
sp_sdp_local_free (SpSdpLocal *local)
{
  if (!local)
    return;
  g_free (local->username);
  g_free (local->address);
  g_ptr_array_unref (local->audio_codecs);
  g_ptr_array_unref (local->video_codecs);
  g_array_unref (local->slots);
  g_free (local);
}

guint
sp_sdp_local_add_slot (SpSdpLocal *local, SpSdpMediaKind kind, guint rtp_port, guint rtcp_port,
                       SpSdpDirection direction)
{
  SpSdpSlot slot = {
    .kind = kind,
    .enabled = TRUE,
    .rtp_port = rtp_port,
    .rtcp_port = rtcp_port,
    .direction = direction,
  };

  g_array_append_val (local->slots, slot);
  return local->slots->len - 1;
}

gboolean
sp_sdp_local_draw_keys (SpSdpLocal *local, guint index, GError **error)
{
  SpSdpSlot *slot;

  g_return_val_if_fail (index < local->slots->len, FALSE);
  slot = &g_array_index (local->slots, SpSdpSlot, index);
  for (SpSrtpSuite suite = 0; suite < SP_SRTP_N_SUITES; suite++)
    if (!sp_sdes_generate (suite, 1, &slot->keys[suite], error))
      return FALSE;
  slot->active = FALSE;
  return TRUE;
}

void
sp_sdp_stream_free (SpSdpStream *stream)
{
  if (!stream)
    return;
  g_free (stream->remote_address);
  sp_sdp_codec_free (stream->codec);
  sp_sdes_clear (&stream->send_key);
  sp_sdes_clear (&stream->recv_key);
  g_free (stream);
}

/* ---- small helpers -------------------------------------------------------------------- */

SpSdpDirection
sp_sdp_direction_flip (SpSdpDirection direction)
{
  SpSdpDirection flipped = SP_SDP_INACTIVE;

  if (direction & SP_SDP_SENDONLY)
    flipped |= SP_SDP_RECVONLY;
  if (direction & SP_SDP_RECVONLY)
    flipped |= SP_SDP_SENDONLY;
  return flipped;
}

const char *
sp_sdp_direction_to_string (SpSdpDirection direction)
{
  switch (direction & SP_SDP_SENDRECV)
    {
      case SP_SDP_SENDONLY:
        return "sendonly";
      case SP_SDP_RECVONLY:
        return "recvonly";
      case SP_SDP_INACTIVE:
        return "inactive";
      default:
        return "sendrecv";
    }
}

static gboolean
is_rtp_proto (const char *proto)
{
  return proto && g_ascii_strncasecmp (proto, "RTP/", 4) == 0;
}

/* Plain RTP only: SRTP (RTP/SAVP, RTP/SAVPF, UDP/TLS/...) needs keys we do not handle yet. */
static gboolean
is_plain_rtp_proto (const char *proto)
{
  return proto
         && (g_ascii_strcasecmp (proto, "RTP/AVP") == 0
             || g_ascii_strcasecmp (proto, "RTP/AVPF") == 0);
}

static gboolean
is_telephone_event (const SpSdpCodec *codec)
{
  return codec->name && g_ascii_strcasecmp (codec->name, TELEPHONE_EVENT) == 0;
}

static gboolean
is_rtx (const SpSdpCodec *codec)
{
  return codec->name && g_ascii_strcasecmp (codec->name, RTX) == 0;
}

/* The payload type an rtx format retransmits: its fmtp "apt" (RFC 4588 §8.1). */
static gboolean
rtx_apt (const SpSdpCodec *codec, guint *apt)
{
  g_auto (GStrv) params = NULL;

  if (!is_rtx (codec) || !codec->fmtp)
    return FALSE;
  params = g_strsplit (codec->fmtp, ";", -1);
  for (guint i = 0; params[i]; i++)
    {
      const char *param = g_strstrip (params[i]);
      guint64 value;

      if (g_ascii_strncasecmp (param, "apt=", 4) == 0
          && g_ascii_string_to_unsigned (param + 4, 10, 0, 127, &value, NULL))
        {
          *apt = (guint)value;
          return TRUE;
        }
    }
  return FALSE;
}

/* The rtx format that retransmits payload type PT, if any. */
static const SpSdpCodec *
find_rtx_for (const GPtrArray *codecs, guint pt)
{
  for (guint i = 0; codecs && i < codecs->len; i++)
    {
      guint apt;

      if (rtx_apt (codecs->pdata[i], &apt) && apt == pt)
        return codecs->pdata[i];
    }
  return NULL;
}

/* Same encoding: rtpmap name (case-insensitive, RFC 4855 §3), clock rate and channels. PT
 * numbers never count: they are only a per-description label (RFC 3264 §6.1). */
static gboolean
codec_matches (const SpSdpCodec *a, const SpSdpCodec *b)
{
  return a->name && b->name && g_ascii_strcasecmp (a->name, b->name) == 0
         && a->clock_rate == b->clock_rate && a->channels == b->channels;
}

static const SpSdpCodec *
find_matching_codec (const GPtrArray *codecs, const SpSdpCodec *codec)
{
  for (guint i = 0; i < codecs->len; i++)
    if (codec_matches (codecs->pdata[i], codec))
      return codecs->pdata[i];
  return NULL;
}

static const SpSdpCodec *
find_codec_by_pt (const GPtrArray *codecs, guint pt)
{
  for (guint i = 0; i < codecs->len; i++)
    if (((const SpSdpCodec *)codecs->pdata[i])->pt == pt)
      return codecs->pdata[i];
  return NULL;
}

static const SpSdpCodec *
find_telephone_event (const GPtrArray *codecs, guint clock_rate)
{
  for (guint i = 0; i < codecs->len; i++)
    {
      const SpSdpCodec *codec = codecs->pdata[i];

      if (is_telephone_event (codec) && codec->clock_rate == clock_rate)
        return codec;
    }
  return NULL;
}

static gboolean
strv_contains_ci (const char *const *strv, const char *value)
{
  for (; strv && *strv; strv++)
    if (g_ascii_strcasecmp (*strv, value) == 0)
      return TRUE;
  return FALSE;
}

/* The feedback both sides listed: in an answer only offered rtcp-fb may appear (RFC 4585 §4.2). */
static gboolean
ptr_array_contains_ci (const GPtrArray *array, const char *value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_ascii_strcasecmp (array->pdata[i], value) == 0)
      return TRUE;
  return FALSE;
}

static GStrv
rtcp_fb_intersection (const char *const *ours, const char *const *theirs)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  gboolean any = FALSE;

  for (; theirs && *theirs; theirs++)
    if (strv_contains_ci (ours, *theirs))
      {
        g_strv_builder_add (builder, *theirs);
        any = TRUE;
      }
  return any ? g_strv_builder_end (builder) : NULL;
}

static gboolean
strv_equal0 (const char *const *a, const char *const *b)
{
  guint na = a ? g_strv_length ((char **)a) : 0;
  guint nb = b ? g_strv_length ((char **)b) : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (strcmp (a[i], b[i]) != 0)
      return FALSE;
  return TRUE;
}

/* ---- parsing -------------------------------------------------------------------------- */

/* Parses an unsigned decimal at the start of @s (leading digits only). */
static gboolean
parse_uint (const char *s, guint max, guint *value, const char **end)
{
  guint64 v = 0;
  const char *p = s;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      v = v * 10 + (guint64)(*p - '0');
      if (v > max)
        return FALSE;
    }
  *value = (guint)v;
  if (end)
    *end = p;
  return TRUE;
}

static const sdp_attribute_t *
find_attribute (const sdp_attribute_t *a, const char *name)
{
  for (; a; a = a->a_next)
    if (a->a_name && g_ascii_strcasecmp (a->a_name, name) == 0)
      return a;
  return NULL;
}

/* RFC 4566 §6: a media-level direction attribute overrides the session-level one. */
static gboolean
direction_from_attributes (const sdp_attribute_t *a, SpSdpDirection *direction)
{
  static const struct
  {
    const char *name;
    SpSdpDirection direction;
  } names[] = {
    { "sendrecv", SP_SDP_SENDRECV },
    { "sendonly", SP_SDP_SENDONLY },
    { "recvonly", SP_SDP_RECVONLY },
    { "inactive", SP_SDP_INACTIVE },
  };

  for (; a; a = a->a_next)
    for (guint i = 0; a->a_name && i < G_N_ELEMENTS (names); i++)
      if (g_ascii_strcasecmp (a->a_name, names[i].name) == 0)
        {
          *direction = names[i].direction;
          return TRUE;
        }
  return FALSE;
}

static guint
default_channels (SpSdpMediaKind kind)
{
  return kind == SP_SDP_MEDIA_AUDIO ? 1 : 0;
}

/* Channels from the rtpmap's encoding parameters; 0 (never matches audio) when unreadable. */
static guint
channels_from_params (const char *params, SpSdpMediaKind kind)
{
  guint channels = 0;
  const char *end = NULL;

  if (!params || !*params)
    return default_channels (kind);
  if (!parse_uint (params, 255, &channels, &end) || *end)
    return 0;
  return channels;
}

/* "96 VP8/90000[/params]" from a raw a=rtpmap (Sofia only parses them for RTP/AVP and SAVP). */
static void
codec_from_raw_rtpmap (SpSdpCodec *codec, const char *value, SpSdpMediaKind kind)
{
  g_auto (GStrv) parts = NULL;
  const char *p = NULL;
  guint pt = 0, rate = 0;

  if (!value || !parse_uint (value, LAST_PT, &pt, &p) || pt != codec->pt || !g_ascii_isspace (*p))
    return;
  while (g_ascii_isspace (*p))
    p++;
  parts = g_strsplit (p, "/", 3);
  if (g_strv_length (parts) < 2 || !*parts[0] || !parse_uint (parts[1], G_MAXUINT, &rate, &p) || *p)
    return;
  codec->name = g_strdup (g_strstrip (parts[0]));
  codec->clock_rate = rate;
  codec->channels = channels_from_params (parts[2], kind);
}

/* The value after "<pt> " of a raw per-PT attribute (a=fmtp, a=rtcp-fb), or NULL. With
 * @wildcard, "* value" applies to every PT (RFC 4585 §4.2). */
static const char *
pt_attribute_value (const char *value, guint pt, gboolean wildcard)
{
  const char *p = NULL;
  guint n = 0;

  if (!value)
    return NULL;
  if (wildcard && value[0] == '*')
    p = value + 1;
  else if (!parse_uint (value, LAST_PT, &n, &p) || n != pt)
    return NULL;
  if (!g_ascii_isspace (*p))
    return NULL;
  while (g_ascii_isspace (*p))
    p++;
  return *p ? p : NULL;
}

static void
fill_codec_attributes (SpSdpCodec *codec, const sdp_media_t *m, SpSdpMediaKind kind)
{
  g_autoptr (GPtrArray) fb = g_ptr_array_new_with_free_func (g_free);

  for (const sdp_attribute_t *a = m->m_attributes; a; a = a->a_next)
    {
      const char *v;

      if (!a->a_name)
        continue;
      if (!codec->name && g_ascii_strcasecmp (a->a_name, "rtpmap") == 0)
        codec_from_raw_rtpmap (codec, a->a_value, kind);
      else if (!codec->fmtp && g_ascii_strcasecmp (a->a_name, "fmtp") == 0
               && (v = pt_attribute_value (a->a_value, codec->pt, FALSE)))
        codec->fmtp = g_strdup (v);
      else if (g_ascii_strcasecmp (a->a_name, "rtcp-fb") == 0
               && (v = pt_attribute_value (a->a_value, codec->pt, TRUE)))
        {
          if (!ptr_array_contains_ci (fb, v))
            g_ptr_array_add (fb, g_strdup (v));
        }
    }
  if (fb->len)
    {
      g_ptr_array_add (fb, NULL);
      codec->rtcp_fb = (GStrv)g_ptr_array_steal (fb, NULL);
    }
}

/* Static PTs 0 and 8 may come without a=rtpmap (RFC 3551 §6). Every other PT is known only
 * by its rtpmap, so we never match a codec by its number. */
static void
codec_from_static_pt (SpSdpCodec *codec)
{
  if (codec->pt == 0 || codec->pt == 8)
    {
      codec->name = g_strdup (codec->pt == 0 ? "PCMU" : "PCMA");
      codec->clock_rate = 8000;
      codec->channels = 1;
    }
}

static SpSdpCodec *
codec_from_sofia (const sdp_media_t *m, guint pt, SpSdpMediaKind kind)
{
  SpSdpCodec *codec = sp_sdp_codec_new (pt, NULL, 0, default_channels (kind), NULL);

  for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next)
    {
      /* Sofia fills in its well-known table (predef) and placeholders with an empty name for
       * PTs without a=rtpmap; only a real rtpmap line names a codec. */
      if (rm->rm_pt != pt)
        continue;
      if (!codec->fmtp && rm->rm_fmtp)
        codec->fmtp = g_strdup (rm->rm_fmtp);
      if (codec->name || rm->rm_predef || !rm->rm_encoding || !*rm->rm_encoding)
        continue;
      codec->name = g_strdup (rm->rm_encoding);
      codec->clock_rate = rm->rm_rate <= G_MAXUINT ? (guint)rm->rm_rate : 0;
      codec->channels = channels_from_params (rm->rm_params, kind);
    }
  fill_codec_attributes (codec, m, kind);
  if (!codec->name)
    codec_from_static_pt (codec);
  return codec;
}

static gboolean
add_pt (GArray *pts, guint pt)
{
  for (guint i = 0; i < pts->len; i++)
    if (g_array_index (pts, guint, i) == pt)
      return FALSE;
  g_array_append_val (pts, pt);
  return TRUE;
}

/* The m= PT list. Sofia turns it into m_rtpmaps for RTP/AVP and RTP/SAVP, and leaves it in
 * m_format for the RTP profiles it does not know (RTP/AVPF, RTP/SAVPF). Duplicates are dropped. */
static gboolean
collect_pts (const sdp_media_t *m, guint index, GArray *pts, GError **error)
{
  for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next)
    add_pt (pts, rm->rm_pt);
  for (const sdp_list_t *l = m->m_format; l; l = l->l_next)
    {
      guint pt = 0;
      const char *end = NULL;

      if (!l->l_text || !parse_uint (l->l_text, LAST_PT, &pt, &end) || *end)
        {
          g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE,
                       "m-line %u: RTP format \"%s\" is not a payload type", index,
                       l->l_text ? l->l_text : "");
          return FALSE;
        }
      add_pt (pts, pt);
    }
  return TRUE;
}

static GStrv
formats_of (const sdp_media_t *m)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (const sdp_list_t *l = m->m_format; l; l = l->l_next)
    if (l->l_text)
      g_strv_builder_add (builder, l->l_text);
  for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next)
    {
      char pt[4];

      g_snprintf (pt, sizeof pt, "%u", rm->rm_pt);
      g_strv_builder_add (builder, pt);
    }
  return g_strv_builder_end (builder);
}

/* a=rtcp (RFC 3605 §2.1): "port [nettype addrtype address]"; without it RTCP is RTP + 1. */
static gboolean
parse_rtcp_port (SpSdpMedia *media, const sdp_media_t *m, guint index, GError **error)
{
  const sdp_attribute_t *a = find_attribute (m->m_attributes, "rtcp");
  const char *end = NULL;
  guint port = 0;

  if (media->port == 0)
    {
      media->rtcp_port = 0;
      return TRUE;
    }
  if (!a)
    {
      /* RFC 3550 §11: RTCP on the next (odd) port; a 65535 RTP port has none. */
      media->rtcp_port = media->port < 65535 ? media->port + 1 : 0;
      return TRUE;
    }
  if (!a->a_value || !parse_uint (a->a_value, 65535, &port, &end) || port == 0
      || (*end && !g_ascii_isspace (*end)))
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE, "m-line %u: bad a=rtcp \"%s\"", index,
                   a->a_value ? a->a_value : "");
      return FALSE;
    }
  media->rtcp_port = port;
  return TRUE;
}

static const char *
connection_address (const sdp_connection_t *c)
{
  return c && c->c_address && *c->c_address ? c->c_address : NULL;
}

/* RFC 3264 §8.4: the legacy hold "c=0.0.0.0" means the peer does not want to receive. */
static gboolean
is_zero_address (const char *address)
{
  return address && (strcmp (address, "0.0.0.0") == 0 || strcmp (address, "::") == 0);
}

static gboolean
parse_codecs (SpSdpMedia *media, const sdp_media_t *m, guint index, GError **error)
{
  g_autoptr (GArray) pts = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!collect_pts (m, index, pts, error))
    return FALSE;
  for (guint i = 0; i < pts->len; i++)
    g_ptr_array_add (media->codecs,
                     codec_from_sofia (m, g_array_index (pts, guint, i), media->kind));
  return TRUE;
}

static SpSdpMedia *
parse_media (const sdp_media_t *m, const sdp_session_t *s, guint index, GError **error)
{
  g_autoptr (SpSdpMedia) media = NULL;
  const char *address;

  if (m->m_port > 65535)
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE, "m-line %u: port %lu out of range",
                   index, m->m_port);
      return NULL;
    }
  media = sp_sdp_media_new (m->m_type_name ? m->m_type_name : "", (guint)m->m_port,
                            m->m_proto_name ? m->m_proto_name : "");
  address = connection_address (m->m_connections);
  if (!address)
    address = connection_address (s->sdp_connection);
  if (!address && media->port != 0)
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE,
                   "m-line %u (%s) has no c= line at media or session level (RFC 4566 §5.7)", index,
                   media->media);
      return NULL;
    }
  media->address = g_strdup (address);
  if (!parse_rtcp_port (media, m, index, error))
    return NULL;
  if (!direction_from_attributes (m->m_attributes, &media->direction)
      && !direction_from_attributes (s->sdp_attributes, &media->direction))
    media->direction = SP_SDP_SENDRECV;
  if (is_zero_address (address))
    media->direction &= ~SP_SDP_RECVONLY;
  if (is_rtp_proto (media->proto))
    {
      if (!parse_codecs (media, m, index, error))
        return NULL;
      sp_sdp_crypto_parse (media, m->m_attributes);
    }
  else
    media->formats = formats_of (m);
  return g_steal_pointer (&media);
}

static SpSdpSession *
session_from_sofia (const sdp_session_t *s, GError **error)
{
  const sdp_origin_t *o = s->sdp_origin;
  g_autoptr (SpSdpSession) session = NULL;
  guint index = 0;

  if (!o || !connection_address (o->o_address))
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE, "no usable o= line");
      return NULL;
    }
  session = sp_sdp_session_new (o->o_username, o->o_id, o->o_version, o->o_address->c_address);
  g_free (session->address);
  session->address = g_strdup (connection_address (s->sdp_connection));
  for (const sdp_media_t *m = s->sdp_media; m; m = m->m_next, index++)
    {
      SpSdpMedia *media = parse_media (m, s, index, error);

      if (!media)
        return NULL;
      g_ptr_array_add (session->media, media);
    }
  return g_steal_pointer (&session);
}

/* RFC 4566 §9 token characters. */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c && strchr ("!#$%&'*+-.^_`{|}~", c) != NULL);
}

static gboolean
is_token (const char *s, gboolean slashes)
{
  gboolean previous_token = FALSE;

  for (; *s; s++)
    {
      if (is_token_char (*s))
        previous_token = TRUE;
      else if (slashes && *s == '/' && previous_token)
        previous_token = FALSE;
      else
        return FALSE;
    }
  return previous_token;
}

/* RFC 4566 §5.14: m=<media> <port>[/<number>] <proto> <fmt> ... with tokens only. */
static gboolean
m_line_valid (const char *line, gsize length)
{
  g_autofree char *copy = g_strndup (line, length);
  g_auto (GStrv) fields = g_strsplit (copy, " ", -1);
  guint n = 0, port = 0;
  const char *end = NULL;

  for (guint i = 0; fields[i]; i++)
    {
      if (!*fields[i])
        continue; /* runs of spaces are harmless; tabs are not (Sofia loops on them) */
      if (n == 0 && !is_token (fields[i], FALSE))
        return FALSE;
      if (n == 1
          && (!parse_uint (fields[i], G_MAXUINT, &port, &end)
              || (*end && (*end != '/' || !parse_uint (end + 1, G_MAXUINT, &port, &end) || *end))))
        return FALSE;
      if (n == 2 && !is_token (fields[i], TRUE))
        return FALSE;
      if (n > 2 && !is_token (fields[i], FALSE))
        return FALSE;
      n++;
    }
  return n >= 3;
}

/* Sofia-SIP 1.12.11 loops for ever or allocates gigabytes on an m= line whose format list is
 * not made of space-separated tokens when the proto is not RTP/AVP. fuzz-sdp found
 * "m=audio 5 RTP/VP \xC0", "m=video 5 IN /", "m=audio 5 RTP/AV\t\t" and "\tm=...". We refuse
 * such m= lines, lines not of the form <type>=, and NUL bytes before Sofia sees them. */
static gboolean
precheck_text (const char *text, gsize length, GError **error)
{
  guint m_lines = 0;
  gsize start = 0;

  if (memchr (text, '\0', length))
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE, "NUL byte in the description");
      return FALSE;
    }
  while (start < length)
    {
      gsize end = start;

      while (end < length && text[end] != '\r' && text[end] != '\n')
        end++;
      /* RFC 4566 §5: every line is <type>=<value>; Sofia reads "\tm=..." as an m= line too. */
      if (end > start
          && (end - start < 2 || !g_ascii_isalpha (text[start]) || text[start + 1] != '='))
        {
          g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE,
                       "a line does not start with <type>= (RFC 4566 §5)");
          return FALSE;
        }
      if (text[start] == 'm')
        {
          if (!m_line_valid (text + start + 2, end - start - 2))
            {
              g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE,
                           "m-line %u is malformed (RFC 4566 §5.14)", m_lines);
              return FALSE;
            }
          m_lines++;
        }
      start = end + 1;
    }
  return TRUE;
}

static gboolean
is_rateless_rtpmap (const char *line, gsize length)
{
  const char *slash;

  if (length < 9 || strncmp (line, "a=rtpmap:", 9) != 0)
    return FALSE;
  slash = memchr (line, '/', length);
  return slash == NULL || slash + 1 >= line + length || !g_ascii_isdigit (slash[1]);
}

/* TEXT without its a=rtpmap lines that name no clock rate ("a=rtpmap:31 LPC", in every INVITE
 * of RFC 4475), or NULL if it has none. RFC 4566 requires the rate and Sofia's parser refuses
 * the whole description without it; such a payload type is one we cannot use anyway, so the
 * line goes and the rest is read: be liberal in what we accept. */
static GString *
without_rateless_rtpmaps (const char *text, gsize length)
{
  GString *kept = NULL;
  const char *start = text, *end = text + length;

  while (start < end)
    {
      const char *newline = memchr (start, '\n', (gsize)(end - start));
      const char *next = newline ? newline + 1 : end;
      gsize line = (gsize)((newline ? newline : end) - start);

      if (line > 0 && start[line - 1] == '\r')
        line--;
      if (is_rateless_rtpmap (start, line))
        {
          if (kept == NULL)
            kept = g_string_new_len (text, start - text);
          g_debug ("SDP line without a clock rate left out: %.*s", (int)line, start);
        }
      else if (kept != NULL)
        g_string_append_len (kept, start, next - start);
      start = next;
    }
  return kept;
}

SpSdpSession *
sp_sdp_parse (const char *text, gssize length, GError **error)
{
  su_home_t *home;
  sdp_parser_t *parser;
  const char *message;
  SpSdpSession *session = NULL;
  g_autoptr (GString) lenient = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = (gssize)strlen (text);
  if (!precheck_text (text, (gsize)length, error))
    return NULL;
  if ((lenient = without_rateless_rtpmaps (text, (gsize)length)) != NULL)
    {
      text = lenient->str;
      length = (gssize)lenient->len;
    }
  home = su_home_new (sizeof (su_home_t));
  /* mode_manual: we read direction attributes ourselves (media over session, RFC 4566 §6);
   * c_missing: a port-0 stream needs no c=, we check active streams ourselves. */
  parser = sdp_parse (home, text, (issize_t)length, sdp_f_mode_manual | sdp_f_c_missing);
  message = sdp_parsing_error (parser);
  if (message)
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE, "%s", message);
  else if (!sdp_session (parser))
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE, "empty session description");
  else
    session = session_from_sofia (sdp_session (parser), error);
  sdp_parser_free (parser);
  su_home_unref (home);
  return session;
}

/* ---- printing ------------------------------------------------------------------------- */

static const char *
addrtype (const char *address)
{
  return strchr (address, ':') ? "IP6" : "IP4";
}

static void
print_codec (GString *out, const SpSdpCodec *codec, SpSdpMediaKind kind)
{
  if (codec->name)
    {
      g_string_append_printf (out, "a=rtpmap:%u %s/%u", codec->pt, codec->name, codec->clock_rate);
      if (codec->channels != default_channels (kind))
        g_string_append_printf (out, "/%u", codec->channels);
      g_string_append (out, "\r\n");
    }
  if (codec->fmtp)
    g_string_append_printf (out, "a=fmtp:%u %s\r\n", codec->pt, codec->fmtp);
  for (char **fb = codec->rtcp_fb; fb && *fb; fb++)
    g_string_append_printf (out, "a=rtcp-fb:%u %s\r\n", codec->pt, *fb);
}

static void
print_media (GString *out, const SpSdpMedia *media, const SpSdpSession *session)
{
  gboolean rtp = is_rtp_proto (media->proto);

  g_string_append_printf (out, "m=%s %u %s", media->media, media->port, media->proto);
  if (rtp)
    for (guint i = 0; i < media->codecs->len; i++)
      g_string_append_printf (out, " %u", ((const SpSdpCodec *)media->codecs->pdata[i])->pt);
  else
    for (char **f = media->formats; f && *f; f++)
      g_string_append_printf (out, " %s", *f);
  g_string_append (out, "\r\n");
  if (media->address && g_strcmp0 (media->address, session->address) != 0)
    g_string_append_printf (out, "c=IN %s %s\r\n", addrtype (media->address), media->address);
  if (media->port && media->rtcp_port && media->rtcp_port != media->port + 1)
    g_string_append_printf (out, "a=rtcp:%u\r\n", media->rtcp_port);
  if (rtp)
    for (guint i = 0; i < media->codecs->len; i++)
      print_codec (out, media->codecs->pdata[i], media->kind);
  sp_sdp_crypto_print (out, media);
  g_string_append_printf (out, "a=%s\r\n", sp_sdp_direction_to_string (media->direction));
}

char *
sp_sdp_print (const SpSdpSession *session)
{
  GString *out;
  const char *origin;

  g_return_val_if_fail (session != NULL, NULL);

  out = g_string_new ("v=0\r\n");
  origin = session->origin_address ? session->origin_address : "0.0.0.0";
  g_string_append_printf (out, "o=%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " IN %s %s\r\n",
                          session->username ? session->username : "-", session->session_id,
                          session->version, addrtype (origin), origin);
  g_string_append (out, "s=-\r\n");
  if (session->address)
    g_string_append_printf (out, "c=IN %s %s\r\n", addrtype (session->address), session->address);
  g_string_append (out, "t=0 0\r\n");
  for (guint i = 0; i < session->media->len; i++)
    print_media (out, session->media->pdata[i], session);
  return g_string_free (out, FALSE);
}

/* ---- comparison ----------------------------------------------------------------------- */

static gboolean
codec_equal (const SpSdpCodec *a, const SpSdpCodec *b)
{
  return a->pt == b->pt && g_strcmp0 (a->name, b->name) == 0 && a->clock_rate == b->clock_rate
         && a->channels == b->channels && g_strcmp0 (a->fmtp, b->fmtp) == 0
         && strv_equal0 ((const char *const *)a->rtcp_fb, (const char *const *)b->rtcp_fb);
}

static gboolean
media_equal (const SpSdpMedia *a, const SpSdpMedia *b)
{
  if (a->kind != b->kind || g_strcmp0 (a->media, b->media) != 0 || a->port != b->port
      || g_strcmp0 (a->proto, b->proto) != 0 || g_strcmp0 (a->address, b->address) != 0
      || a->rtcp_port != b->rtcp_port || a->direction != b->direction
      || a->codecs->len != b->codecs->len
      || !strv_equal0 ((const char *const *)a->formats, (const char *const *)b->formats)
      || !sp_sdp_crypto_equal (a, b))
    return FALSE;
  for (guint i = 0; i < a->codecs->len; i++)
    if (!codec_equal (a->codecs->pdata[i], b->codecs->pdata[i]))
      return FALSE;
  return TRUE;
}

gboolean
sp_sdp_same_content (const SpSdpSession *a, const SpSdpSession *b)
{
  if (!a || !b)
    return a == b;
  if (g_strcmp0 (a->username, b->username) != 0 || a->session_id != b->session_id
      || g_strcmp0 (a->origin_address, b->origin_address) != 0
      || g_strcmp0 (a->address, b->address) != 0 || a->media->len != b->media->len)
    return FALSE;
  for (guint i = 0; i < a->media->len; i++)
    if (!media_equal (a->media->pdata[i], b->media->pdata[i]))
      return FALSE;
  return TRUE;
}

/* Version rule of RFC 3264 §8 (and RFC 4566 §5.2): a new description of an existing session
 * keeps the session id and increments the version by one exactly when something changed. */
static void
set_origin (SpSdpSession *session, const SpSdpSession *previous)
{
  if (!previous)
    return;
  g_free (session->username);
  session->username = g_strdup (previous->username);
  session->session_id = previous->session_id;
  session->version = previous->version;
  if (!sp_sdp_same_content (session, previous))
    session->version = previous->version + 1;
}

gboolean
sp_sdp_remote_is_hold (const SpSdpSession *remote)
{
  gboolean any_audio = FALSE;

  for (guint i = 0; i < remote->media->len; i++)
    {
      const SpSdpMedia *m = remote->media->pdata[i];

      if (m->kind != SP_SDP_MEDIA_AUDIO || m->port == 0)
        continue;
      any_audio = TRUE;
      if (m->direction & SP_SDP_RECVONLY)
        return FALSE;
    }
  return any_audio;
}

/* ---- answering ------------------------------------------------------------------------ */

static const SpSdpSlot *
slot_at (const SpSdpLocal *local, guint index)
{
  return index < local->slots->len ? &g_array_index (local->slots, SpSdpSlot, index) : NULL;
}

static const GPtrArray *
local_codecs (const SpSdpLocal *local, SpSdpMediaKind kind)
{
  return kind == SP_SDP_MEDIA_VIDEO ? local->video_codecs : local->audio_codecs;
}

static gboolean
local_codec_usable (const SpSdpLocal *local, const SpSdpCodec *codec)
{
  return !codec->name || g_ascii_strcasecmp (codec->name, "H264") != 0 || local->h264_encoder;
}

/* RFC 3264 §6: a rejected stream keeps its slot with port 0; the formats are the offer's. */
static SpSdpMedia *
rejected_media (const SpSdpMedia *offered, const SpSdpLocal *local)
{
  SpSdpMedia *media = sp_sdp_media_copy (offered);

  media->port = 0;
  media->rtcp_port = 0;
  media->direction = SP_SDP_INACTIVE;
  g_free (media->address);
  media->address = g_strdup (local->address);
  sp_sdp_crypto_drop (media); /* never echo the offerer's keys */
  return media;
}

/* The first offered codec we support, in the offerer's order (RFC 3264 §6.1 lets the answerer
 * pick; taking the offerer's preference is what most peers expect). */
static const SpSdpCodec *
choose_codec (const SpSdpMedia *offered, const SpSdpLocal *local, const SpSdpCodec **ours)
{
  const GPtrArray *supported = local_codecs (local, offered->kind);

  for (guint i = 0; i < offered->codecs->len; i++)
    {
      const SpSdpCodec *codec = offered->codecs->pdata[i];
      const SpSdpCodec *match;

      if (is_telephone_event (codec))
        continue;
      match = find_matching_codec (supported, codec);
      if (match && local_codec_usable (local, match))
        {
          *ours = match;
          return codec;
        }
    }
  return NULL;
}

/* The offered codec under the offerer's PT (RFC 3264 §6.1: the answer keeps the numbers),
 * with the offered fmtp and only the rtcp-fb both sides know. */
static SpSdpCodec *
answered_codec (const SpSdpCodec *offered, const SpSdpCodec *ours)
{
  SpSdpCodec *codec = sp_sdp_codec_copy (offered);

  g_strfreev (codec->rtcp_fb);
  codec->rtcp_fb = rtcp_fb_intersection ((const char *const *)ours->rtcp_fb,
                                         (const char *const *)offered->rtcp_fb);
  return codec;
}

/* Our RTP sockets are bound in the family of our configured address: a stream at an IPv6
 * address when we are on IPv4 (linphone writes its host's IPv6 address by default) cannot be
 * reached. Host names (RFC 4566 §5.7, RFC 4317's examples) are left to the media layer. */
static gboolean
address_reachable (const char *address, const char *local_address)
{
  if (address == NULL || local_address == NULL || !g_hostname_is_ip_address (address)
      || !g_hostname_is_ip_address (local_address))
    return TRUE;
  return (strchr (address, ':') != NULL) == (strchr (local_address, ':') != NULL);
}

/* RFC 4588 §8: retransmissions of the chosen video codec when the offer has them, under the
 * offerer's number and apt. */
static void
add_answered_rtx (SpSdpMedia *media, const SpSdpMedia *offered, const SpSdpCodec *chosen,
                  const SpSdpLocal *local)
{
  const SpSdpCodec *rtx = find_rtx_for (offered->codecs, chosen->pt);
  SpSdpCodec *answered;

  if (offered->kind != SP_SDP_MEDIA_VIDEO || !local->video_rtx || rtx == NULL)
    return;
  answered = sp_sdp_codec_copy (rtx);
  g_clear_pointer (&answered->rtcp_fb, g_strfreev);
  g_ptr_array_add (media->codecs, answered);
}

static gboolean
can_answer_kind (const SpSdpMedia *offered, const SpSdpLocal *local)
{
  if (offered->port == 0 || offered->kind == SP_SDP_MEDIA_OTHER)
    return FALSE;
  if (!address_reachable (offered->address, local->address))
    return FALSE;
  if (!sp_sdp_crypto_can_answer_proto (offered, local->crypto))
    return FALSE;
  return offered->kind != SP_SDP_MEDIA_VIDEO || local->video_allowed;
}

static SpSdpMedia *
answer_media (const SpSdpMedia *offered, guint index, const SpSdpLocal *local)
{
  const SpSdpSlot *slot = slot_at (local, index);
  const SpSdpCodec *ours = NULL, *chosen, *dtmf, *our_dtmf;
  SpSdpMedia *media;

  if (!slot || !slot->enabled || slot->rtp_port == 0 || !can_answer_kind (offered, local))
    return rejected_media (offered, local);
  chosen = choose_codec (offered, local, &ours);
  if (!chosen)
    return rejected_media (offered, local);

  media = sp_sdp_media_new (offered->media, slot->rtp_port, offered->proto);
  media->address = g_strdup (local->address);
  media->rtcp_port = slot->rtcp_port ? slot->rtcp_port : slot->rtp_port + 1;
  /* RFC 3264 §6.1: sendonly -> recvonly, recvonly -> sendonly, inactive -> inactive,
   * sendrecv -> whatever we want. */
  media->direction = slot->direction & sp_sdp_direction_flip (offered->direction);
  g_ptr_array_add (media->codecs, answered_codec (chosen, ours));
  add_answered_rtx (media, offered, chosen, local);
  dtmf = offered->kind == SP_SDP_MEDIA_AUDIO
           ? find_telephone_event (offered->codecs, chosen->clock_rate)
           : NULL;
  our_dtmf = dtmf ? find_matching_codec (local->audio_codecs, dtmf) : NULL;
  if (!our_dtmf && dtmf)
    for (guint i = 0; i < local->audio_codecs->len && !our_dtmf; i++)
      if (is_telephone_event (local->audio_codecs->pdata[i]))
        our_dtmf = local->audio_codecs->pdata[i]; /* RFC 4733 events work at any clock rate */
  if (dtmf && our_dtmf)
    {
      SpSdpCodec *events = sp_sdp_codec_copy (dtmf);

      /* An rtcp-fb "*" of the offer applied to it too; we give feedback on no audio format. */
      g_clear_pointer (&events->rtcp_fb, g_strfreev);
      g_ptr_array_add (media->codecs, events);
    }
  if (!sp_sdp_crypto_answer (media, offered, slot, local->crypto))
    {
      sp_sdp_media_free (media);
      return rejected_media (offered, local);
    }
  return media;
}

static gboolean
offers_savp_audio (const SpSdpSession *offer)
{
  for (guint i = 0; i < offer->media->len; i++)
    {
      const SpSdpMedia *m = offer->media->pdata[i];

      if (m->kind == SP_SDP_MEDIA_AUDIO && m->port && is_rtp_proto (m->proto)
          && !is_plain_rtp_proto (m->proto))
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_active_media (const SpSdpSession *session, gboolean audio_only)
{
  for (guint i = 0; i < session->media->len; i++)
    {
      const SpSdpMedia *m = session->media->pdata[i];

      if (m->port && (!audio_only || m->kind == SP_SDP_MEDIA_AUDIO))
        return TRUE;
    }
  return FALSE;
}

static char *
describe_codecs (const GPtrArray *codecs)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < codecs->len; i++)
    {
      const SpSdpCodec *c = codecs->pdata[i];

      if (is_telephone_event (c))
        continue;
      g_string_append_printf (out, "%s%s/%u", out->len ? ", " : "", c->name, c->clock_rate);
      if (c->channels > 1)
        g_string_append_printf (out, "/%u", c->channels);
    }
  return g_strdup (out->str);
}

static const char *
unreachable_audio_address (const SpSdpSession *offer, const SpSdpLocal *local)
{
  for (guint i = 0; i < offer->media->len; i++)
    {
      const SpSdpMedia *m = offer->media->pdata[i];

      if (m->kind == SP_SDP_MEDIA_AUDIO && m->port
          && !address_reachable (m->address, local->address))
        return m->address ? m->address : "(none)";
    }
  return NULL;
}

static void
set_not_acceptable (GError **error, const SpSdpSession *offer, const SpSdpLocal *local)
{
  g_autofree char *codecs = describe_codecs (local->audio_codecs);
  const char *unreachable = unreachable_audio_address (offer, local);

  if (unreachable)
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE,
                 "The audio is offered at %s, which is not an address of our family (%s) we can "
                 "send to",
                 unreachable, local->address);
  else if (offers_savp_audio (offer) && local->crypto == SP_SDP_CRYPTO_NONE)
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE,
                 "Audio was offered only as SRTP (RTP/SAVP), and media-encryption is none");
  else if (local->crypto == SP_SDP_CRYPTO_MANDATORY)
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE,
                 "Audio was offered without an SRTP key we can use (a=crypto with "
                 "AES_CM_128 or AES_256_CM and HMAC_SHA1_80 or _32), and media-encryption is "
                 "required");
  else if (offers_savp_audio (offer))
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE,
                 "Audio was offered only as SRTP (RTP/SAVP), with no a=crypto line we can use");
  else
    g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE,
                 "No acceptable audio stream in the offer (we accept RTP/AVP with %s)", codecs);
}

SpSdpSession *
sp_sdp_answer (const SpSdpSession *offer, const SpSdpLocal *local,
               const SpSdpSession *previous_local, GError **error)
{
  g_autoptr (SpSdpSession) answer = NULL;

  g_return_val_if_fail (offer != NULL && local != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* RFC 3264 §8: a later offer may add m-lines but never remove one. */
  if (previous_local && offer->media->len < previous_local->media->len)
    {
      g_set_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE,
                   "The offer has %u m-lines, fewer than the %u of the session (RFC 3264 §8)",
                   offer->media->len, previous_local->media->len);
      return NULL;
    }
  answer = sp_sdp_session_new (local->username, local->session_id, 1, local->address);
  for (guint i = 0; i < offer->media->len; i++)
    g_ptr_array_add (answer->media, answer_media (offer->media->pdata[i], i, local));
  /* Without audio there is no contact-centre call; an offer with no active stream at all
   * (RFC 4317 §5.1, all ports 0) is still answered. */
  if (has_active_media (offer, FALSE) && !has_active_media (answer, TRUE))
    {
      set_not_acceptable (error, offer, local);
      return NULL;
    }
  set_origin (answer, previous_local);
  return g_steal_pointer (&answer);
}

/* ---- offering ------------------------------------------------------------------------- */

static gboolean
pt_used (const SpSdpMedia *media, guint pt)
{
  return media && find_codec_by_pt (media->codecs, pt) != NULL;
}

/* RFC 3264 §8.3.2: within a session a PT keeps its meaning. Reuse the number an earlier
 * description of this slot gave the codec, else our preferred one if it is free, else the
 * first free dynamic PT. */
static gboolean
pick_pt (const SpSdpCodec *codec, const SpSdpMedia *building, const SpSdpMedia *previous, guint *pt)
{
  const SpSdpCodec *before = previous ? find_matching_codec (previous->codecs, codec) : NULL;

  if (before && !pt_used (building, before->pt))
    {
      *pt = before->pt;
      return TRUE;
    }
  if (!pt_used (building, codec->pt) && !pt_used (previous, codec->pt))
    {
      *pt = codec->pt;
      return TRUE;
    }
  for (guint candidate = FIRST_DYNAMIC_PT; candidate <= LAST_PT; candidate++)
    if (!pt_used (building, candidate) && !pt_used (previous, candidate))
      {
        *pt = candidate;
        return TRUE;
      }
  return FALSE;
}

static const char *
kind_name (SpSdpMediaKind kind)
{
  return kind == SP_SDP_MEDIA_VIDEO   ? "video"
         : kind == SP_SDP_MEDIA_AUDIO ? "audio"
                                      : "application";
}

/* The formats of the running stream, under the numbers and clock rates already agreed
 * (RFC 3264 §8.3.2: a re-offer must not give a PT another meaning, and it should keep the
 * formats in use, or the answer may switch codecs mid-call). Codecs we no longer support are
 * left out; telephone-event is kept at any clock rate, since RFC 4733 events work at all. */
static void
add_previous_codecs (SpSdpMedia *media, const SpSdpLocal *local, const SpSdpMedia *previous,
                     gboolean events)
{
  const GPtrArray *ours = local_codecs (local, media->kind);

  for (guint i = 0; previous && i < previous->codecs->len; i++)
    {
      const SpSdpCodec *codec = previous->codecs->pdata[i];
      const SpSdpCodec *supported = find_matching_codec (ours, codec);
      SpSdpCodec *offered;

      if (!codec->name || is_rtx (codec) || is_telephone_event (codec) != events
          || pt_used (media, codec->pt) || find_matching_codec (media->codecs, codec))
        continue;
      if (!events && (!supported || !local_codec_usable (local, supported)))
        continue;
      offered = sp_sdp_codec_copy (codec);
      if (events)
        g_clear_pointer (&offered->rtcp_fb, g_strfreev);
      g_ptr_array_add (media->codecs, offered);
    }
}

/* Our own codecs that the m-line does not list yet, under a PT picked by pick_pt(). */
static void
add_local_codecs (SpSdpMedia *media, const SpSdpLocal *local, const SpSdpMedia *previous,
                  gboolean events)
{
  const GPtrArray *codecs = local_codecs (local, media->kind);

  for (guint i = 0; i < codecs->len; i++)
    {
      const SpSdpCodec *codec = codecs->pdata[i];
      SpSdpCodec *offered;
      guint pt = 0;

      if (is_telephone_event (codec) != events || !local_codec_usable (local, codec)
          || find_matching_codec (media->codecs, codec) || !pick_pt (codec, media, previous, &pt))
        continue;
      offered = sp_sdp_codec_copy (codec);
      offered->pt = pt;
      g_ptr_array_add (media->codecs, offered);
    }
}

/* An rtx format for each video codec offered (RFC 4588 §8), under the number an earlier
 * description gave the retransmissions of that codec, else the first free one. */
static void
add_rtx_codecs (SpSdpMedia *media, const SpSdpLocal *local, const SpSdpMedia *previous)
{
  const GPtrArray *ours = local_codecs (local, media->kind);

  guint count = media->codecs->len;

  for (guint i = 0; i < count; i++)
    {
      const SpSdpCodec *codec = media->codecs->pdata[i];
      const SpSdpCodec *before = find_rtx_for (previous ? previous->codecs : NULL, codec->pt);
      SpSdpCodec *rtx;
      guint pt = 0;

      if (before && !pt_used (media, before->pt))
        pt = before->pt;
      else
        /* Numbers our own codecs prefer stay free for them (H264's 97 once it can be sent). */
        for (guint candidate = FIRST_DYNAMIC_PT; candidate <= LAST_PT && pt == 0; candidate++)
          if (!pt_used (media, candidate) && !pt_used (previous, candidate)
              && !find_codec_by_pt (ours, candidate))
            pt = candidate;
      if (pt == 0)
        continue;
      rtx = sp_sdp_codec_new (pt, RTX, 90000, 0, NULL);
      rtx->fmtp = g_strdup_printf ("apt=%u", codec->pt);
      g_ptr_array_add (media->codecs, rtx);
    }
}

/* Voice or video codecs first, the running stream's before the others, then retransmission
 * and telephone-event formats. */
static void
add_offered_codecs (SpSdpMedia *media, const SpSdpLocal *local, const SpSdpMedia *previous)
{
  if (previous && previous->kind != media->kind)
    previous = NULL;
  add_previous_codecs (media, local, previous, FALSE);
  add_local_codecs (media, local, previous, FALSE);
  if (media->kind == SP_SDP_MEDIA_VIDEO && local->video_rtx)
    add_rtx_codecs (media, local, previous);
  add_previous_codecs (media, local, previous, TRUE);
  add_local_codecs (media, local, previous, TRUE);
}

static SpSdpMedia *
offer_media (const SpSdpSlot *slot, const SpSdpLocal *local, const SpSdpMedia *previous)
{
  SpSdpMediaKind kind = slot->kind;
  g_autoptr (SpSdpMedia) media = NULL;

  /* An active m-line keeps its media type; only a port-0 slot may be reused for another
   * (RFC 3264 §8.3.3 / §8.1). */
  if (previous && previous->port != 0)
    kind = previous->kind;
  if (kind == SP_SDP_MEDIA_OTHER || !slot->enabled || slot->rtp_port == 0
      || (kind == SP_SDP_MEDIA_VIDEO && !local->video_allowed))
    return NULL;
  media = sp_sdp_media_new (kind_name (kind), slot->rtp_port, "RTP/AVP");
  media->address = g_strdup (local->address);
  media->rtcp_port = slot->rtcp_port ? slot->rtcp_port : slot->rtp_port + 1;
  media->direction = slot->direction;
  add_offered_codecs (media, local, previous);
  sp_sdp_crypto_offer (media, slot, local->crypto);
  return media->codecs->len ? g_steal_pointer (&media) : NULL;
}

/* A slot we do not (or no longer) use: RFC 3264 §8.2 removes a stream by port 0, with the
 * m-line kept so the slot numbering stays. */
static SpSdpMedia *
removed_media (const SpSdpSlot *slot, const SpSdpLocal *local, const SpSdpMedia *previous)
{
  SpSdpMedia *media;

  if (previous)
    media = sp_sdp_media_copy (previous);
  else
    {
      SpSdpMediaKind kind = slot ? slot->kind : SP_SDP_MEDIA_AUDIO;

      media = sp_sdp_media_new (kind_name (kind), 0, "RTP/AVP");
      if (kind == SP_SDP_MEDIA_OTHER)
        g_ptr_array_add (media->codecs, sp_sdp_codec_new (0, "PCMU", 8000, 1, NULL));
      else
        add_offered_codecs (media, local, NULL);
    }
  media->port = 0;
  media->rtcp_port = 0;
  media->direction = SP_SDP_INACTIVE;
  g_free (media->address);
  media->address = g_strdup (local->address);
  sp_sdp_crypto_drop (media);
  return media;
}

SpSdpSession *
sp_sdp_offer (const SpSdpLocal *local, const SpSdpSession *previous_local)
{
  guint previous_len = previous_local ? previous_local->media->len : 0;
  guint len = MAX (previous_len, local->slots->len);
  SpSdpSession *offer;

  g_return_val_if_fail (local != NULL, NULL);

  offer = sp_sdp_session_new (local->username, local->session_id, 1, local->address);
  for (guint i = 0; i < len; i++)
    {
      const SpSdpSlot *slot = slot_at (local, i);
      const SpSdpMedia *previous = i < previous_len ? previous_local->media->pdata[i] : NULL;
      SpSdpMedia *media = slot ? offer_media (slot, local, previous) : NULL;

      g_ptr_array_add (offer->media, media ? media : removed_media (slot, local, previous));
    }
  set_origin (offer, previous_local);
  return offer;
}

/* ---- completing an exchange ----------------------------------------------------------- */

static gboolean
invalid_answer (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid_answer (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SP_SDP_ERROR, SP_SDP_ERROR_INVALID_ANSWER, message);
  return FALSE;
}

static gboolean
was_offered (const SpSdpMedia *offered, const SpSdpCodec *c)
{
  return c->name ? find_matching_codec (offered->codecs, c) != NULL
                 : find_codec_by_pt (offered->codecs, c->pt) != NULL;
}

/* The codec to use: the answer's first named codec that was also offered (the answerer's
 * preference, RFC 3264 §6.1; it may list more, even formats not offered, as RFC 4317 §3.2
 * does). telephone-event only when nothing else is there: a DTMF-only stream (RFC 4317 §2.4). */
static const SpSdpCodec *
chosen_codec (const SpSdpMedia *offered, const SpSdpMedia *answered)
{
  const SpSdpCodec *dtmf = NULL;

  for (guint i = 0; i < answered->codecs->len; i++)
    {
      const SpSdpCodec *c = answered->codecs->pdata[i];

      if (!c->name || is_rtx (c) || !was_offered (offered, c))
        continue;
      if (!is_telephone_event (c))
        return c;
      if (!dtmf)
        dtmf = c;
    }
  return dtmf;
}

static SpSdpStream *
inactive_stream (guint index, const SpSdpMedia *local_m)
{
  SpSdpStream *stream = g_new0 (SpSdpStream, 1);

  stream->index = index;
  stream->kind = local_m->kind;
  stream->local_rtp_port = local_m->port;
  stream->local_rtcp_port = local_m->rtcp_port;
  stream->direction = SP_SDP_INACTIVE;
  return stream;
}

static void
fill_dtmf (SpSdpStream *stream, const SpSdpMedia *local_m, const SpSdpMedia *remote_m)
{
  const SpSdpCodec *theirs = find_telephone_event (remote_m->codecs, stream->codec->clock_rate);
  const SpSdpCodec *ours = find_telephone_event (local_m->codecs, stream->codec->clock_rate);

  if (stream->kind == SP_SDP_MEDIA_AUDIO && theirs && ours)
    {
      stream->dtmf_send_pt = theirs->pt;
      stream->dtmf_recv_pt = ours->pt;
    }
}

/* Retransmissions both sides described for the codec in use, each under its own number. */
static void
fill_rtx (SpSdpStream *stream, const SpSdpMedia *local_m, const SpSdpMedia *remote_m)
{
  const SpSdpCodec *theirs = find_rtx_for (remote_m->codecs, stream->send_pt);
  const SpSdpCodec *ours = find_rtx_for (local_m->codecs, stream->recv_pt);

  if (stream->kind == SP_SDP_MEDIA_VIDEO && theirs && ours)
    {
      stream->rtx_send_pt = theirs->pt;
      stream->rtx_recv_pt = ours->pt;
    }
}

static gboolean
negotiate_media (const SpSdpMedia *local_m, const SpSdpMedia *remote_m, const SpSdpMedia *offered,
                 const SpSdpMedia *answered, guint index, SpSdpStream **out, GError **error)
{
  g_autoptr (SpSdpStream) stream = inactive_stream (index, local_m);
  const SpSdpCodec *chosen, *ours, *theirs;

  if (g_ascii_strcasecmp (offered->media, answered->media) != 0)
    return invalid_answer (error, "m-line %u: %s answered with %s", index, offered->media,
                           answered->media);
  if (offered->port == 0 && answered->port != 0)
    return invalid_answer (error,
                           "m-line %u: a port-0 stream was answered with port %u (RFC 3264 §6)",
                           index, answered->port);
  if (offered->port && answered->port && is_rtp_proto (offered->proto))
    {
      if (!address_reachable (remote_m->address, local_m->address))
        return invalid_answer (error,
                               "m-line %u: the peer's address %s is not one we can send "
                               "to from %s",
                               index, remote_m->address, local_m->address);
      chosen = chosen_codec (offered, answered);
      if (!chosen)
        return invalid_answer (error,
                               "m-line %u: the answer accepts the stream but names no "
                               "codec that was offered",
                               index);
      ours = find_matching_codec (local_m->codecs, chosen);
      theirs = find_matching_codec (remote_m->codecs, chosen);
      stream->active = TRUE;
      stream->remote_address = g_strdup (remote_m->address);
      stream->remote_rtp_port = remote_m->port;
      stream->remote_rtcp_port = remote_m->rtcp_port;
      stream->codec = sp_sdp_codec_copy (theirs);
      g_strfreev (stream->codec->rtcp_fb);
      stream->codec->rtcp_fb = rtcp_fb_intersection ((const char *const *)ours->rtcp_fb,
                                                     (const char *const *)theirs->rtcp_fb);
      stream->send_pt = theirs->pt;
      stream->recv_pt = ours->pt;
      fill_dtmf (stream, local_m, remote_m);
      fill_rtx (stream, local_m, remote_m);
      /* Effective = our intent AND the remote's seen from our side (Rakia's bitmask). */
      stream->direction = local_m->direction & sp_sdp_direction_flip (remote_m->direction);
      if (!sp_sdp_crypto_negotiate (stream, local_m, remote_m, offered, answered, error))
        return FALSE;
    }
  *out = g_steal_pointer (&stream);
  return TRUE;
}

gboolean
sp_sdp_negotiated (const SpSdpSession *local, const SpSdpSession *remote, gboolean local_is_offer,
                   GPtrArray **streams, GError **error)
{
  const SpSdpSession *offer = local_is_offer ? local : remote;
  const SpSdpSession *answer = local_is_offer ? remote : local;
  g_autoptr (GPtrArray) result = NULL;

  g_return_val_if_fail (local != NULL && remote != NULL && streams != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (answer->media->len != offer->media->len)
    return invalid_answer (error, "The answer has %u m-lines, the offer %u (RFC 3264 §6)",
                           answer->media->len, offer->media->len);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_sdp_stream_free);
  for (guint i = 0; i < offer->media->len; i++)
    {
      SpSdpStream *stream = NULL;

      if (!negotiate_media (local->media->pdata[i], remote->media->pdata[i], offer->media->pdata[i],
                            answer->media->pdata[i], i, &stream, error))
        return FALSE;
      g_ptr_array_add (result, stream);
    }
  *streams = g_steal_pointer (&result);
  return TRUE;
}
