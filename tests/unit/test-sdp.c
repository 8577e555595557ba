/* SDP offer/answer: one table row per RFC 3264 rule, plus the RFC 4317 examples and SDPs
 * captured from sipp and baresip (tests/data/README.md says how). */
#include "sp-sdp.h"

#include <string.h>

#define LOCAL_ADDRESS "192.0.2.10"
#define LOCAL_ORIGIN "o=agent 42 1 IN IP4 " LOCAL_ADDRESS "\r\n"
#define HEADER "v=0\no=caller 7 7 IN IP4 198.51.100.7\ns=-\nc=IN IP4 198.51.100.7\nt=0 0\n"

/* ---- helpers -------------------------------------------------------------------------- */

static char *
data_path (const char *dir, const char *name)
{
  return g_build_filename (SRCDIR, "tests", "data", dir, name, NULL);
}

static SpSdpSession *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  SpSdpSession *session = sp_sdp_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static SpSdpSession *
parse_file (const char *dir, const char *name)
{
  g_autofree char *path = data_path (dir, name);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  SpSdpSession *session;

  g_file_get_contents (path, &text, &length, &error);
  g_assert_no_error (error);
  session = sp_sdp_parse (text, (gssize)length, &error);
  g_assert_no_error (error);
  return session;
}

static void
append_codecs (GString *out, const SpSdpMedia *m, gboolean full)
{
  for (guint i = 0; i < m->codecs->len; i++)
    {
      const SpSdpCodec *c = m->codecs->pdata[i];

      g_string_append_printf (out, " %u=%s", c->pt, c->name ? c->name : "?");
      if (full)
        g_string_append_printf (out, "/%u/%u", c->clock_rate, c->channels);
      if ((full || (c->name && g_ascii_strcasecmp (c->name, "rtx") == 0)) && c->fmtp)
        g_string_append_printf (out, "(%s)", c->fmtp);
      if (c->rtcp_fb)
        {
          g_autofree char *fb = g_strjoinv (",", c->rtcp_fb);
          g_string_append_printf (out, "{%s}", fb);
        }
    }
  for (char **f = m->formats; f && *f; f++)
    g_string_append_printf (out, " %s", *f);
}

/* "audio sendrecv 0=PCMU 101=telephone-event | video 0": what an answer or offer chose. */
static char *
summary (const SpSdpSession *s)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < s->media->len; i++)
    {
      const SpSdpMedia *m = s->media->pdata[i];

      g_string_append_printf (out, "%s%s ", i ? " | " : "", m->media);
      if (m->port == 0)
        {
          g_string_append (out, "0");
          if (m->kind == SP_SDP_MEDIA_OTHER)
            append_codecs (out, m, FALSE);
          continue;
        }
      g_string_append (out, sp_sdp_direction_to_string (m->direction));
      append_codecs (out, m, FALSE);
      for (guint c = 0; c < m->cryptos->len; c++)
        {
          const SpSdesCrypto *crypto = &g_array_index (m->cryptos, SpSdesCrypto, c);

          g_string_append_printf (out, " crypto=%u:%s", crypto->tag,
                                  sp_srtp_suite_name (crypto->suite));
        }
    }
  return g_string_free (out, FALSE);
}

/* Everything the parser extracted, for the parse table. */
static char *
parse_summary (const SpSdpSession *s)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < s->media->len; i++)
    {
      const SpSdpMedia *m = s->media->pdata[i];

      g_string_append_printf (out, "%s%s %u %s rtcp=%u %s", i ? " | " : "", m->media, m->port,
                              m->address ? m->address : "-", m->rtcp_port,
                              sp_sdp_direction_to_string (m->direction));
      append_codecs (out, m, TRUE);
    }
  return g_string_free (out, FALSE);
}

static char *
streams_summary (const GPtrArray *streams)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < streams->len; i++)
    {
      const SpSdpStream *st = streams->pdata[i];

      g_assert_cmpuint (st->index, ==, i);
      if (i)
        g_string_append (out, " | ");
      if (!st->active)
        {
          g_string_append (out, "off");
          continue;
        }
      g_string_append_printf (out, "%s:%u/%u %s %s send=%u recv=%u dtmf=%u/%u", st->remote_address,
                              st->remote_rtp_port, st->remote_rtcp_port,
                              sp_sdp_direction_to_string (st->direction), st->codec->name,
                              st->send_pt, st->recv_pt, st->dtmf_send_pt, st->dtmf_recv_pt);
      if (st->rtx_send_pt || st->rtx_recv_pt)
        g_string_append_printf (out, " rtx=%u/%u", st->rtx_send_pt, st->rtx_recv_pt);
      if (st->codec->rtcp_fb)
        {
          g_autofree char *fb = g_strjoinv (",", st->codec->rtcp_fb);
          g_string_append_printf (out, " {%s}", fb);
        }
    }
  return g_string_free (out, FALSE);
}

enum
{
  F_VIDEO = 1 << 0,     /* video allowed (policy, camera, CRM) */
  F_H264 = 1 << 1,      /* an H264 encoder exists */
  F_HOLD = 1 << 2,      /* we want sendonly on every slot */
  F_ONE_SLOT = 1 << 3,  /* only one pre-bound slot */
  F_SLOT0_OFF = 1 << 4, /* slot 0 disabled */
  F_RTCP = 1 << 5,      /* slot 0 has RTCP on 5001 instead of 4001 */
  F_SRTP = 1 << 6,      /* media-encryption preferred: keys drawn for every slot */
  F_SRTP_ONLY = 1 << 7, /* media-encryption required: keys drawn for every slot */
};

static SpSdpLocal *
make_local (guint flags)
{
  SpSdpLocal *local = sp_sdp_local_new ("agent", 42, LOCAL_ADDRESS);
  SpSdpDirection want = flags & F_HOLD ? SP_SDP_SENDONLY : SP_SDP_SENDRECV;
  guint slots = flags & F_ONE_SLOT ? 1 : 3;

  local->video_allowed = (flags & F_VIDEO) != 0;
  local->h264_encoder = (flags & F_H264) != 0;
  for (guint i = 0; i < slots; i++)
    sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 4000 + 2 * i,
                           i == 0 && (flags & F_RTCP) ? 5001 : 0, want);
  if (flags & F_SLOT0_OFF)
    g_array_index (local->slots, SpSdpSlot, 0).enabled = FALSE;
  if (flags & (F_SRTP | F_SRTP_ONLY))
    {
      local->crypto = flags & F_SRTP_ONLY ? SP_SDP_CRYPTO_MANDATORY : SP_SDP_CRYPTO_OPTIONAL;
      for (guint i = 0; i < slots; i++)
        g_assert_true (sp_sdp_local_draw_keys (local, i, NULL));
    }
  return local;
}

/* What every description of ours must satisfy, whatever the row: it re-parses to the same
 * content, uses our configured address, and never offers rtcp-mux or BUNDLE. */
static void
check_own_description (const SpSdpSession *ours)
{
  g_autofree char *text = sp_sdp_print (ours);
  g_autoptr (SpSdpSession) again = parse_ok (text);

  g_assert_true (sp_sdp_same_content (ours, again));
  g_assert_cmpuint (again->version, ==, ours->version);
  g_assert_null (strstr (text, "rtcp-mux"));
  g_assert_null (strstr (text, "BUNDLE"));
  g_assert_cmpstr (ours->origin_address, ==, LOCAL_ADDRESS);
  g_assert_cmpstr (ours->address, ==, LOCAL_ADDRESS);
  for (guint i = 0; i < ours->media->len; i++)
    g_assert_cmpstr (((SpSdpMedia *)ours->media->pdata[i])->address, ==, LOCAL_ADDRESS);
}

/* ---- parsing -------------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *text;
  int error;            /* -1: parses */
  const char *expected; /* parse_summary, or a substring of the error message */
} ParseCase;

