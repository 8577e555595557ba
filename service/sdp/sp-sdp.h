/* Pure SDP offer/answer (RFC 3264) for one SIP leg: parse with Sofia-SIP, negotiate, print.
 * No I/O, no globals, no GObject: plain structs, so every rule is a table row in test-sdp.c. */
#pragma once

#include <glib.h>

#include "sp-sdes.h"

G_BEGIN_DECLS

#define SP_SDP_ERROR (sp_sdp_error_quark ())
GQuark
sp_sdp_error_quark (void);

typedef enum
{
  SP_SDP_ERROR_PARSE, /* not SDP, or SDP we cannot use (no c= for an active stream, bad port) */
  SP_SDP_ERROR_NOT_ACCEPTABLE, /* an offer with no usable audio stream: answer SIP 488 */
  SP_SDP_ERROR_INVALID_ANSWER, /* an answer that does not fit the offer it answers (RFC 3264 §6) */
} SpSdpError;

typedef enum
{
  SP_SDP_MEDIA_AUDIO,
  SP_SDP_MEDIA_VIDEO,
  SP_SDP_MEDIA_OTHER, /* application, image, text, ...: always answered with port 0 */
} SpSdpMediaKind;

/* A bitmask on purpose (bit 0: we send, bit 1: we receive), so that the answer direction is
 * "our intent AND the offer's direction seen from our side" (RFC 3264 §6.1), as in Rakia. */
typedef enum
{
  SP_SDP_INACTIVE = 0,
  SP_SDP_SENDONLY = 1 << 0,
  SP_SDP_RECVONLY = 1 << 1,
  SP_SDP_SENDRECV = SP_SDP_SENDONLY | SP_SDP_RECVONLY,
} SpSdpDirection;

/* Whether our streams use SRTP with SDES keys (RFC 4568). */
typedef enum
{
  SP_SDP_CRYPTO_NONE, /* plain RTP: offers carry no keys; SRTP-only (RTP/SAVP) streams get port 0 */
  SP_SDP_CRYPTO_OPTIONAL,  /* offers are RTP/AVP with a=crypto; answers take keys when offered */
  SP_SDP_CRYPTO_MANDATORY, /* offers are RTP/SAVP; a stream without usable keys gets port 0 */
} SpSdpCryptoPolicy;

/* One RTP payload format of an m-line. */
typedef struct
{
  guint pt;         /* 0..127 */
  char *name;       /* encoding name from a=rtpmap (or PT 0/8 static); NULL when unknown */
  guint clock_rate; /* 0 when unknown */
  guint channels;   /* audio: 1 unless a=rtpmap says otherwise; video: 0 */
  char *fmtp;       /* a=fmtp parameters, or NULL */
  GStrv rtcp_fb;    /* a=rtcp-fb values ("nack", "nack pli", "ccm fir"), or NULL */
} SpSdpCodec;

/* One m-line. */
typedef struct
{
  SpSdpMediaKind kind;
  char *media;              /* the m= media token: "audio", "video", "application", ... */
  guint port;               /* 0: rejected, declined or removed (the slot stays) */
  char *proto;              /* "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "udptl", ... */
  char *address;            /* effective c= address: media level if present, else session level */
  guint rtcp_port;          /* a=rtcp (RFC 3605) if present, else port + 1; 0 when port is 0 */
  SpSdpDirection direction; /* media a=, else session a=, else sendrecv; c=0.0.0.0 clears RECV */
  GPtrArray *codecs;        /* of SpSdpCodec, m= order; empty for non-RTP protocols */
  GStrv formats;            /* the raw m= format tokens, kept for non-RTP media */
  GArray *cryptos; /* of SpSdesCrypto: the usable a=crypto lines, in order; wiped when freed */
  guint unusable_cryptos; /* a=crypto lines we cannot use (unknown suite, MKI, malformed) */
} SpSdpMedia;

typedef struct
{
  char *username;       /* o= username ("-" when we have none) */
  guint64 session_id;   /* o= sess-id */
  guint64 version;      /* o= sess-version */
  char *origin_address; /* o= address */
  char *address;        /* session-level c= address, or NULL */
  GPtrArray *media;     /* of SpSdpMedia, m-line order */
} SpSdpSession;

/* Per m-line slot of our own description: the ports the media layer bound before we wrote
 * SDP (GNOME Calls' trick) and what we want to do with the stream. */
