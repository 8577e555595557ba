/* One call's video session inside the call pipeline:
 *
 *   intervideosrc(camera) → caps → input-selector → tee ─ queue → intervideosink(preview)
 *                                                      └ queue → valve → encoder → payloader →
 * rtpbin rtpbin recv pads → depayloader → decoder → input-selector → valve → intervideosink(remote)
 *
 * The outgoing picture comes from a channel, never from a device in this pipeline, so a camera
 * that fails cannot stop the call and a pushed clip can replace it without renegotiation. */
#include "sp-video-stream.h"
#include "sp-srtp.h"
#include "sp-gst.h"
#include "sp-media-error.h"
#include "sp-recv-branches.h"
#include "sp-rtp-transport.h"
#include "sp-video-picture.h"
#include "sp-video-rtx.h"

#include <gio/gio.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>
#include <string.h>

#define RETRY_PERIOD_MS 50 /* see on_new_jitterbuffer() */

struct _SpVideoStream
{
  SpRtpTransport *transport;
  GstBin *pipeline;
  GstElement *rtpbin;
  gulong jitterbuffer_handler;
  SpVideoRtx *rtx;
  SpSrtp *srtp; /* NULL for plain RTP */
  guint session;
  SpVideoPicture *picture;  /* what is sent: the camera, or a pushed clip or relayed picture */
  SpVideoEncoding encoding; /* for a sender made again when the codec changes */
  GstElement *sender;
  GstElement *send_valve;
  GstElement *recv_selector;
  GstElement *recv_valve;
  gboolean built;
  SpMediaDirection direction;

  GMutex lock; /* guards the fields below, read on streaming threads */
  const SpVideoCodec *codec;
  guint8 pt;
  gboolean pli, fir, nack;
  gboolean stopping;
  SpRecvBranches *branches; /* once built */

  guint frames_decoded; /* atomics */
  guint frames_encoded;
  guint key_frames_sent;
  guint nacks_received;
  guint key_frame_requests_received;
  GObject *internal_session; /* the video RTPSession, for its feedback signal */
  gulong feedback_handler;
};

SpVideoStream *
sp_video_stream_new (const char *local_address, guint port_min, guint port_max, GError **error)
{
  SpRtpTransport *transport = sp_rtp_transport_new (local_address, port_min, port_max, error);
  SpVideoStream *self;

  if (transport == NULL)
    return NULL;
  self = g_new0 (SpVideoStream, 1);
  self->transport = transport;
  self->direction = SP_MEDIA_DIRECTION_SENDRECV;
  g_mutex_init (&self->lock);
  return self;
}

void
sp_video_stream_free (SpVideoStream *self)
{
  if (self == NULL)
    return;
  sp_recv_branches_free (self->branches);
  if (self->rtpbin != NULL)
    g_clear_signal_handler (&self->jitterbuffer_handler, self->rtpbin);
  g_clear_pointer (&self->rtx, sp_video_rtx_free);
  g_clear_pointer (&self->srtp, sp_srtp_free);
  if (self->internal_session != NULL)
    g_clear_signal_handler (&self->feedback_handler, self->internal_session);
  g_clear_object (&self->internal_session);
  g_clear_pointer (&self->picture, sp_video_picture_free);
  g_clear_object (&self->sender);
  g_clear_object (&self->rtpbin);
  g_clear_object (&self->pipeline);
  sp_rtp_transport_free (self->transport);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint16
sp_video_stream_get_rtp_port (SpVideoStream *self)
{
  return sp_rtp_transport_get_rtp_port (self->transport);
}

guint16
sp_video_stream_get_rtcp_port (SpVideoStream *self)
{
  return sp_rtp_transport_get_rtcp_port (self->transport);
}

gboolean
sp_video_stream_is_built (SpVideoStream *self)
{
  return self->built;
}

gboolean
sp_video_stream_check_params (const SpVideoStreamParams *params, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;

  if (params->remote_address != NULL)
    address = g_inet_address_new_from_string (params->remote_address);
  if (address == NULL || params->remote_rtp_port == 0 || params->payload_type > 127
      || params->rtx_send_pt > 127 || params->rtx_recv_pt > 127
      || (params->rtx_send_pt != 0 && params->rtx_send_pt == params->payload_type)
      || (params->rtx_recv_pt != 0 && params->rtx_recv_pt == params->payload_type)
      || (guint)params->direction > SP_MEDIA_DIRECTION_INACTIVE)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "Unusable video parameters (remote %s:%u, PT %u)",
                   params->remote_address != NULL ? params->remote_address : "(none)",
                   params->remote_rtp_port, params->payload_type);
      return FALSE;
    }
  if (sp_video_codec_lookup (params->encoding_name) == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_UNSUPPORTED_CODEC,
                   "No support for video codec %s",
                   params->encoding_name ? params->encoding_name : "(none)");
      return FALSE;
    }
  return TRUE;
}

