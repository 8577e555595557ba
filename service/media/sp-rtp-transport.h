/* The UDP side of one rtpbin session: a pre-bound RTP/RTCP socket pair shared by a udpsrc and a
 * udpsink each (symmetric RTP), and packet counters. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpRtpTransport SpRtpTransport;

/* The application message a transport posts on the bus when its first RTP packet arrives:
 * fields "session" (guint) and "time" (gint64, g_get_monotonic_time() of the arrival). */
#define SP_RTP_TRANSPORT_FIRST_RTP_MESSAGE "sp-first-rtp"

/* Whether packets of payload type PT belong to the stream (called on the streaming thread). */
typedef gboolean (*SpRtpPtFilter) (guint pt, gpointer data);

SpRtpTransport *
sp_rtp_transport_new (const char *local_address, guint port_min, guint port_max, GError **error);
void
sp_rtp_transport_free (SpRtpTransport *self);

guint16
sp_rtp_transport_get_rtp_port (SpRtpTransport *self);
guint16
sp_rtp_transport_get_rtcp_port (SpRtpTransport *self);

/* Adds the four UDP elements to BIN and links them to RTPBIN's SESSION; returns rtpbin's
 * send_rtp_sink pad for the payloader (transfer full). The elements start with the pipeline;
 * the destination is set with sp_rtp_transport_set_remote(). */
GstPad *
sp_rtp_transport_attach (SpRtpTransport *self, GstBin *bin, GstElement *rtpbin, guint session,
                         GError **error);
/* Before attach: only packets whose payload type FILTER accepts reach rtpbin. Anything else
 * (a codec left behind by a re-INVITE, a stray stream on a reused port, comfort noise nobody
 * agreed to) is dropped, where rtpbin would stop the whole pipeline for want of its caps. */
void
sp_rtp_transport_set_pt_filter (SpRtpTransport *self, SpRtpPtFilter filter, gpointer data);
/* Packets dropped by the filter. */
guint
sp_rtp_transport_get_packets_dropped (SpRtpTransport *self);

void
sp_rtp_transport_set_remote (SpRtpTransport *self, const char *host, guint16 rtp_port,
                             guint16 rtcp_port);

guint
sp_rtp_transport_get_packets_sent (SpRtpTransport *self);
guint
sp_rtp_transport_get_packets_received (SpRtpTransport *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpRtpTransport, sp_rtp_transport_free)

G_END_DECLS
