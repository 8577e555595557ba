/* Session1: a thin adapter. Hold/Retrieve reply when the re-INVITE completes (model (b) of
 * ANCHORS §6.2; the INVITE transaction is bounded well under the 25 s D-Bus timeout by the
 * peer's answer or our own error). */
#include "sp-session-service.h"

#include "sp-dbus-error.h"
#include "sp-dbus-server.h"

#include <string.h>

struct _SpSessionService
{
  SpSession1Skeleton parent_instance;
  SpInteraction *interaction;
  SpConfig *config;
};

static void
sp_session_service_iface_init (SpSession1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpSessionService, sp_session_service, SP_TYPE_SESSION1_SKELETON,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_SESSION1,
                                                      sp_session_service_iface_init))

char *
sp_session_service_path_for (guint number)
{
  return g_strdup_printf (SP_DBUS_ROOT_PATH "/session/%u", number);
}

guint
sp_session_service_number_from_path (const char *path)
{
  const char *prefix = SP_DBUS_ROOT_PATH "/session/";
  guint64 number;

  if (!g_str_has_prefix (path, prefix)
      || !g_ascii_string_to_unsigned (path + strlen (prefix), 10, 1, G_MAXUINT, &number, NULL))
    return 0;
  return (guint)number;
}

/* (actor, reason, error name, message): the domain gives the error as a code, named here. */
static GVariant *
end_reason (SpInteraction *interaction)
{
  const char *actor, *reason, *message;
  int code;

  sp_interaction_get_end (interaction, &actor, &reason, &code, &message);
  return g_variant_new ("(ssss)", actor, reason,
                        code < 0 ? "" : sp_dbus_error_name_for_interaction (code), message);
}

static void
sync_properties (SpSessionService *self)
{
  SpSession1 *session = SP_SESSION1 (self);
  SpInteraction *interaction = self->interaction;
  SpInteractionState state = sp_interaction_get_state (interaction);
  g_autofree char *agent_url = sp_interaction_dup_cobrowse_agent_url (interaction);

  sp_session1_set_state (session, sp_interaction_state_to_string (state == SP_INTERACTION_DONE
                                                                    ? SP_INTERACTION_DISCONNECTED
                                                                    : state));
  sp_session1_set_remote (session, sp_interaction_get_remote (interaction));
  sp_session1_set_referred_by (session, sp_interaction_get_referred_by (interaction));
  sp_session1_set_remote_name (session, sp_interaction_get_remote_name (interaction));
  sp_session1_set_contact_id (session, sp_interaction_get_contact_id (interaction));
  sp_session1_set_notepad (session, sp_interaction_get_notepad (interaction));
  sp_session1_set_case_data (session, sp_interaction_get_case_data (interaction));
  sp_session1_set_dispositions (session, self->config->disposition_visible
                                           ? sp_interaction_get_dispositions (interaction)
                                           : (const char *const[]){ NULL });
  sp_session1_set_end_reason (session, end_reason (interaction));
  sp_session1_set_participants (session, sp_interaction_get_participants (interaction));
  sp_session1_set_video (session,
                         sp_interaction_video_to_string (sp_interaction_get_video (interaction)));
  sp_session1_set_video_requester (session, sp_interaction_get_video_requester (interaction));
  sp_session1_set_video_path (session, sp_interaction_get_video_path (interaction));
  sp_session1_set_browser_video (session, sp_interaction_get_browser_video (interaction));
  sp_session1_set_browser_video_ended_by (session,
                                          sp_interaction_get_browser_video_ended_by (interaction));
  sp_session1_set_window (session, sp_interaction_get_window (interaction));
  sp_session1_set_layout (session, sp_interaction_get_layout (interaction));
  sp_session1_set_always_on_top (session, sp_interaction_get_always_on_top (interaction));
  sp_session1_set_push (session, sp_interaction_get_push (interaction));
  sp_session1_set_co_browse (session, sp_interaction_get_cobrowse_state (interaction));
  sp_session1_set_co_browse_agent_url (session, agent_url);
  sp_session1_set_encrypted (session, sp_interaction_get_encrypted (interaction));
}

static void
on_push_ended (SpInteraction *interaction, const char *item, const char *reason,
               const char *message, gpointer data)
{
  sp_session1_emit_push_ended (SP_SESSION1 (data), item, reason, message);
}

static void
on_participant_declined (SpInteraction *interaction, const char *id, guint status,
                         const char *phrase, gpointer data)
{
  sp_session1_emit_participant_declined (SP_SESSION1 (data), id, status, phrase);
}

static void
on_interaction_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  sync_properties (SP_SESSION_SERVICE (data));
}

