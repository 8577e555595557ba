/* The fakes of fake-ports.h. */
#include "fake-ports.h"

#include <string.h>

/* ---- FakeLeg ---- */

static void
fake_leg_iface_init (SpLegInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeLeg, fake_leg, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_LEG, fake_leg_iface_init))

static void
act (FakeLeg *self, const char *sdp, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
act (FakeLeg *self, const char *sdp, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (self->actions, g_strdup_vprintf (format, args));
  va_end (args);
  if (sdp)
    {
      g_free (self->last_sdp);
      self->last_sdp = g_strdup (sdp);
    }
}

static const char *
leg_call_id (SpLeg *leg)
{
  return "fake-call-id";
}

static const char *
leg_remote_uri (SpLeg *leg)
{
  return FAKE_LEG (leg)->remote_uri;
}

static const char *
leg_remote_name (SpLeg *leg)
{
  return "";
}

static const char *
leg_initial_offer (SpLeg *leg)
{
  return FAKE_LEG (leg)->initial_offer;
}

static const char *
leg_referred_by (SpLeg *leg)
{
  return "";
}

static GVariant *
leg_attached_data (SpLeg *leg)
{
  return FAKE_LEG (leg)->attached_data;
}

static gboolean
leg_is_established (SpLeg *leg)
{
  return FAKE_LEG (leg)->established;
}

static gboolean
leg_is_ended (SpLeg *leg)
{
  return FAKE_LEG (leg)->ended;
}

static gboolean
leg_has_pending_offer (SpLeg *leg)
{
  return FAKE_LEG (leg)->pending_offer;
}

static void
leg_ring (SpLeg *leg)
{
  act (FAKE_LEG (leg), NULL, "ring");
}

static void
leg_accept (SpLeg *leg, const char *sdp)
{
  FAKE_LEG (leg)->established = TRUE;
  act (FAKE_LEG (leg), sdp, "accept");
}

static void
leg_reject (SpLeg *leg, guint status, const char *phrase)
{
  act (FAKE_LEG (leg), NULL, "reject %u", status);
  fake_leg_emit_ended (FAKE_LEG (leg), SP_LEG_END_LOCAL, status);
}

static void
leg_send_offer (SpLeg *leg, const char *sdp)
{
  FAKE_LEG (leg)->pending_offer = TRUE;
  act (FAKE_LEG (leg), sdp, "offer");
}

static void
leg_answer_offer (SpLeg *leg, guint status, const char *sdp)
{
  act (FAKE_LEG (leg), sdp, "answer %u", status);
}

static void
leg_hangup (SpLeg *leg)
{
  act (FAKE_LEG (leg), NULL, "hangup");
  fake_leg_emit_ended (FAKE_LEG (leg), SP_LEG_END_LOCAL, 200);
}

static gboolean
leg_refer (SpLeg *leg, const char *target, SpLeg *replaces, GVariant *data, GError **error)
{
  act (FAKE_LEG (leg), NULL, "refer %s", target);
  return TRUE;
}

static void
fake_leg_iface_init (SpLegInterface *iface)
{
  iface->get_call_id = leg_call_id;
  iface->get_remote_uri = leg_remote_uri;
  iface->get_remote_name = leg_remote_name;
  iface->get_initial_offer = leg_initial_offer;
  iface->get_attached_data = leg_attached_data;
  iface->get_referred_by = leg_referred_by;
  iface->is_established = leg_is_established;
  iface->is_ended = leg_is_ended;
  iface->has_pending_offer = leg_has_pending_offer;
  iface->ring = leg_ring;
  iface->accept = leg_accept;
  iface->reject = leg_reject;
  iface->send_offer = leg_send_offer;
  iface->answer_offer = leg_answer_offer;
  iface->hangup = leg_hangup;
  iface->refer = leg_refer;
}

FakeLeg *
fake_leg_new (const char *remote_uri, const char *initial_offer)
{
  FakeLeg *self = g_object_new (FAKE_TYPE_LEG, NULL);

  self->remote_uri = g_strdup (remote_uri);
  self->initial_offer = g_strdup (initial_offer);
  return self;
}

const char *
fake_leg_last_action (FakeLeg *self)
{
  return self->actions->len ? g_ptr_array_index (self->actions, self->actions->len - 1) : "";
}

void
fake_leg_emit_answer (FakeLeg *self, const char *sdp)
{
  self->pending_offer = FALSE;
  g_signal_emit_by_name (self, "answer", sdp);
}

void
fake_leg_emit_offer (FakeLeg *self, const char *sdp_or_null)
{
  g_signal_emit_by_name (self, "offer", sdp_or_null);
}

void
fake_leg_emit_offer_failed (FakeLeg *self, guint status)
{
  self->pending_offer = FALSE;
  g_signal_emit_by_name (self, "offer-failed", status, "Refused");
}

void
fake_leg_emit_established (FakeLeg *self)
{
  self->established = TRUE;
  g_signal_emit_by_name (self, "established");
}

void
fake_leg_emit_ended (FakeLeg *self, SpLegEndCause cause, guint status)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  g_signal_emit_by_name (self, "ended", (int)cause, status, "Ended");
}