/* ---- counting probes (streaming threads) ---- */

static GstPadProbeReturn
on_frame_decoded (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SpVideoStream *self = user_data;

  if (g_atomic_int_add (&self->frames_decoded, 1) == 0)
    {
      GstStructure *s = gst_structure_new (SP_VIDEO_STREAM_FIRST_FRAME_MESSAGE, "time",
                                           G_TYPE_INT64, g_get_monotonic_time (), NULL);
      GstObject *parent = gst_pad_get_parent (pad);

      if (parent != NULL)
        {
          gst_element_post_message (GST_ELEMENT (parent), gst_message_new_application (parent, s));
          gst_object_unref (parent);
        }
      else
        gst_structure_free (s);
    }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_frame_encoded (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SpVideoStream *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  g_atomic_int_inc (&self->frames_encoded);
  if (!GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    g_atomic_int_inc (&self->key_frames_sent);
  return GST_PAD_PROBE_OK;
}

static void
add_probe (GstElement *element, const char *pad_name, GstPadProbeCallback callback,
           SpVideoStream *self)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, callback, self, NULL);
}

/* ---- building (main context) ---- */

static GstElement *
make_valve (GstBin *bin, GError **error)
{
  GstElement *valve = sp_gst_add (bin, "valve", NULL, error);

  /* Caps and segments still pass a closed valve, so both ends stay negotiated. */
  if (valve != NULL)
    gst_util_set_object_arg (G_OBJECT (valve), "drop-mode", "forward-sticky-events");
  return valve;
}

static GstElement *
make_leaky_queue (GstBin *bin, GError **error)
{
  GstElement *queue = sp_gst_add (bin, "queue", NULL, error);

  /* A slow encoder or window drops old pictures instead of delaying new ones. */
  if (queue != NULL)
    {
      g_object_set (queue, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time", (guint64)0,
                    NULL);
      gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
    }
  return queue;
}

static GstElement *
make_channel_sink (GstBin *bin, const char *channel, GError **error)
{
  GstElement *sink = sp_gst_add (bin, "intervideosink", NULL, error);

  if (sink != NULL)
    g_object_set (sink, "channel", channel, "sync", FALSE, "async", FALSE, NULL);
  return sink;
}

static gboolean
link_failed (GError **error, const char *what)
{
  g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "Cannot link the video %s", what);
  return FALSE;
}

static gboolean
build_source (SpVideoStream *self, const SpVideoStreamFormat *format, GstElement **tee,
              GError **error)
{
  self->picture = sp_video_picture_new (self->pipeline, format->camera, format->width,
                                        format->height, format->encoding.framerate, error);
  if (self->picture == NULL)
    return FALSE;
  *tee = sp_video_picture_get_tee (self->picture);
  return TRUE;
}

