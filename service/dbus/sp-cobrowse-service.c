/* CoBrowse1: the relay's Join, JoinAgent, Visited and Left, and the Ended signal. */
#include "sp-cobrowse-service.h"

#include "sp-dbus-error.h"

struct _SpCoBrowseService
{
  SpCoBrowse1Skeleton parent_instance;
  SpServiceContext *context;
};

static void
sp_cobrowse_service_iface_init (SpCoBrowse1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpCoBrowseService, sp_cobrowse_service, SP_TYPE_CO_BROWSE1_SKELETON,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_CO_BROWSE1,
                                                      sp_cobrowse_service_iface_init))

/* The registry, or an Unavailable reply (SIP, and so the interactions, did not start). */
static SpCoBrowseRegistry *
registry (SpCoBrowse1 *object, GDBusMethodInvocation *invocation)
{
  SpCoBrowseRegistry *found = SP_COBROWSE_SERVICE (object)->context->cobrowse;

  if (!found)
    sp_dbus_return_error_literal (invocation, SP_DBUS_ERROR_UNAVAILABLE,
                                  "co-browse is not running (see the service's log)");
  return found;
}

static gboolean
reply_joined (SpCoBrowseRegistry *cobrowse_registry, GDBusMethodInvocation *invocation,
              SpCoBrowse *cobrowse, const GError *error)
{
  if (!cobrowse)
    sp_dbus_return_error (invocation, error);
  else
    g_dbus_method_invocation_return_value (
      invocation, g_variant_new ("(s@a{sv})", sp_cobrowse_get_id (cobrowse),
                                 sp_cobrowse_registry_site (cobrowse_registry)));
  return TRUE;
}

static gboolean
handle_join (SpCoBrowse1 *object, GDBusMethodInvocation *invocation, const char *code,
             const char *browser)
{
  SpCoBrowseRegistry *found = registry (object, invocation);
  g_autoptr (GError) error = NULL;

  SpCoBrowse *cobrowse;

  if (!found)
    return TRUE;
  cobrowse = sp_cobrowse_registry_join (found, SP_COBROWSE_KIND_SITE, code, browser, &error);
  return reply_joined (found, invocation, cobrowse, error);
}

static gboolean
handle_join_agent (SpCoBrowse1 *object, GDBusMethodInvocation *invocation, const char *key)
{
  SpCoBrowseRegistry *found = registry (object, invocation);
  g_autoptr (GError) error = NULL;

  SpCoBrowse *cobrowse;

  if (!found)
    return TRUE;
  cobrowse = sp_cobrowse_registry_join_agent (found, key, &error);
  return reply_joined (found, invocation, cobrowse, error);
}

static gboolean
handle_visited (SpCoBrowse1 *object, GDBusMethodInvocation *invocation, const char *session,
                const char *url)
{
  SpCoBrowseRegistry *found = registry (object, invocation);
  g_autoptr (GError) error = NULL;

  gboolean ok;

  if (!found)
    return TRUE;
  ok = sp_cobrowse_registry_visited (found, session, url, &error);
  return sp_dbus_return_done (invocation, ok, error);
}

static gboolean
handle_left (SpCoBrowse1 *object, GDBusMethodInvocation *invocation, const char *session,
             const char *role)
{
  SpCoBrowseRegistry *found = registry (object, invocation);
  g_autoptr (GError) error = NULL;

  gboolean ok;

  if (!found)
    return TRUE;
  ok = sp_cobrowse_registry_left (found, session, role, &error);
  return sp_dbus_return_done (invocation, ok, error);
}

static void
on_ended (SpCoBrowseRegistry *cobrowse_registry, const char *id, const char *reason, gint kind,
          gpointer data)
{
  if (kind == SP_COBROWSE_KIND_SITE)
    sp_co_browse1_emit_ended (SP_CO_BROWSE1 (data), id, reason);
}

SpCoBrowseService *
sp_cobrowse_service_new (SpServiceContext *context)
{
  SpCoBrowseService *self = g_object_new (SP_TYPE_COBROWSE_SERVICE, NULL);

  self->context = context;
  if (context->cobrowse)
    g_signal_connect_object (context->cobrowse, "ended", G_CALLBACK (on_ended), self, 0);
  return self;
}

static void
sp_cobrowse_service_iface_init (SpCoBrowse1Iface *iface)
{
  iface->handle_join = handle_join;
  iface->handle_join_agent = handle_join_agent;
  iface->handle_visited = handle_visited;
  iface->handle_left = handle_left;
}

static void
sp_cobrowse_service_class_init (SpCoBrowseServiceClass *klass)
{
}

static void
sp_cobrowse_service_init (SpCoBrowseService *self)
{
}