static const ParseCase parse_cases[] = {
  { "c/session-level", HEADER "m=audio 49170 RTP/AVP 0\n", -1,
    "audio 49170 198.51.100.7 rtcp=49171 sendrecv 0=PCMU/8000/1" },
  { "c/media-level-wins", HEADER "m=audio 49170 RTP/AVP 0\nc=IN IP4 203.0.113.5\n", -1,
    "audio 49170 203.0.113.5 rtcp=49171 sendrecv 0=PCMU/8000/1" },
  { "c/media-level-only",
    "v=0\no=x 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 5 RTP/AVP 8\nc=IN IP4 203.0.113.5\n", -1,
    "audio 5 203.0.113.5 rtcp=6 sendrecv 8=PCMA/8000/1" },
  { "c/ipv6", HEADER "m=audio 5 RTP/AVP 8\nc=IN IP6 2001:db8::1\n", -1,
    "audio 5 2001:db8::1 rtcp=6 sendrecv 8=PCMA/8000/1" },
  { "c/missing-for-active-stream", "v=0\no=x 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 5 RTP/AVP 0\n",
    SP_SDP_ERROR_PARSE, "no c= line" },
  { "c/not-needed-for-port-0", "v=0\no=x 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 0 RTP/AVP 0\n", -1,
    "audio 0 - rtcp=0 sendrecv 0=PCMU/8000/1" },
  { "rtcp/attribute", HEADER "m=audio 49170 RTP/AVP 0\na=rtcp:53020\n", -1,
    "audio 49170 198.51.100.7 rtcp=53020 sendrecv 0=PCMU/8000/1" },
  { "rtcp/attribute-with-address",
    HEADER "m=audio 49170 RTP/AVP 0\na=rtcp:53020 IN IP4 126.16.64.4\n", -1,
    "audio 49170 198.51.100.7 rtcp=53020 sendrecv 0=PCMU/8000/1" },
  { "rtcp/bad", HEADER "m=audio 49170 RTP/AVP 0\na=rtcp:70000\n", SP_SDP_ERROR_PARSE, "a=rtcp" },
  { "port/out-of-range", HEADER "m=audio 70000 RTP/AVP 0\n", SP_SDP_ERROR_PARSE, "out of range" },
  { "syntax/garbage", "hello world", SP_SDP_ERROR_PARSE, "" },
  { "syntax/bad-rtp-format", HEADER "m=audio 5 RTP/AVP speex\n", SP_SDP_ERROR_PARSE,
    "invalid format" },
  /* Sofia 1.12.11 loops or allocates gigabytes on these (fuzz-sdp found them): refused first. */
  { "syntax/non-token-format", HEADER "m=audio 5 RTP/VP 0 \xc0\n", SP_SDP_ERROR_PARSE,
    "m-line 0 is malformed" },
  { "syntax/control-in-format", HEADER "m=audio 5 RTP/AVP 0\nm=audio 5 RTP/VP \x01\n",
    SP_SDP_ERROR_PARSE, "m-line 1 is malformed" },
  { "syntax/slash-in-format", HEADER "m=video 5 IN a/;9\n", SP_SDP_ERROR_PARSE,
    "m-line 0 is malformed" },
  { "syntax/tabs", HEADER "m=audio 5 RTP/AV\t\t\n", SP_SDP_ERROR_PARSE, "m-line 0 is malformed" },
  { "syntax/indented-line", HEADER "\tm=audio 5 RTP/VP \xa1\n", SP_SDP_ERROR_PARSE, "<type>=" },
  { "syntax/bad-port", HEADER "m=video 5x RTP/AVP 0\n", SP_SDP_ERROR_PARSE,
    "m-line 0 is malformed" },
  { "syntax/port-count", HEADER "m=audio 5/2 RTP/AVP 0\n", -1,
    "audio 5 198.51.100.7 rtcp=6 sendrecv 0=PCMU/8000/1" },
  { "syntax/bad-avpf-format", HEADER "m=video 5 RTP/AVPF vp8\n", SP_SDP_ERROR_PARSE,
    "is not a payload type" },
  { "direction/media-over-session",
    HEADER "a=sendonly\nm=audio 5 RTP/AVP 0\na=recvonly\nm=audio 7 RTP/AVP 0\n", -1,
    "audio 5 198.51.100.7 rtcp=6 recvonly 0=PCMU/8000/1 | audio 7 198.51.100.7 rtcp=8 sendonly "
    "0=PCMU/8000/1" },
  { "direction/inactive", HEADER "m=audio 5 RTP/AVP 0\na=inactive\n", -1,
    "audio 5 198.51.100.7 rtcp=6 inactive 0=PCMU/8000/1" },
  /* RFC 3264 §8.4: the RFC 2543 way to hold. */
  { "direction/c-zero-is-sendonly",
    "v=0\no=x 1 1 IN IP4 h\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 5 RTP/AVP 0\n", -1,
    "audio 5 0.0.0.0 rtcp=6 sendonly 0=PCMU/8000/1" },
  { "direction/c-zero-recvonly-is-inactive",
    "v=0\no=x 1 1 IN IP4 h\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 5 RTP/AVP 0\na=recvonly\n", -1,
    "audio 5 0.0.0.0 rtcp=6 inactive 0=PCMU/8000/1" },
  { "codec/static-without-rtpmap", HEADER "m=audio 5 RTP/AVP 0 8 9 96\n", -1,
    "audio 5 198.51.100.7 rtcp=6 sendrecv 0=PCMU/8000/1 8=PCMA/8000/1 9=?/0/1 96=?/0/1" },
  { "codec/rtpmap-overrides-static", HEADER "m=audio 5 RTP/AVP 0\na=rtpmap:0 G726-32/8000\n", -1,
    "audio 5 198.51.100.7 rtcp=6 sendrecv 0=G726-32/8000/1" },
  { "codec/channels-and-fmtp",
    HEADER "m=audio 5 RTP/AVP 111\na=rtpmap:111 opus/48000/2\na=fmtp:111 minptime=10\n", -1,
    "audio 5 198.51.100.7 rtcp=6 sendrecv 111=opus/48000/2(minptime=10)" },
  { "codec/duplicate-pt-dropped", HEADER "m=audio 5 RTP/AVP 0 0 8\n", -1,
    "audio 5 198.51.100.7 rtcp=6 sendrecv 0=PCMU/8000/1 8=PCMA/8000/1" },
  /* Sofia leaves RTP/AVPF alone: rtpmap, fmtp and rtcp-fb come from the raw attributes. */
  { "codec/avpf",
    HEADER "m=video 5 RTP/AVPF 96 97\na=rtpmap:96 VP8/90000\na=rtpmap:97 H264/90000\n"
           "a=fmtp:97 packetization-mode=1\na=rtcp-fb:96 nack\na=rtcp-fb:* ccm fir\n",
    -1,
    "video 5 198.51.100.7 rtcp=6 sendrecv 96=VP8/90000/0{nack,ccm fir} "
    "97=H264/90000/0(packetization-mode=1){ccm fir}" },
  { "other/formats-kept", HEADER "m=image 6000 udptl t38\nm=application 9 UDP/BFCP *\n", -1,
    "image 6000 198.51.100.7 rtcp=6001 sendrecv t38 | application 9 198.51.100.7 rtcp=10 sendrecv "
    "*" },
  { "session/no-media", "v=0\no=x 1 1 IN IP4 h\ns= \nt=0 0\n", -1, "" },
};

static void
test_parse (gconstpointer data)
{
  const ParseCase *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpSdpSession) session = sp_sdp_parse (row->text, -1, &error);

  if (row->error >= 0)
    {
      g_assert_error (error, SP_SDP_ERROR, row->error);
      g_assert_null (session);
      g_assert_nonnull (strstr (error->message, row->expected));
    }
  else
    {
      g_autofree char *got = NULL;
      g_autofree char *text = NULL;
      g_autoptr (SpSdpSession) again = NULL;

      g_assert_no_error (error);
      got = parse_summary (session);
      g_assert_cmpstr (got, ==, row->expected);
      /* Our printer writes what we parsed so that it reads back the same. */
      text = sp_sdp_print (session);
      again = parse_ok (text);
      g_assert_true (sp_sdp_same_content (session, again));
    }
}

static void
test_parse_nul (void)
{
  const char text[] = HEADER "m=audio 5 RTP/AVP 0\n\0m=audio 7 RTP/AVP 8\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (SpSdpSession) session = sp_sdp_parse (text, sizeof text - 1, &error);

  g_assert_error (error, SP_SDP_ERROR, SP_SDP_ERROR_PARSE);
  g_assert_null (session);
}

static void
test_parse_length (void)
{
  /* The length bounds the text: what follows (here a second m-line) is never read. */
  const char text[] = HEADER "m=audio 5 RTP/AVP 0\nm=audio 7 RTP/AVP 8\n";
  g_autoptr (SpSdpSession) session = sp_sdp_parse (text, strstr (text, "m=audio 7") - text, NULL);

  g_assert_nonnull (session);
  g_assert_cmpuint (session->media->len, ==, 1);
}

static void
test_parse_rtpmap_without_rate (void)
{
  /* RFC 4475's INVITEs: a video rtpmap without its clock rate. The line is left out (the
   * payload type is unusable), the rest is read; a rate that is not a number is left out too. */
  const char text[] = HEADER "m=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\n"
                             "a=rtpmap:31 LPC\r\na=rtpmap:31 LPC/x\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (SpSdpSession) session = sp_sdp_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (session->media->len, ==, 2);
  g_assert_cmpint (((SpSdpMedia *)session->media->pdata[1])->kind, ==, SP_SDP_MEDIA_VIDEO);
}

/* ---- answering ------------------------------------------------------------------------ */

/* RFC 4568 §9.1's key (AES_CM_128: 30 bytes) and a 46-byte one (AES_256_CM). */
#define RFC_KEY "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
#define KEY_46 "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwQUJDREVGR0hJSg=="
#define CRYPTO_1 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\n"

typedef struct
{
  const char *name;
  const char *header; /* NULL: HEADER */
  const char *media;
  guint flags;
  int error;            /* -1: answered */
  const char *expected; /* summary of the answer, or a substring of the error message */
} AnswerCase;