static gboolean
build_send_path (SpVideoStream *self, const SpVideoStreamFormat *format, GstPad *send_pad,
                 GError **error)
{
  GstBin *bin = self->pipeline;
  GstElement *tee, *preview_queue, *preview, *send_queue;
  g_autoptr (GstPad) sender_src = NULL;

  if (!build_source (self, format, &tee, error) || !(preview_queue = make_leaky_queue (bin, error))
      || !(preview = make_channel_sink (bin, format->preview, error))
      || !(send_queue = make_leaky_queue (bin, error))
      || !(self->send_valve = make_valve (bin, error)))
    return FALSE;
  self->encoding = format->encoding;
  self->sender = sp_video_codec_make_sender (self->codec, self->pt, &format->encoding, error);
  if (self->sender == NULL)
    return FALSE;
  gst_bin_add (bin, self->sender); /* the bin takes its own reference; ours is for later */
  if (!gst_element_link_many (tee, preview_queue, preview, NULL)
      || !gst_element_link_many (tee, send_queue, self->send_valve, self->sender, NULL))
    return link_failed (error, "send path");
  sender_src = gst_element_get_static_pad (self->sender, "src");
  if (gst_pad_link (sender_src, send_pad) != GST_PAD_LINK_OK)
    return link_failed (error, "payloader");
  {
    g_autoptr (GstElement) encoder = gst_bin_get_by_name (GST_BIN (self->sender), "encoder");

    add_probe (encoder, "src", on_frame_encoded, self);
  }
  return TRUE;
}

static gboolean
build_receive_path (SpVideoStream *self, const SpVideoStreamFormat *format, GError **error)
{
  GstBin *bin = self->pipeline;
  GstElement *sink;

  if (!(self->recv_selector = sp_gst_add (bin, "input-selector", NULL, error))
      || !(self->recv_valve = make_valve (bin, error))
      || !(sink = make_channel_sink (bin, format->remote, error)))
    return FALSE;
  g_object_set (self->recv_selector, "sync-streams", FALSE, NULL);
  self->branches = sp_recv_branches_new (bin, self->recv_selector);
  if (!gst_element_link_many (self->recv_selector, self->recv_valve, sink, NULL))
    return link_failed (error, "receive path");
  add_probe (self->recv_valve, "src", on_frame_decoded, self);
  return TRUE;
}

/* Everything added for video joins a pipeline that is already playing. */
/* PIPELINE's children, referenced, read under its lock: a streaming thread may add a receive
 * branch at any time (the contact's first packet of a new SSRC or payload type). */
static GList *
children (GstBin *bin)
{
  GList *list;

  GST_OBJECT_LOCK (bin);
  list = g_list_copy_deep (bin->children, (GCopyFunc)(void (*) (void))gst_object_ref, NULL);
  GST_OBJECT_UNLOCK (bin);
  return list;
}

/* Starts the elements build added (those not in BEFORE), sources last. The contact may be
 * sending already: its first packet makes rtpbin add a receive branch from a streaming thread,
 * and everything downstream must be playing by then. Walking the bin with an iterator instead
 * stopped at that concurrent change (GST_ITERATOR_RESYNC) and left the rest in NULL: on a busy
 * machine neither picture flowed, the udpsink was never started. */
static void
sync_new_children (GstBin *bin, GList *before)
{
  GList *now = children (bin);

  for (int sources = 0; sources <= 1; sources++)
    for (GList *l = now; l != NULL; l = l->next)
      {
        GstElement *element = l->data;

        if (g_list_find (before, element) == NULL
            && GST_OBJECT_FLAG_IS_SET (element, GST_ELEMENT_FLAG_SOURCE) == sources)
          gst_element_sync_state_with_parent (element);
      }
  g_list_free_full (now, gst_object_unref);
}

/* rtpbin's jitterbuffer holds the first packet for its whole latency unless faststart is
 * on; for video that delayed the first picture of an escalation by 100 ms (bench). */
