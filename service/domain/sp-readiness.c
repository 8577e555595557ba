/* Readiness as a small state machine over what the agent chose and what the calls do. Each
 * followed interaction has a few flags; the counts derived from them decide when after-call
 * work ends (no answered call left to mark done) and whether the agent is available. */
#include "sp-readiness.h"

#include "sp-config.h"

typedef enum
{
  STATE_READY,
  STATE_NOT_READY,
  STATE_AFTER_CALL_WORK,
} State;

static const char *const state_names[] = { "ready", "not-ready", "after-call-work" };

/* Per interaction. */
enum
{
  CALL_LIVE = 1 << 0,     /* ringing, dialing, talking, held or consulting */
  CALL_ANSWERED = 1 << 1, /* it was talking once */
  CALL_ENDED = 1 << 2,    /* answered, then ended: it waits for Mark Done */
};

struct _SpReadiness
{
  GObject parent_instance;

  GPtrArray *reasons;
  guint after_call_work_s;
  State state;
  char *reason;
  gboolean available;
  GHashTable *calls; /* key -> flags */
  char *queue_key;
  guint limit_id;
};

G_DEFINE_FINAL_TYPE (SpReadiness, sp_readiness, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_REASON,
  PROP_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
count_calls (SpReadiness *self, guint flags)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if ((GPOINTER_TO_UINT (value) & flags) == flags)
      count++;
  return count;
}

static void
update_available (SpReadiness *self)
{
  gboolean available = self->state == STATE_READY && count_calls (self, CALL_LIVE) == 0;

  if (available == self->available)
    return;
  self->available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
enter (SpReadiness *self, State state, const char *reason)
{
  if (state != STATE_AFTER_CALL_WORK)
    g_clear_handle_id (&self->limit_id, g_source_remove);
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (reason, self->reason) != 0)
    {
      g_free (self->reason);
      self->reason = g_strdup (reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
    }
  update_available (self);
}

static gboolean
on_limit (gpointer data)
{
  SpReadiness *self = data;

  self->limit_id = 0;
  g_info ("after-call work reached its limit (%u s): ready", self->after_call_work_s);
  enter (self, STATE_READY, "");
  return G_SOURCE_REMOVE;
}

/* Each answered call that ends (re)starts the limit, so the last one has its full time. */
static void
begin_after_call_work (SpReadiness *self)
{
  if (self->after_call_work_s == 0
      || (self->state != STATE_READY && self->state != STATE_AFTER_CALL_WORK))
    return;
  g_clear_handle_id (&self->limit_id, g_source_remove);
  self->limit_id = g_timeout_add_seconds (self->after_call_work_s, on_limit, self);
  enter (self, STATE_AFTER_CALL_WORK, "");
}

void
sp_readiness_interaction_changed (SpReadiness *self, gconstpointer key, SpInteractionState state)
{
  guint flags = GPOINTER_TO_UINT (g_hash_table_lookup (self->calls, key));
  gboolean live = state < SP_INTERACTION_DISCONNECTED;
  gboolean ends = !live && (flags & CALL_ANSWERED) && !(flags & CALL_ENDED);

  if (state == SP_INTERACTION_TALKING || state == SP_INTERACTION_HELD
      || state == SP_INTERACTION_CONSULTING)
    flags |= CALL_ANSWERED;
  flags = live ? flags | CALL_LIVE : flags & ~CALL_LIVE;
  if (ends)
    flags |= CALL_ENDED;
  g_hash_table_insert (self->calls, (gpointer)key, GUINT_TO_POINTER (flags));
  if (ends)
    begin_after_call_work (self);
  update_available (self);
}

void
sp_readiness_interaction_removed (SpReadiness *self, gconstpointer key)
{
  g_hash_table_remove (self->calls, key);
  if (self->state == STATE_AFTER_CALL_WORK && count_calls (self, CALL_ENDED) == 0)
    enter (self, STATE_READY, "");
  update_available (self);
}

static const char *
refusal (SpReadiness *self, const char *state, const char *reason)
{
  if (g_str_equal (state, "ready"))
    return *reason ? "a reason goes with not-ready only" : NULL;
  if (g_str_equal (state, "not-ready"))
    return sp_config_find_entry (self->reasons, reason) ? NULL
                                                        : "not a configured not-ready reason";
  if (g_str_equal (state, "after-call-work"))
    return "after-call work is not chosen: it begins when an answered call ends";
  return "not a readiness (ready or not-ready)";
}

gboolean
sp_readiness_set (SpReadiness *self, const char *state, const char *reason, GError **error)
{
  const char *refused = refusal (self, state, reason);

  if (refused)
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                   "'%s' '%s': %s", state, reason, refused);
      return FALSE;
    }
  if (g_str_equal (state, "ready"))
    enter (self, STATE_READY, "");
  else
    enter (self, STATE_NOT_READY, reason);
  return TRUE;
}

