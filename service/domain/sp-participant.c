/* A participant's data and its D-Bus shape; what happens on its leg is the interaction's. */
#include "sp-participant.h"

static const char *const role_names[] = {
  [SP_PARTICIPANT_CONTACT] = "contact",
  [SP_PARTICIPANT_CONSULT] = "consult",
  [SP_PARTICIPANT_AGENT] = "agent",
};

static const char *const state_names[] = {
  [SP_PARTICIPANT_CALLING] = "calling", [SP_PARTICIPANT_RINGING] = "ringing",
  [SP_PARTICIPANT_TALKING] = "talking", [SP_PARTICIPANT_HELD] = "held",
  [SP_PARTICIPANT_ENDED] = "ended",     [SP_PARTICIPANT_DECLINED] = "declined",
};

const char *
sp_participant_role_to_string (SpParticipantRole role)
{
  return (guint)role < G_N_ELEMENTS (role_names) ? role_names[role] : "contact";
}

const char *
sp_participant_state_to_string (SpParticipantState state)
{
  return (guint)state < G_N_ELEMENTS (state_names) ? state_names[state] : "ended";
}

SpParticipant *
sp_participant_new (const char *id, SpParticipantRole role, const char *uri, const char *name)
{
  SpParticipant *self = g_new0 (SpParticipant, 1);

  self->id = g_strdup (id);
  self->role = role;
  self->uri = g_strdup (uri ? uri : "");
  self->name = g_strdup (name ? name : "");
  return self;
}

void
sp_participant_free (SpParticipant *self)
{
  if (!self)
    return;
  g_free (self->id);
  g_free (self->uri);
  g_free (self->name);
  g_free (self->transfer);
  g_free (self->transfer_state);
  g_clear_pointer (&self->sdp, sp_sdp_session_free);
  g_clear_object (&self->leg);
  g_clear_object (&self->media);
  sp_srtp_keyring_clear (&self->srtp);
  g_free (self);
}

GVariant *
sp_participant_to_variant (const SpParticipant *self)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "s", self->id);
  g_variant_dict_insert (&dict, "uri", "s", self->uri);
  g_variant_dict_insert (&dict, "name", "s", self->name);
  g_variant_dict_insert (&dict, "role", "s", sp_participant_role_to_string (self->role));
  g_variant_dict_insert (&dict, "state", "s", sp_participant_state_to_string (self->state));
  g_variant_dict_insert (&dict, "joined", "x", self->joined);
  g_variant_dict_insert (&dict, "left", "x", self->left);
  g_variant_dict_insert (&dict, "conference", "b", self->in_conference);
  g_variant_dict_insert (&dict, "video", "b", self->video_started);
  if (self->transfer)
    {
      g_variant_dict_insert (&dict, "transfer", "s", self->transfer);
      g_variant_dict_insert (&dict, "transfer-state", "s", self->transfer_state);
    }
  return g_variant_dict_end (&dict);
}