typedef struct
{
  SpSdpMediaKind kind; /* used when we offer; an answer takes the kind from the offer */
  gboolean enabled;    /* FALSE: offer/answer this slot with port 0 */
  guint rtp_port;
  guint rtcp_port;          /* 0: rtp_port + 1 */
  SpSdpDirection direction; /* our intent: SENDRECV, SENDONLY for hold, INACTIVE for video off */
  /* Our sending keys, one per suite (key_length 0: none): drawn once per call by the caller and
   * kept, so a re-offer does not re-key. Wiped with the SpSdpLocal. */
  SpSdesCrypto keys[SP_SRTP_N_SUITES];
  gboolean active; /* an exchange agreed on active_suite under active_tag: re-offer only it */
  SpSrtpSuite active_suite;
  guint active_tag;
} SpSdpSlot;

/* Our capabilities for one offer/answer. sp_sdp_local_new() fills in the codecs Sportello
 * supports, in preference order; callers may reorder or drop them. */
typedef struct
{
  char *username;     /* o= username */
  guint64 session_id; /* o= sess-id of a new description (the caller picks it, e.g. NTP time) */
  char *address;      /* our configured address for o= and c=, never an interface address */
  GPtrArray *audio_codecs; /* of SpSdpCodec: pt is the PT we offer with; telephone-event included */
  GPtrArray *video_codecs; /* of SpSdpCodec: rtcp_fb lists the feedback we support */
  gboolean video_allowed;  /* policy, camera and CRM approval: FALSE answers video with port 0 */
  gboolean h264_encoder;   /* H264 only when an encoder exists */
  gboolean video_rtx;      /* offer and accept RTX (RFC 4588) for each video codec */
  SpSdpCryptoPolicy crypto; /* SP_SDP_CRYPTO_NONE unless set */
  GArray *slots;            /* of SpSdpSlot, by m-line index */
} SpSdpLocal;

/* The result of a completed exchange for one m-line. */
typedef struct
{
  guint index; /* m-line index */
  SpSdpMediaKind kind;
  gboolean active; /* FALSE when either side has port 0 or nothing could be agreed */
  char *remote_address;
  guint remote_rtp_port;
  guint remote_rtcp_port;
  guint local_rtp_port;
  guint local_rtcp_port;
  SpSdpCodec *codec;  /* the one codec, described as the remote wrote it; NULL if !active */
  guint send_pt;      /* the PT we send with (the remote's number, RFC 3264 §6.1) */
  guint recv_pt;      /* the PT we receive (our number); equal to send_pt in our answers */
  guint dtmf_send_pt; /* telephone-event at the codec's clock rate, 0 if none */
  guint dtmf_recv_pt;
  guint rtx_send_pt; /* RFC 4588 retransmissions of the codec (apt=send_pt / recv_pt), 0 if none */
  guint rtx_recv_pt;
  SpSdpDirection direction; /* effective: our intent combined with the remote's */
  gboolean encrypted;       /* SRTP: send with send_key, receive with recv_key */
  SpSdesCrypto send_key;    /* ours, as in our description (the answer's tag) */
  SpSdesCrypto recv_key;    /* the peer's line with that tag; wiped when the stream is freed */
} SpSdpStream;

/* Plain constructors, deep copies and destructors (NULL-safe frees). Strings are copied. */
SpSdpCodec *
sp_sdp_codec_new (guint pt, const char *name, guint clock_rate, guint channels, const char *fmtp);
SpSdpCodec *
sp_sdp_codec_copy (const SpSdpCodec *codec);
void
sp_sdp_codec_free (SpSdpCodec *codec);

/* An m-line with no codecs; @media decides the kind ("audio", "video", anything else). */
SpSdpMedia *
sp_sdp_media_new (const char *media, guint port, const char *proto);
SpSdpMedia *
sp_sdp_media_copy (const SpSdpMedia *media);
void
sp_sdp_media_free (SpSdpMedia *media);

/* A description with no m-lines; @address becomes both the o= and the session c= address. */
SpSdpSession *
sp_sdp_session_new (const char *username, guint64 session_id, guint64 version, const char *address);
SpSdpSession *
sp_sdp_session_copy (const SpSdpSession *session);
void
sp_sdp_session_free (SpSdpSession *session);

