/* One rtpbin session's UDP plumbing. Counting happens in pad probes on the streaming threads,
 * so the counters are atomics. */
#include "sp-rtp-transport.h"

#include "sp-media-error.h"
#include "sp-rtp-ports.h"

#include <gio/gio.h>
#include <gst/rtp/rtp.h>

typedef struct
{
  GstPad *pad;
  gulong id;
} Probe;

struct _SpRtpTransport
{
  GSocket *rtp_socket;
  GSocket *rtcp_socket;
  guint session;

  GstElement *rtp_src;
  GstElement *rtp_sink;
  GstElement *rtcp_src;
  GstElement *rtcp_sink;
  Probe rx_probe;
  Probe tx_probe;

  SpRtpPtFilter pt_filter;
  gpointer pt_filter_data;

  guint packets_sent;     /* atomic */
  guint packets_received; /* atomic */
  guint packets_dropped;  /* atomic */
};

SpRtpTransport *
sp_rtp_transport_new (const char *local_address, guint port_min, guint port_max, GError **error)
{
  g_autoptr (GSocket) rtp = NULL;
  g_autoptr (GSocket) rtcp = NULL;
  SpRtpTransport *self;

  if (!sp_rtp_ports_bind_pair (local_address, port_min, port_max, &rtp, &rtcp, error))
    return NULL;

  self = g_new0 (SpRtpTransport, 1);
  self->rtp_socket = g_steal_pointer (&rtp);
  self->rtcp_socket = g_steal_pointer (&rtcp);
  return self;
}

static void
probe_remove (Probe *probe)
{
  if (probe->pad == NULL)
    return;
  gst_pad_remove_probe (probe->pad, probe->id);
  g_clear_object (&probe->pad);
}

void
sp_rtp_transport_free (SpRtpTransport *self)
{
  if (self == NULL)
    return;
  probe_remove (&self->rx_probe);
  probe_remove (&self->tx_probe);
  /* The elements belong to the pipeline; they never close our sockets (close-socket=false). */
  g_clear_object (&self->rtp_src);
  g_clear_object (&self->rtp_sink);
  g_clear_object (&self->rtcp_src);
  g_clear_object (&self->rtcp_sink);
  g_socket_close (self->rtp_socket, NULL);
  g_socket_close (self->rtcp_socket, NULL);
  g_object_unref (self->rtp_socket);
  g_object_unref (self->rtcp_socket);
  g_free (self);
}

guint16
sp_rtp_transport_get_rtp_port (SpRtpTransport *self)
{
  return sp_rtp_ports_get_port (self->rtp_socket);
}

guint16
sp_rtp_transport_get_rtcp_port (SpRtpTransport *self)
{
  return sp_rtp_ports_get_port (self->rtcp_socket);
}

static void
post_first_rtp (SpRtpTransport *self)
{
  GstStructure *s
    = gst_structure_new (SP_RTP_TRANSPORT_FIRST_RTP_MESSAGE, "session", G_TYPE_UINT, self->session,
                         "time", G_TYPE_INT64, g_get_monotonic_time (), NULL);

  gst_element_post_message (self->rtp_src,
                            gst_message_new_application (GST_OBJECT (self->rtp_src), s));
}

