/* The virtual PipeWire camera of the media tests (tests/tools/sp-virtual-camera, path given as
 * VIRTUAL_CAMERA at build time), run as a child inside with-pipewire.sh's private PipeWire. */
#pragma once

#include "sp-camera-monitor.h"

#include <gio/gio.h>

/* A 320x240 30/s camera called NODE showing COLOUR ("RRGGBB"); FROZEN: listed and linked like
 * any other, it never delivers a frame. It dies with the test. */
GSubprocess *
test_camera_start (const char *node, const char *colour, gboolean frozen);
void
test_camera_kill (GSubprocess **camera);
/* Whether MONITOR lists the camera called NODE. */
gboolean
test_camera_listed (SpCameraMonitor *monitor, const char *node);
