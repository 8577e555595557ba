/* The interaction's identity, state and record: notes, case data and dispositions are checked
 * here and stored by the observers of the "record" signal before the change is acknowledged. */
#include "sp-interaction-private.h"

#include <string.h>

G_DEFINE_QUARK (sp - interaction - error - quark, sp_interaction_error)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_REMOTE,
  PROP_REFERRED_BY,
  PROP_REMOTE_NAME,
  PROP_CONTACT_ID,
  PROP_NOTEPAD,
  PROP_CASE_DATA,
  PROP_DISPOSITIONS,
  PROP_END_REASON,
  PROP_PARTICIPANTS,
  PROP_VIDEO,
  PROP_VIDEO_REQUESTER,
  PROP_WINDOW,
  PROP_LAYOUT,
  PROP_ALWAYS_ON_TOP,
  PROP_PUSH,
  PROP_COBROWSE,
  PROP_ENCRYPTED,
  PROP_VIDEO_PATH,
  PROP_BROWSER_VIDEO,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_DONE,
  SIGNAL_RECORD,
  SIGNAL_KEEP_ON_TOP,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpInteraction, sp_interaction, G_TYPE_OBJECT)

static const char *const state_names[] = {
  [SP_INTERACTION_DIALING] = "dialing",
  [SP_INTERACTION_RINGING] = "ringing",
  [SP_INTERACTION_TALKING] = "talking",
  [SP_INTERACTION_HELD] = "held",
  [SP_INTERACTION_CONSULTING] = "consulting",
  [SP_INTERACTION_DISCONNECTED] = "disconnected",
  [SP_INTERACTION_DONE] = "done",
};

const char *
sp_interaction_state_to_string (SpInteractionState state)
{
  return state < G_N_ELEMENTS (state_names) ? state_names[state] : "disconnected";
}

void
sp_interaction_notify (SpInteraction *self, const char *property)
{
  g_object_notify (G_OBJECT (self), property);
  /* Who joined and left is part of the record (never refused: the call goes on). */
  if (g_str_equal (property, "participants"))
    sp_interaction_record (self, SP_RECORD_PARTICIPANTS, NULL);
}

/* The contact's participant entry mirrors the call: held while the agent consults. */
static void
contact_follows (SpInteraction *self)
{
  SpParticipant *contact = self->contact;

  switch (self->state)
    {
      case SP_INTERACTION_TALKING:
        contact->state = SP_PARTICIPANT_TALKING;
        if (!contact->joined)
          contact->joined = g_get_real_time ();
        break;
      case SP_INTERACTION_HELD:
      case SP_INTERACTION_CONSULTING:
        contact->state = SP_PARTICIPANT_HELD;
        break;
      case SP_INTERACTION_DISCONNECTED:
      case SP_INTERACTION_DONE:
        contact->state = SP_PARTICIPANT_ENDED;
        if (!contact->left)
          contact->left = g_get_real_time ();
        break;
      case SP_INTERACTION_DIALING:
      case SP_INTERACTION_RINGING:
      default:
        break;
    }
}

/* Every line about a session carries its number and the contact's Call-ID, for journalctl
 * SPORTELLO_SESSION=N or SIP_CALL_ID=… */
void
sp_interaction_log (SpInteraction *self, GLogLevelFlags level, const char *format, ...)
{
  g_autofree char *text = NULL;
  char number[16];
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_snprintf (number, sizeof number, "%u", self->number);
  g_log_structured (G_LOG_DOMAIN, level, "SPORTELLO_SESSION", number, "SIP_CALL_ID",
                    self->call_id ? self->call_id : "", "MESSAGE", "session %u: %s", self->number,
                    text);
}

