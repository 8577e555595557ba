/* What the D-Bus services share: the config, the store (or why it cannot be used) and the
 * devices. Owned by main.c; the services only borrow it. */
#pragma once

#include <gio/gio.h>

#include "sp-camera-monitor.h"
#include "sp-config.h"
#include "sp-interaction-manager.h"
#include "sp-readiness.h"
#include "sp-shared-store.h"
#include "sp-sip-agent.h"
#include "sp-store.h"

G_BEGIN_DECLS

typedef struct
{
  SpConfig *config;
  char *data_dir;      /* the database and the push clips (DATA_DIR/push/) live here */
  SpStore *store;      /* NULL when the database cannot be used */
  GError *store_error; /* why, when store is NULL */
  SpCameraMonitor *camera;
  SpSipAgent *agent;                  /* NULL when SIP could not start */
  GError *agent_error;                /* why, when agent is NULL */
  SpInteractionManager *interactions; /* NULL when SIP could not start */
  SpMediaFactory *media;              /* the media of every call */
  GObject *recorder;                  /* the history's observer of the interactions */
  GObject *window_observer;           /* the video window's observer */
  SpCoBrowseRegistry *cobrowse;       /* co-browse sessions; NULL when SIP could not start */
  SpReadiness *readiness;             /* the agent's readiness for routed calls */
  GObject *routing;                   /* publishes availability to the router ("state") */
  char *routing_failure;              /* why [routing] is configured but not published */
  SpSharedStore *shared_store;        /* the team's PostgreSQL store; NULL when not configured */
  GError *shared_store_error;         /* why it is NULL although configured */
} SpServiceContext;

/* Returns the store, or replies Unavailable (with the reason) and returns NULL. */
SpStore *
sp_service_context_require_store (SpServiceContext *context, GDBusMethodInvocation *invocation);

G_END_DECLS