const char *
sp_readiness_get_state (SpReadiness *self)
{
  return state_names[self->state];
}

const char *
sp_readiness_get_reason (SpReadiness *self)
{
  return self->reason;
}

gboolean
sp_readiness_is_available (SpReadiness *self)
{
  return self->available;
}

gboolean
sp_readiness_refuses (SpReadiness *self, GVariant *attached_data)
{
  g_autofree char *queue = NULL;

  return self->queue_key && !self->available && attached_data
         && g_variant_lookup (attached_data, self->queue_key, "s", &queue);
}

/* ---- following the interaction manager ---- */

static gboolean
on_call_offered (SpInteractionManager *manager, SpLeg *leg, gpointer data)
{
  return sp_readiness_refuses (data, sp_leg_get_attached_data (leg));
}

static void
on_interaction_state (SpInteraction *interaction, GParamSpec *pspec, gpointer data)
{
  sp_readiness_interaction_changed (data, interaction, sp_interaction_get_state (interaction));
}

static void
on_added (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  g_signal_connect_object (interaction, "notify::state", G_CALLBACK (on_interaction_state), data,
                           0);
  sp_readiness_interaction_changed (data, interaction, sp_interaction_get_state (interaction));
}

static void
on_removed (SpInteractionManager *manager, SpInteraction *interaction, gpointer data)
{
  g_signal_handlers_disconnect_by_data (interaction, data);
  sp_readiness_interaction_removed (data, interaction);
}

void
sp_readiness_follow (SpReadiness *self, SpInteractionManager *manager)
{
  g_signal_connect_object (manager, "added", G_CALLBACK (on_added), self, 0);
  g_signal_connect_object (manager, "removed", G_CALLBACK (on_removed), self, 0);
  g_signal_connect_object (manager, "call-offered", G_CALLBACK (on_call_offered), self, 0);
}

/* ---- GObject ---- */

static void
sp_readiness_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpReadiness *self = SP_READINESS (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_string (value, sp_readiness_get_state (self));
        break;
      case PROP_REASON:
        g_value_set_string (value, self->reason);
        break;
      case PROP_AVAILABLE:
        g_value_set_boolean (value, self->available);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_readiness_finalize (GObject *object)
{
  SpReadiness *self = SP_READINESS (object);

  g_clear_handle_id (&self->limit_id, g_source_remove);
  g_hash_table_unref (self->calls);
  g_free (self->reason);
  g_free (self->queue_key);
  G_OBJECT_CLASS (sp_readiness_parent_class)->finalize (object);
}

static void
sp_readiness_class_init (SpReadinessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = sp_readiness_get_property;
  object_class->finalize = sp_readiness_finalize;
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, "ready", flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, "", flags);
  properties[PROP_AVAILABLE] = g_param_spec_boolean ("available", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_readiness_init (SpReadiness *self)
{
  self->calls = g_hash_table_new (NULL, NULL);
  self->reason = g_strdup ("");
}

SpReadiness *
sp_readiness_new (GPtrArray *reasons, guint after_call_work_s, gboolean start_ready,
                  const char *queue_key)
{
  SpReadiness *self = g_object_new (SP_TYPE_READINESS, NULL);

  self->queue_key = g_strdup (queue_key);
  self->reasons = reasons;
  self->after_call_work_s = after_call_work_s;
  /* Not ready at start has no reason the agent gave: the first configured one stands for it. */
  if (start_ready)
    enter (self, STATE_READY, "");
  else
    enter (self, STATE_NOT_READY, ((SpDirectoryEntry *)reasons->pdata[0])->id);
  return self;
}