static void
fake_leg_finalize (GObject *object)
{
  FakeLeg *self = FAKE_LEG (object);

  g_free (self->remote_uri);
  g_free (self->initial_offer);
  g_free (self->last_sdp);
  g_variant_unref (self->attached_data);
  g_ptr_array_unref (self->actions);
  G_OBJECT_CLASS (fake_leg_parent_class)->finalize (object);
}

static void
fake_leg_class_init (FakeLegClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_leg_finalize;
}

static void
fake_leg_init (FakeLeg *self)
{
  self->actions = g_ptr_array_new_with_free_func (g_free);
  self->attached_data = g_variant_ref_sink (g_variant_new_parsed ("{'Case': '42'}"));
}

/* ---- FakeTelephony ---- */

static void
fake_telephony_iface_init (SpTelephonyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeTelephony, fake_telephony, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_TELEPHONY, fake_telephony_iface_init))

static char *
telephony_target_uri (SpTelephony *telephony, const char *target, GError **error)
{
  if (!*target)
    {
      g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_INVALID, "nothing to dial");
      return NULL;
    }
  return strchr (target, ':') ? g_strdup (target) : g_strdup_printf ("sip:%s@fake", target);
}

static SpLeg *
telephony_dial (SpTelephony *telephony, const char *uri, GVariant *data, const char *offer,
                GError **error)
{
  FakeTelephony *self = FAKE_TELEPHONY (telephony);
  FakeLeg *leg = fake_leg_new (uri, NULL);

  leg->pending_offer = TRUE;
  leg->last_sdp = g_strdup (offer);
  g_ptr_array_add (leg->actions, g_strdup ("invite"));
  g_set_object (&self->dialled, leg);
  g_ptr_array_add (self->legs, g_object_ref (leg));
  return SP_LEG (leg);
}

FakeLeg *
fake_telephony_last_to (FakeTelephony *self, const char *uri)
{
  for (guint i = self->legs->len; i > 0; i--)
    {
      FakeLeg *leg = g_ptr_array_index (self->legs, i - 1);

      if (g_str_equal (leg->remote_uri, uri))
        return leg;
    }
  return NULL;
}

static const char *
telephony_local_address (SpTelephony *telephony)
{
  return "127.0.0.1";
}

static void
fake_telephony_iface_init (SpTelephonyInterface *iface)
{
  iface->target_uri = telephony_target_uri;
  iface->dial = telephony_dial;
  iface->get_local_address = telephony_local_address;
}

FakeTelephony *
fake_telephony_new (void)
{
  return g_object_new (FAKE_TYPE_TELEPHONY, NULL);
}

static void
fake_telephony_dispose (GObject *object)
{
  g_clear_object (&FAKE_TELEPHONY (object)->dialled);
  g_clear_pointer (&FAKE_TELEPHONY (object)->legs, g_ptr_array_unref);
  G_OBJECT_CLASS (fake_telephony_parent_class)->dispose (object);
}

static void
fake_telephony_class_init (FakeTelephonyClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fake_telephony_dispose;
}

static void
fake_telephony_init (FakeTelephony *self)
{
  self->legs = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---- FakeMedia ---- */

static void
fake_media_iface_init (SpMediaSessionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeMedia, fake_media, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_MEDIA_SESSION, fake_media_iface_init))

static gboolean
media_prepare_audio (SpMediaSession *media, const char *address, guint16 *rtp, guint16 *rtcp,
                     GError **error)
{
  *rtp = 40000;
  *rtcp = 40001;
  return TRUE;
}

static gboolean
media_start_audio (SpMediaSession *media, const SpMediaAudioParams *params, GError **error)
{
  FakeMedia *self = FAKE_MEDIA (media);

  self->audio_started = TRUE;
  self->audio_direction = params->direction;
  self->audio_srtp = params->srtp;
  g_free (self->audio_codec);
  self->audio_codec = g_strdup (params->encoding_name);
  return TRUE;
}

