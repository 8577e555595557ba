/* Watches PipeWire's registry for cameras (Video/Source nodes with media.role=Camera). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SP_TYPE_CAMERA_MONITOR (sp_camera_monitor_get_type ())
G_DECLARE_FINAL_TYPE (SpCameraMonitor, sp_camera_monitor, SP, CAMERA_MONITOR, GObject)

SpCameraMonitor *
sp_camera_monitor_new (void);
gboolean
sp_camera_monitor_get_available (SpCameraMonitor *self);
gboolean
sp_camera_monitor_get_connected (SpCameraMonitor *self);
/* aa{sv}: id (u), node-name (s), description (s); floating. */
GVariant *
sp_camera_monitor_dup_cameras (SpCameraMonitor *self);

G_END_DECLS