/* FALSE for an RTP packet of a payload type the stream does not take. */
static gboolean
accepted (SpRtpTransport *self, GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint pt;

  if (self->pt_filter == NULL || !gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return TRUE; /* rtpbin itself drops what is not RTP */
  pt = gst_rtp_buffer_get_payload_type (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  return self->pt_filter (pt, self->pt_filter_data);
}

static GstPadProbeReturn
on_rtp_received (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SpRtpTransport *self = user_data;

  if (!accepted (self, GST_PAD_PROBE_INFO_BUFFER (info)))
    {
      g_atomic_int_inc (&self->packets_dropped);
      return GST_PAD_PROBE_DROP;
    }
  if (g_atomic_int_add (&self->packets_received, 1) == 0)
    post_first_rtp (self);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_rtp_sent (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SpRtpTransport *self = user_data;
  guint n = 1;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    n = gst_buffer_list_length (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  g_atomic_int_add (&self->packets_sent, n);
  return GST_PAD_PROBE_OK;
}

static void
probe_add (Probe *probe, GstElement *element, const char *pad_name, GstPadProbeType type,
           GstPadProbeCallback callback, SpRtpTransport *self)
{
  probe->pad = gst_element_get_static_pad (element, pad_name);
  probe->id = gst_pad_add_probe (probe->pad, type, callback, self, NULL);
}

static GstElement *
make_udp (const char *factory, GSocket *socket, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);
  gboolean v6 = g_socket_get_family (socket) == G_SOCKET_FAMILY_IPV6;

  if (element == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The GStreamer element '%s' is missing", factory);
      return NULL;
    }
  if (g_str_equal (factory, "udpsrc"))
    g_object_set (element, "socket", socket, "close-socket", FALSE, NULL);
  else
    /* RTP is paced by its producers; a sink that waits on the clock would only add delay. */
    g_object_set (element, v6 ? "socket-v6" : "socket", socket, "close-socket", FALSE, "sync",
                  FALSE, "async", FALSE, NULL);
  return gst_object_ref_sink (element);
}

static gboolean
link_to_request (GstElement *src, const char *src_pad, GstElement *rtpbin, const char *name,
                 GError **error)
{
  g_autoptr (GstPad) request = gst_element_request_pad_simple (rtpbin, name);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (src, src_pad);

  if (request == NULL || gst_pad_link (pad, request) != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link to rtpbin's %s",
                   name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
link_from_pad (GstElement *rtpbin, const char *name, GstElement *sink, GError **error)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (rtpbin, name);
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (sink, "sink");

  if (pad == NULL)
    pad = gst_element_request_pad_simple (rtpbin, name);
  if (pad == NULL || gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link rtpbin's %s",
                   name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_elements (SpRtpTransport *self, GstBin *bin, GError **error)
{
  self->rtp_src = make_udp ("udpsrc", self->rtp_socket, error);
  self->rtcp_src = self->rtp_src ? make_udp ("udpsrc", self->rtcp_socket, error) : NULL;
  self->rtp_sink = self->rtcp_src ? make_udp ("udpsink", self->rtp_socket, error) : NULL;
  self->rtcp_sink = self->rtp_sink ? make_udp ("udpsink", self->rtcp_socket, error) : NULL;
  if (self->rtcp_sink == NULL)
    return FALSE;
  gst_bin_add_many (bin, self->rtp_src, self->rtcp_src, self->rtp_sink, self->rtcp_sink, NULL);
  return TRUE;
}

GstPad *
sp_rtp_transport_attach (SpRtpTransport *self, GstBin *bin, GstElement *rtpbin, guint session,
                         GError **error)
{
  g_autofree char *send_name = g_strdup_printf ("send_rtp_sink_%u", session);
  g_autofree char *send_src = g_strdup_printf ("send_rtp_src_%u", session);
  g_autofree char *rtcp_src = g_strdup_printf ("send_rtcp_src_%u", session);
  g_autofree char *recv_sink = g_strdup_printf ("recv_rtp_sink_%u", session);
  g_autofree char *rtcp_sink = g_strdup_printf ("recv_rtcp_sink_%u", session);
  g_autoptr (GstPad) send_pad = NULL;

  g_return_val_if_fail (self->rtp_src == NULL, NULL);
  self->session = session;
  if (!make_elements (self, bin, error))
    return NULL;

  /* send_rtp_src_N only exists once send_rtp_sink_N has been requested. */
  send_pad = gst_element_request_pad_simple (rtpbin, send_name);
  if (send_pad == NULL || !link_from_pad (rtpbin, send_src, self->rtp_sink, error)
      || !link_from_pad (rtpbin, rtcp_src, self->rtcp_sink, error)
      || !link_to_request (self->rtp_src, "src", rtpbin, recv_sink, error)
      || !link_to_request (self->rtcp_src, "src", rtpbin, rtcp_sink, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot request %s",
                     send_name);
      return NULL;
    }

  probe_add (&self->rx_probe, self->rtp_src, "src", GST_PAD_PROBE_TYPE_BUFFER, on_rtp_received,
             self);
  probe_add (&self->tx_probe, self->rtp_sink, "sink",
             GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_rtp_sent, self);
  return g_steal_pointer (&send_pad);
}

void
sp_rtp_transport_set_pt_filter (SpRtpTransport *self, SpRtpPtFilter filter, gpointer data)
{
  g_return_if_fail (self->rtp_src == NULL);
  self->pt_filter = filter;
  self->pt_filter_data = data;
}

guint
sp_rtp_transport_get_packets_dropped (SpRtpTransport *self)
{
  return (guint)g_atomic_int_get (&self->packets_dropped);
}

void
sp_rtp_transport_set_remote (SpRtpTransport *self, const char *host, guint16 rtp_port,
                             guint16 rtcp_port)
{
  g_return_if_fail (self->rtp_sink != NULL);
  /* udpsink swaps its single destination under its client lock, so this is safe while
   * PLAYING: a re-INVITE that re-anchors the peer changes it live. */
  g_object_set (self->rtp_sink, "host", host, "port", (gint)rtp_port, NULL);
  g_object_set (self->rtcp_sink, "host", host, "port", (gint)rtcp_port, NULL);
}

guint
sp_rtp_transport_get_packets_sent (SpRtpTransport *self)
{
  return (guint)g_atomic_int_get (&self->packets_sent);
}

guint
sp_rtp_transport_get_packets_received (SpRtpTransport *self)
{
  return (guint)g_atomic_int_get (&self->packets_received);
}