static const AnswerCase answer_cases[] = {
  /* One codec per m-line: the first offered one we support, by rtpmap name/clock/channels. */
  { "codec/first-offered-supported", NULL, "m=audio 5 RTP/AVP 97 8 0\na=rtpmap:97 iLBC/8000\n", 0,
    -1, "audio sendrecv 8=PCMA" },
  { "codec/exactly-one", NULL, "m=audio 5 RTP/AVP 0 8 111\na=rtpmap:111 opus/48000/2\n", 0, -1,
    "audio sendrecv 0=PCMU" },
  { "codec/offerer-pt-kept", NULL, "m=audio 5 RTP/AVP 109\na=rtpmap:109 opus/48000/2\n", 0, -1,
    "audio sendrecv 109=opus" },
  { "codec/name-case-insensitive", NULL, "m=audio 5 RTP/AVP 100\na=rtpmap:100 OPUS/48000/2\n", 0,
    -1, "audio sendrecv 100=OPUS" },
  { "codec/channels-must-match", NULL, "m=audio 5 RTP/AVP 100 8\na=rtpmap:100 opus/48000/1\n", 0,
    -1, "audio sendrecv 8=PCMA" },
  { "codec/clock-must-match", NULL, "m=audio 5 RTP/AVP 100 0\na=rtpmap:100 PCMA/16000\n", 0, -1,
    "audio sendrecv 0=PCMU" },
  { "codec/never-by-pt-number", NULL, "m=audio 5 RTP/AVP 0\na=rtpmap:0 G726-32/8000\n", 0,
    SP_SDP_ERROR_NOT_ACCEPTABLE, "No acceptable audio" },
  { "codec/name-not-number", NULL, "m=audio 5 RTP/AVP 111\na=rtpmap:111 PCMA/8000\n", 0, -1,
    "audio sendrecv 111=PCMA" },
  { "codec/static-pcma-without-rtpmap", NULL, "m=audio 5 RTP/AVP 18 8\n", 0, -1,
    "audio sendrecv 8=PCMA" },
  { "codec/dynamic-without-rtpmap", NULL, "m=audio 5 RTP/AVP 111\n", 0, SP_SDP_ERROR_NOT_ACCEPTABLE,
    "No acceptable audio" },
  /* telephone-event only at the chosen codec's clock rate (RFC 4733 §2.1). */
  { "dtmf/same-clock", NULL,
    "m=audio 5 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n", 0, -1,
    "audio sendrecv 0=PCMU 101=telephone-event" },
  { "dtmf/opus-48k", NULL,
    "m=audio 5 RTP/AVP 109 100 101\na=rtpmap:109 opus/48000/2\na=rtpmap:100 telephone-event/8000\n"
    "a=rtpmap:101 telephone-event/48000\n",
    0, -1, "audio sendrecv 109=opus 101=telephone-event" },
  { "dtmf/clock-mismatch", NULL,
    "m=audio 5 RTP/AVP 109 101\na=rtpmap:109 opus/48000/2\na=rtpmap:101 telephone-event/8000\n", 0,
    -1, "audio sendrecv 109=opus" },
  /* RFC 3264 §6.1 directions. */
  { "direction/sendrecv-gets-our-wish", NULL, "m=audio 5 RTP/AVP 0\na=sendrecv\n", 0, -1,
    "audio sendrecv 0=PCMU" },
  { "direction/sendonly-to-recvonly", NULL, "m=audio 5 RTP/AVP 0\na=sendonly\n", 0, -1,
    "audio recvonly 0=PCMU" },
  { "direction/recvonly-to-sendonly", NULL, "m=audio 5 RTP/AVP 0\na=recvonly\n", 0, -1,
    "audio sendonly 0=PCMU" },
  { "direction/inactive-to-inactive", NULL, "m=audio 5 RTP/AVP 0\na=inactive\n", 0, -1,
    "audio inactive 0=PCMU" },
  { "direction/session-level-sendonly", HEADER "a=sendonly\n", "m=audio 5 RTP/AVP 0\n", 0, -1,
    "audio recvonly 0=PCMU" },
  { "direction/c-zero-hold", "v=0\no=caller 7 7 IN IP4 h\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\n",
    "m=audio 5 RTP/AVP 0\n", 0, -1, "audio recvonly 0=PCMU" },
  { "direction/our-hold", NULL, "m=audio 5 RTP/AVP 0\n", F_HOLD, -1, "audio sendonly 0=PCMU" },
  { "direction/both-hold", NULL, "m=audio 5 RTP/AVP 0\na=sendonly\n", F_HOLD, -1,
    "audio inactive 0=PCMU" },
  /* Video: only when allowed; VP8, or H264 when an encoder exists; rtcp-fb echoed if ours. */
  { "video/vp8-with-feedback", NULL,
    "m=audio 5 RTP/AVP 0\nm=video 7 RTP/AVP 100 96\na=rtpmap:100 H264/90000\na=rtpmap:96 "
    "VP8/90000\n"
    "a=rtcp-fb:96 nack\na=rtcp-fb:96 goog-remb\na=rtcp-fb:96 nack pli\na=rtcp-fb:* ccm fir\n",
    F_VIDEO, -1, "audio sendrecv 0=PCMU | video sendrecv 96=VP8{nack,nack pli,ccm fir}" },
  { "video/h264-with-encoder", NULL,
    "m=audio 5 RTP/AVP 0\nm=video 7 RTP/AVP 100 96\na=rtpmap:100 H264/90000\na=rtpmap:96 "
    "VP8/90000\n",
    F_VIDEO | F_H264, -1, "audio sendrecv 0=PCMU | video sendrecv 100=H264" },
  { "video/h264-without-encoder", NULL,
    "m=audio 5 RTP/AVP 0\nm=video 7 RTP/AVP 100\na=rtpmap:100 H264/90000\n", F_VIDEO, -1,
    "audio sendrecv 0=PCMU | video 0" },
  { "video/not-allowed", NULL, "m=audio 5 RTP/AVP 0\nm=video 7 RTP/AVP 96\na=rtpmap:96 VP8/90000\n",
    0, -1, "audio sendrecv 0=PCMU | video 0" },
  { "video/avpf", NULL,
    "m=audio 5 RTP/AVP 0\nm=video 7 RTP/AVPF 96\na=rtpmap:96 VP8/90000\na=rtcp-fb:96 nack pli\n",
    F_VIDEO, -1, "audio sendrecv 0=PCMU | video sendrecv 96=VP8{nack pli}" },
  { "video/only-video", NULL, "m=video 7 RTP/AVP 96\na=rtpmap:96 VP8/90000\n", F_VIDEO,
    SP_SDP_ERROR_NOT_ACCEPTABLE, "No acceptable audio" },
  /* Non-RTP and unknown media: port 0, format list kept. */
  { "other/image-and-application", NULL,
    "m=audio 5 RTP/AVP 0\nm=image 6000 udptl t38\nm=application 9 UDP/BFCP *\n", 0, -1,
    "audio sendrecv 0=PCMU | image 0 t38 | application 0 *" },
  /* m=text over RTP/AVP is RTP but not audio or video: declined even with an audio PT. */
  { "other/rtp-text", NULL, "m=audio 5 RTP/AVP 0\nm=text 7 RTP/AVP 0\n", 0, -1,
    "audio sendrecv 0=PCMU | text 0 0=PCMU" },
  { "other/unknown-proto", NULL, "m=audio 5 UDP/TLS/RTP/SAVPF 0\nm=audio 7 RTP/AVP 0\n", 0, -1,
    "audio 0 | audio sendrecv 0=PCMU" },
  /* SRTP with SDES (RFC 4568): a=crypto lines, taken only when the policy says so. */
  { "savp/only", NULL,
    "m=audio 5 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
    "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\n",
    0, SP_SDP_ERROR_NOT_ACCEPTABLE, "SRTP" },
  { "savp/with-avp-alternative", NULL, "m=audio 5 RTP/SAVP 0\nm=audio 7 RTP/AVP 0\n", 0, -1,
    "audio 0 | audio sendrecv 0=PCMU" },
  { "srtp/none-ignores-keys", NULL, "m=audio 5 RTP/AVP 0\n" CRYPTO_1, 0, -1,
    "audio sendrecv 0=PCMU" },
  { "srtp/preferred-takes-keys", NULL, "m=audio 5 RTP/AVP 0\n" CRYPTO_1, F_SRTP, -1,
    "audio sendrecv 0=PCMU crypto=1:AES_CM_128_HMAC_SHA1_80" },
  { "srtp/preferred-plain", NULL, "m=audio 5 RTP/AVP 0\n", F_SRTP, -1, "audio sendrecv 0=PCMU" },
  { "srtp/preferred-savp", NULL, "m=audio 5 RTP/SAVP 0\n" CRYPTO_1, F_SRTP, -1,
    "audio sendrecv 0=PCMU crypto=1:AES_CM_128_HMAC_SHA1_80" },
  { "srtp/offerer-order", NULL,
    "m=audio 5 RTP/SAVP 0\na=crypto:3 AES_256_CM_HMAC_SHA1_32 inline:" KEY_46 "\n"
    "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\n",
    F_SRTP, -1, "audio sendrecv 0=PCMU crypto=3:AES_256_CM_HMAC_SHA1_32" },
  { "srtp/skips-unusable-lines", NULL,
    "m=audio 5 RTP/SAVP 0\na=crypto:1 F8_128_HMAC_SHA1_80 inline:" RFC_KEY "\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " UNENCRYPTED_SRTP\n"
    "a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:" RFC_KEY "\n",
    F_SRTP, -1, "audio sendrecv 0=PCMU crypto=4:AES_CM_128_HMAC_SHA1_32" },
  { "srtp/savp-unusable-keys", NULL,
    "m=audio 5 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4\n",
    F_SRTP, SP_SDP_ERROR_NOT_ACCEPTABLE, "no a=crypto line we can use" },
  { "srtp/savp-key-wrong-length", NULL,
    "m=audio 5 RTP/SAVP 0\na=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" RFC_KEY "\n", F_SRTP,
    SP_SDP_ERROR_NOT_ACCEPTABLE, "no a=crypto line we can use" },
  { "srtp/required-plain-offer", NULL, "m=audio 5 RTP/AVP 0\n", F_SRTP_ONLY,
    SP_SDP_ERROR_NOT_ACCEPTABLE, "media-encryption is required" },
  { "srtp/required-unusable-keys", NULL,
    "m=audio 5 RTP/SAVP 0\na=crypto:1 AES_192_CM_HMAC_SHA1_80 inline:" RFC_KEY "\n", F_SRTP_ONLY,
    SP_SDP_ERROR_NOT_ACCEPTABLE, "media-encryption is required" },
  { "srtp/required-avp-with-keys", NULL, "m=audio 5 RTP/AVP 0\n" CRYPTO_1, F_SRTP_ONLY, -1,
    "audio sendrecv 0=PCMU crypto=1:AES_CM_128_HMAC_SHA1_80" },
  { "srtp/required-plain-video-declined", NULL,
    "m=audio 5 RTP/SAVP 0\n" CRYPTO_1 "m=video 7 RTP/AVP 96\na=rtpmap:96 VP8/90000\n",
    F_SRTP_ONLY | F_VIDEO, -1, "audio sendrecv 0=PCMU crypto=1:AES_CM_128_HMAC_SHA1_80 | video 0" },
  /* Port 0 in the offer stays port 0; an offer without active streams is still answered. */
  { "port0/declined-in-offer", NULL, "m=audio 0 RTP/AVP 0\nm=audio 7 RTP/AVP 8\n", 0, -1,
    "audio 0 | audio sendrecv 8=PCMA" },
  { "port0/all", NULL, "m=audio 0 RTP/AVP 0\nm=video 0 RTP/AVP 96\n", F_VIDEO, -1,
    "audio 0 | video 0" },
  { "port0/no-media", NULL, "", 0, -1, "" },
  /* Slots: one per m-line; no slot or a disabled slot answers port 0. */
  { "slot/more-lines-than-slots", NULL, "m=audio 5 RTP/AVP 0\nm=audio 7 RTP/AVP 0\n", F_ONE_SLOT,
    -1, "audio sendrecv 0=PCMU | audio 0" },
  { "slot/disabled", NULL, "m=audio 5 RTP/AVP 0\nm=audio 7 RTP/AVP 8\n", F_SLOT0_OFF, -1,
    "audio 0 | audio sendrecv 8=PCMA" },
  { "slot/two-audio-streams", NULL, "m=audio 5 RTP/AVP 0\nm=audio 7 RTP/AVP 8\n", 0, -1,
    "audio sendrecv 0=PCMU | audio sendrecv 8=PCMA" },
  /* Never rtcp-mux or BUNDLE, even when offered (checked on every row's text too). */
  { "mux/not-echoed", HEADER "a=group:BUNDLE a1\n", "m=audio 5 RTP/AVP 0\na=mid:a1\na=rtcp-mux\n",
    0, -1, "audio sendrecv 0=PCMU" },
};

static void
test_answer (gconstpointer data)
{
  const AnswerCase *row = data;
  g_autofree char *text = g_strconcat (row->header ? row->header : HEADER, row->media, NULL);
  g_autoptr (SpSdpSession) offer = parse_ok (text);
  g_autoptr (SpSdpLocal) local = make_local (row->flags);
  g_autoptr (GError) error = NULL;
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (offer, local, NULL, &error);
  g_autofree char *got = NULL;
  g_autoptr (GPtrArray) streams = NULL;

  if (row->error >= 0)
    {
      g_assert_error (error, SP_SDP_ERROR, row->error);
      g_assert_nonnull (strstr (error->message, row->expected));
      g_assert_null (answer);
      return;
    }
  g_assert_no_error (error);
  got = summary (answer);
  g_assert_cmpstr (got, ==, row->expected);
  /* RFC 3264 §6: same m-lines in the same order; ports are 0 or the slot's. */
  g_assert_cmpuint (answer->media->len, ==, offer->media->len);
  for (guint i = 0; i < answer->media->len; i++)
    {
      const SpSdpMedia *a = answer->media->pdata[i], *o = offer->media->pdata[i];

      g_assert_cmpstr (a->media, ==, o->media);
      g_assert_true (a->port == 0 || a->port == 4000 + 2 * i);
      if (o->port == 0)
        g_assert_cmpuint (a->port, ==, 0);
    }
  check_own_description (answer);
  g_assert_true (sp_sdp_negotiated (answer, offer, FALSE, &streams, &error));
  g_assert_no_error (error);
}

