/* The receive branches of one rtpbin session: every recv_rtp_src pad rtpbin adds (a new SSRC
 * or payload type) is linked to a decoding bin feeding an input-selector (the newest is shown:
 * a re-anchored or transferred peer brings a new SSRC, the old one is a leftover) or to a
 * discarding fakesink. Linking happens on rtpbin's streaming thread; removal, which needs state
 * changes, on the main context. Thread-safe. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpRecvBranches SpRecvBranches;

/* Branches go into BIN; decoding ones feed SELECTOR (both borrowed, must outlive it). */
SpRecvBranches *
sp_recv_branches_new (GstBin *bin, GstElement *selector);
void
sp_recv_branches_free (SpRecvBranches *self);

/* Streaming thread: links PAD to DECODER (takes it; its "src" pad feeds a new selector pad,
 * which becomes the active one), or with DECODER NULL to a fakesink. */
void
sp_recv_branches_link (SpRecvBranches *self, GstPad *pad, GstElement *decoder);
/* Main context: tears down the branch of rtpbin's pad PAD_NAME; FALSE if there is none. */
gboolean
sp_recv_branches_remove (SpRecvBranches *self, const char *pad_name);
/* The sink pad of the newest decoding branch (transfer full), or NULL. */
GstPad *
sp_recv_branches_dup_shown_sink (SpRecvBranches *self);
/* Forgets every branch (the pipeline is going down and owns the elements). */
void
sp_recv_branches_clear (SpRecvBranches *self);

G_END_DECLS