static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc,
                     gpointer user_data)
{
  SpVideoStream *self = user_data;
  gboolean nack;

  if (session != self->session)
    return;
  g_mutex_lock (&self->lock);
  nack = self->nack;
  g_mutex_unlock (&self->lock);
  /* A lost packet is asked for again (RTCP NACK, RFC 4585 §6.2.1) when the contact takes
   * NACKs; it comes back by RTX (RFC 4588) if agreed. Without RTX the contact may still
   * resend it, and what stays missing makes the depayloader ask for a key frame (PLI). Asking
   * for RETRY_PERIOD_MS at most: by then a retransmission from a contact within a 50 ms round
   * trip has arrived, and a key frame repairs the rest sooner than a longer wait would (with
   * the jitterbuffer's own choice a 200 ms burst froze the picture for 470 ms instead of 340,
   * video_loss_bench). */
  g_object_set (jitterbuffer, "faststart-min-packets", 1, "do-retransmission", nack,
                "rtx-retry-period", RETRY_PERIOD_MS, NULL);
}

/* The contact's feedback, counted as it arrives (RFC 4585 §6: RTPFB 205, generic NACK 1;
 * PSFB 206, PLI 1; RFC 5104 §4.3.1: FIR is PSFB 4). rtpsession's thread. */
static void
on_feedback_rtcp (GObject *session, guint type, guint fbtype, guint sender_ssrc, guint media_ssrc,
                  GstBuffer *fci, gpointer data)
{
  SpVideoStream *self = data;

  if (type == GST_RTCP_TYPE_RTPFB && fbtype == GST_RTCP_RTPFB_TYPE_NACK)
    g_atomic_int_inc (&self->nacks_received);
  else if (type == GST_RTCP_TYPE_PSFB
           && (fbtype == GST_RTCP_PSFB_TYPE_PLI || fbtype == GST_RTCP_PSFB_TYPE_FIR))
    g_atomic_int_inc (&self->key_frame_requests_received);
}

static void
set_session_feedback_profile (SpVideoStream *self)
{
  g_autoptr (GObject) session = NULL;

  /* AVPF lets rtpsession send PLI/FIR at once (RFC 4585 §3.5) instead of with the next
   * regular report, several seconds later. */
  g_signal_emit_by_name (self->rtpbin, "get-internal-session", self->session, &session);
  if (session != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (session), "rtp-profile"))
    gst_util_set_object_arg (session, "rtp-profile", "avpf");
  /* RFC 4585 §3.5.3: in a two-party call feedback may go out at once (Immediate Feedback
   * mode). rtpsession counts SSRCs, not parties, and with RTX each side has two (RFC 4588 §8),
   * which its default threshold of 3 takes for a group. */
  if (session != NULL
      && g_object_class_find_property (G_OBJECT_GET_CLASS (session),
                                       "rtcp-immediate-feedback-threshold"))
    g_object_set (session, "rtcp-immediate-feedback-threshold", 4u, NULL);
  if (session != NULL && self->feedback_handler == 0)
    {
      self->internal_session = g_object_ref (session);
      self->feedback_handler
        = g_signal_connect (session, "on-feedback-rtcp", G_CALLBACK (on_feedback_rtcp), self);
    }
}

static void
apply_direction (SpVideoStream *self)
{
  g_object_set (self->send_valve, "drop", !sp_media_direction_sends (self->direction), NULL);
  g_object_set (self->recv_valve, "drop", !sp_media_direction_receives (self->direction), NULL);
}

static void
set_negotiated (SpVideoStream *self, const SpVideoStreamParams *params)
{
  g_mutex_lock (&self->lock);
  self->codec = sp_video_codec_lookup (params->encoding_name);
  self->pt = params->payload_type;
  self->pli = params->pli;
  self->fir = params->fir;
  self->nack = params->nack;
  g_mutex_unlock (&self->lock);
}

