/* The live interactions, keyed by number. */
#include "sp-interaction-manager.h"

struct _SpInteractionManager
{
  GObject parent_instance;

  SpInteractionContext context;
  GHashTable *interactions; /* number → SpInteraction */
  guint next_number;
};

enum
{
  SIGNAL_ADDED,
  SIGNAL_REMOVED,
  SIGNAL_CALL_OFFERED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpInteractionManager, sp_interaction_manager, G_TYPE_OBJECT)

static void
on_done (SpInteraction *interaction, gpointer data)
{
  SpInteractionManager *self = data;
  guint number = sp_interaction_get_number (interaction);

  g_object_ref (interaction);
  g_signal_handlers_disconnect_by_data (interaction, self);
  g_hash_table_remove (self->interactions, GUINT_TO_POINTER (number));
  g_signal_emit (self, signals[SIGNAL_REMOVED], 0, interaction);
  g_object_unref (interaction);
}

static void
add (SpInteractionManager *self, SpInteraction *interaction)
{
  g_hash_table_insert (self->interactions,
                       GUINT_TO_POINTER (sp_interaction_get_number (interaction)), interaction);
  g_signal_connect (interaction, "done", G_CALLBACK (on_done), self);
  g_signal_emit (self, signals[SIGNAL_ADDED], 0, interaction);
  /* The observers attached on "added": the record begins now. */
  sp_interaction_record (interaction, SP_RECORD_BEGIN, NULL);
}

/* The screen pop: the contact whose address matches the caller's (or the number dialled). */
static char *
find_contact (SpInteractionManager *self, const char *remote, char **name)
{
  g_autoptr (GVariant) contact = NULL;
  const char *id = NULL, *first = "", *last = "";

  *name = NULL;
  if (!self->context.store)
    return NULL;
  contact = sp_store_contact_lookup (self->context.store, remote, NULL);
  if (!contact)
    return NULL;
  g_variant_lookup (contact, "id", "&s", &id);
  g_variant_lookup (contact, "first-name", "&s", &first);
  g_variant_lookup (contact, "last-name", "&s", &last);
  *name = g_strstrip (g_strdup_printf ("%s %s", first, last));
  return g_strdup (id);
}

static void
on_incoming_call (SpTelephony *telephony, SpLeg *leg, gpointer data)
{
  SpInteractionManager *self = data;
  g_autofree char *name = NULL;
  g_autofree char *contact_id = NULL;
  g_autoptr (GError) error = NULL;
  SpInteraction *interaction;
  gboolean refused = FALSE;

  g_signal_emit (self, signals[SIGNAL_CALL_OFFERED], 0, leg, &refused);
  if (refused)
    {
      sp_leg_reject (leg, 486, "Busy Here");
      g_log_structured ("sportello-interaction", G_LOG_LEVEL_INFO, "SIP_CALL_ID",
                        sp_leg_get_call_id (leg), "SIP_STATUS", "486", "MESSAGE",
                        "routed call refused with 486: the agent is not available");
      return;
    }
  contact_id = find_contact (self, sp_leg_get_remote_uri (leg), &name);
  interaction
    = sp_interaction_new_inbound (&self->context, self->next_number, leg, contact_id, name, &error);
  if (interaction == NULL)
    {
      g_log_structured ("sportello-interaction", G_LOG_LEVEL_INFO, "SIP_CALL_ID",
                        sp_leg_get_call_id (leg), "SIP_STATUS", "488", "MESSAGE",
                        "incoming INVITE refused with 488: %s", error->message);
      return;
    }
  self->next_number++;
  add (self, interaction);
}

/* RFC 3891: a call replacing one of ours takes the contact's place in its interaction. */
static void
on_replacing_call (SpTelephony *telephony, SpLeg *old, SpLeg *leg, gpointer data)
{
  SpInteractionManager *self = data;
  GHashTableIter iter;
  SpInteraction *interaction;

  g_hash_table_iter_init (&iter, self->interactions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&interaction))
    if (sp_interaction_replace_contact (interaction, old, leg))
      return;
}

SpInteraction *
sp_interaction_manager_dial (SpInteractionManager *self, const char *target,
                             GVariant *attached_data, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *contact_id = find_contact (self, target, &name);
  SpInteraction *interaction = sp_interaction_new_outbound (
    &self->context, self->next_number, target, attached_data, contact_id, name, error);

  if (!interaction)
    return NULL;
  self->next_number++;
  add (self, interaction);
  return interaction;
}

SpInteraction *
sp_interaction_manager_lookup (SpInteractionManager *self, guint number)
{
  return g_hash_table_lookup (self->interactions, GUINT_TO_POINTER (number));
}

SpInteraction *
sp_interaction_manager_find_by_browser_link (SpInteractionManager *self, SpCoBrowse *link)
{
  GHashTableIter iter;
  gpointer interaction;

  g_hash_table_iter_init (&iter, self->interactions);
  while (g_hash_table_iter_next (&iter, NULL, &interaction))
    if (sp_interaction_get_browser_link (interaction) == link)
      return interaction;
  return NULL;
}

void
sp_interaction_manager_hang_up_all (SpInteractionManager *self)
{
  GHashTableIter iter;
  SpInteraction *interaction;

  g_hash_table_iter_init (&iter, self->interactions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&interaction))
    sp_interaction_end_for_shutdown (interaction);
}

static void
sp_interaction_manager_dispose (GObject *object)
{
  SpInteractionManager *self = SP_INTERACTION_MANAGER (object);

  if (self->context.telephony)
    g_signal_handlers_disconnect_by_data (self->context.telephony, self);
  if (self->interactions)
    {
      GHashTableIter iter;
      SpInteraction *interaction;

      g_hash_table_iter_init (&iter, self->interactions);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&interaction))
        g_signal_handlers_disconnect_by_data (interaction, self);
      g_clear_pointer (&self->interactions, g_hash_table_unref);
    }
  G_OBJECT_CLASS (sp_interaction_manager_parent_class)->dispose (object);
}

static void
sp_interaction_manager_class_init (SpInteractionManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_interaction_manager_dispose;
  signals[SIGNAL_ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_INTERACTION);
  signals[SIGNAL_REMOVED] = g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_INTERACTION);
  signals[SIGNAL_CALL_OFFERED]
    = g_signal_new ("call-offered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1, SP_TYPE_LEG);
}

static void
sp_interaction_manager_init (SpInteractionManager *self)
{
  self->interactions = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  self->next_number = 1;
}

SpInteractionManager *
sp_interaction_manager_new (const SpInteractionContext *context)
{
  SpInteractionManager *self = g_object_new (SP_TYPE_INTERACTION_MANAGER, NULL);

  self->context = *context;
  if (context->telephony)
    {
      g_signal_connect (context->telephony, "incoming-call", G_CALLBACK (on_incoming_call), self);
      g_signal_connect (context->telephony, "replacing-call", G_CALLBACK (on_replacing_call), self);
    }
  return self;
}