static gboolean
media_prepare_video (SpMediaSession *media, const char *address, guint16 *rtp, guint16 *rtcp,
                     GError **error)
{
  *rtp = 40002;
  *rtcp = 40003;
  return TRUE;
}

static gboolean
media_start_video (SpMediaSession *media, const SpMediaVideoParams *params, GError **error)
{
  FakeMedia *self = FAKE_MEDIA (media);

  self->video_started = TRUE;
  self->video_direction = params->direction;
  return TRUE;
}

static gboolean
media_has_video (SpMediaSession *media)
{
  return FAKE_MEDIA (media)->video_started;
}

static void
media_set_video_direction (SpMediaSession *media, SpMediaDirection direction)
{
  FAKE_MEDIA (media)->video_direction = direction;
}

static const char *
media_get_picture (SpMediaSession *media, SpMediaPicture picture)
{
  return picture == SP_MEDIA_PICTURE_REMOTE ? "fake-remote" : "fake-preview";
}

static void
media_get_video_statistics (SpMediaSession *media, SpMediaVideoStatistics *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->codec = FAKE_MEDIA (media)->video_started ? "VP8" : NULL;
  stats->camera_live = TRUE;
}

static gboolean
media_start_push (SpMediaSession *media, const char *path, guint image_ms, GError **error)
{
  g_free (FAKE_MEDIA (media)->push_path);
  FAKE_MEDIA (media)->push_path = g_strdup (path);
  return TRUE;
}

static void
media_stop_push (SpMediaSession *media)
{
  g_clear_pointer (&FAKE_MEDIA (media)->push_path, g_free);
}

static void
media_relay_video (SpMediaSession *media, const char *channel)
{
  g_free (FAKE_MEDIA (media)->relay);
  FAKE_MEDIA (media)->relay = g_strdup (channel);
}

static gboolean
media_join_mix (SpMediaSession *media, const char *mix, const char *member, GError **error)
{
  FakeMedia *self = FAKE_MEDIA (media);

  if (!self->audio_started || self->stopped || g_hash_table_contains (self->mixes, mix))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot join %s", mix);
      return FALSE;
    }
  g_hash_table_insert (self->mixes, g_strdup (mix), g_strdup (member));
  return TRUE;
}

static gboolean
media_leave_mix (SpMediaSession *media, const char *mix)
{
  return g_hash_table_remove (FAKE_MEDIA (media)->mixes, mix);
}

static guint
media_packets (SpMediaSession *media)
{
  return FAKE_MEDIA (media)->audio_started ? 50 : 0;
}

static void
media_stop (SpMediaSession *media)
{
  FAKE_MEDIA (media)->stopped = TRUE;
  FAKE_MEDIA (media)->browser_running = FALSE;
}

/* Browser video: started once the voice runs, an offer answered with a fixed text, candidates
 * counted. */
static gboolean
media_start_browser_video (SpMediaSession *media, const SpMediaBrowserVideoConfig *config,
                           GError **error)
{
  FakeMedia *self = FAKE_MEDIA (media);

  if (!self->audio_started || self->browser_running)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "browser video cannot start now");
      return FALSE;
    }
  self->browser_running = TRUE;
  self->browser_starts++;
  return TRUE;
}

static void
media_answer_browser_offer_async (SpMediaSession *media, const char *offer,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (media, cancellable, callback, user_data);

  if (!g_str_has_prefix (offer, "v=0"))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not SDP");
  else
    g_task_return_pointer (task, g_strdup ("v=0 (answer)"), g_free);
}