static void
set_remote (SpVideoStream *self, const SpVideoStreamParams *params)
{
  guint16 rtcp = params->remote_rtcp_port ? params->remote_rtcp_port : params->remote_rtp_port + 1;

  sp_rtp_transport_set_remote (self->transport, params->remote_address, params->remote_rtp_port,
                               rtcp);
}

gboolean
sp_video_stream_build (SpVideoStream *self, GstBin *pipeline, GstElement *rtpbin, guint session,
                       const SpVideoStreamParams *params, const SpVideoStreamFormat *format,
                       GError **error)
{
  g_autoptr (GstPad) send_pad = NULL;
  GList *before;
  gboolean ok;

  g_return_val_if_fail (!self->built, FALSE);
  if (!sp_video_stream_check_params (params, error))
    return FALSE;
  /* Before the transport requests the session's pads: rtpbin asks for the SRTP elements then. */
  if (params->srtp.suite != SP_MEDIA_SRTP_NONE
      && !(self->srtp = sp_srtp_new (rtpbin, session, &params->srtp, error)))
    return FALSE;

  self->pipeline = gst_object_ref (pipeline);
  self->rtpbin = gst_object_ref (rtpbin);
  self->session = session;
  set_negotiated (self, params);
  before = children (pipeline);

  self->jitterbuffer_handler
    = g_signal_connect (rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), self);
  /* Before the transport requests the session's pads: rtpbin asks for its aux elements then. */
  self->rtx = sp_video_rtx_new (rtpbin, session);
  sp_video_rtx_set (self->rtx, params->payload_type, params->rtx_send_pt, params->payload_type,
                    params->rtx_recv_pt);
  send_pad = sp_rtp_transport_attach (self->transport, pipeline, rtpbin, session, error);
  ok = send_pad != NULL && build_send_path (self, format, send_pad, error)
       && build_receive_path (self, format, error);
  if (ok)
    {
      self->built = TRUE;
      self->direction = params->direction;
      set_session_feedback_profile (self);
      set_remote (self, params);
      apply_direction (self);
      sync_new_children (pipeline, before);
      /* The new sender's running times need the pipeline's latency. */
      gst_bin_recalculate_latency (pipeline);
      sp_video_codec_force_key_frame (self->sender);
    }
  g_list_free_full (before, gst_object_unref);
  return ok;
}

/* A later answer may move video to another codec or payload type: the sender is replaced in
 * the running pipeline (its first frame is a key frame), rtpbin forgets its payload map, and
 * what arrives under the new numbers gets a receive branch of its own. */
static gboolean
change_codec (SpVideoStream *self, const SpVideoStreamParams *params, GError **error)
{
  const SpVideoCodec *codec = sp_video_codec_lookup (params->encoding_name);
  GstElement *sender
    = sp_video_codec_make_sender (codec, params->payload_type, &self->encoding, error);
  g_autoptr (GstPad) upstream = NULL;
  g_autoptr (GstPad) old_src = NULL;
  g_autoptr (GstPad) downstream = NULL;
  g_autoptr (GstElement) encoder = NULL;

  if (sender == NULL)
    return FALSE;
  encoder = gst_bin_get_by_name (GST_BIN (sender), "encoder");
  add_probe (encoder, "src", on_frame_encoded, self);
  upstream = gst_element_get_static_pad (self->send_valve, "src");
  old_src = gst_element_get_static_pad (self->sender, "src");
  downstream = gst_pad_get_peer (old_src);
  sp_gst_swap (self->pipeline, upstream, self->sender, gst_object_ref (sender), downstream);
  gst_object_unref (self->sender);
  self->sender = sender;
  set_negotiated (self, params);
  g_signal_emit_by_name (self->rtpbin, "clear-pt-map");
  g_message ("The video stream now sends %s as PT %u", sp_video_codec_get_name (codec),
             params->payload_type);
  return TRUE;
}

