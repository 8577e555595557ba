/* libnice, loaded when a browser's video first needs it rather than with the service: linked,
 * it brought GUPnP, libxml2, ICU, libstdc++ and GnuTLS into every sportellod, about 4.5 MiB of
 * resident pages before any call. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Loads libnice (once) before webrtcbin does. Sofia-SIP exports a stun_message_length of its
 * own, which libnice would otherwise call in place of its own (a crash on the first STUN
 * check): libnice is loaded with its own symbols first (RTLD_DEEPBIND), or, in a sanitizer
 * build, where that flag is refused, it was linked ahead of Sofia (service/meson.build). */
gboolean
sp_libnice_load (GError **error);

/* nice_agent_add_local_address for AGENT (a NiceAgent) and the textual ADDRESS. */
gboolean
sp_libnice_add_local_address (GObject *agent, const char *address);

G_END_DECLS
