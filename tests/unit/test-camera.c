/* See test-camera.h. */
#include "test-camera.h"

#include <signal.h>
#include <sys/prctl.h>

static void
die_with_parent (gpointer data)
{
  /* A test that aborts must not leave its camera running. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* A node that drives itself, as a real camera does (it resumes after its process was stopped,
 * unlike pipewiresink mode=provide). */
GSubprocess *
test_camera_start (const char *node, const char *colour, gboolean frozen)
{
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GError) error = NULL;
  GSubprocess *camera;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  camera = g_subprocess_launcher_spawn (
    launcher, &error, VIRTUAL_CAMERA, "--name", node, "--description", "Test-Camera", "--size",
    "320x240", "--rate", "30", "--colour", colour, frozen ? "--frozen" : NULL, NULL);
  g_assert_no_error (error);
  return camera;
}

void
test_camera_kill (GSubprocess **camera)
{
  if (*camera == NULL)
    return;
  g_subprocess_force_exit (*camera);
  g_subprocess_wait (*camera, NULL, NULL);
  g_clear_object (camera);
}

gboolean
test_camera_listed (SpCameraMonitor *monitor, const char *node)
{
  g_autoptr (GVariant) cameras = g_variant_ref_sink (sp_camera_monitor_dup_cameras (monitor));
  GVariantIter iter;
  GVariant *camera;
  gboolean found = FALSE;

  g_variant_iter_init (&iter, cameras);
  while (!found && (camera = g_variant_iter_next_value (&iter)))
    {
      const char *name = NULL;

      found = g_variant_lookup (camera, "node-name", "&s", &name) && g_strcmp0 (name, node) == 0;
      g_variant_unref (camera);
    }
  return found;
}