gboolean
sp_video_stream_update (SpVideoStream *self, const SpVideoStreamParams *params, GError **error)
{
  gboolean same;

  if (!sp_video_stream_check_params (params, error))
    return FALSE;
  if ((params->srtp.suite != SP_MEDIA_SRTP_NONE) != (self->srtp != NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "SRTP cannot be turned %s during a call", self->srtp ? "off" : "on");
      return FALSE;
    }
  if (self->srtp)
    sp_srtp_update (self->srtp, &params->srtp);
  g_mutex_lock (&self->lock);
  same = self->codec == sp_video_codec_lookup (params->encoding_name)
         && self->pt == params->payload_type;
  g_mutex_unlock (&self->lock);
  if (!same && !change_codec (self, params, error))
    return FALSE;
  sp_video_rtx_set (self->rtx, params->payload_type, params->rtx_send_pt, params->payload_type,
                    params->rtx_recv_pt);
  set_remote (self, params);
  sp_video_stream_set_direction (self, params->direction);
  return TRUE;
}

void
sp_video_stream_set_direction (SpVideoStream *self, SpMediaDirection direction)
{
  gboolean resumes
    = (sp_media_direction_sends (direction) && !sp_media_direction_sends (self->direction))
      || (sp_media_direction_receives (direction)
          && !sp_media_direction_receives (self->direction));

  self->direction = direction;
  if (!self->built)
    return;
  /* Asked for before the valve opens, so the very first frame through it is the key frame. */
  if (resumes)
    sp_video_stream_request_key_frames (self);
  apply_direction (self);
}

SpMediaDirection
sp_video_stream_get_direction (SpVideoStream *self)
{
  return self->direction;
}

/* The peer's key frame: an upstream force-key-unit from the shown branch's depayloader,
 * which rtpsession turns into PLI or FIR for that SSRC. */