#define SIMPLE_HANDLER(name, call)                                                                 \
  static gboolean name (SpSession1 *object, GDBusMethodInvocation *invocation)                     \
  {                                                                                                \
    g_autoptr (GError) error = NULL;                                                               \
    gboolean ok = call (SP_SESSION_SERVICE (object)->interaction, &error);                         \
    return sp_dbus_return_done (invocation, ok, error);                                            \
  }

SIMPLE_HANDLER (handle_answer, sp_interaction_answer)
SIMPLE_HANDLER (handle_reject, sp_interaction_reject)
SIMPLE_HANDLER (handle_disconnect, sp_interaction_disconnect)
SIMPLE_HANDLER (handle_mark_done, sp_interaction_mark_done)
SIMPLE_HANDLER (handle_swap_layout, sp_interaction_swap_layout)
SIMPLE_HANDLER (handle_stop_push, sp_interaction_stop_push)
SIMPLE_HANDLER (handle_stop_co_browse, sp_interaction_stop_cobrowse)

static gboolean
handle_start_co_browse (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;

  if (!sp_interaction_start_cobrowse (SP_SESSION_SERVICE (object)->interaction, &code, &url,
                                      &error))
    sp_dbus_return_error (invocation, error);
  else
    sp_session1_complete_start_co_browse (object, invocation, code, url);
  return TRUE;
}

static gboolean
handle_invite_browser_video (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;

  if (!sp_interaction_invite_browser_video (SP_SESSION_SERVICE (object)->interaction, &code, &url,
                                            &error))
    sp_dbus_return_error (invocation, error);
  else
    sp_session1_complete_invite_browser_video (object, invocation, code, url);
  return TRUE;
}