void
sp_interaction_set_state (SpInteraction *self, SpInteractionState state)
{
  if (self->state == state)
    return;
  sp_interaction_log (self, G_LOG_LEVEL_INFO, "%s → %s",
                      sp_interaction_state_to_string (self->state),
                      sp_interaction_state_to_string (state));
  self->state = state;
  contact_follows (self);
  if (state == SP_INTERACTION_TALKING && !self->answered)
    {
      self->answered = g_get_real_time ();
      sp_interaction_record (self, SP_RECORD_ANSWERED, NULL);
    }
  if (state == SP_INTERACTION_DISCONNECTED)
    {
      sp_interaction_cobrowse_stop (self, "call-ended");
      sp_interaction_browser_video_stop (self, "call-ended");
    }
  if (state == SP_INTERACTION_DISCONNECTED && !self->ended)
    {
      self->ended = g_get_real_time ();
      sp_interaction_record (self, SP_RECORD_ENDED, NULL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  sp_interaction_notify (self, "participants");
}

/* Keeps the first reason: the cause, not its echo (our BYE's 200 after a media error). */
void
sp_interaction_set_end (SpInteraction *self, const char *actor, const char *reason, int error,
                        const char *message)
{
  if (self->end_reason)
    return;
  self->end_actor = g_strdup (actor);
  self->end_reason = g_strdup (reason);
  self->end_error = error;
  self->end_message = g_strdup (message ? message : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_REASON]);
}

/* ---- the record ---- */

gboolean
sp_interaction_record (SpInteraction *self, SpRecordChange change, GError **error)
{
  gboolean stored = TRUE;

  g_signal_emit (self, signals[SIGNAL_RECORD], 0, change, error, &stored);
  return stored;
}

gboolean
sp_interaction_set_notepad (SpInteraction *self, const char *text, GError **error)
{
  if (self->state == SP_INTERACTION_DONE)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "the interaction is done");
      return FALSE;
    }
  if (g_strcmp0 (self->notepad, text) != 0)
    {
      g_free (self->notepad);
      self->notepad = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTEPAD]);
    }
  return sp_interaction_record (self, SP_RECORD_NOTES, error);
}

gboolean
sp_interaction_append_note (SpInteraction *self, const char *text, GError **error)
{
  g_autofree char *joined = NULL;

  if (!*self->notepad)
    return sp_interaction_set_notepad (self, text, error);
  joined
    = g_strconcat (self->notepad, g_str_has_suffix (self->notepad, "\n") ? "" : "\n", text, NULL);
  return sp_interaction_set_notepad (self, joined, error);
}

static gboolean
check_case_keys (SpInteraction *self, GVariant *values, GError **error)
{
  GVariantIter iter;
  const char *key;

  g_variant_iter_init (&iter, values);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, NULL))
    if (!g_strv_contains ((const char *const *)self->context.config->case_data_keys, key))
      {
        g_autofree char *known = g_strjoinv (", ", self->context.config->case_data_keys);
        g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                     "'%s' is not a case-data key (keys cannot be added; the keys are: %s)", key,
                     known);
        return FALSE;
      }
  return TRUE;
}

/* Keys are fixed by the config: only values change, in the configured order. */
static GVariant *
merge_case_data (GVariant *current, GVariant *values)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, current);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    {
      g_variant_lookup (values, key, "&s", &value);
      g_variant_builder_add (&builder, "{ss}", key, value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

gboolean
sp_interaction_set_case_data (SpInteraction *self, GVariant *values, GError **error)
{
  GVariant *merged;

  if (self->state == SP_INTERACTION_DONE)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "the interaction is done");
      return FALSE;
    }
  if (!check_case_keys (self, values, error))
    return FALSE;
  merged = merge_case_data (self->case_data, values);
  g_variant_unref (self->case_data);
  self->case_data = merged;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CASE_DATA]);
  return sp_interaction_record (self, SP_RECORD_CASE_DATA, error);
}