static char *
media_answer_browser_offer_finish (SpMediaSession *media, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
media_add_browser_candidate (SpMediaSession *media, guint mline, const char *candidate,
                             GError **error)
{
  FAKE_MEDIA (media)->browser_candidates++;
  return TRUE;
}

static void
media_stop_browser_video (SpMediaSession *media)
{
  FAKE_MEDIA (media)->browser_running = FALSE;
}

static gboolean
media_has_browser_video (SpMediaSession *media)
{
  return FAKE_MEDIA (media)->browser_running;
}

static void
fake_media_iface_init (SpMediaSessionInterface *iface)
{
  iface->prepare_audio = media_prepare_audio;
  iface->start_audio = media_start_audio;
  iface->update_audio = media_start_audio;
  iface->prepare_video = media_prepare_video;
  iface->start_video = media_start_video;
  iface->update_video = media_start_video;
  iface->has_video = media_has_video;
  iface->set_video_direction = media_set_video_direction;
  iface->get_picture = media_get_picture;
  iface->get_video_statistics = media_get_video_statistics;
  iface->start_push = media_start_push;
  iface->stop_push = media_stop_push;
  iface->relay_video = media_relay_video;
  iface->join_mix = media_join_mix;
  iface->leave_mix = media_leave_mix;
  iface->get_rtp_packets_sent = media_packets;
  iface->get_rtp_packets_received = media_packets;
  iface->stop = media_stop;
  iface->start_browser_video = media_start_browser_video;
  iface->answer_browser_offer_async = media_answer_browser_offer_async;
  iface->answer_browser_offer_finish = media_answer_browser_offer_finish;
  iface->add_browser_candidate = media_add_browser_candidate;
  iface->stop_browser_video = media_stop_browser_video;
  iface->has_browser_video = media_has_browser_video;
}

static void
fake_media_finalize (GObject *object)
{
  g_free (FAKE_MEDIA (object)->audio_codec);
  g_free (FAKE_MEDIA (object)->push_path);
  g_free (FAKE_MEDIA (object)->relay);
  g_hash_table_unref (FAKE_MEDIA (object)->mixes);
  G_OBJECT_CLASS (fake_media_parent_class)->finalize (object);
}

static void
fake_media_class_init (FakeMediaClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_media_finalize;
}

static void
fake_media_init (FakeMedia *self)
{
  self->mixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* ---- FakeMediaFactory ---- */

static void
fake_media_factory_iface_init (SpMediaFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeMediaFactory, fake_media_factory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_MEDIA_FACTORY,
                                                      fake_media_factory_iface_init))

static void
on_media_finalized (gpointer data, GObject *media)
{
  g_ptr_array_remove (FAKE_MEDIA_FACTORY (data)->alive, media);
}

static SpMediaSession *
factory_create (SpMediaFactory *factory, const char *leg_id)
{
  FakeMediaFactory *self = FAKE_MEDIA_FACTORY (factory);
  FakeMedia *media = g_object_new (FAKE_TYPE_MEDIA, NULL);

  g_set_weak_pointer (&self->last, media);
  g_ptr_array_add (self->alive, media);
  g_object_weak_ref (G_OBJECT (media), on_media_finalized, self);
  return SP_MEDIA_SESSION (media);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/* Every ordered pair of live legs in the same mix: "FROM>TO" (TO hears FROM), sorted. */
char *
fake_media_factory_links (FakeMediaFactory *self)
{
  g_autoptr (GPtrArray) links = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->alive->len; i++)
    {
      FakeMedia *from = g_ptr_array_index (self->alive, i);
      GHashTableIter iter;
      gpointer mix, member;

      g_hash_table_iter_init (&iter, from->mixes);
      while (!from->stopped && g_hash_table_iter_next (&iter, &mix, &member))
        for (guint j = 0; j < self->alive->len; j++)
          {
            FakeMedia *to = g_ptr_array_index (self->alive, j);
            const char *other = g_hash_table_lookup (to->mixes, mix);

            if (to != from && !to->stopped && other != NULL)
              g_ptr_array_add (links, g_strdup_printf ("%s>%s", (char *)member, other));
          }
    }
  g_ptr_array_sort (links, compare_strings);
  g_ptr_array_add (links, NULL);
  return g_strjoinv (" ", (char **)links->pdata);
}

static gboolean
factory_camera_present (SpMediaFactory *factory)
{
  return FAKE_MEDIA_FACTORY (factory)->camera;
}

static gboolean
factory_can_encode_h264 (SpMediaFactory *factory)
{
  return FALSE;
}

static void
fake_media_factory_iface_init (SpMediaFactoryInterface *iface)
{
  iface->create = factory_create;
  iface->camera_present = factory_camera_present;
  iface->can_encode_h264 = factory_can_encode_h264;
}

FakeMediaFactory *
fake_media_factory_new (gboolean camera)
{
  FakeMediaFactory *self = g_object_new (FAKE_TYPE_MEDIA_FACTORY, NULL);

  self->camera = camera;
  return self;
}

static void
fake_media_factory_dispose (GObject *object)
{
  FakeMediaFactory *self = FAKE_MEDIA_FACTORY (object);

  g_clear_weak_pointer (&self->last);
  for (guint i = 0; self->alive && i < self->alive->len; i++)
    g_object_weak_unref (g_ptr_array_index (self->alive, i), on_media_finalized, self);
  g_clear_pointer (&self->alive, g_ptr_array_unref);
  G_OBJECT_CLASS (fake_media_factory_parent_class)->dispose (object);
}

static void
fake_media_factory_class_init (FakeMediaFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fake_media_factory_dispose;
}

static void
fake_media_factory_init (FakeMediaFactory *self)
{
  self->alive = g_ptr_array_new ();
}