static void
request_remote_key_frame (SpVideoStream *self)
{
  g_autoptr (GstPad) sink = sp_recv_branches_dup_shown_sink (self->branches);

  if (sink != NULL)
    gst_pad_push_event (sink,
                        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

void
sp_video_stream_request_key_frames (SpVideoStream *self)
{
  if (!self->built)
    return;
  if (sp_media_direction_sends (self->direction))
    sp_video_codec_force_key_frame (self->sender);
  if (sp_media_direction_receives (self->direction))
    request_remote_key_frame (self);
}

/* ---- the pushed clip ---- */

void
sp_video_stream_show_channel (SpVideoStream *self, const char *channel)
{
  if (!self->built)
    return;
  if (!sp_video_picture_show_channel (self->picture, channel))
    g_message ("The pushed clip cannot join the video stream");
  /* The contact's decoder must not wait for the next periodic key frame to show the switch. */
  sp_video_codec_force_key_frame (self->sender);
}

/* ---- rtpbin (streaming threads) ---- */

GstCaps *
sp_video_stream_pt_caps (SpVideoStream *self, guint pt)
{
  GstCaps *caps = NULL;

  g_mutex_lock (&self->lock);
  if (self->codec != NULL && pt == self->pt)
    caps = sp_video_codec_rtp_caps (self->codec, pt, self->pli, self->fir, self->nack);
  g_mutex_unlock (&self->lock);
  return caps;
}

static GstElement *
make_decoder (SpVideoStream *self, const SpVideoCodec *codec)
{
  g_autoptr (GError) error = NULL;
  GstElement *receiver = sp_video_codec_make_receiver (codec, &error);

  if (receiver == NULL)
    gst_element_post_message (self->rtpbin,
                              gst_message_new_error (GST_OBJECT (self->rtpbin), error, NULL));
  return receiver;
}

void
sp_video_stream_link_pad (SpVideoStream *self, GstPad *pad, guint pt)
{
  const SpVideoCodec *codec;
  gboolean stopping, decode;
  GstElement *decoder = NULL;

  g_mutex_lock (&self->lock);
  stopping = self->stopping || !self->built;
  codec = self->codec;
  decode = codec != NULL && pt == self->pt;
  g_mutex_unlock (&self->lock);
  if (stopping)
    return;

  if (decode && !(decoder = make_decoder (self, codec)))
    return;
  sp_recv_branches_link (self->branches, pad, decoder);
}

gboolean
sp_video_stream_remove_pad (SpVideoStream *self, const char *pad_name)
{
  return self->branches != NULL && sp_recv_branches_remove (self->branches, pad_name);
}

void
sp_video_stream_shutdown (SpVideoStream *self)
{
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_mutex_unlock (&self->lock);
  if (self->srtp)
    sp_srtp_detach (self->srtp);
}

/* ---- statistics ---- */

guint
sp_video_stream_get_packets_sent (SpVideoStream *self)
{
  return self->built ? sp_rtp_transport_get_packets_sent (self->transport) : 0;
}

guint
sp_video_stream_get_packets_received (SpVideoStream *self)
{
  return self->built ? sp_rtp_transport_get_packets_received (self->transport) : 0;
}

guint64
sp_video_stream_get_frames_decoded (SpVideoStream *self)
{
  return (guint)g_atomic_int_get (&self->frames_decoded);
}

guint64
sp_video_stream_get_frames_encoded (SpVideoStream *self)
{
  return (guint)g_atomic_int_get (&self->frames_encoded);
}

guint64
sp_video_stream_get_key_frames_sent (SpVideoStream *self)
{
  return (guint)g_atomic_int_get (&self->key_frames_sent);
}

static guint
field_uint (const GstStructure *s, const char *name)
{
  guint value = 0;

  gst_structure_get_uint (s, name, &value);
  return value;
}

/* What we asked the contact for, counted on its source (PLI and FIR). */
static void
add_source_feedback (const GstStructure *session_stats, SpVideoStreamRecovery *recovery)
{
  const GValue *sources = gst_structure_get_value (session_stats, "source-stats");
  GValueArray *array;

  /* rtpsession still hands out a GValueArray (deprecated in GLib, not in GStreamer 1.22). */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (sources == NULL || !G_VALUE_HOLDS (sources, g_value_array_get_type ()))
    return;
  array = g_value_get_boxed (sources);
  for (guint i = 0; array != NULL && i < array->n_values; i++)
    {
      const GstStructure *source = gst_value_get_structure (g_value_array_get_nth (array, i));

      recovery->key_frame_requests_sent
        += field_uint (source, "sent-pli-count") + field_uint (source, "sent-fir-count");
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
}

void
sp_video_stream_get_recovery (SpVideoStream *self, SpVideoStreamRecovery *recovery)
{
  g_autoptr (GObject) session = NULL;
  g_autoptr (GstStructure) stats = NULL;
  SpVideoRtxStatistics rtx = { 0 };

  memset (recovery, 0, sizeof *recovery);
  if (!self->built)
    return;
  g_signal_emit_by_name (self->rtpbin, "get-internal-session", self->session, &session);
  if (session != NULL)
    g_object_get (session, "stats", &stats, NULL);
  if (stats != NULL)
    {
      recovery->nacks_sent = field_uint (stats, "sent-nack-count");
      add_source_feedback (stats, recovery);
    }
  recovery->nacks_received = (guint)g_atomic_int_get (&self->nacks_received);
  recovery->key_frame_requests_received
    = (guint)g_atomic_int_get (&self->key_frame_requests_received);
  sp_video_rtx_get_statistics (self->rtx, &rtx);
  recovery->rtx_packets_sent = rtx.packets_sent;
  recovery->rtx_packets_received = rtx.packets_received;
}

const char *
sp_video_stream_get_codec_name (SpVideoStream *self)
{
  const char *name;

  g_mutex_lock (&self->lock);
  name = self->codec != NULL ? sp_video_codec_get_name (self->codec) : NULL;
  g_mutex_unlock (&self->lock);
  return name;
}
