/* BrowserVideo1: the relay's Join, Offer, AddCandidate and Leave; the Candidate and Ended
 * signals. */
#include "sp-browser-video-service.h"

#include "sp-dbus-error.h"

struct _SpBrowserVideoService
{
  SpBrowserVideo1Skeleton parent_instance;
  SpServiceContext *context;
};

static void
sp_browser_video_service_iface_init (SpBrowserVideo1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpBrowserVideoService, sp_browser_video_service,
                               SP_TYPE_BROWSER_VIDEO1_SKELETON,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_BROWSER_VIDEO1,
                                                      sp_browser_video_service_iface_init))

#define CONTEXT(object) (SP_BROWSER_VIDEO_SERVICE (object)->context)

/* The registry, or an Unavailable reply (SIP, and so the interactions, did not start). */
static SpCoBrowseRegistry *
registry (SpBrowserVideo1 *object, GDBusMethodInvocation *invocation)
{
  SpCoBrowseRegistry *found = CONTEXT (object)->cobrowse;

  if (!found || !CONTEXT (object)->interactions)
    {
      sp_dbus_return_error_literal (invocation, SP_DBUS_ERROR_UNAVAILABLE,
                                    "calls are not running (see the service's log)");
      return NULL;
    }
  return found;
}

/* The live call whose invitation ID is, or a NotFound reply. */
static SpInteraction *
interaction_of (SpBrowserVideo1 *object, GDBusMethodInvocation *invocation, const char *id)
{
  SpCoBrowseRegistry *links = registry (object, invocation);
  g_autoptr (GError) error = NULL;
  SpCoBrowse *link;
  SpInteraction *interaction = NULL;

  if (!links)
    return NULL;
  link = sp_cobrowse_registry_find (links, SP_COBROWSE_KIND_VIDEO, id, &error);
  if (link)
    interaction
      = sp_interaction_manager_find_by_browser_link (CONTEXT (object)->interactions, link);
  if (!interaction && !error)
    g_set_error (&error, SP_DBUS_ERROR, SP_DBUS_ERROR_NOT_FOUND,
                 "the call of invitation '%s' is over", id);
  if (!interaction)
    sp_dbus_return_error (invocation, error);
  return interaction;
}

/* webrtcbin's stun://HOST:PORT and turn://USER:PASSWORD@HOST:PORT, as a browser's
 * RTCPeerConnection takes them (the TURN user and password apart). */
static GVariant *
settings (SpConfig *config)
{
  GVariantDict dict;
  g_autoptr (GPtrArray) servers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GUri) turn = config->browser_turn_server
                            ? g_uri_parse (config->browser_turn_server, G_URI_FLAGS_NONE, NULL)
                            : NULL;
  g_autoptr (GUri) stun = config->browser_stun_server
                            ? g_uri_parse (config->browser_stun_server, G_URI_FLAGS_NONE, NULL)
                            : NULL;

  g_variant_dict_init (&dict, NULL);
  if (stun)
    g_ptr_array_add (servers,
                     g_strdup_printf ("stun:%s:%d", g_uri_get_host (stun), g_uri_get_port (stun)));
  if (turn)
    g_ptr_array_add (servers, g_strdup_printf ("%s:%s:%d", g_uri_get_scheme (turn),
                                               g_uri_get_host (turn), g_uri_get_port (turn)));
  g_ptr_array_add (servers, NULL);
  g_variant_dict_insert (&dict, "ice-servers", "^as", servers->pdata);
  g_variant_dict_insert (&dict, "turn-username", "s",
                         turn && g_uri_get_user (turn) ? g_uri_get_user (turn) : "");
  g_variant_dict_insert (&dict, "turn-credential", "s",
                         turn && g_uri_get_password (turn) ? g_uri_get_password (turn) : "");
  g_variant_dict_insert (&dict, "agent-name", "s",
                         config->display_name ? config->display_name : "");
  return g_variant_dict_end (&dict);
}

