/* org.sportello.BrowserVideo1 on the root object: what the relay asks of the service for video
 * through the customer's browser (docs/browser-video.md). A thin adapter over the co-browse
 * registry's video links and the interaction that owns each. */
#pragma once

#include "sp-dbus-generated.h"
#include "sp-service-context.h"

G_BEGIN_DECLS

#define SP_TYPE_BROWSER_VIDEO_SERVICE (sp_browser_video_service_get_type ())
G_DECLARE_FINAL_TYPE (SpBrowserVideoService, sp_browser_video_service, SP, BROWSER_VIDEO_SERVICE,
                      SpBrowserVideo1Skeleton)

SpBrowserVideoService *
sp_browser_video_service_new (SpServiceContext *context);

G_END_DECLS
