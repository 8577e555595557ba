/* SpCallSessionFactory: one SpCallSession per leg, all with the same settings. */
#include "sp-call-session-factory.h"

#include "sp-audio-devices.h"
#include "sp-camera-monitor.h"
#include "sp-video-codec.h"

struct _SpCallSessionFactory
{
  GObject parent_instance;

  SpCallSessionSettings settings; /* the strings are ours */
};

static void
sp_call_session_factory_media_init (SpMediaFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpCallSessionFactory, sp_call_session_factory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_MEDIA_FACTORY,
                                                      sp_call_session_factory_media_init))

SpCallSessionFactory *
sp_call_session_factory_new (const SpCallSessionSettings *settings)
{
  SpCallSessionFactory *self = g_object_new (SP_TYPE_CALL_SESSION_FACTORY, NULL);

  self->settings = *settings;
  self->settings.audio_source = g_strdup (settings->audio_source);
  self->settings.audio_sink = g_strdup (settings->audio_sink);
  self->settings.camera = g_strdup (settings->camera ? settings->camera : "none");
  if (settings->monitor)
    g_object_ref (settings->monitor);
  return self;
}

/* A leg beside the contact's records into a file of its own (sp-audio-devices.h). */
static SpMediaSession *
factory_create (SpMediaFactory *factory, const char *leg_id)
{
  SpCallSessionSettings settings = SP_CALL_SESSION_FACTORY (factory)->settings;
  g_autofree char *sink = NULL;

  if (leg_id)
    settings.audio_sink = sink = sp_audio_sink_spec_with_suffix (settings.audio_sink, leg_id);
  return SP_MEDIA_SESSION (sp_call_session_new (&settings));
}

static gboolean
factory_camera_present (SpMediaFactory *factory)
{
  const SpCallSessionSettings *settings = &SP_CALL_SESSION_FACTORY (factory)->settings;

  if (g_str_equal (settings->camera, "none"))
    return FALSE;
  if (g_str_equal (settings->camera, "test"))
    return TRUE;
  return settings->monitor && sp_camera_monitor_get_available (settings->monitor);
}

static gboolean
factory_can_encode_h264 (SpMediaFactory *factory)
{
  return sp_video_codec_h264_available ();
}

static void
sp_call_session_factory_media_init (SpMediaFactoryInterface *iface)
{
  iface->can_encode_h264 = factory_can_encode_h264;
  iface->create = factory_create;
  iface->camera_present = factory_camera_present;
}

static void
sp_call_session_factory_finalize (GObject *object)
{
  SpCallSessionSettings *settings = &SP_CALL_SESSION_FACTORY (object)->settings;

  g_free ((char *)settings->audio_source);
  g_free ((char *)settings->audio_sink);
  g_free ((char *)settings->camera);
  g_clear_object (&settings->monitor);
  G_OBJECT_CLASS (sp_call_session_factory_parent_class)->finalize (object);
}

static void
sp_call_session_factory_class_init (SpCallSessionFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_call_session_factory_finalize;
}

static void
sp_call_session_factory_init (SpCallSessionFactory *self)
{
}
