/* RFC 4588 retransmission in rtpbin's video session (see sp-video-rtx.h). */
#include "sp-video-rtx.h"

/* How long a sent packet can still be asked for: several round trips on a LAN or a VPN, and
 * well past the receiver's jitterbuffer wait for a retransmission. */
#define HISTORY_MS 1000

struct _SpVideoRtx
{
  GstElement *rtpbin;
  guint session;
  gulong sender_handler;
  gulong receiver_handler;
  GstElement *sender;   /* rtprtxsend, owned by the pipeline once rtpbin asked */
  GstElement *receiver; /* rtprtxreceive */
  guint send_pt, rtx_send_pt, recv_pt, rtx_recv_pt;
};

/* rtpbin wants an element with pads sink_N and src_N for session N. */
static GstElement *
wrap (GstElement *element, guint session)
{
  GstElement *bin = gst_bin_new (NULL);
  g_autofree char *sink_name = g_strdup_printf ("sink_%u", session);
  g_autofree char *src_name = g_strdup_printf ("src_%u", session);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (element, "sink");
  g_autoptr (GstPad) src = gst_element_get_static_pad (element, "src");

  gst_bin_add (GST_BIN (bin), element);
  gst_element_add_pad (bin, gst_ghost_pad_new (sink_name, sink));
  gst_element_add_pad (bin, gst_ghost_pad_new (src_name, src));
  return bin;
}

static GstStructure *
pt_map (guint from, guint to)
{
  GstStructure *map = gst_structure_new_empty ("application/x-rtp-pt-map");

  if (from != 0 && to != 0)
    {
      g_autofree char *key = g_strdup_printf ("%u", from);

      gst_structure_set (map, key, G_TYPE_UINT, to, NULL);
    }
  return map;
}

static void
apply_maps (SpVideoRtx *self)
{
  if (self->sender != NULL)
    {
      g_autoptr (GstStructure) map = pt_map (self->send_pt, self->rtx_send_pt);

      g_object_set (self->sender, "payload-type-map", map, NULL);
    }
  if (self->receiver != NULL)
    {
      /* rtprtxreceive takes its map the same way round as rtprtxsend: original to RTX. */
      g_autoptr (GstStructure) map = pt_map (self->recv_pt, self->rtx_recv_pt);

      g_object_set (self->receiver, "payload-type-map", map, NULL);
    }
}

static GstElement *
on_request_aux_sender (GstElement *rtpbin, guint session, gpointer data)
{
  SpVideoRtx *self = data;
  GstElement *sender;

  if (session != self->session || self->sender != NULL)
    return NULL;
  sender = gst_element_factory_make ("rtprtxsend", NULL);
  if (sender == NULL)
    {
      g_warning ("rtprtxsend is missing (gstreamer1.0-plugins-good): no video retransmission");
      return NULL;
    }
  g_object_set (sender, "max-size-time", (guint)HISTORY_MS, "max-size-packets", 0u, NULL);
  self->sender = gst_object_ref (sender); /* for the counters after the call */
  apply_maps (self);
  return wrap (sender, session);
}

static GstElement *
on_request_aux_receiver (GstElement *rtpbin, guint session, gpointer data)
{
  SpVideoRtx *self = data;
  GstElement *receiver;

  if (session != self->session || self->receiver != NULL)
    return NULL;
  receiver = gst_element_factory_make ("rtprtxreceive", NULL);
  if (receiver == NULL)
    return NULL;
  self->receiver = gst_object_ref (receiver);
  apply_maps (self);
  return wrap (receiver, session);
}

SpVideoRtx *
sp_video_rtx_new (GstElement *rtpbin, guint session)
{
  SpVideoRtx *self = g_new0 (SpVideoRtx, 1);

  self->rtpbin = gst_object_ref (rtpbin);
  self->session = session;
  self->sender_handler
    = g_signal_connect (rtpbin, "request-aux-sender", G_CALLBACK (on_request_aux_sender), self);
  self->receiver_handler
    = g_signal_connect (rtpbin, "request-aux-receiver", G_CALLBACK (on_request_aux_receiver), self);
  return self;
}

void
sp_video_rtx_free (SpVideoRtx *self)
{
  if (self == NULL)
    return;
  g_clear_signal_handler (&self->sender_handler, self->rtpbin);
  g_clear_signal_handler (&self->receiver_handler, self->rtpbin);
  g_clear_object (&self->sender);
  g_clear_object (&self->receiver);
  gst_object_unref (self->rtpbin);
  g_free (self);
}

void
sp_video_rtx_set (SpVideoRtx *self, guint send_pt, guint rtx_send_pt, guint recv_pt,
                  guint rtx_recv_pt)
{
  self->send_pt = send_pt;
  self->rtx_send_pt = rtx_send_pt;
  self->recv_pt = recv_pt;
  self->rtx_recv_pt = rtx_recv_pt;
  apply_maps (self);
}

static guint
uint_property (GstElement *element, const char *name)
{
  guint value = 0;

  if (element != NULL)
    g_object_get (element, name, &value, NULL);
  return value;
}

void
sp_video_rtx_get_statistics (SpVideoRtx *self, SpVideoRtxStatistics *stats)
{
  stats->requests_received = uint_property (self->sender, "num-rtx-requests");
  stats->packets_sent = uint_property (self->sender, "num-rtx-packets");
  stats->requests_sent = uint_property (self->receiver, "num-rtx-requests");
  stats->packets_received = uint_property (self->receiver, "num-rtx-assoc-packets");
}
