/* The browser video's signalling (docs/browser-video.md): one WebSocket per customer browser on
 * /video/ws, authenticated by the one-time code of Session1.InviteBrowserVideo; the relay carries
 * the WebRTC offer, the answer and the ICE candidates between the page and sportellod
 * (org.sportello.BrowserVideo1). The media goes directly between the browser and sportellod. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _CbServer CbServer;
typedef struct _CbVideo CbVideo;

/* SERVER: for the failed joins per address; BUS_NAME: sportellod's name. */
CbVideo *
cb_video_new (CbServer *server, GDBusConnection *bus, const char *bus_name);
void
cb_video_free (CbVideo *self);

/* soup_server_add_websocket_handler's callback for /video/ws (USER_DATA: the CbVideo). */
void
cb_video_on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                       SoupWebsocketConnection *connection, gpointer user_data);

G_END_DECLS
