/* The browser's video, with GStreamer's webrtcbin (ICE by libnice, DTLS-SRTP):
 *   intervideosrc(send channel) → convert → I420 → VP8 sender → webrtcbin
 *   webrtcbin's stream from the browser → VP8 receiver → convert → intervideosink(receive)
 * The send branch is built when the offer comes, with the offer's VP8 payload type, and is
 * linked before the offer is applied, so webrtcbin answers the browser's video section with it.
 * webrtcbin calls back on its own threads; what the caller sees (signals, the state, the
 * answer) is handed to the main context the object was made on. */
#include "sp-browser-video.h"
#include "sp-gst.h"
#include "sp-libnice.h"
#include "sp-media-error.h"

#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <stdio.h>
#include <string.h>

struct _SpBrowserVideo
{
  GObject parent_instance;

  char *send_channel;
  char *receive_channel;
  SpVideoEncoding encoding;
  GMainContext *context;
  GstElement *pipeline;
  GstElement *webrtc;
  GSource *bus_watch;
  GTask *answering; /* the answer under way, or NULL */
  SpBrowserVideoState state;
  gboolean offered;
  guint frames_received; /* atomic */
  gint receiving;        /* atomic: the window has its stream */
  gint paused;           /* atomic: nothing is sent, nothing shown */
  GstElement *sender;    /* the VP8 sender, once the offer is answered */
};

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum
{
  SIGNAL_LOCAL_CANDIDATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpBrowserVideo, sp_browser_video, G_TYPE_OBJECT)

static const char *const state_names[] = { "new", "connecting", "connected", "failed", "closed" };

const char *
sp_browser_video_state_to_string (SpBrowserVideoState state)
{
  return (guint)state < G_N_ELEMENTS (state_names) ? state_names[state] : "unknown";
}

/* ---- the main context ---- */

static void
set_state (SpBrowserVideo *self, SpBrowserVideoState state)
{
  /* Closed is final; failed gives way only to closed. */
  if (self->state == state || self->state == SP_BROWSER_VIDEO_CLOSED
      || (self->state == SP_BROWSER_VIDEO_FAILED && state != SP_BROWSER_VIDEO_CLOSED))
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

typedef struct
{
  SpBrowserVideo *self;
  SpBrowserVideoState state;
  guint mline;
  char *candidate;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_object_unref (event->self);
  g_free (event->candidate);
  g_free (event);
}

static gboolean
deliver (gpointer data)
{
  Event *event = data;

  if (event->candidate != NULL)
    {
      if (event->self->state != SP_BROWSER_VIDEO_CLOSED)
        g_signal_emit (event->self, signals[SIGNAL_LOCAL_CANDIDATE], 0, event->mline,
                       event->candidate);
    }
  else
    set_state (event->self, event->state);
  return G_SOURCE_REMOVE;
}

static void
post (SpBrowserVideo *self, SpBrowserVideoState state, guint mline, const char *candidate)
{
  Event *event = g_new0 (Event, 1);

  event->self = g_object_ref (self);
  event->state = state;
  event->mline = mline;
  event->candidate = g_strdup (candidate);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, deliver, event, event_free);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  SpBrowserVideo *self = data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr (GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      g_message ("The browser's video failed: %s", error->message);
      set_state (self, SP_BROWSER_VIDEO_FAILED);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- webrtcbin's threads ---- */

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
  post (data, 0, mline, candidate);
}

static void
on_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    post (data, SP_BROWSER_VIDEO_CONNECTED, 0, NULL);
  else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    post (data, SP_BROWSER_VIDEO_FAILED, 0, NULL);
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  SpBrowserVideo *self = data;

  g_atomic_int_inc (&self->frames_received);
  return GST_PAD_PROBE_OK;
}

