/* The command tables, one per module; each ends with an entry whose name is NULL. */
#pragma once

#include "ctl-context.h"

G_BEGIN_DECLS

extern const CtlCommand ctl_agent_commands[];
extern const CtlCommand ctl_browser_video_relay_commands[];
extern const CtlCommand ctl_cobrowse_relay_commands[];
extern const CtlCommand ctl_contacts_commands[];
extern const CtlCommand ctl_readiness_commands[];
extern const CtlCommand ctl_responses_commands[];
extern const CtlCommand ctl_secret_commands[];
extern const CtlCommand ctl_sessions_commands[];
extern const CtlCommand ctl_store_commands[];
extern const CtlCommand ctl_watch_commands[];

G_END_DECLS