/* Sportello's codecs: opus/48000/2 (111), PCMU (0), PCMA (8), telephone-event/8000 (101);
 * VP8 (96) and H264 (97) with rtcp-fb nack, nack pli, ccm fir, each with an rtx/90000 format
 * (RFC 4588 §8: 98 apt=96, 99 apt=97) while video_rtx is set (the default). No slots, video
 * not allowed. */
SpSdpLocal *
sp_sdp_local_new (const char *username, guint64 session_id, const char *address);
void
sp_sdp_local_free (SpSdpLocal *local);
/* Appends a slot and returns its index. */
guint
sp_sdp_local_add_slot (SpSdpLocal *local, SpSdpMediaKind kind, guint rtp_port, guint rtcp_port,
                       SpSdpDirection direction);

/* Gives slot @index fresh keys for every suite (getrandom); FALSE when the kernel has none. */
gboolean
sp_sdp_local_draw_keys (SpSdpLocal *local, guint index, GError **error);

/* Frees one element of sp_sdp_negotiated()'s array (the array owns them). */
void
sp_sdp_stream_free (SpSdpStream *stream);

/* Parses @text (@length bytes, or NUL-terminated if -1) with Sofia-SIP. Before Sofia: no NUL,
 * every line <type>=, m= lines made of space-separated tokens (Sofia 1.12.11 hangs on others).
 * After: every active stream needs a c= (RFC 4566 §5.7), ports fit 16 bits, RTP formats are
 * payload numbers. Errors are SP_SDP_ERROR_PARSE, with Sofia's message where Sofia failed. */
SpSdpSession *
sp_sdp_parse (const char *text, gssize length, GError **error);

/* Prints @session as SDP text with CRLF line ends. Never fails. */
char *
sp_sdp_print (const SpSdpSession *session);

/* TRUE when @a and @b describe the same session apart from the o= version: whether a new
 * description needs version + 1 (RFC 3264 §8). Either may be NULL (then only NULL == NULL). */
gboolean
sp_sdp_same_content (const SpSdpSession *a, const SpSdpSession *b);

/* The direction as seen from the other side: SENDONLY <-> RECVONLY. */
SpSdpDirection
sp_sdp_direction_flip (SpSdpDirection direction);
/* "sendrecv", "sendonly", "recvonly", "inactive". */
const char *
sp_sdp_direction_to_string (SpSdpDirection direction);

/* TRUE when the remote puts us on hold: it has an active audio stream and no active audio
 * stream it wants to receive on (a=sendonly, a=inactive, or legacy c=0.0.0.0). */
gboolean
sp_sdp_remote_is_hold (const SpSdpSession *remote);

/* Answers @offer (RFC 3264 §6). Same m-line count and order; per active RTP audio/video
 * m-line the first offered codec we support (matched by name/clock/channels, never by PT
 * number except static 0 and 8), keeping the offerer's PT, plus telephone-event at the same
 * clock; everything we cannot or may not take gets port 0. @previous_local is our last
 * description in this dialog (or NULL): its session id is kept and its version incremented
 * only if something changed. SP_SDP_ERROR_NOT_ACCEPTABLE when no audio stream can be
 * accepted, or when a re-offer has fewer m-lines than @previous_local. */
SpSdpSession *
sp_sdp_answer (const SpSdpSession *offer, const SpSdpLocal *local,
               const SpSdpSession *previous_local, GError **error);

/* A new offer from @local's slots, or with @previous_local a re-offer (RFC 3264 §8): the
 * m-line count never shrinks, slots keep their order, a slot that is missing or disabled
 * stays as port 0, PT numbers of earlier exchanges are kept, the session id is kept and the
 * version goes up by one only if something changed. Never offers rtcp-mux or BUNDLE. */
SpSdpSession *
sp_sdp_offer (const SpSdpLocal *local, const SpSdpSession *previous_local);

/* Completes an exchange between our description @local and the peer's @remote (the answer
 * if @local_is_offer, else the offer). Validates the answer against the offer (same m-line
 * count and media, port 0 kept, answered codecs among the offered ones) and returns one
 * SpSdpStream per m-line in @streams. SP_SDP_ERROR_INVALID_ANSWER on violations. */
gboolean
sp_sdp_negotiated (const SpSdpSession *local, const SpSdpSession *remote, gboolean local_is_offer,
                   GPtrArray **streams, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSdpCodec, sp_sdp_codec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSdpMedia, sp_sdp_media_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSdpSession, sp_sdp_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSdpLocal, sp_sdp_local_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSdpStream, sp_sdp_stream_free)

G_END_DECLS