static void
test_answer_rtcp_port (void)
{
  g_autoptr (SpSdpSession) offer = parse_ok (HEADER "m=audio 5 RTP/AVP 0\nm=audio 7 RTP/AVP 0\n");
  g_autoptr (SpSdpLocal) local = make_local (F_RTCP);
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (offer, local, NULL, NULL);
  g_autofree char *text = sp_sdp_print (answer);

  /* a=rtcp only when RTCP is not RTP + 1 (RFC 3605 §2.1). */
  g_assert_nonnull (strstr (text, "m=audio 4000 RTP/AVP 0\r\na=rtcp:5001\r\n"));
  g_assert_nonnull (strstr (text, "m=audio 4002 RTP/AVP 0\r\na=rtpmap"));
  g_assert_true (
    g_str_has_prefix (text, "v=0\r\n" LOCAL_ORIGIN "s=-\r\nc=IN IP4 " LOCAL_ADDRESS "\r\n"));
}

/* A re-offer from the remote is answered like any offer, with our o= version going up only
 * when our answer changes, and never with fewer m-lines than before. */
static void
test_answer_reoffer (void)
{
  g_autoptr (SpSdpLocal) local = make_local (F_VIDEO);
  g_autoptr (SpSdpSession) offer1
    = parse_ok (HEADER "m=audio 5 RTP/AVP 0 8\nm=video 7 RTP/AVP 96\na=rtpmap:96 VP8/90000\n");
  g_autoptr (SpSdpSession) answer1 = sp_sdp_answer (offer1, local, NULL, NULL);
  /* Session refresh: the same offer again. */
  g_autoptr (SpSdpSession) answer2 = sp_sdp_answer (offer1, local, answer1, NULL);
  /* The remote changes codec and port, and drops video by port 0. */
  g_autoptr (SpSdpSession) offer3 = parse_ok (HEADER "m=audio 9 RTP/AVP 8\nm=video 0 RTP/AVP 96\n");
  g_autoptr (SpSdpSession) answer3 = sp_sdp_answer (offer3, local, answer2, NULL);
  /* An offer with fewer m-lines breaks RFC 3264 §8. */
  g_autoptr (SpSdpSession) offer4 = parse_ok (HEADER "m=audio 9 RTP/AVP 8\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpSdpSession) answer4 = sp_sdp_answer (offer4, local, answer3, &error);
  g_autofree char *s3 = summary (answer3);
  g_autoptr (GPtrArray) streams = NULL;
  g_autofree char *st = NULL;

  g_assert_cmpuint (answer1->version, ==, 1);
  g_assert_cmpuint (answer2->version, ==, 1);
  g_assert_true (sp_sdp_same_content (answer1, answer2));
  g_assert_cmpuint (answer3->version, ==, 2);
  g_assert_cmpuint (answer3->session_id, ==, answer1->session_id);
  g_assert_cmpstr (s3, ==, "audio sendrecv 8=PCMA | video 0");
  g_assert_true (sp_sdp_negotiated (answer3, offer3, FALSE, &streams, NULL));
  st = streams_summary (streams);
  g_assert_cmpstr (st, ==, "198.51.100.7:9/10 sendrecv PCMA send=8 recv=8 dtmf=0/0 | off");
  g_assert_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE);
  g_assert_null (answer4);
}

/* ---- offering ------------------------------------------------------------------------- */

typedef enum
{
  STEP_NOTHING,
  STEP_HOLD,
  STEP_UNHOLD,
  STEP_VIDEO_OFF,  /* the video slot goes inactive: the m-line stays */
  STEP_VIDEO_DENY, /* video no longer allowed: port 0 */
  STEP_DROP_SLOT,  /* the caller forgets the video slot: still port 0 */
  STEP_REUSE_SLOT, /* a new audio stream takes the port-0 slot (RFC 3264 §8.3.3 allows it) */
  STEP_ADD_VIDEO,  /* video again, in a new slot, H264 now possible */
} OfferStep;

typedef struct
{
  const char *name;
  OfferStep step;
  guint64 version;
  const char *expected;
} OfferCase;

#define VIDEO_FB "{nack,nack pli,ccm fir}"
#define AUDIO_ALL "111=opus 0=PCMU 8=PCMA 101=telephone-event"

/* One call, step after step: each row's offer is the re-offer of the previous row. */
static const OfferCase offer_cases[] = {
  { "initial", STEP_NOTHING, 1,
    "audio sendrecv " AUDIO_ALL " | video sendrecv 96=VP8" VIDEO_FB " 98=rtx(apt=96)" },
  { "unchanged-keeps-version", STEP_NOTHING, 1,
    "audio sendrecv " AUDIO_ALL " | video sendrecv 96=VP8" VIDEO_FB " 98=rtx(apt=96)" },
  { "hold", STEP_HOLD, 2,
    "audio sendonly " AUDIO_ALL " | video sendonly 96=VP8" VIDEO_FB " 98=rtx(apt=96)" },
  { "hold-again-unchanged", STEP_HOLD, 2,
    "audio sendonly " AUDIO_ALL " | video sendonly 96=VP8" VIDEO_FB " 98=rtx(apt=96)" },
  { "unhold", STEP_UNHOLD, 3,
    "audio sendrecv " AUDIO_ALL " | video sendrecv 96=VP8" VIDEO_FB " 98=rtx(apt=96)" },
  { "video-off", STEP_VIDEO_OFF, 4,
    "audio sendrecv " AUDIO_ALL " | video inactive 96=VP8" VIDEO_FB " 98=rtx(apt=96)" },
  { "video-denied", STEP_VIDEO_DENY, 5, "audio sendrecv " AUDIO_ALL " | video 0" },
  { "slot-dropped-stays", STEP_DROP_SLOT, 5, "audio sendrecv " AUDIO_ALL " | video 0" },
  { "port0-slot-reused", STEP_REUSE_SLOT, 6,
    "audio sendrecv " AUDIO_ALL " | audio sendrecv " AUDIO_ALL },
  { "video-added", STEP_ADD_VIDEO, 7,
    "audio sendrecv " AUDIO_ALL " | audio sendrecv " AUDIO_ALL " | video sendrecv 96=VP8" VIDEO_FB
    " 97=H264" VIDEO_FB " 98=rtx(apt=96) 99=rtx(apt=97)" },
};

static void
apply_step (SpSdpLocal *local, OfferStep step)
{
  SpSdpSlot *slots = (SpSdpSlot *)(gpointer)local->slots->data;

  switch (step)
    {
      case STEP_HOLD:
      case STEP_UNHOLD:
        for (guint i = 0; i < local->slots->len; i++)
          slots[i].direction = step == STEP_HOLD ? SP_SDP_SENDONLY : SP_SDP_SENDRECV;
        break;
      case STEP_VIDEO_OFF:
        slots[1].direction = SP_SDP_INACTIVE;
        break;
      case STEP_VIDEO_DENY:
        local->video_allowed = FALSE;
        break;
      case STEP_DROP_SLOT:
        g_array_set_size (local->slots, 1);
        break;
      case STEP_REUSE_SLOT:
        sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 4004, 0, SP_SDP_SENDRECV);
        break;
      case STEP_ADD_VIDEO:
        local->video_allowed = TRUE;
        local->h264_encoder = TRUE;
        sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, 4006, 0, SP_SDP_SENDRECV);
        break;
      case STEP_NOTHING:
        break;
    }
}

static void
test_offer_sequence (void)
{
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("agent", 42, LOCAL_ADDRESS);
  g_autoptr (SpSdpSession) previous = NULL;

  local->video_allowed = TRUE;
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 4000, 0, SP_SDP_SENDRECV);
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, 4002, 0, SP_SDP_SENDRECV);
  for (guint i = 0; i < G_N_ELEMENTS (offer_cases); i++)
    {
      const OfferCase *row = &offer_cases[i];
      g_autoptr (SpSdpSession) offer = NULL;
      g_autofree char *got = NULL;

      g_test_message ("step %s", row->name);
      apply_step (local, row->step);
      offer = sp_sdp_offer (local, previous);
      got = summary (offer);
      g_assert_cmpstr (got, ==, row->expected);
      g_assert_cmpuint (offer->version, ==, row->version);
      g_assert_cmpuint (offer->session_id, ==, 42);
      /* m-line count and order never shrink (RFC 3264 §8). */
      if (previous)
        {
          g_assert_cmpuint (offer->media->len, >=, previous->media->len);
          for (guint m = 0; m < previous->media->len; m++)
            if (((SpSdpMedia *)previous->media->pdata[m])->port)
              g_assert_cmpstr (((SpSdpMedia *)offer->media->pdata[m])->media, ==,
                               ((SpSdpMedia *)previous->media->pdata[m])->media);
        }
      check_own_description (offer);
      g_clear_pointer (&previous, sp_sdp_session_free);
      previous = g_steal_pointer (&offer);
    }
}

/* RFC 3264 §8.3.2: a PT keeps its meaning for the whole session, even when it was the
 * remote's number in our earlier answer; the running stream's formats come first under their
 * numbers (telephone-event at the clock rate agreed, 48000 here), our others follow on free
 * numbers (telephone-event/8000 moves to 96, as 101 is taken). */
static void
test_offer_keeps_payload_types (void)
{
  g_autoptr (SpSdpSession) remote = parse_ok (
    HEADER
    "m=audio 5 RTP/AVP 109 101\na=rtpmap:109 opus/48000/2\na=rtpmap:101 telephone-event/48000\n");
  g_autoptr (SpSdpLocal) local = make_local (F_ONE_SLOT);
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (remote, local, NULL, NULL);
  g_autoptr (SpSdpSession) reoffer = sp_sdp_offer (local, answer);
  g_autofree char *a = summary (answer);
  g_autofree char *got = summary (reoffer);
  const SpSdpMedia *m = reoffer->media->pdata[0];

  g_assert_cmpstr (a, ==, "audio sendrecv 109=opus 101=telephone-event");
  g_assert_cmpstr (got, ==,
                   "audio sendrecv 109=opus 0=PCMU 8=PCMA 101=telephone-event 96=telephone-event");
  g_assert_cmpuint (((SpSdpCodec *)m->codecs->pdata[3])->clock_rate, ==, 48000);
  g_assert_cmpuint (((SpSdpCodec *)m->codecs->pdata[4])->clock_rate, ==, 8000);
  g_assert_cmpuint (reoffer->version, ==, 2);
}