/* Paused (DeactivateVideo, Hold): pictures stop here, both ways. */
static GstPadProbeReturn
drop_while_paused (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  SpBrowserVideo *self = data;

  return g_atomic_int_get (&self->paused) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static GstElement *
make_receive_branch (SpBrowserVideo *self, GError **error)
{
  g_autoptr (GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  GstElement *receiver, *convert, *sink;
  g_autoptr (GstPad) sink_pad = NULL;
  g_autoptr (GstPad) convert_pad = NULL;
  g_autoptr (GstPad) pad = NULL;

  if (!(receiver = sp_video_codec_make_receiver (sp_video_codec_lookup ("VP8"), error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), receiver);
  if (!(convert = sp_gst_add (GST_BIN (bin), "videoconvert", NULL, error))
      || !(sink = sp_gst_add (GST_BIN (bin), "intervideosink", NULL, error)))
    return NULL;
  g_object_set (sink, "channel", self->receive_channel, "sync", FALSE, NULL);
  gst_element_link_many (receiver, convert, sink, NULL);
  /* Decoded all the same while paused, so the browser's next pictures need no key frame. */
  convert_pad = gst_element_get_static_pad (convert, "sink");
  gst_pad_add_probe (convert_pad, GST_PAD_PROBE_TYPE_BUFFER, drop_while_paused, self, NULL);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, self, NULL);
  pad = gst_element_get_static_pad (receiver, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  return g_steal_pointer (&bin);
}

/* The browser's stream: the first video one goes to the window, any other is discarded. */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  SpBrowserVideo *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) branch = NULL;
  g_autoptr (GstPad) sink = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  if (g_atomic_int_compare_and_exchange (&self->receiving, FALSE, TRUE))
    {
      branch = make_receive_branch (self, &error);
      if (branch == NULL)
        g_message ("The browser's picture cannot be shown: %s", error->message);
    }
  if (branch == NULL)
    branch = gst_object_ref_sink (gst_element_factory_make ("fakesink", NULL));
  gst_bin_add (GST_BIN (self->pipeline), branch);
  sink = gst_element_get_static_pad (branch, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    g_message ("The browser's stream cannot be linked");
  gst_element_sync_state_with_parent (branch);
}

/* ---- answering ---- */

static gboolean
reply_error (GstPromise *promise, GTask *task)
{
  const GstStructure *reply;
  g_autoptr (GError) error = NULL;

  /* Interrupted or expired: webrtcbin stopped before it answered (its reply only exists when
   * replied). */
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    {
      g_task_return_new_error (task, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                               "The browser's video was stopped while answering");
      return TRUE;
    }
  reply = gst_promise_get_reply (promise);
  if (reply != NULL && gst_structure_has_field (reply, "error"))
    {
      gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
      g_task_return_new_error (task, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                               "The browser's offer cannot be answered: %s",
                               error ? error->message : "unknown reason");
      return TRUE;
    }
  return FALSE;
}

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  g_autoptr (GTask) task = data;
  SpBrowserVideo *self = g_task_get_source_object (task);
  GstWebRTCSessionDescription *answer = NULL;

  if (!reply_error (promise, task))
    {
      gst_structure_get (gst_promise_get_reply (promise), "answer",
                         GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
      if (answer == NULL)
        g_task_return_new_error (task, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                                 "webrtcbin made no answer");
      else
        {
          g_signal_emit_by_name (self->webrtc, "set-local-description", answer, NULL);
          g_task_return_pointer (task, gst_sdp_message_as_text (answer->sdp), g_free);
          gst_webrtc_session_description_free (answer);
          post (self, SP_BROWSER_VIDEO_CONNECTING, 0, NULL);
        }
    }
  gst_promise_unref (promise);
}

static void
on_offer_set (GstPromise *promise, gpointer data)
{
  g_autoptr (GTask) task = data;
  SpBrowserVideo *self = g_task_get_source_object (task);

  if (!reply_error (promise, task))
    g_signal_emit_by_name (
      self->webrtc, "create-answer", NULL,
      gst_promise_new_with_change_func (on_answer_created, g_steal_pointer (&task), NULL));
  gst_promise_unref (promise);
}

/* The payload type of VP8/90000 in the offer's first video section that the browser also
 * wants to receive; -1 when there is none. */
static gint
offered_vp8 (const GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_media (media), "video") != 0
          || gst_sdp_media_get_attribute_val (media, "sendonly") != NULL
          || gst_sdp_media_get_attribute_val (media, "inactive") != NULL)
        continue;
      for (guint k = 0; k < gst_sdp_media_attributes_len (media); k++)
        {
          const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, k);
          gint pt = -1;
          char name[16] = "";

          if (g_strcmp0 (attribute->key, "rtpmap") == 0 && attribute->value != NULL
              && sscanf (attribute->value, "%d %15[^/]/90000", &pt, name) == 2
              && g_ascii_strcasecmp (name, "VP8") == 0 && pt >= 0 && pt <= 127)
            return pt;
        }
    }
  return -1;
}