gboolean
sp_interaction_set_dispositions (SpInteraction *self, const char *const *codes, GError **error)
{
  SpConfig *config = self->context.config;

  if (!config->disposition_visible)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
                   "dispositions are not used here ([dispositions] visible = false)");
      return FALSE;
    }
  if (self->state == SP_INTERACTION_DONE)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "the interaction is done");
      return FALSE;
    }
  for (guint i = 0; codes[i]; i++)
    if (!sp_config_find_entry (config->disposition_codes, codes[i]))
      {
        g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                     "'%s' is not a disposition code (see ListDispositionCodes)", codes[i]);
        return FALSE;
      }
  g_strfreev (self->dispositions);
  self->dispositions = g_strdupv ((char **)codes);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPOSITIONS]);
  return sp_interaction_record (self, SP_RECORD_DISPOSITIONS, error);
}

gboolean
sp_interaction_mark_done (SpInteraction *self, GError **error)
{
  if (self->state != SP_INTERACTION_DISCONNECTED)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "Mark Done comes after the call is disconnected (the state is %s)",
                   sp_interaction_state_to_string (self->state));
      return FALSE;
    }
  if (self->context.config->disposition_required && g_strv_length (self->dispositions) == 0)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_DISPOSITION_REQUIRED,
                   "select a disposition code first (SetDispositions)");
      return FALSE;
    }
  if (!sp_interaction_record (self, SP_RECORD_FINISH, error))
    return FALSE;
  sp_interaction_set_state (self, SP_INTERACTION_DONE);
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
  return TRUE;
}

/* ---- construction ---- */

/* The configured keys, empty, or filled from the call's attached data where
 * [case-data] from-attached says so. */
static GVariant *
initial_case_data (SpConfig *config, GVariant *attached)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; config->case_data_keys[i]; i++)
    {
      const char *key = config->case_data_keys[i];
      const char *value = "";

      for (guint j = 0; config->case_from_attached[j]; j++)
        {
          g_auto (GStrv) pair = g_strsplit (config->case_from_attached[j], "=", 2);
          if (pair[1] && g_str_equal (g_strstrip (pair[0]), key))
            g_variant_lookup (attached, g_strstrip (pair[1]), "&s", &value);
        }
      g_variant_builder_add (&builder, "{ss}", key, value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static SpInteraction *
interaction_new (const SpInteractionContext *context, guint number, gboolean outbound,
                 const char *remote, const char *remote_name, GVariant *attached_data,
                 const char *contact_id)
{
  SpInteraction *self = g_object_new (SP_TYPE_INTERACTION, NULL);

  self->context = *context;
  self->number = number;
  self->outbound = outbound;
  self->remote = g_strdup (remote);
  self->remote_name = g_strdup (remote_name ? remote_name : "");
  self->contact_id = g_strdup (contact_id ? contact_id : "");
  self->attached_data
    = attached_data ? g_variant_ref_sink (attached_data)
                    : g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0));
  self->case_data = initial_case_data (context->config, self->attached_data);
  self->started = g_get_real_time ();
  self->end_error = -1;
  self->state = outbound ? SP_INTERACTION_DIALING : SP_INTERACTION_RINGING;
  self->contact
    = sp_participant_new ("contact", SP_PARTICIPANT_CONTACT, self->remote, self->remote_name);
  self->contact->state = outbound ? SP_PARTICIPANT_CALLING : SP_PARTICIPANT_RINGING;
  g_ptr_array_add (self->participants, self->contact);
  return self;
}

/* The ports our answer will name are reserved (and GStreamer loaded, for a first call) while
 * the agent decides, so that Answer has only the SDP to write. Failing here is not final: Answer
 * tries again and reports it. */
static void
prepare_while_ringing (SpInteraction *self)
{
  g_autoptr (GError) error = NULL;

  if (!sp_interaction_media_prepare (self, &error))
    sp_interaction_log (self, G_LOG_LEVEL_DEBUG, "media not prepared while ringing: %s",
                        error->message);
}

