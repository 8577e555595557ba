/* Co-browse for an interaction (docs/co-browse.md): StartCoBrowse opens a session in the
 * registry and offers its link to the contact's phone by SIP MESSAGE where it accepts one; the
 * interaction follows the session (joined, pages, end) into its properties and record, and ends
 * it with the call. */
#include "sp-interaction-private.h"

static void
on_cobrowse_state (SpCoBrowse *cobrowse, GParamSpec *pspec, gpointer data)
{
  SpInteraction *self = data;
  SpCoBrowseState state = sp_cobrowse_get_state (cobrowse);

  sp_interaction_log (self, G_LOG_LEVEL_INFO, "co-browse %s%s%s",
                      sp_cobrowse_state_to_string (state), state == SP_COBROWSE_ENDED ? ": " : "",
                      state == SP_COBROWSE_ENDED ? sp_cobrowse_get_ended_by (cobrowse) : "");
  sp_interaction_record (
    self, state == SP_COBROWSE_JOINED ? SP_RECORD_COBROWSE_JOINED : SP_RECORD_COBROWSE_ENDED, NULL);
  sp_interaction_notify (self, "co-browse");
}

static void
on_cobrowse_page (SpCoBrowse *cobrowse, const char *url, gint64 time, gpointer data)
{
  sp_interaction_record (SP_INTERACTION (data), SP_RECORD_COBROWSE_PAGE, NULL);
}

static void
forget_cobrowse (SpInteraction *self)
{
  if (!self->cobrowse)
    return;
  g_signal_handlers_disconnect_by_data (self->cobrowse, self);
  g_clear_object (&self->cobrowse);
}

/* The link as a text message in the call, for phones that take MESSAGE (their Allow says so). */
static void
offer_link (SpInteraction *self, const char *code, const char *url)
{
  g_autofree char *text
    = g_strdup_printf ("%s invites you to browse our site together: open %s (code %s)",
                       self->context.config->display_name && *self->context.config->display_name
                         ? self->context.config->display_name
                         : "Your agent",
                       url, code);
  g_autoptr (GError) error = NULL;

  if (sp_leg_send_text (self->contact->leg, text, &error))
    sp_interaction_log (self, G_LOG_LEVEL_INFO, "co-browse link sent to the contact's phone");
  else
    sp_interaction_log (self, G_LOG_LEVEL_INFO, "co-browse link not sent to the phone: %s",
                        error->message);
}

gboolean
sp_interaction_start_cobrowse (SpInteraction *self, char **code, char **url, GError **error)
{
  SpCoBrowseRegistry *registry = self->context.cobrowse;
  g_autoptr (SpCoBrowse) cobrowse = NULL;

  if (!registry || !sp_cobrowse_registry_enabled (registry))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
                   "co-browse is not configured ([co-browse] site-origins is empty)");
      return FALSE;
    }
  if (self->state != SP_INTERACTION_TALKING && self->state != SP_INTERACTION_HELD)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "StartCoBrowse needs the state talking or held, not %s",
                   sp_interaction_state_to_string (self->state));
      return FALSE;
    }
  sp_interaction_cobrowse_stop (self, "stopped");
  cobrowse = sp_cobrowse_registry_open (registry, SP_COBROWSE_KIND_SITE, error);
  if (!cobrowse)
    return FALSE;
  forget_cobrowse (self);
  self->cobrowse = g_steal_pointer (&cobrowse);
  g_signal_connect (self->cobrowse, "notify::state", G_CALLBACK (on_cobrowse_state), self);
  g_signal_connect (self->cobrowse, "page", G_CALLBACK (on_cobrowse_page), self);
  *code = g_strdup (sp_cobrowse_get_code (self->cobrowse));
  *url = sp_cobrowse_registry_customer_url (registry, self->cobrowse);
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "co-browse waiting for the customer");
  sp_interaction_record (self, SP_RECORD_COBROWSE_STARTED, NULL);
  sp_interaction_notify (self, "co-browse");
  offer_link (self, *code, *url);
  return TRUE;
}

gboolean
sp_interaction_stop_cobrowse (SpInteraction *self, GError **error)
{
  if (!self->cobrowse || sp_cobrowse_get_state (self->cobrowse) == SP_COBROWSE_ENDED)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "no co-browse is waiting or joined");
      return FALSE;
    }
  sp_interaction_cobrowse_stop (self, "stopped");
  return TRUE;
}

void
sp_interaction_cobrowse_stop (SpInteraction *self, const char *reason)
{
  if (self->cobrowse && self->context.cobrowse)
    sp_cobrowse_registry_end (self->context.cobrowse, self->cobrowse, reason);
}

void
sp_interaction_cobrowse_dispose (SpInteraction *self)
{
  sp_interaction_cobrowse_stop (self, "call-ended");
  forget_cobrowse (self);
}

SpCoBrowse *
sp_interaction_get_cobrowse (SpInteraction *self)
{
  return self->cobrowse;
}

const char *
sp_interaction_get_cobrowse_state (SpInteraction *self)
{
  return self->cobrowse ? sp_cobrowse_state_to_string (sp_cobrowse_get_state (self->cobrowse))
                        : "none";
}

char *
sp_interaction_dup_cobrowse_agent_url (SpInteraction *self)
{
  if (!self->cobrowse || sp_cobrowse_get_state (self->cobrowse) == SP_COBROWSE_ENDED
      || !self->context.cobrowse)
    return g_strdup ("");
  return sp_cobrowse_registry_agent_url (self->context.cobrowse, self->cobrowse);
}