/* linphonec 5.1 calls in offering telephone-event at 48000 (99), 16000 and 8000; we answer
 * opus with 99, and its rtcp-fb "*" lines are not echoed for telephone-event. Our hold
 * re-offer used to move telephone-event to 101 at 8000; linphonec followed (its real answer,
 * linphone-hold-answer.sdp) and the call died on the changed PT. Now the re-offer keeps
 * 96 opus and 99 telephone-event/48000, and the same answer from linphonec is still valid. */
static void
test_linphone_hold (void)
{
  g_autoptr (SpSdpSession) offer = parse_file ("sdp", "linphone-offer.sdp");
  g_autoptr (SpSdpSession) held = parse_file ("sdp", "linphone-hold-answer.sdp");
  g_autoptr (SpSdpLocal) local = make_local (F_ONE_SLOT);
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (offer, local, NULL, NULL);
  g_autoptr (SpSdpSession) reoffer = NULL;
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autofree char *a = summary (answer);
  g_autofree char *r = NULL;
  g_autofree char *st1 = NULL;
  g_autofree char *st2 = NULL;
  const SpSdpMedia *m = answer->media->pdata[0];

  g_assert_cmpstr (a, ==, "audio sendrecv 96=opus 99=telephone-event");
  g_assert_null (((SpSdpCodec *)m->codecs->pdata[1])->rtcp_fb);
  g_assert_true (sp_sdp_negotiated (answer, offer, FALSE, &first, NULL));
  st1 = streams_summary (first);
  g_assert_cmpstr (st1, ==, "127.0.0.1:33696/33697 sendrecv opus send=96 recv=96 dtmf=99/99");

  g_array_index (local->slots, SpSdpSlot, 0).direction = SP_SDP_SENDONLY;
  reoffer = sp_sdp_offer (local, answer);
  r = summary (reoffer);
  g_assert_cmpstr (r, ==,
                   "audio sendonly 96=opus 0=PCMU 8=PCMA 99=telephone-event 101=telephone-event");
  /* linphonec's answer names 101, which now means telephone-event/8000 again: still a valid
   * answer, opus stays on 96, DTMF at opus's rate is simply not agreed by that answer. */
  g_assert_true (sp_sdp_negotiated (reoffer, held, TRUE, &second, NULL));
  st2 = streams_summary (second);
  g_assert_cmpstr (st2, ==, "127.0.0.1:33696/33697 sendonly opus send=96 recv=96 dtmf=0/0");
}

/* We bind IPv4: a stream at an IPv6 address is refused before anything is sent (linphonec
 * offers its host's IPv6 address by default; the call used to be answered, then died with
 * "Invalid address family" in the media layer). */
static void
test_address_family (void)
{
  g_autoptr (SpSdpLocal) local = make_local (F_VIDEO);
  g_autoptr (SpSdpSession) v6
    = parse_ok ("v=0\no=c 1 1 IN IP6 fd00::2\ns=-\nc=IN IP6 fd00::2\nt=0 0\n"
                "m=audio 5000 RTP/AVP 0\n");
  g_autoptr (SpSdpSession) mixed = parse_ok (HEADER "m=audio 5000 RTP/AVP 0\n"
                                                    "m=video 5002 RTP/AVP 96\nc=IN IP6 fd00::2\n"
                                                    "a=rtpmap:96 VP8/90000\n");
  g_autoptr (SpSdpSession) our_offer = NULL;
  g_autoptr (SpSdpSession) v6_answer = parse_ok (
    "v=0\no=c 1 1 IN IP6 fd00::2\ns=-\nc=IN IP6 fd00::2\nt=0 0\nm=audio 5000 RTP/AVP 0\n"
    "m=video 0 RTP/AVP 96\n");
  g_autoptr (SpSdpSession) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) streams = NULL;
  g_autofree char *a = NULL;

  answer = sp_sdp_answer (v6, local, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE);
  g_assert_nonnull (strstr (error->message, "fd00::2"));
  g_clear_error (&error);

  answer = sp_sdp_answer (mixed, local, NULL, &error);
  g_assert_no_error (error);
  a = summary (answer);
  g_assert_cmpstr (a, ==, "audio sendrecv 0=PCMU | video 0");

  our_offer = sp_sdp_offer (local, NULL);
  g_assert_false (sp_sdp_negotiated (our_offer, v6_answer, TRUE, &streams, &error));
  g_assert_error (error, SP_SDP_ERROR, SP_SDP_ERROR_INVALID_ANSWER);
}

/* RFC 4588: retransmissions are answered for the chosen codec only, under the offerer's
 * numbers; an offer without rtx gets none; a re-offer keeps the numbers; our own offer's rtx is
 * agreed only when the answer keeps it. */
static void
test_rtx (void)
{
  g_autoptr (SpSdpLocal) local = make_local (F_VIDEO);
  g_autoptr (SpSdpSession) with_rtx
    = parse_ok (HEADER "m=audio 5000 RTP/AVP 0\nm=video 5002 RTP/AVPF 100 101 102 103\n"
                       "a=rtpmap:100 VP8/90000\na=rtcp-fb:100 nack\na=rtcp-fb:100 nack pli\n"
                       "a=rtpmap:101 rtx/90000\na=fmtp:101 apt=100;rtx-time=3000\n"
                       "a=rtpmap:102 H264/90000\na=rtpmap:103 rtx/90000\na=fmtp:103 apt=102\n");
  g_autoptr (SpSdpSession) baresip = parse_file ("sdp", "baresip-offer.sdp");
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (with_rtx, local, NULL, NULL);
  g_autoptr (SpSdpSession) plain = sp_sdp_answer (baresip, local, NULL, NULL);
  g_autoptr (SpSdpSession) reoffer = sp_sdp_offer (local, answer);
  g_autoptr (SpSdpSession) ours = NULL;
  g_autoptr (SpSdpSession) kept
    = parse_ok (HEADER "m=audio 5000 RTP/AVP 0\nm=video 5002 RTP/AVP 96 98\na=rtpmap:96 VP8/90000\n"
                       "a=rtcp-fb:96 nack\na=rtpmap:98 rtx/90000\na=fmtp:98 apt=96\n");
  g_autoptr (SpSdpSession) dropped
    = parse_ok (HEADER "m=audio 5000 RTP/AVP 0\n"
                       "m=video 5002 RTP/AVP 96\na=rtpmap:96 VP8/90000\n");
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GPtrArray) streams2 = NULL;
  g_autoptr (GPtrArray) streams3 = NULL;
  g_autofree char *a = summary (answer);
  g_autofree char *p = summary (plain);
  g_autofree char *r = summary (reoffer);
  g_autofree char *st = NULL;
  g_autofree char *st2 = NULL;
  g_autofree char *st3 = NULL;

  g_assert_cmpstr (a, ==,
                   "audio sendrecv 0=PCMU | video sendrecv 100=VP8{nack,nack pli} "
                   "101=rtx(apt=100;rtx-time=3000)");
  g_assert_null (strstr (p, "rtx"));
  g_assert_true (sp_sdp_negotiated (answer, with_rtx, FALSE, &streams, NULL));
  st = streams_summary (streams);
  g_assert_nonnull (strstr (st, "VP8 send=100 recv=100 dtmf=0/0 rtx=101/101"));
  /* The re-offer: VP8 and its rtx keep 100 and 101; H264 and its rtx come after. */
  g_assert_true (g_str_has_prefix (strstr (r, "video"), "video sendrecv 100=VP8"));
  g_assert_nonnull (strstr (r, " 101=rtx(apt=100)"));

  g_array_set_size (local->slots, 0);
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 4000, 0, SP_SDP_SENDRECV);
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, 4002, 0, SP_SDP_SENDRECV);
  ours = sp_sdp_offer (local, NULL);
  g_assert_true (sp_sdp_negotiated (ours, kept, TRUE, &streams2, NULL));
  st2 = streams_summary (streams2);
  g_assert_nonnull (strstr (st2, "VP8 send=96 recv=96 dtmf=0/0 rtx=98/98"));
  g_assert_true (sp_sdp_negotiated (ours, dropped, TRUE, &streams3, NULL));
  st3 = streams_summary (streams3);
  g_assert_null (strstr (st3, "rtx="));
}

/* What we sent to baresip when capturing tests/data/sdp/baresip-answer.sdp is exactly what
 * sp_sdp_offer() prints. */
static void
test_offer_text (void)
{
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("agent", 1, "127.0.0.1");
  g_autoptr (SpSdpSession) offer = NULL;
  g_autofree char *path = data_path ("sdp", "sportello-offer.sdp");
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;

  local->video_allowed = TRUE;
  local->video_rtx = FALSE; /* the capture was made before RTX was offered */
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 40913, 0, SP_SDP_SENDRECV);
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, 47511, 0, SP_SDP_SENDRECV);
  offer = sp_sdp_offer (local, NULL);
  text = sp_sdp_print (offer);
  g_assert_true (g_file_get_contents (path, &expected, NULL, NULL));
  g_assert_cmpstr (text, ==, expected);
}

/* ---- completing an exchange ----------------------------------------------------------- */

#define OUR_OFFER                                                                                  \
  "v=0\no=agent 42 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\n"                         \
  "m=audio 4000 RTP/AVP 111 0 101\na=rtpmap:111 opus/48000/2\na=rtpmap:101 telephone-event/8000\n" \
  "m=video 4002 RTP/AVP 96\na=rtpmap:96 VP8/90000\na=rtcp-fb:96 nack pli\na=rtcp-fb:96 ccm fir\n"

typedef struct
{
  const char *name;
  const char *local;
  const char *remote;
  gboolean local_is_offer;
  int error;
  const char *expected; /* streams_summary, or a substring of the error message */
} NegotiatedCase;