SpInteraction *
sp_interaction_new_inbound (const SpInteractionContext *context, guint number, SpLeg *leg,
                            const char *contact_id, const char *contact_name, GError **error)
{
  const char *signalled = sp_leg_get_remote_name (leg);
  SpInteraction *self = interaction_new (context, number, FALSE, sp_leg_get_remote_uri (leg),
                                         *signalled ? signalled : contact_name,
                                         sp_leg_get_attached_data (leg), contact_id);

  if (!sp_interaction_offer_acceptable (self, sp_leg_get_initial_offer (leg), error))
    {
      sp_leg_reject (leg, 488, "Not Acceptable Here");
      g_object_unref (self);
      return NULL;
    }
  self->call_id = g_strdup (sp_leg_get_call_id (leg));
  g_free (self->referred_by);
  self->referred_by = g_strdup (sp_leg_get_referred_by (leg));
  sp_interaction_attach_contact (self, leg);
  sp_leg_ring (leg);
  prepare_while_ringing (self);
  return self;
}

SpInteraction *
sp_interaction_new_outbound (const SpInteractionContext *context, guint number, const char *target,
                             GVariant *attached_data, const char *contact_id,
                             const char *contact_name, GError **error)
{
  g_autoptr (SpInteraction) self = NULL;
  g_autoptr (GVariant) attached = attached_data ? g_variant_ref_sink (attached_data) : NULL;
  g_autofree char *uri = sp_telephony_target_uri (context->telephony, target, error);

  if (!uri)
    return NULL;
  self = interaction_new (context, number, TRUE, uri, contact_name, attached, contact_id);
  if (!sp_interaction_start_outbound_call (self, uri, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
sp_interaction_action_finish (SpInteraction *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- accessors ---- */

guint
sp_interaction_get_number (SpInteraction *self)
{
  return self->number;
}

SpInteractionState
sp_interaction_get_state (SpInteraction *self)
{
  return self->state;
}

const char *
sp_interaction_get_direction (SpInteraction *self)
{
  return self->outbound ? "outbound" : "inbound";
}

const char *
sp_interaction_get_remote (SpInteraction *self)
{
  return self->remote;
}

const char *
sp_interaction_get_remote_name (SpInteraction *self)
{
  return self->remote_name;
}

const char *
sp_interaction_get_contact_id (SpInteraction *self)
{
  return self->contact_id;
}

gint64
sp_interaction_get_started (SpInteraction *self)
{
  return self->started;
}

gint64
sp_interaction_get_answered (SpInteraction *self)
{
  return self->answered;
}

gint64
sp_interaction_get_ended (SpInteraction *self)
{
  return self->ended;
}

gboolean
sp_interaction_get_encrypted (SpInteraction *self)
{
  return self->encrypted;
}

gboolean
sp_interaction_get_video_used (SpInteraction *self)
{
  return self->video_used;
}

gint64
sp_interaction_get_push_started (SpInteraction *self)
{
  return self->push_started;
}

const char *
sp_interaction_get_push_ended_by (SpInteraction *self)
{
  return self->push_ended_by ? self->push_ended_by : "";
}

const char *
sp_interaction_get_call_id (SpInteraction *self)
{
  return self->call_id ? self->call_id : "";
}

const char *
sp_interaction_get_referred_by (SpInteraction *self)
{
  return self->referred_by ? self->referred_by : "";
}

const char *
sp_interaction_get_notepad (SpInteraction *self)
{
  return self->notepad;
}

GVariant *
sp_interaction_get_attached_data (SpInteraction *self)
{
  return self->attached_data;
}

GVariant *
sp_interaction_get_case_data (SpInteraction *self)
{
  return self->case_data;
}

const char *const *
sp_interaction_get_dispositions (SpInteraction *self)
{
  return (const char *const *)self->dispositions;
}

void
sp_interaction_get_end (SpInteraction *self, const char **actor, const char **reason, int *error,
                        const char **message)
{
  *actor = self->end_actor ? self->end_actor : "";
  *reason = self->end_reason ? self->end_reason : "";
  *error = self->end_error;
  *message = self->end_message ? self->end_message : "";
}

GVariant *
sp_interaction_get_participants (SpInteraction *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->participants->len; i++)
    g_variant_builder_add_value (
      &builder, sp_participant_to_variant (g_ptr_array_index (self->participants, i)));
  return g_variant_builder_end (&builder);
}

/* ---- GObject ---- */

static void
sp_interaction_dispose (GObject *object)
{
  SpInteraction *self = SP_INTERACTION (object);

  sp_interaction_cobrowse_dispose (self);
  sp_interaction_browser_video_dispose (self);
  sp_interaction_release_call (self);
  G_OBJECT_CLASS (sp_interaction_parent_class)->dispose (object);
}

static void
sp_interaction_finalize (GObject *object)
{
  SpInteraction *self = SP_INTERACTION (object);

  g_free (self->remote);
  g_free (self->remote_name);
  g_free (self->contact_id);
  g_free (self->call_id);
  g_free (self->referred_by);
  g_clear_pointer (&self->attached_data, g_variant_unref);
  g_clear_pointer (&self->case_data, g_variant_unref);
  g_free (self->notepad);
  g_strfreev (self->dispositions);
  g_free (self->end_actor);
  g_free (self->end_reason);
  g_free (self->end_message);
  g_free (self->audio_codec);
  g_clear_pointer (&self->video_stats, g_variant_unref);
  g_free (self->push_item);
  g_free (self->push_ended_by);
  g_free (self->consult_label);
  g_free (self->consult_reason);
  g_free (self->window);
  g_clear_pointer (&self->participants, g_ptr_array_unref);
  g_clear_pointer (&self->mix_links, g_hash_table_unref);
  G_OBJECT_CLASS (sp_interaction_parent_class)->finalize (object);
}

static void
sp_interaction_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpInteraction *self = SP_INTERACTION (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_string (value, sp_interaction_state_to_string (self->state));
        break;
      case PROP_REMOTE:
        g_value_set_string (value, self->remote);
        break;
      case PROP_REFERRED_BY:
        g_value_set_string (value, sp_interaction_get_referred_by (self));
        break;
      case PROP_REMOTE_NAME:
        g_value_set_string (value, self->remote_name);
        break;
      case PROP_CONTACT_ID:
        g_value_set_string (value, self->contact_id);
        break;
      case PROP_NOTEPAD:
        g_value_set_string (value, self->notepad);
        break;
      case PROP_CASE_DATA:
        g_value_set_variant (value, self->case_data);
        break;
      case PROP_DISPOSITIONS:
        g_value_set_boxed (value, self->dispositions);
        break;
      case PROP_END_REASON:
        g_value_set_string (value, self->end_reason ? self->end_reason : "");
        break;
      case PROP_PARTICIPANTS:
        g_value_take_variant (value, g_variant_ref_sink (sp_interaction_get_participants (self)));
        break;
      case PROP_VIDEO:
        g_value_set_string (value,
                            sp_interaction_video_to_string (sp_interaction_get_video (self)));
        break;
      case PROP_VIDEO_REQUESTER:
        g_value_set_string (value, sp_interaction_get_video_requester (self));
        break;
      case PROP_WINDOW:
        g_value_set_string (value, sp_interaction_get_window (self));
        break;
      case PROP_LAYOUT:
        g_value_set_string (value, sp_interaction_get_layout (self));
        break;
      case PROP_ALWAYS_ON_TOP:
        g_value_set_boolean (value, sp_interaction_get_always_on_top (self));
        break;
      case PROP_PUSH:
        g_value_set_string (value, sp_interaction_get_push (self));
        break;
      case PROP_COBROWSE:
        g_value_set_string (value, sp_interaction_get_cobrowse_state (self));
        break;
      case PROP_ENCRYPTED:
        g_value_set_boolean (value, self->encrypted);
        break;
      case PROP_VIDEO_PATH:
        g_value_set_string (value, sp_interaction_get_video_path (self));
        break;
      case PROP_BROWSER_VIDEO:
        g_value_set_string (value, sp_interaction_get_browser_video (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
stored_by_default (SpInteraction *self, int change, gpointer error)
{
  return TRUE;
}

static gboolean
continue_while_true (GSignalInvocationHint *hint, GValue *result, const GValue *handler_result,
                     gpointer data)
{
  gboolean ok = g_value_get_boolean (handler_result);

  g_value_set_boolean (result, ok);
  return ok;
}

static void
sp_interaction_class_init (SpInteractionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = sp_interaction_dispose;
  object_class->finalize = sp_interaction_finalize;
  object_class->get_property = sp_interaction_get_property;
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, flags);
  properties[PROP_REMOTE] = g_param_spec_string ("remote", NULL, NULL, NULL, flags);
  properties[PROP_REFERRED_BY] = g_param_spec_string ("referred-by", NULL, NULL, NULL, flags);
  properties[PROP_REMOTE_NAME] = g_param_spec_string ("remote-name", NULL, NULL, NULL, flags);
  properties[PROP_CONTACT_ID] = g_param_spec_string ("contact-id", NULL, NULL, NULL, flags);
  properties[PROP_NOTEPAD] = g_param_spec_string ("notepad", NULL, NULL, NULL, flags);
  properties[PROP_CASE_DATA]
    = g_param_spec_variant ("case-data", NULL, NULL, G_VARIANT_TYPE ("a{ss}"), NULL, flags);
  properties[PROP_DISPOSITIONS]
    = g_param_spec_boxed ("dispositions", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_END_REASON] = g_param_spec_string ("end-reason", NULL, NULL, NULL, flags);
  properties[PROP_PARTICIPANTS]
    = g_param_spec_variant ("participants", NULL, NULL, G_VARIANT_TYPE ("aa{sv}"), NULL, flags);
  properties[PROP_VIDEO] = g_param_spec_string ("video", NULL, NULL, NULL, flags);
  properties[PROP_VIDEO_REQUESTER]
    = g_param_spec_string ("video-requester", NULL, NULL, NULL, flags);
  properties[PROP_WINDOW] = g_param_spec_string ("window", NULL, NULL, NULL, flags);
  properties[PROP_LAYOUT] = g_param_spec_string ("layout", NULL, NULL, NULL, flags);
  properties[PROP_ALWAYS_ON_TOP] = g_param_spec_boolean ("always-on-top", NULL, NULL, FALSE, flags);
  properties[PROP_PUSH] = g_param_spec_string ("push", NULL, NULL, NULL, flags);
  properties[PROP_COBROWSE] = g_param_spec_string ("co-browse", NULL, NULL, NULL, flags);
  properties[PROP_ENCRYPTED] = g_param_spec_boolean ("encrypted", NULL, NULL, FALSE, flags);
  properties[PROP_VIDEO_PATH] = g_param_spec_string ("video-path", NULL, NULL, NULL, flags);
  properties[PROP_BROWSER_VIDEO] = g_param_spec_string ("browser-video", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* RUN_FIRST: the default handler's TRUE comes first, then each observer's until one fails. */
  signals[SIGNAL_RECORD] = g_signal_new_class_handler (
    "record", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_FIRST, G_CALLBACK (stored_by_default),
    continue_while_true, NULL, NULL, G_TYPE_BOOLEAN, 2, G_TYPE_INT, G_TYPE_POINTER);
  signals[SIGNAL_KEEP_ON_TOP] = g_signal_new_class_handler (
    "keep-on-top", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_FIRST, G_CALLBACK (stored_by_default),
    continue_while_true, NULL, NULL, G_TYPE_BOOLEAN, 2, G_TYPE_BOOLEAN, G_TYPE_POINTER);
  g_signal_new ("push-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_new ("browser-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new ("participant-declined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);
}

static void
sp_interaction_init (SpInteraction *self)
{
  self->notepad = g_strdup ("");
  self->dispositions = g_new0 (char *, 1);
  self->video_requester = "";
  self->window = g_strdup ("none");
  self->participants = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_participant_free);
  self->mix_links = sp_interaction_conference_links_new ();
}
