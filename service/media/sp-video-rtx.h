/* Retransmission (RFC 4588) for the video session of a call's rtpbin: the rtprtxsend and
 * rtprtxreceive elements rtpbin asks for ("request-aux-sender" / "request-aux-receiver") and
 * their counters. They are put in whether or not RTX was agreed (rtpbin asks only once, when
 * the session is made); without payload types they pass everything through, so a later
 * answer can turn retransmission on or off. Internal to the media layer. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpVideoRtx SpVideoRtx;

typedef struct
{
  guint requests_received; /* NACKed packets the contact asked us for */
  guint packets_sent;      /* our retransmissions */
  guint requests_sent;     /* packets we asked the contact for */
  guint packets_received;  /* the contact's retransmissions that filled a gap */
} SpVideoRtxStatistics;

/* Connects to RTPBIN for SESSION; call before the session's pads are requested. */
SpVideoRtx *
sp_video_rtx_new (GstElement *rtpbin, guint session);
/* Disconnects from rtpbin; the elements stay with the pipeline. */
void
sp_video_rtx_free (SpVideoRtx *self);

/* What was agreed: we send SEND_PT with retransmissions as RTX_SEND_PT and receive RECV_PT
 * retransmitted as RTX_RECV_PT; an RTX PT of 0 turns that direction off. Any time. */
void
sp_video_rtx_set (SpVideoRtx *self, guint send_pt, guint rtx_send_pt, guint recv_pt,
                  guint rtx_recv_pt);
void
sp_video_rtx_get_statistics (SpVideoRtx *self, SpVideoRtxStatistics *stats);

G_END_DECLS