static gboolean
build_send_branch (SpBrowserVideo *self, gint pt, GError **error)
{
  g_autoptr (GstCaps) rtp_caps = gst_caps_new_simple (
    "application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING, "VP8",
    "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, pt, NULL);
  g_autoptr (GstCaps) raw_caps
    = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", NULL);
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *source, *convert, *raw, *sender, *rtp;

  if (!(source = sp_gst_add (bin, "intervideosrc", NULL, error))
      || !(convert = sp_gst_add (bin, "videoconvert", NULL, error))
      || !(raw = sp_gst_add (bin, "capsfilter", NULL, error))
      || !(sender = sp_video_codec_make_sender (sp_video_codec_lookup ("VP8"), (guint)pt,
                                                &self->encoding, error))
      || !(rtp = sp_gst_add (bin, "capsfilter", NULL, error)))
    return FALSE;
  gst_bin_add (bin, sender);
  self->sender = gst_object_ref (sender);
  {
    g_autoptr (GstPad) pad = gst_element_get_static_pad (convert, "sink");

    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, drop_while_paused, self, NULL);
  }
  g_object_set (source, "channel", self->send_channel, NULL);
  g_object_set (raw, "caps", raw_caps, NULL);
  g_object_set (rtp, "caps", rtp_caps, NULL);
  if (!gst_element_link_many (source, convert, raw, sender, rtp, self->webrtc, NULL))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The picture for the browser cannot be linked");
      return FALSE;
    }
  gst_element_sync_state_with_parent (rtp);
  gst_element_sync_state_with_parent (sender);
  gst_element_sync_state_with_parent (raw);
  gst_element_sync_state_with_parent (convert);
  gst_element_sync_state_with_parent (source);
  return TRUE;
}

void
sp_browser_video_answer_async (SpBrowserVideo *self, const char *offer, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *description;
  gint pt;

  g_return_if_fail (SP_IS_BROWSER_VIDEO (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_browser_video_answer_async);
  if (self->offered || self->state != SP_BROWSER_VIDEO_NEW)
    {
      g_task_return_new_error (task, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                               self->offered ? "The browser has already made its offer"
                                             : "The browser's video has ended");
      return;
    }
  if (offer == NULL || gst_sdp_message_new_from_text (offer, &sdp) != GST_SDP_OK
      || gst_sdp_message_medias_len (sdp) == 0 || (pt = offered_vp8 (sdp)) < 0)
    {
      if (sdp != NULL)
        gst_sdp_message_free (sdp);
      g_task_return_new_error (task, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                               "The browser's offer has no VP8 video it can receive");
      return;
    }
  if (!build_send_branch (self, pt, &error))
    {
      gst_sdp_message_free (sdp);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->offered = TRUE;
  description = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_signal_emit_by_name (
    self->webrtc, "set-remote-description", description,
    gst_promise_new_with_change_func (on_offer_set, g_steal_pointer (&task), NULL));
  gst_webrtc_session_description_free (description);
}

char *
sp_browser_video_answer_finish (SpBrowserVideo *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sp_browser_video_add_candidate (SpBrowserVideo *self, guint mline, const char *candidate,
                                GError **error)
{
  g_return_val_if_fail (SP_IS_BROWSER_VIDEO (self), FALSE);

  if (!self->offered || self->state == SP_BROWSER_VIDEO_CLOSED)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_STATE,
                   self->offered ? "The browser's video has ended"
                                 : "A candidate came before the browser's offer");
      return FALSE;
    }
  if (candidate == NULL
      || !g_str_has_prefix (candidate + (g_str_has_prefix (candidate, "a=") ? 2 : 0), "candidate:"))
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an ICE candidate", candidate ? candidate : "(none)");
      return FALSE;
    }
  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline, candidate);
  return TRUE;
}

void
sp_browser_video_stop (SpBrowserVideo *self)
{
  g_return_if_fail (SP_IS_BROWSER_VIDEO (self));

  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  set_state (self, SP_BROWSER_VIDEO_CLOSED);
}

SpBrowserVideoState
sp_browser_video_get_state (SpBrowserVideo *self)
{
  g_return_val_if_fail (SP_IS_BROWSER_VIDEO (self), SP_BROWSER_VIDEO_CLOSED);
  return self->state;
}

void
sp_browser_video_set_paused (SpBrowserVideo *self, gboolean paused)
{
  g_return_if_fail (SP_IS_BROWSER_VIDEO (self));
  if (g_atomic_int_exchange (&self->paused, paused) == paused || paused || !self->sender)
    return;
  /* The browser's decoder has the last picture sent before the pause: a key frame ends the
   * frozen picture at once. */
  sp_video_codec_force_key_frame (self->sender);
}

gboolean
sp_browser_video_get_paused (SpBrowserVideo *self)
{
  g_return_val_if_fail (SP_IS_BROWSER_VIDEO (self), FALSE);
  return g_atomic_int_get (&self->paused);
}

guint
sp_browser_video_get_frames_received (SpBrowserVideo *self)
{
  g_return_val_if_fail (SP_IS_BROWSER_VIDEO (self), 0);
  return (guint)g_atomic_int_get (&self->frames_received);
}

/* ---- construction ---- */

/* No UPnP port mapping (it multicasts SSDP on every interface; a TURN server is how a browser
 * outside reaches us) and no ICE over TCP: browsers and TURN do UDP. */
static void
configure_agent (GstElement *webrtc)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp"))
    g_object_set (ice, "ice-tcp", FALSE, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp"))
    g_object_set (agent, "upnp", FALSE, NULL);
}