static const NegotiatedCase negotiated_cases[] = {
  { "pcmu-and-dtmf", OUR_OFFER,
    HEADER "m=audio 6000 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\nm=video 0 RTP/AVP 96\n",
    TRUE, -1, "198.51.100.7:6000/6001 sendrecv PCMU send=0 recv=0 dtmf=101/101 | off" },
  /* RFC 3264 §6.1 lets the answerer renumber (RFC 4317 §2.3 does): we send with its PT. */
  { "renumbered-pt", OUR_OFFER,
    HEADER "m=audio 6000 RTP/AVP 109\na=rtpmap:109 opus/48000/2\nm=video 0 RTP/AVP 96\n", TRUE, -1,
    "198.51.100.7:6000/6001 sendrecv opus send=109 recv=111 dtmf=0/0 | off" },
  { "remote-rtcp-and-media-c", OUR_OFFER,
    HEADER "m=audio 6000 RTP/AVP 0\nc=IN IP4 203.0.113.9\na=rtcp:7000\nm=video 6002 RTP/AVP "
           "96\na=rtpmap:96 VP8/90000\na=rtcp-fb:96 nack pli\n",
    TRUE, -1,
    "203.0.113.9:6000/7000 sendrecv PCMU send=0 recv=0 dtmf=0/0 | 198.51.100.7:6002/6003 sendrecv "
    "VP8 send=96 recv=96 dtmf=0/0 {nack pli}" },
  { "first-answered-codec-wins", OUR_OFFER,
    HEADER "m=audio 6000 RTP/AVP 0 111\na=rtpmap:111 opus/48000/2\nm=video 0 RTP/AVP 96\n", TRUE,
    -1, "198.51.100.7:6000/6001 sendrecv PCMU send=0 recv=0 dtmf=0/0 | off" },
  { "remote-holds-us", OUR_OFFER,
    HEADER "m=audio 6000 RTP/AVP 0\na=recvonly\nm=video 0 RTP/AVP 96\n", TRUE, -1,
    "198.51.100.7:6000/6001 sendonly PCMU send=0 recv=0 dtmf=0/0 | off" },
  { "remote-inactive", OUR_OFFER,
    HEADER "m=audio 6000 RTP/AVP 0\na=inactive\nm=video 0 RTP/AVP 96\n", TRUE, -1,
    "198.51.100.7:6000/6001 inactive PCMU send=0 recv=0 dtmf=0/0 | off" },
  { "we-answered",
    "v=0\no=agent 42 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 4000 RTP/AVP "
    "8\na=recvonly\n",
    HEADER "m=audio 6000 RTP/AVP 0 8\na=sendonly\n", FALSE, -1,
    "198.51.100.7:6000/6001 recvonly PCMA send=8 recv=8 dtmf=0/0" },
  { "invalid/line-count", OUR_OFFER, HEADER "m=audio 6000 RTP/AVP 0\n", TRUE,
    SP_SDP_ERROR_INVALID_ANSWER, "m-lines" },
  /* Formats the offer did not have are tolerated (RFC 4317 §3.2 lists one) but never chosen. */
  { "extra-codec-ignored", OUR_OFFER, HEADER "m=audio 6000 RTP/AVP 8 0\nm=video 0 RTP/AVP 96\n",
    TRUE, -1, "198.51.100.7:6000/6001 sendrecv PCMU send=0 recv=0 dtmf=0/0 | off" },
  { "invalid/codec-not-offered", OUR_OFFER, HEADER "m=audio 6000 RTP/AVP 8\nm=video 0 RTP/AVP 96\n",
    TRUE, SP_SDP_ERROR_INVALID_ANSWER, "names no codec that was offered" },
  /* A DTMF-only stream is fine (RFC 4317 §2.4); a codec nobody named is not. */
  { "dtmf-only-stream",
    "v=0\no=agent 42 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 4000 RTP/AVP "
    "101\na=rtpmap:101 telephone-event/8000\n",
    HEADER "m=audio 6000 RTP/AVP 101\na=rtpmap:101 telephone-event/8000\n", TRUE, -1,
    "198.51.100.7:6000/6001 sendrecv telephone-event send=101 recv=101 dtmf=101/101" },
  { "invalid/no-codec",
    "v=0\no=agent 42 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 4000 RTP/AVP 0 "
    "96\n",
    HEADER "m=audio 6000 RTP/AVP 96\n", TRUE, SP_SDP_ERROR_INVALID_ANSWER, "names no codec" },
  { "invalid/port0-answered",
    "v=0\no=agent 42 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 4000 RTP/AVP "
    "0\nm=video 0 RTP/AVP 96\n",
    HEADER "m=audio 6000 RTP/AVP 0\nm=video 6002 RTP/AVP 96\na=rtpmap:96 VP8/90000\n", TRUE,
    SP_SDP_ERROR_INVALID_ANSWER, "port-0 stream" },
  { "invalid/media-changed", OUR_OFFER, HEADER "m=audio 6000 RTP/AVP 0\nm=image 6002 udptl t38\n",
    TRUE, SP_SDP_ERROR_INVALID_ANSWER, "video answered with image" },
};

static void
test_negotiated (gconstpointer data)
{
  const NegotiatedCase *row = data;
  g_autoptr (SpSdpSession) local = parse_ok (row->local);
  g_autoptr (SpSdpSession) remote = parse_ok (row->remote);
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok = sp_sdp_negotiated (local, remote, row->local_is_offer, &streams, &error);

  if (row->error >= 0)
    {
      g_assert_false (ok);
      g_assert_error (error, SP_SDP_ERROR, row->error);
      g_assert_nonnull (strstr (error->message, row->expected));
      g_assert_null (streams);
    }
  else
    {
      g_autofree char *got = NULL;

      g_assert_no_error (error);
      g_assert_true (ok);
      got = streams_summary (streams);
      g_assert_cmpstr (got, ==, row->expected);
    }
}

typedef struct
{
  const char *name;
  const char *text;
  gboolean hold;
} HoldCase;

static const HoldCase hold_cases[] = {
  { "sendrecv", HEADER "m=audio 5 RTP/AVP 0\n", FALSE },
  { "sendonly", HEADER "m=audio 5 RTP/AVP 0\na=sendonly\n", TRUE },
  { "inactive", HEADER "m=audio 5 RTP/AVP 0\na=inactive\n", TRUE },
  { "recvonly", HEADER "m=audio 5 RTP/AVP 0\na=recvonly\n", FALSE },
  { "c-zero", "v=0\no=x 1 1 IN IP4 h\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 5 RTP/AVP 0\n", TRUE },
  { "video-sendonly-only", HEADER "m=audio 5 RTP/AVP 0\nm=video 7 RTP/AVP 96\na=sendonly\n",
    FALSE },
  { "no-active-audio", HEADER "m=audio 0 RTP/AVP 0\n", FALSE },
};

static void
test_hold (gconstpointer data)
{
  const HoldCase *row = data;
  g_autoptr (SpSdpSession) remote = parse_ok (row->text);

  g_assert_cmpint (sp_sdp_remote_is_hold (remote), ==, row->hold);
}

typedef struct
{
  const char *name;
  const char *other;
  gboolean same;
} SameCase;

#define SAME_BASE HEADER "m=audio 5 RTP/AVP 0\na=rtcp:9\n"

static const SameCase same_cases[] = {
  { "identical", SAME_BASE, TRUE },
  { "only-version",
    "v=0\no=caller 7 8 IN IP4 198.51.100.7\ns=other\nc=IN IP4 198.51.100.7\nt=0 0\nm=audio 5 "
    "RTP/AVP 0\na=rtcp:9\n",
    TRUE },
  { "port", HEADER "m=audio 6 RTP/AVP 0\na=rtcp:9\n", FALSE },
  { "rtcp", HEADER "m=audio 5 RTP/AVP 0\n", FALSE },
  { "direction", SAME_BASE "a=sendonly\n", FALSE },
  { "codec", HEADER "m=audio 5 RTP/AVP 8\na=rtcp:9\n", FALSE },
  { "fmtp", SAME_BASE "a=fmtp:0 x=1\n", FALSE },
  { "session-id",
    "v=0\no=caller 8 7 IN IP4 198.51.100.7\ns=-\nc=IN IP4 198.51.100.7\nt=0 0\nm=audio 5 RTP/AVP "
    "0\na=rtcp:9\n",
    FALSE },
  { "address", SAME_BASE "c=IN IP4 198.51.100.8\n", FALSE },
  { "extra-line", SAME_BASE "m=video 0 RTP/AVP 96\n", FALSE },
};

static void
test_same_content (gconstpointer data)
{
  const SameCase *row = data;
  g_autoptr (SpSdpSession) a = parse_ok (SAME_BASE);
  g_autoptr (SpSdpSession) b = parse_ok (row->other);

  g_assert_cmpint (sp_sdp_same_content (a, b), ==, row->same);
  g_assert_cmpint (sp_sdp_same_content (b, a), ==, row->same);
}

/* ---- RFC 4317 ------------------------------------------------------------------------- */

/* Where the RFC's answerer chose what we choose, its answer must match ours on m-line count,
 * which ports are zero, direction and the codec; "488" marks offers whose audio we cannot take
 * with our own codecs (iLBC only). The other rows differ for a stated reason. */
typedef struct
{
  const char *offer;
  const char
    *compare;      /* our codecs: "rfc" (same essentials as the RFC's answer), "488", or why not */
  const char *bob; /* with RFC Bob's codecs added: "rfc" or why not */
} CorpusCase;

static const CorpusCase corpus_cases[] = {
  { "2.1-offer", "Bob accepts MPV video, which we do not support",
    "Bob picks MPV, the second video codec; we take the first offered" },
  { "2.2-offer", "rfc", "Bob declines video; we may take it" },
  { "2.2-second-offer", "rfc", "rfc" },
  { "2.3-offer", "Bob answers iLBC at a renumbered PT and declines video",
    "Bob picks iLBC; we take the first offered, PCMU" },
  { "2.4-offer", "Bob takes iLBC and the DTMF-only stream; we take PCMU, decline DTMF-only",
    "Bob picks iLBC; we take the first offered, PCMU" },
  { "2.5-offer", "488", "rfc" },
  { "2.5-second-offer", "488", "rfc" },
  { "2.6-offer", "Bob declines the first PCMU stream, we take both",
    "Bob declines the first PCMU stream; we take both" },
  { "2.7-offer", "488", "rfc" },
  { "2.7-second-offer", "488", "rfc" },
  { "2.8-offer", "Bob accepts MPV video, which we do not support",
    "Bob picks MPV, the second video codec; we take the first offered" },
  { "3.1-offer", "Bob holds Alice in his answer (sendonly)",
    "Bob holds Alice in his answer (sendonly)" },
  { "3.1-second-offer", "488", "rfc" },
  { "3.2-offer", "Bob takes iLBC and the DTMF-only stream; we take PCMU, decline DTMF-only",
    "Bob picks iLBC; we take the first offered, PCMU" },
  { "3.2-second-offer", "488",
    "Alice answers a sendonly stream sendrecv, against RFC 3264 6.1; we answer recvonly" },
  { "4.1-offer", "Bob prefers iLBC, we take the first offered PCMU",
    "Bob picks iLBC; we take the first offered, PCMU" },
  { "4.1-second-offer", "488",
    "Alice takes the DTMF-only stream; we decline DTMF without a codec" },
  { "4.2-offer", "rfc", "rfc" },
  { "4.2-second-offer", "Bob accepts H.261 video, we do not support it", "rfc" },
  { "4.3-offer", "488", "rfc" },
  { "4.3-second-offer", "488", "rfc" },
  { "5.1-offer", "rfc", "rfc" },
  { "5.1-second-offer", "488", "rfc" },
  { "5.2-offer", "488",
    "3pcc c=0.0.0.0 (no address yet); we read it as RFC 3264 8.4 hold and answer recvonly" },
  { "5.2-second-offer", "488", "rfc" },
  { "5.3-offer", "488",
    "3pcc c=0.0.0.0 (no address yet); we read it as RFC 3264 8.4 hold and answer recvonly" },
  { "5.3-second-offer", "488", "rfc" },
};

