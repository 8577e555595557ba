/* Makes the GStreamer media of each new leg (SpMediaFactory) with the service's settings, and
 * tells whether a camera is there to send. */
#pragma once

#include "sp-call-session.h"

G_BEGIN_DECLS

#define SP_TYPE_CALL_SESSION_FACTORY (sp_call_session_factory_get_type ())
G_DECLARE_FINAL_TYPE (SpCallSessionFactory, sp_call_session_factory, SP, CALL_SESSION_FACTORY,
                      GObject)

/* SETTINGS are copied (the monitor is referenced). */
SpCallSessionFactory *
sp_call_session_factory_new (const SpCallSessionSettings *settings);

G_END_DECLS
