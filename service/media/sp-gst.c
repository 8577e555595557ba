/* GStreamer start-up and element creation shared by the media layer. */
#include "sp-gst.h"

gboolean
sp_gst_init (GError **error)
{
  static gsize initialised = 0;
  static GError *init_error = NULL;

  if (g_once_init_enter (&initialised))
    {
      gst_init_check (NULL, NULL, &init_error);
      g_once_init_leave (&initialised, 1);
    }
  if (init_error != NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER, "GStreamer cannot start: %s",
                   init_error->message);
      return FALSE;
    }
  return TRUE;
}

GstElement *
sp_gst_add (GstBin *bin, const char *factory, const char *name, GError **error)
{
  GstElement *element = factory != NULL ? gst_element_factory_make (factory, name) : NULL;

  if (element == NULL)
    {
      g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                   "The GStreamer element '%s' is missing", factory ? factory : "(none installed)");
      return NULL;
    }
  gst_bin_add (bin, element);
  return element;
}