static SpSdpSession *
parse_corpus (const char *stem)
{
  g_autofree char *name = g_strdup_printf ("4317-%s.sdp", stem);

  return parse_file ("rfc4317", name);
}

/* Bob in RFC 4317 also speaks iLBC, H.261 and MPV: with those every offer gets an answer. */
static SpSdpLocal *
make_bob (void)
{
  SpSdpLocal *local = make_local (F_VIDEO);

  g_ptr_array_add (local->audio_codecs, sp_sdp_codec_new (97, "iLBC", 8000, 1, NULL));
  g_ptr_array_add (local->video_codecs, sp_sdp_codec_new (31, "H261", 90000, 0, NULL));
  g_ptr_array_add (local->video_codecs, sp_sdp_codec_new (32, "MPV", 90000, 0, NULL));
  return local;
}

static const SpSdpCodec *
first_codec (const SpSdpMedia *m)
{
  for (guint i = 0; i < m->codecs->len; i++)
    {
      const SpSdpCodec *c = m->codecs->pdata[i];
      if (c->name && g_ascii_strcasecmp (c->name, "telephone-event") != 0)
        return c;
    }
  return NULL;
}

/* NULL when @ours matches the RFC's answer in the essentials, else what differs. */
static char *
differs_from_rfc (const SpSdpSession *ours, const SpSdpSession *rfc)
{
  if (ours->media->len != rfc->media->len)
    return g_strdup ("m-line count");
  for (guint i = 0; i < ours->media->len; i++)
    {
      const SpSdpMedia *o = ours->media->pdata[i], *r = rfc->media->pdata[i];
      const SpSdpCodec *oc = first_codec (o), *rc = first_codec (r);

      if ((o->port == 0) != (r->port == 0))
        return g_strdup_printf ("m-line %u: port zero or not", i);
      if (!o->port)
        continue;
      if (o->direction != r->direction)
        return g_strdup_printf ("m-line %u: direction", i);
      if (!oc || !rc || g_strcmp0 (oc->name, rc->name) != 0 || oc->pt != rc->pt)
        return g_strdup_printf ("m-line %u: codec", i);
    }
  return NULL;
}

/* "rfc" rows must match the RFC's answer; every other row must really differ from it, so
 * the reasons in the table stay true. */
static void
check_against_rfc (const SpSdpSession *ours, const SpSdpSession *rfc, const char *expect)
{
  g_autofree char *diff = differs_from_rfc (ours, rfc);

  if (g_str_equal (expect, "rfc"))
    g_assert_null (diff);
  else
    {
      g_test_message ("differs from the RFC's answer (%s): %s", diff ? diff : "no", expect);
      g_assert_nonnull (diff);
    }
}

static void
test_rfc4317 (gconstpointer data)
{
  const CorpusCase *row = data;
  g_autoptr (SpSdpSession) offer = parse_corpus (row->offer);
  g_autofree char *answer_stem = g_strdup (row->offer);
  g_autoptr (SpSdpSession) rfc_answer = NULL;
  g_autoptr (SpSdpLocal) ours = make_local (F_VIDEO);
  g_autoptr (SpSdpLocal) bob = make_bob ();
  g_autoptr (SpSdpSession) answer = NULL;
  g_autoptr (SpSdpSession) bob_answer = NULL;
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GPtrArray) rfc_streams = NULL;
  g_autoptr (GError) error = NULL;

  memcpy (strstr (answer_stem, "offer"), "answe", 5); /* "-offer" -> "-answe" + "r" */
  {
    g_autofree char *stem = g_strconcat (answer_stem, "r", NULL);
    rfc_answer = parse_corpus (stem);
  }
  /* Our validator accepts the RFC's own exchange. */
  g_assert_true (sp_sdp_negotiated (rfc_answer, offer, FALSE, &rfc_streams, &error));
  g_assert_no_error (error);

  /* With RFC Bob's codecs every offer is answered, and the answer reads back. */
  bob_answer = sp_sdp_answer (offer, bob, NULL, &error);
  g_assert_no_error (error);
  check_own_description (bob_answer);
  g_assert_true (sp_sdp_negotiated (bob_answer, offer, FALSE, &streams, &error));
  g_assert_no_error (error);
  g_clear_pointer (&streams, g_ptr_array_unref);
  check_against_rfc (bob_answer, rfc_answer, row->bob);

  answer = sp_sdp_answer (offer, ours, NULL, &error);
  if (g_str_equal (row->compare, "488"))
    {
      g_assert_error (error, SP_SDP_ERROR, SP_SDP_ERROR_NOT_ACCEPTABLE);
      return;
    }
  g_assert_no_error (error);
  check_own_description (answer);
  check_against_rfc (answer, rfc_answer, row->compare);
}

/* Every RFC 4317 file parses, and the table above covers every offer in the index. */
static void
test_rfc4317_index (void)
{
  g_autofree char *path = data_path ("rfc4317", "index.tsv");
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint offers = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      g_auto (GStrv) cols = g_strsplit (lines[i], "\t", -1);
      g_autofree char *stem = NULL;
      g_autoptr (SpSdpSession) session = NULL;
      gboolean listed = FALSE;

      g_assert_cmpuint (g_strv_length (cols), ==, 6);
      session = parse_file ("rfc4317", cols[0]);
      g_assert_nonnull (session);
      if (!g_str_equal (cols[4], "offer"))
        continue;
      offers++;
      stem = g_strndup (cols[0] + 5, strlen (cols[0]) - 5 - 4);
      for (guint j = 0; j < G_N_ELEMENTS (corpus_cases); j++)
        listed |= g_str_equal (corpus_cases[j].offer, stem);
      g_assert_true (listed);
    }
  g_assert_cmpuint (offers, ==, G_N_ELEMENTS (corpus_cases));
}

/* ---- captured from real peers --------------------------------------------------------- */

static void
test_captured_sipp (void)
{
  g_autoptr (SpSdpSession) offer = parse_file ("sdp", "sipp-uac-offer.sdp");
  g_autoptr (SpSdpSession) sipp_answer = parse_file ("sdp", "sipp-uas-answer.sdp");
  g_autoptr (SpSdpLocal) local = make_local (0);
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (offer, local, NULL, NULL);
  g_autofree char *got = summary (answer);
  g_autoptr (GPtrArray) streams = NULL;
  g_autofree char *st = NULL;

  g_assert_cmpstr (got, ==, "audio sendrecv 0=PCMU");
  check_own_description (answer);
  /* sipp's UAS answered sipp's UAC: a valid exchange seen from the offerer. */
  g_assert_true (sp_sdp_negotiated (offer, sipp_answer, TRUE, &streams, NULL));
  st = streams_summary (streams);
  g_assert_cmpstr (st, ==, "127.0.0.1:6000/6001 sendrecv PCMU send=0 recv=0 dtmf=0/0");
}

static void
test_captured_baresip_offer (void)
{
  g_autoptr (SpSdpSession) offer = parse_file ("sdp", "baresip-offer.sdp");
  g_autoptr (SpSdpLocal) local = make_local (F_VIDEO);
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (offer, local, NULL, NULL);
  g_autofree char *got = summary (answer);
  g_autoptr (GPtrArray) streams = NULL;
  g_autofree char *st = NULL;

  /* baresip offers telephone-event/8000 only, so with opus there is no DTMF (RFC 4733). */
  g_assert_cmpstr (got, ==, "audio sendrecv 96=opus | video sendrecv 96=VP8{nack pli}");
  check_own_description (answer);
  g_assert_true (sp_sdp_negotiated (answer, offer, FALSE, &streams, NULL));
  st = streams_summary (streams);
  g_assert_cmpstr (st, ==,
                   "127.0.0.1:41884/41885 sendrecv opus send=96 recv=96 dtmf=0/0 | "
                   "127.0.0.1:41690/41691 sendrecv VP8 send=96 recv=96 dtmf=0/0 {nack pli}");
}

static void
test_captured_baresip_answer (void)
{
  g_autoptr (SpSdpSession) offer = parse_file ("sdp", "sportello-offer.sdp");
  g_autoptr (SpSdpSession) answer = parse_file ("sdp", "baresip-answer.sdp");
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *st = NULL;

  /* baresip answers with all four audio formats; we use its first. Its telephone-event is at
   * 8000 Hz, opus at 48000: no DTMF PT (RFC 4733 §2.1). */
  g_assert_true (sp_sdp_negotiated (offer, answer, TRUE, &streams, &error));
  g_assert_no_error (error);
  st = streams_summary (streams);
  g_assert_cmpstr (st, ==,
                   "127.0.0.1:41482/41483 sendrecv opus send=111 recv=111 dtmf=0/0 | "
                   "127.0.0.1:41714/41715 sendrecv VP8 send=96 recv=96 dtmf=0/0 {nack pli}");
}

/* ---- SRTP: offering, completing, re-offering ---------------------------------------- */

static SpSdpSession *
srtp_answer_to (const SpSdpSession *offer, const char *audio)
{
  g_autofree char *text
    = g_strconcat (HEADER, audio, "m=audio 0 RTP/SAVP 0\nm=audio 0 RTP/SAVP 0\n", NULL);

  g_assert_cmpuint (offer->media->len, ==, 3);
  return parse_ok (text);
}

static void
assert_invalid_answer (const SpSdpSession *offer, const char *audio, const char *expected)
{
  g_autoptr (SpSdpSession) answer = srtp_answer_to (offer, audio);
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (sp_sdp_negotiated (offer, answer, TRUE, &streams, &error));
  g_assert_error (error, SP_SDP_ERROR, SP_SDP_ERROR_INVALID_ANSWER);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_null (strstr (error->message, RFC_KEY));
}

/* Required: RTP/SAVP with a line per suite, strongest first, each with the slot's own key; the
 * answer's line decides the keys of both directions. */