static gboolean
handle_join (SpBrowserVideo1 *object, GDBusMethodInvocation *invocation, const char *code,
             const char *browser)
{
  SpCoBrowseRegistry *links = registry (object, invocation);
  g_autoptr (GError) error = NULL;
  SpCoBrowse *link;

  if (!links)
    return TRUE;
  link = sp_cobrowse_registry_join (links, SP_COBROWSE_KIND_VIDEO, code, browser, &error);
  if (!link)
    sp_dbus_return_error (invocation, error);
  else
    sp_browser_video1_complete_join (object, invocation, sp_cobrowse_get_id (link),
                                     settings (CONTEXT (object)->config));
  return TRUE;
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GDBusMethodInvocation) invocation = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *answer
    = sp_interaction_browser_offer_finish (SP_INTERACTION (source), result, &error);

  if (answer)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", answer));
  else
    sp_dbus_return_error (invocation, error);
}

static gboolean
handle_offer (SpBrowserVideo1 *object, GDBusMethodInvocation *invocation, const char *id,
              const char *sdp)
{
  SpInteraction *interaction = interaction_of (object, invocation, id);

  if (interaction)
    sp_interaction_browser_offer_async (interaction, sdp, on_answered, g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_add_candidate (SpBrowserVideo1 *object, GDBusMethodInvocation *invocation, const char *id,
                      guint mline, const char *candidate)
{
  SpInteraction *interaction = interaction_of (object, invocation, id);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (!interaction)
    return TRUE;
  /* The error is read after the call that sets it (C leaves the order of arguments open). */
  ok = sp_interaction_browser_candidate (interaction, mline, candidate, &error);
  return sp_dbus_return_done (invocation, ok, error);
}

static gboolean
handle_leave (SpBrowserVideo1 *object, GDBusMethodInvocation *invocation, const char *id,
              const char *reason)
{
  SpInteraction *interaction = interaction_of (object, invocation, id);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (!interaction)
    return TRUE;
  ok = sp_interaction_browser_left (interaction, reason, &error);
  return sp_dbus_return_done (invocation, ok, error);
}

static void
on_ended (SpCoBrowseRegistry *links, const char *id, const char *reason, gint kind, gpointer data)
{
  if (kind == SP_COBROWSE_KIND_VIDEO)
    sp_browser_video1_emit_ended (SP_BROWSER_VIDEO1 (data), id, reason);
}

static void
on_candidate (SpInteraction *interaction, guint mline, const char *candidate, gpointer data)
{
  SpCoBrowse *link = sp_interaction_get_browser_link (interaction);

  if (link)
    sp_browser_video1_emit_candidate (SP_BROWSER_VIDEO1 (data), sp_cobrowse_get_id (link), mline,
                                      candidate);
}

static void
on_added (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  g_signal_connect_object (interaction, "browser-candidate", G_CALLBACK (on_candidate), data, 0);
}

SpBrowserVideoService *
sp_browser_video_service_new (SpServiceContext *context)
{
  SpBrowserVideoService *self = g_object_new (SP_TYPE_BROWSER_VIDEO_SERVICE, NULL);

  self->context = context;
  if (context->cobrowse)
    g_signal_connect_object (context->cobrowse, "ended", G_CALLBACK (on_ended), self, 0);
  if (context->interactions)
    g_signal_connect_object (context->interactions, "added", G_CALLBACK (on_added), self, 0);
  return self;
}

static void
sp_browser_video_service_iface_init (SpBrowserVideo1Iface *iface)
{
  iface->handle_join = handle_join;
  iface->handle_offer = handle_offer;
  iface->handle_add_candidate = handle_add_candidate;
  iface->handle_leave = handle_leave;
}

static void
sp_browser_video_service_class_init (SpBrowserVideoServiceClass *klass)
{
}

static void
sp_browser_video_service_init (SpBrowserVideoService *self)
{
}
