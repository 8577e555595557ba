#define _GNU_SOURCE /* RTLD_DEEPBIND */
#include "sp-libnice.h"
#include "sp-media-error.h"

#include <dlfcn.h>
#include <nice/agent.h>

#define LIBNICE_SONAME "libnice.so.10"

#ifdef SP_LIBNICE_LINKED
#define LOAD_FLAGS (RTLD_NOW | RTLD_GLOBAL)
#else
#define LOAD_FLAGS (RTLD_NOW | RTLD_GLOBAL | RTLD_DEEPBIND)
#endif

static struct
{
  gboolean loaded;
  char *failure;
  __typeof__ (nice_address_init) *address_init;
  __typeof__ (nice_address_set_from_string) *address_set_from_string;
  __typeof__ (nice_agent_add_local_address) *add_local_address;
} libnice;

static gpointer
load (gpointer data)
{
  void *handle = dlopen (LIBNICE_SONAME, LOAD_FLAGS); /* kept for the process's life */

  if (handle == NULL)
    {
      libnice.failure = g_strdup (dlerror ());
      return NULL;
    }
  libnice.address_init = dlsym (handle, "nice_address_init");
  libnice.address_set_from_string = dlsym (handle, "nice_address_set_from_string");
  libnice.add_local_address = dlsym (handle, "nice_agent_add_local_address");
  if (!libnice.address_init || !libnice.address_set_from_string || !libnice.add_local_address)
    libnice.failure = g_strdup_printf ("%s lacks the functions it should have", LIBNICE_SONAME);
  else
    libnice.loaded = TRUE;
  return NULL;
}

gboolean
sp_libnice_load (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, load, NULL);
  if (!libnice.loaded)
    g_set_error (error, SP_MEDIA_ERROR, SP_MEDIA_ERROR_GSTREAMER,
                 "libnice cannot be loaded (libnice10): %s", libnice.failure);
  return libnice.loaded;
}

gboolean
sp_libnice_add_local_address (GObject *agent, const char *address)
{
  NiceAddress parsed;

  if (!sp_libnice_load (NULL))
    return FALSE;
  libnice.address_init (&parsed);
  return libnice.address_set_from_string (&parsed, address)
         && libnice.add_local_address ((NiceAgent *)agent, &parsed);
}