static void
test_srtp_offer (void)
{
  g_autoptr (SpSdpLocal) local = make_local (F_SRTP_ONLY);
  g_autoptr (SpSdpSession) offer = sp_sdp_offer (local, NULL);
  g_autoptr (SpSdpSession) answer = NULL;
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *got = summary (offer);
  const SpSdpMedia *audio = offer->media->pdata[0];
  const SpSdpSlot *slot = &g_array_index (local->slots, SpSdpSlot, 0);
  const SpSdpStream *stream;
  SpSdesCrypto theirs;

  g_assert_cmpstr (got, ==,
                   "audio sendrecv 111=opus 0=PCMU 8=PCMA 101=telephone-event "
                   "crypto=1:AES_256_CM_HMAC_SHA1_80 crypto=2:AES_CM_128_HMAC_SHA1_80 "
                   "crypto=3:AES_256_CM_HMAC_SHA1_32 crypto=4:AES_CM_128_HMAC_SHA1_32 | "
                   "audio sendrecv 111=opus 0=PCMU 8=PCMA 101=telephone-event "
                   "crypto=1:AES_256_CM_HMAC_SHA1_80 crypto=2:AES_CM_128_HMAC_SHA1_80 "
                   "crypto=3:AES_256_CM_HMAC_SHA1_32 crypto=4:AES_CM_128_HMAC_SHA1_32 | "
                   "audio sendrecv 111=opus 0=PCMU 8=PCMA 101=telephone-event "
                   "crypto=1:AES_256_CM_HMAC_SHA1_80 crypto=2:AES_CM_128_HMAC_SHA1_80 "
                   "crypto=3:AES_256_CM_HMAC_SHA1_32 crypto=4:AES_CM_128_HMAC_SHA1_32");
  g_assert_cmpstr (audio->proto, ==, "RTP/SAVP");
  g_assert_cmpmem (g_array_index (audio->cryptos, SpSdesCrypto, 1).key, 30,
                   slot->keys[SP_SRTP_AES_CM_128_HMAC_SHA1_80].key, 30);
  check_own_description (offer);

  answer = srtp_answer_to (offer, "m=audio 6000 RTP/SAVP 0\na=crypto:2 AES_CM_128_HMAC_SHA1_80 "
                                  "inline:" RFC_KEY "\n");
  g_assert_true (sp_sdp_negotiated (offer, answer, TRUE, &streams, &error));
  g_assert_no_error (error);
  stream = streams->pdata[0];
  g_assert_true (stream->encrypted);
  g_assert_cmpint (stream->send_key.suite, ==, SP_SRTP_AES_CM_128_HMAC_SHA1_80);
  g_assert_cmpmem (stream->send_key.key, 30, slot->keys[SP_SRTP_AES_CM_128_HMAC_SHA1_80].key, 30);
  g_assert_true (sp_sdes_parse ("2 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, &theirs, NULL));
  g_assert_true (sp_sdes_equal (&stream->recv_key, &theirs));
  g_assert_false (((const SpSdpStream *)streams->pdata[1])->encrypted);

  assert_invalid_answer (offer, "m=audio 6000 RTP/AVP 0\n", "answered without a usable a=crypto");
  assert_invalid_answer (
    offer, "m=audio 6000 RTP/SAVP 0\na=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\n",
    "offered tag");
  assert_invalid_answer (
    offer, "m=audio 6000 RTP/SAVP 0\na=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:" KEY_46 "\n",
    "offered tag");
  assert_invalid_answer (offer,
                         "m=audio 6000 RTP/SAVP 0\n"
                         "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\n"
                         "a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:" RFC_KEY "\n",
                         "not one line");
}

/* Preferred: plain RTP/AVP with keys; an answer without them is plain RTP. */
static void
test_srtp_preferred_offer_answered_plain (void)
{
  g_autoptr (SpSdpLocal) local = make_local (F_SRTP);
  g_autoptr (SpSdpSession) offer = sp_sdp_offer (local, NULL);
  g_autoptr (SpSdpSession) answer = srtp_answer_to (offer, "m=audio 6000 RTP/AVP 0\n");
  g_autoptr (GPtrArray) streams = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (((const SpSdpMedia *)offer->media->pdata[0])->proto, ==, "RTP/AVP");
  g_assert_cmpuint (((const SpSdpMedia *)offer->media->pdata[0])->cryptos->len, ==, 4);
  g_assert_true (sp_sdp_negotiated (offer, answer, TRUE, &streams, &error));
  g_assert_no_error (error);
  g_assert_true (((const SpSdpStream *)streams->pdata[0])->active);
  g_assert_false (((const SpSdpStream *)streams->pdata[0])->encrypted);
}

/* After an exchange the re-offer repeats the agreed line with the same key (RFC 4568 §7.1.4:
 * no re-key), and a description with nothing changed keeps its version. */
static void
test_srtp_reoffer_keeps_the_key (void)
{
  g_autoptr (SpSdpLocal) local = make_local (F_SRTP_ONLY);
  g_autoptr (SpSdpSession) first = sp_sdp_offer (local, NULL);
  g_autoptr (SpSdpSession) second = NULL;
  g_autoptr (SpSdpSession) third = NULL;
  SpSdpSlot *slot = &g_array_index (local->slots, SpSdpSlot, 0);
  const SpSdpMedia *audio;

  slot->active = TRUE;
  slot->active_suite = SP_SRTP_AES_CM_128_HMAC_SHA1_80;
  slot->active_tag = 2;
  second = sp_sdp_offer (local, first);
  third = sp_sdp_offer (local, second);
  audio = second->media->pdata[0];
  g_assert_cmpuint (audio->cryptos->len, ==, 1);
  g_assert_true (sp_sdes_equal (
    &g_array_index (audio->cryptos, SpSdesCrypto, 0),
    &g_array_index (((const SpSdpMedia *)first->media->pdata[0])->cryptos, SpSdesCrypto, 1)));
  g_assert_cmpuint (second->version, ==, first->version + 1);
  g_assert_cmpuint (third->version, ==, second->version);
  /* A new key (drawn again) is a change. */
  g_assert_true (sp_sdp_local_draw_keys (local, 0, NULL));
  g_clear_pointer (&third, sp_sdp_session_free);
  third = sp_sdp_offer (local, second);
  g_assert_cmpuint (third->version, ==, second->version + 1);
  g_assert_cmpuint (((const SpSdpMedia *)third->media->pdata[0])->cryptos->len, ==, 4);
}

/* A refused stream never carries keys: not the offerer's echoed back, not ours. */
static void
test_srtp_refused_stream_has_no_keys (void)
{
  g_autofree char *text = g_strconcat (HEADER, "m=audio 5 RTP/AVP 0\n" CRYPTO_1,
                                       "m=video 7 RTP/SAVP 96\na=rtpmap:96 VP8/90000\n"
                                       "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" KEY_46 "\n",
                                       NULL);
  g_autoptr (SpSdpSession) offer = parse_ok (text);
  g_autoptr (SpSdpLocal) local = make_local (F_SRTP);
  g_autoptr (SpSdpSession) answer = sp_sdp_answer (offer, local, NULL, NULL);
  g_autofree char *printed = sp_sdp_print (answer);
  g_autofree char *got = summary (answer);

  g_assert_cmpstr (got, ==, "audio sendrecv 0=PCMU crypto=1:AES_CM_128_HMAC_SHA1_80 | video 0");
  g_assert_null (strstr (printed, RFC_KEY));
  g_assert_null (strstr (printed, KEY_46));
  g_assert_cmpuint (((const SpSdpMedia *)answer->media->pdata[1])->cryptos->len, ==, 0);
  g_assert_nonnull (strstr (
    printed, "RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
}

/* Keys are fresh per local description (per call). */
static void
test_srtp_keys_are_per_call (void)
{
  g_autoptr (SpSdpLocal) a = make_local (F_SRTP);
  g_autoptr (SpSdpLocal) b = make_local (F_SRTP);

  for (SpSrtpSuite suite = 0; suite < SP_SRTP_N_SUITES; suite++)
    g_assert_false (sp_sdes_equal (&g_array_index (a->slots, SpSdpSlot, 0).keys[suite],
                                   &g_array_index (b->slots, SpSdpSlot, 0).keys[suite]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdp/parse/%s", parse_cases[i].name);
      g_test_add_data_func (path, &parse_cases[i], test_parse);
    }
  g_test_add_func ("/sdp/parse/length", test_parse_length);
  g_test_add_func ("/sdp/parse/nul", test_parse_nul);
  g_test_add_func ("/sdp/parse/rtpmap-without-rate", test_parse_rtpmap_without_rate);
  for (guint i = 0; i < G_N_ELEMENTS (answer_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdp/answer/%s", answer_cases[i].name);
      g_test_add_data_func (path, &answer_cases[i], test_answer);
    }
  g_test_add_func ("/sdp/answer/rtcp-port", test_answer_rtcp_port);
  g_test_add_func ("/sdp/answer/reoffer", test_answer_reoffer);
  g_test_add_func ("/sdp/linphone/hold", test_linphone_hold);
  g_test_add_func ("/sdp/answer/address-family", test_address_family);
  g_test_add_func ("/sdp/rtx", test_rtx);
  g_test_add_func ("/sdp/offer/sequence", test_offer_sequence);
  g_test_add_func ("/sdp/offer/keeps-payload-types", test_offer_keeps_payload_types);
  g_test_add_func ("/sdp/offer/text", test_offer_text);
  for (guint i = 0; i < G_N_ELEMENTS (negotiated_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdp/negotiated/%s", negotiated_cases[i].name);
      g_test_add_data_func (path, &negotiated_cases[i], test_negotiated);
    }
  for (guint i = 0; i < G_N_ELEMENTS (hold_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdp/hold/%s", hold_cases[i].name);
      g_test_add_data_func (path, &hold_cases[i], test_hold);
    }
  for (guint i = 0; i < G_N_ELEMENTS (same_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdp/same-content/%s", same_cases[i].name);
      g_test_add_data_func (path, &same_cases[i], test_same_content);
    }
  g_test_add_func ("/sdp/rfc4317/index", test_rfc4317_index);
  for (guint i = 0; i < G_N_ELEMENTS (corpus_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdp/rfc4317/%s", corpus_cases[i].offer);
      g_test_add_data_func (path, &corpus_cases[i], test_rfc4317);
    }
  g_test_add_func ("/sdp/captured/sipp", test_captured_sipp);
  g_test_add_func ("/sdp/captured/baresip-offer", test_captured_baresip_offer);
  g_test_add_func ("/sdp/captured/baresip-answer", test_captured_baresip_answer);
  g_test_add_func ("/sdp/srtp/offer", test_srtp_offer);
  g_test_add_func ("/sdp/srtp/preferred-offer-answered-plain",
                   test_srtp_preferred_offer_answered_plain);
  g_test_add_func ("/sdp/srtp/reoffer-keeps-the-key", test_srtp_reoffer_keeps_the_key);
  g_test_add_func ("/sdp/srtp/refused-stream-has-no-keys", test_srtp_refused_stream_has_no_keys);
  g_test_add_func ("/sdp/srtp/keys-are-per-call", test_srtp_keys_are_per_call);
  return g_test_run ();
}
