/* org.sportello.Session1 for one interaction: properties mirror the domain object, methods
 * call it. Exported as /org/sportello/Sportello1/session/N through the ObjectManager. */
#pragma once

#include "sp-dbus-generated.h"
#include "sp-interaction.h"

G_BEGIN_DECLS

#define SP_TYPE_SESSION_SERVICE (sp_session_service_get_type ())
G_DECLARE_FINAL_TYPE (SpSessionService, sp_session_service, SP, SESSION_SERVICE, SpSession1Skeleton)

SpSessionService *
sp_session_service_new (SpInteraction *interaction, SpConfig *config);
char *
sp_session_service_path_for (guint number);
/* The interaction number in a session object path, or 0 when @path is not one. */
guint
sp_session_service_number_from_path (const char *path);

G_END_DECLS