static gboolean
handle_start_push (SpSession1 *object, GDBusMethodInvocation *invocation, const char *item_id)
{
  g_autoptr (GError) error = NULL;
  gboolean ok
    = sp_interaction_start_push (SP_SESSION_SERVICE (object)->interaction, item_id, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

static gboolean
handle_set_always_on_top (SpSession1 *object, GDBusMethodInvocation *invocation, gboolean on_top)
{
  g_autoptr (GError) error = NULL;
  gboolean ok
    = sp_interaction_set_always_on_top (SP_SESSION_SERVICE (object)->interaction, on_top, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

/* Every asynchronous action of the interaction replies the same way: nothing, or its error. */
static void
on_action_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GDBusMethodInvocation) invocation = data;
  g_autoptr (GError) error = NULL;
  gboolean ok = sp_interaction_action_finish (SP_INTERACTION (source), result, &error);

  sp_dbus_return_done (invocation, ok, error);
}

/* Like Hold, these reply once the contact's phone answered the re-INVITE. */
static gboolean
handle_activate_video (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_activate_video_async (SP_SESSION_SERVICE (object)->interaction, on_action_done,
                                       g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_deactivate_video (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_deactivate_video_async (SP_SESSION_SERVICE (object)->interaction, on_action_done,
                                         g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_get_media_statistics (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_session1_complete_get_media_statistics (
    object, invocation,
    sp_interaction_get_media_statistics (SP_SESSION_SERVICE (object)->interaction));
  return TRUE;
}

static gboolean
handle_hold (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_hold_async (SP_SESSION_SERVICE (object)->interaction, TRUE, on_action_done,
                             g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_retrieve (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_hold_async (SP_SESSION_SERVICE (object)->interaction, FALSE, on_action_done,
                             g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_transfer (SpSession1 *object, GDBusMethodInvocation *invocation, const char *target,
                 const char *reason)
{
  sp_interaction_transfer_async (SP_SESSION_SERVICE (object)->interaction, target, reason,
                                 on_action_done, g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_consult_transfer (SpSession1 *object, GDBusMethodInvocation *invocation, const char *number,
                         const char *reason)
{
  sp_interaction_consult_async (SP_SESSION_SERVICE (object)->interaction, number, reason,
                                on_action_done, g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_complete_transfer (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_complete_transfer_async (SP_SESSION_SERVICE (object)->interaction, on_action_done,
                                          g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_end_consultation (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_end_consultation_async (SP_SESSION_SERVICE (object)->interaction, on_action_done,
                                         g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_set_notepad (SpSession1 *object, GDBusMethodInvocation *invocation, const char *text)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = sp_interaction_set_notepad (SP_SESSION_SERVICE (object)->interaction, text, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

static gboolean
handle_append_note (SpSession1 *object, GDBusMethodInvocation *invocation, const char *text)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = sp_interaction_append_note (SP_SESSION_SERVICE (object)->interaction, text, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

static gboolean
handle_set_case_data (SpSession1 *object, GDBusMethodInvocation *invocation, GVariant *values)
{
  g_autoptr (GError) error = NULL;
  gboolean ok
    = sp_interaction_set_case_data (SP_SESSION_SERVICE (object)->interaction, values, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

static gboolean
handle_set_dispositions (SpSession1 *object, GDBusMethodInvocation *invocation,
                         const char *const *codes)
{
  g_autoptr (GError) error = NULL;
  gboolean ok
    = sp_interaction_set_dispositions (SP_SESSION_SERVICE (object)->interaction, codes, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

/* Conference replies once the agents are called, CompleteConference once the contact is back. */
static gboolean
handle_conference (SpSession1 *object, GDBusMethodInvocation *invocation,
                   const char *const *agent_ids)
{
  sp_interaction_conference_async (SP_SESSION_SERVICE (object)->interaction, agent_ids,
                                   on_action_done, g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_complete_conference (SpSession1 *object, GDBusMethodInvocation *invocation)
{
  sp_interaction_complete_conference_async (SP_SESSION_SERVICE (object)->interaction,
                                            on_action_done, g_object_ref (invocation));
  return TRUE;
}

static gboolean
handle_drop_participant (SpSession1 *object, GDBusMethodInvocation *invocation, const char *id)
{
  g_autoptr (GError) error = NULL;
  gboolean ok
    = sp_interaction_drop_participant (SP_SESSION_SERVICE (object)->interaction, id, &error);

  return sp_dbus_return_done (invocation, ok, error);
}

static void
sp_session_service_iface_init (SpSession1Iface *iface)
{
  iface->handle_get_media_statistics = handle_get_media_statistics;
  iface->handle_answer = handle_answer;
  iface->handle_reject = handle_reject;
  iface->handle_hold = handle_hold;
  iface->handle_retrieve = handle_retrieve;
  iface->handle_disconnect = handle_disconnect;
  iface->handle_mark_done = handle_mark_done;
  iface->handle_set_notepad = handle_set_notepad;
  iface->handle_append_note = handle_append_note;
  iface->handle_set_case_data = handle_set_case_data;
  iface->handle_set_dispositions = handle_set_dispositions;
  iface->handle_activate_video = handle_activate_video;
  iface->handle_deactivate_video = handle_deactivate_video;
  iface->handle_start_push = handle_start_push;
  iface->handle_stop_push = handle_stop_push;
  iface->handle_start_co_browse = handle_start_co_browse;
  iface->handle_invite_browser_video = handle_invite_browser_video;
  iface->handle_stop_co_browse = handle_stop_co_browse;
  iface->handle_swap_layout = handle_swap_layout;
  iface->handle_set_always_on_top = handle_set_always_on_top;
  iface->handle_conference = handle_conference;
  iface->handle_complete_conference = handle_complete_conference;
  iface->handle_drop_participant = handle_drop_participant;
  iface->handle_transfer = handle_transfer;
  iface->handle_consult_transfer = handle_consult_transfer;
  iface->handle_complete_transfer = handle_complete_transfer;
  iface->handle_end_consultation = handle_end_consultation;
}

static void
sp_session_service_dispose (GObject *object)
{
  SpSessionService *self = SP_SESSION_SERVICE (object);

  if (self->interaction)
    {
      g_signal_handlers_disconnect_by_data (self->interaction, self);
      g_clear_object (&self->interaction);
    }
  G_OBJECT_CLASS (sp_session_service_parent_class)->dispose (object);
}

static void
sp_session_service_class_init (SpSessionServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_session_service_dispose;
}

static void
sp_session_service_init (SpSessionService *self)
{
}

SpSessionService *
sp_session_service_new (SpInteraction *interaction, SpConfig *config)
{
  SpSessionService *self = g_object_new (SP_TYPE_SESSION_SERVICE, NULL);
  SpSession1 *session = SP_SESSION1 (self);

  self->interaction = g_object_ref (interaction);
  self->config = config;
  sp_session1_set_direction (session, sp_interaction_get_direction (interaction));
  sp_session1_set_attached_data (session, sp_interaction_get_attached_data (interaction));
  sp_session1_set_video (session, "none");
  sp_session1_set_push (session, "");
  sp_session1_set_layout (session, "remote-large");
  sp_session1_set_window (session, "none");
  sp_session1_set_disposition_required (session, config->disposition_required);
  sp_session1_set_disposition_visible (session, config->disposition_visible);
  sync_properties (self);
  g_signal_connect (interaction, "notify", G_CALLBACK (on_interaction_notify), self);
  g_signal_connect (interaction, "push-ended", G_CALLBACK (on_push_ended), self);
  g_signal_connect (interaction, "participant-declined", G_CALLBACK (on_participant_declined),
                    self);
  return self;
}