/* Only ADDRESSES are offered (libnice then uses no other interface, loopback included). */
static gboolean
restrict_addresses (GstElement *webrtc, const char *const *addresses, GError **error)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;

  if (addresses == NULL || addresses[0] == NULL)
    return TRUE;
  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The ICE agent cannot be limited to some addresses");
      return FALSE;
    }
  for (guint i = 0; addresses[i]; i++)
    {
      if (!sp_libnice_add_local_address (agent, addresses[i]))
        {
          g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_INVALID_ARGUMENT,
                       "'%s' is not a local IP address for ICE", addresses[i]);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sp_browser_video_configure_ice (GstElement *webrtc, const char *const *addresses, GError **error)
{
  configure_agent (webrtc);
  return restrict_addresses (webrtc, addresses, error);
}

static gboolean
make_pipeline (SpBrowserVideo *self, const SpBrowserVideoIce *ice, GError **error)
{
  const char *stun_server = ice ? ice->stun_server : NULL;
  const char *turn_server = ice ? ice->turn_server : NULL;

  g_autoptr (GstBus) bus = NULL;

  /* Before webrtcbin, which brings it otherwise (sp-libnice.h tells why). */
  if (!sp_libnice_load (error))
    return FALSE;
  self->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  /* webrtcbin also needs libnice's elements (gstreamer1.0-nice) and DTLS/SRTP (plugins-bad). */
  if (!(self->webrtc = sp_gst_add (GST_BIN (self->pipeline), "webrtcbin", NULL, error)))
    return FALSE;
  gst_object_ref (self->webrtc);
  gst_util_set_object_arg (G_OBJECT (self->webrtc), "bundle-policy", "max-bundle");
  if (!sp_browser_video_configure_ice (self->webrtc, ice ? ice->addresses : NULL, error))
    return FALSE;
  if (stun_server != NULL)
    g_object_set (self->webrtc, "stun-server", stun_server, NULL);
  if (turn_server != NULL)
    g_object_set (self->webrtc, "turn-server", turn_server, NULL);
  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state),
                    self);
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_watch, G_SOURCE_FUNC (on_bus_message), self, NULL);
  g_source_attach (self->bus_watch, self->context);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The browser's video cannot start");
      return FALSE;
    }
  return TRUE;
}

SpBrowserVideo *
sp_browser_video_new (const char *send_channel, const char *receive_channel,
                      const SpVideoEncoding *encoding, const SpBrowserVideoIce *ice, GError **error)
{
  g_autoptr (SpBrowserVideo) self = NULL;

  g_return_val_if_fail (send_channel != NULL && receive_channel != NULL && encoding != NULL, NULL);
  if (!sp_gst_init (error) || sp_video_codec_lookup ("VP8") == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "VP8 is not installed");
      return NULL;
    }
  self = g_object_new (SP_TYPE_BROWSER_VIDEO, NULL);
  self->send_channel = g_strdup (send_channel);
  self->receive_channel = g_strdup (receive_channel);
  self->encoding = *encoding;
  self->context = g_main_context_ref_thread_default ();
  if (!make_pipeline (self, ice, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
sp_browser_video_dispose (GObject *object)
{
  SpBrowserVideo *self = SP_BROWSER_VIDEO (object);

  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  if (self->webrtc != NULL)
    g_signal_handlers_disconnect_by_data (self->webrtc, self);
  if (self->bus_watch != NULL)
    {
      g_source_destroy (self->bus_watch);
      g_clear_pointer (&self->bus_watch, g_source_unref);
    }
  gst_clear_object (&self->webrtc);
  gst_clear_object (&self->sender);
  gst_clear_object (&self->pipeline);
  G_OBJECT_CLASS (sp_browser_video_parent_class)->dispose (object);
}

static void
sp_browser_video_finalize (GObject *object)
{
  SpBrowserVideo *self = SP_BROWSER_VIDEO (object);

  g_free (self->send_channel);
  g_free (self->receive_channel);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sp_browser_video_parent_class)->finalize (object);
}

static void
sp_browser_video_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  switch (id)
    {
      case PROP_STATE:
        g_value_set_int (value, SP_BROWSER_VIDEO (object)->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
sp_browser_video_class_init (SpBrowserVideoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_browser_video_dispose;
  object_class->finalize = sp_browser_video_finalize;
  object_class->get_property = sp_browser_video_get_property;
  properties[PROP_STATE] = g_param_spec_int (
    "state", "State", "An SpBrowserVideoState", SP_BROWSER_VIDEO_NEW, SP_BROWSER_VIDEO_CLOSED,
    SP_BROWSER_VIDEO_NEW, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* A candidate of ours for the browser: media section, "candidate:…". */
  signals[SIGNAL_LOCAL_CANDIDATE]
    = g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
sp_browser_video_init (SpBrowserVideo *self)
{
  self->state = SP_BROWSER_VIDEO_NEW;
}
