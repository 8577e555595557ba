/* The interaction's state machine (service/domain) driven through fake legs, a fake phone line
 * and fake media (fake-ports.h): each case is a table of steps, what the agent or the contact's
 * phone does and what the interaction must show after it (call state, video, what it did on
 * the leg, the error of the agent's action). The contact's phone answers and offers with real
 * SDP (sp-sdp.h), so the offers and answers the interaction writes are checked by a parser. */
#include "fake-ports.h"
#include "sp-interaction.h"
#include "sp-sdp.h"

#include <string.h>

typedef enum
{
  RING = 1, /* a call comes in with an audio offer (ARG 1: audio and video) */
  DIAL,     /* the agent dials */
  ANSWER,   /* the agent's actions */
  REJECT,
  HANG_UP,
  HOLD,
  RETRIEVE,
  VIDEO_ON,
  VIDEO_OFF,
  NOTE,
  MARK_DONE,
  PHONE_ANSWERS,     /* the phone answers our last offer (ARG: what it takes, TAKE_*) */
  PHONE_REFUSES,     /* the phone refuses our re-offer with status ARG */
  PHONE_RINGS,       /* 180 to our INVITE */
  PHONE_ANSWERED,    /* the dialog is confirmed */
  PHONE_OFFERS,      /* a re-offer from the phone (ARG: OFFER_*) */
  PHONE_ENDS,        /* the dialog ends (ARG: an SpLegEndCause, status 486 for FAILED) */
  MEDIA_FAILS,       /* the media report an error */
  WAIT_REOFFER,      /* the main loop runs until the interaction sends a new offer (glare retry) */
  TRANSFER,          /* the agent transfers to TARGETS[ARG] */
  PHONE_NOTIFIES,    /* the phone reports the transfer's progress: status ARG (final from 200) */
  CONSULT,           /* the agent consults TARGETS[ARG] */
  CONSULTED_ANSWERS, /* the consulted person's phone answers (or refuses with status ARG) */
  CONSULTED_ENDS,    /* the consulted person hangs up */
  COMPLETE,          /* CompleteTransfer */
  END_CONSULT,       /* EndConsultation */
  CONFERENCE,        /* the agent calls CONFERENCES[ARG] into a conference */
  AGENT_ANSWERS,     /* AGENTS[ARG]'s phone answers */
  AGENT_REFUSES,     /* AGENTS[ARG]'s phone refuses with 486 */
  AGENT_HANGS_UP,    /* AGENTS[ARG] hangs up */
  COMPLETE_CONF,     /* CompleteConference */
  DROP,              /* DropParticipant (PARTY_IDS[ARG]) */
} Op;

static const char *const *const conferences[] = {
  (const char *const[]){ "bob", "carla", NULL },
  (const char *const[]){ "dave", NULL },
  (const char *const[]){ NULL },
  (const char *const[]){ "bob", "bob", NULL },
  (const char *const[]){ "zed", NULL },
  (const char *const[]){ "bob", NULL },
};
static const char *const agents[]
  = { "sip:bob@agents.example", "sip:carla@agents.example", "sip:dave@agents.example" };
static const char *const party_ids[]
  = { "conference-1", "conference-2", "conference-3", "contact", "nobody", "consult-1" };

static const char *const targets[] = { "bob", "+39 02 1234", "nobody", "", "sales" };

enum
{
  TAKE_ALL,      /* everything offered, video included */
  TAKE_NO_VIDEO, /* video refused with port 0 */
};

enum
{
  OFFER_HOLD,  /* the contact holds (sendonly) */
  OFFER_VIDEO, /* the contact adds video */
  OFFER_PLAIN, /* audio sendrecv again */
  OFFER_NONE,  /* a re-INVITE without SDP */
};

#define ANY NULL
/* Results of the agent's last action; an omitted field (0) is not checked. */
#define ANY_RESULT 0
#define OK 1      /* the last action succeeded */
#define PENDING 2 /* the last action waits for the phone */
#define ERROR(code) (10 + (code))
#define INVALID_STATE ERROR (SP_INTERACTION_ERROR_INVALID_STATE)
#define FAILED ERROR (SP_INTERACTION_ERROR_FAILED)
#define DECLINED ERROR (SP_INTERACTION_ERROR_PEER_DECLINED_VIDEO)
#define UNAVAILABLE ERROR (SP_INTERACTION_ERROR_UNAVAILABLE)
#define TRANSFER_FAILED ERROR (SP_INTERACTION_ERROR_TRANSFER_FAILED)
#define NOBODY_ANSWERED ERROR (SP_INTERACTION_ERROR_NOBODY_ANSWERED)
#define NOT_FOUND ERROR (SP_INTERACTION_ERROR_NOT_FOUND)
#define INVALID_ARGUMENT ERROR (SP_INTERACTION_ERROR_INVALID_ARGUMENT)

typedef struct
{
  Op op;
  int arg;
  const char *state;   /* the call state after the step, ANY: not checked */
  const char *video;   /* the video state after the step */
  const char *leg;     /* the last thing done on the contact's leg */
  int result;          /* the agent's last action: OK, PENDING or its SpInteractionError */
  const char *links;   /* the conference's links between the legs' media (FROM>TO …, "" none) */
  const char *parties; /* the participants, "ID:STATE" … */
} Step;

typedef struct
{
  const char *name;
  const char *remote_video; /* [video] remote-offers: accept, ask, reject */
  const Step steps[16];
} Case;

/* ---- the world around one interaction ---- */

typedef struct
{
  SpConfig *config;
  FakeTelephony *telephony;
  FakeMediaFactory *media;
  SpInteraction *interaction;
  FakeLeg *leg;
  SpSdpSession *phone_sdp;     /* the phone's last description */
  int result;                  /* the agent's last action: OK, PENDING or its SpInteractionError */
  SpSdpSession *consulted_sdp; /* the consulted phone's last description */
  gboolean record_fails;
  GString *declined;         /* the ids of "participant-declined", "ID " each */
  SpCoBrowseRegistry *links; /* the relay's links (browser video), NULL: none */
} World;

static char *
phone_offer (World *world, SpSdpDirection audio, gboolean video)
{
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("phone", 1, "127.0.0.2");
  SpSdpSession *offer;
  char *text;

  local->video_allowed = video;
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 50000, 0, audio);
  if (video || (world->phone_sdp && world->phone_sdp->media->len > 1))
    {
      guint index = sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, 50002, 0, SP_SDP_SENDRECV);
      g_array_index (local->slots, SpSdpSlot, index).enabled = video;
    }
  offer = sp_sdp_offer (local, world->phone_sdp);
  text = sp_sdp_print (offer);
  g_clear_pointer (&world->phone_sdp, sp_sdp_session_free);
  world->phone_sdp = offer;
  return text;
}

static char *
phone_answer (World *world, const char *offer_text, gboolean video)
{
  g_autoptr (SpSdpSession) offer = sp_sdp_parse (offer_text, -1, NULL);
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("phone", 1, "127.0.0.2");
  g_autoptr (GError) error = NULL;
  SpSdpSession *answer;

  g_assert_nonnull (offer);
  local->video_allowed = video;
  for (guint i = 0; i < offer->media->len; i++)
    {
      const SpSdpMedia *media = g_ptr_array_index (offer->media, i);
      sp_sdp_local_add_slot (local, media->kind, 50000 + 2 * i, 0, SP_SDP_SENDRECV);
      /* A phone that can do SRTP takes keys when they are offered. */
      if (media->cryptos->len)
        {
          local->crypto = SP_SDP_CRYPTO_OPTIONAL;
          g_assert_true (sp_sdp_local_draw_keys (local, i, NULL));
        }
    }
  answer = sp_sdp_answer (offer, local, world->phone_sdp, &error);
  g_assert_no_error (error);
  g_clear_pointer (&world->phone_sdp, sp_sdp_session_free);
  world->phone_sdp = answer;
  return sp_sdp_print (answer);
}

static gboolean
on_record (SpInteraction *interaction, int change, gpointer error, gpointer data)
{
  World *world = data;

  if (!world->record_fails || change != SP_RECORD_NOTES)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE, "disk full");
  return FALSE;
}

static void
add_directory_entry (GPtrArray *entries, const char *id, const char *name, const char *uri)
{
  SpDirectoryEntry *entry = g_new0 (SpDirectoryEntry, 1);

  entry->id = g_strdup (id);
  entry->name = g_strdup (name);
  entry->uri = g_strdup (uri);
  g_ptr_array_add (entries, entry);
}

static void
world_start (World *world, const Case *test)
{
  world->config = sp_config_new_defaults ();
  world->config->video_allowed = TRUE;
  world->config->video_ask_timeout_s = 60;
  world->config->remote_video_offers = g_str_equal (test->remote_video, "ask") ? SP_REMOTE_VIDEO_ASK
                                       : g_str_equal (test->remote_video, "reject")
                                         ? SP_REMOTE_VIDEO_REJECT
                                         : SP_REMOTE_VIDEO_ACCEPT;
  add_directory_entry (world->config->agents, "bob", "Bob Rossi", "sip:bob@agents.example");
  add_directory_entry (world->config->agents, "carla", "Carla Bruni", "sip:carla@agents.example");
  add_directory_entry (world->config->agents, "dave", "", "sip:dave@agents.example");
  add_directory_entry (world->config->queues, "sales", "Sales", "sip:sales@queues.example");
  world->declined = g_string_new ("");
  world->telephony = fake_telephony_new ();
  world->media = fake_media_factory_new (TRUE);
  world->result = OK;
}

static SpInteractionContext
context_of (World *world)
{
  return (SpInteractionContext){ world->config, NULL, SP_TELEPHONY (world->telephony),
                                 SP_MEDIA_FACTORY (world->media), world->links };
}

static void
world_stop (World *world)
{
  g_clear_object (&world->interaction);
  g_clear_object (&world->links);
  g_clear_object (&world->leg);
  g_clear_object (&world->telephony);
  g_clear_object (&world->media);
  g_clear_pointer (&world->phone_sdp, sp_sdp_session_free);
  g_clear_pointer (&world->consulted_sdp, sp_sdp_session_free);
  g_clear_pointer (&world->config, sp_config_free);
  g_string_free (world->declined, TRUE);
}

static void
on_declined (SpInteraction *interaction, const char *id, guint status, const char *phrase,
             gpointer data)
{
  World *world = data;

  g_string_append_printf (world->declined, "%s ", id);
}

static void
adopt (World *world, SpInteraction *interaction)
{
  world->interaction = interaction;
  g_signal_connect (interaction, "record", G_CALLBACK (on_record), world);
  g_signal_connect (interaction, "participant-declined", G_CALLBACK (on_declined), world);
}

static int
code_of (GError *error)
{
  int code = error ? ERROR (error->code) : OK;

  g_clear_error (&error);
  return code;
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  World *world = data;
  GError *error = NULL;

  /* The three async actions finish the same way: a boolean task. */
  g_task_propagate_boolean (G_TASK (result), &error);
  world->result = code_of (error);
}

/* ---- steps ---- */

static void
ring_with (World *world, const char *offer)
{
  SpInteractionContext context = context_of (world);
  GError *error = NULL;
  SpInteraction *interaction;

  world->leg = fake_leg_new ("sip:customer@fake", offer);
  interaction
    = sp_interaction_new_inbound (&context, 1, SP_LEG (world->leg), "", "Customer", &error);
  g_assert_no_error (error);
  adopt (world, interaction);
}

static void
ring (World *world, gboolean video)
{
  g_autofree char *offer = phone_offer (world, SP_SDP_SENDRECV, video);

  ring_with (world, offer);
}

static void
dial (World *world)
{
  SpInteractionContext context = context_of (world);
  GError *error = NULL;

  adopt (world, sp_interaction_new_outbound (&context, 1, "1234", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  world->leg = g_object_ref (world->telephony->dialled);
}

static void
phone_offers (World *world, int kind)
{
  g_autofree char *offer = NULL;

  if (kind == OFFER_HOLD)
    offer = phone_offer (world, SP_SDP_SENDONLY, FALSE);
  else if (kind == OFFER_VIDEO)
    offer = phone_offer (world, SP_SDP_SENDRECV, TRUE);
  else if (kind == OFFER_PLAIN)
    offer = phone_offer (world, SP_SDP_SENDRECV, FALSE);
  fake_leg_emit_offer (world->leg, offer);
}

static void
wait_reoffer (World *world)
{
  guint before = world->leg->actions->len;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (world->leg->actions->len == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (fake_leg_last_action (world->leg), ==, "offer");
}

static int
sync_action (gboolean (*action) (SpInteraction *, GError **), SpInteraction *interaction)
{
  GError *error = NULL;

  action (interaction, &error);
  return code_of (error);
}

static void
note (World *world, gboolean fails)
{
  GError *error = NULL;

  world->record_fails = fails;
  sp_interaction_append_note (world->interaction, "a note", &error);
  world->result = code_of (error);
}

static void
phone_answers (World *world, gboolean video)
{
  g_autofree char *answer = phone_answer (world, world->leg->last_sdp, video);

  fake_leg_emit_answer (world->leg, answer);
}

/* The phone of a side leg (consultation, conference): answers its offer, or refuses it with
 * STATUS. */
static void
side_phone_answers (World *world, FakeLeg *leg, int status)
{
  g_autoptr (SpSdpSession) offer = sp_sdp_parse (leg->last_sdp, -1, NULL);
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("expert", 1, "127.0.0.3");
  g_autofree char *text = NULL;

  g_assert_nonnull (offer);
  if (status)
    {
      fake_leg_emit_ended (leg, SP_LEG_END_FAILED, (guint)status);
      return;
    }
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 52000, 0, SP_SDP_SENDRECV);
  /* An expert's phone that can do SRTP takes keys when they are offered. */
  if (((const SpSdpMedia *)offer->media->pdata[0])->cryptos->len)
    {
      local->crypto = SP_SDP_CRYPTO_OPTIONAL;
      g_assert_true (sp_sdp_local_draw_keys (local, 0, NULL));
    }
  g_clear_pointer (&world->consulted_sdp, sp_sdp_session_free);
  world->consulted_sdp = sp_sdp_answer (offer, local, NULL, NULL);
  g_assert_nonnull (world->consulted_sdp);
  text = sp_sdp_print (world->consulted_sdp);
  fake_leg_emit_answer (leg, text);
  fake_leg_emit_established (leg);
}

/* Runs what the main loop has ready: an answered call's media start there, once the 200 OK is
 * on its way. */
static void
settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
run_step (World *world, const Step *step)
{
  SpInteraction *interaction = world->interaction;

  switch (step->op)
    {
      case RING:
        ring (world, step->arg);
        break;
      case DIAL:
        dial (world);
        break;
      case ANSWER:
        world->result = sync_action (sp_interaction_answer, interaction);
        settle ();
        break;
      case REJECT:
        world->result = sync_action (sp_interaction_reject, interaction);
        break;
      case HANG_UP:
        world->result = sync_action (sp_interaction_disconnect, interaction);
        break;
      case MARK_DONE:
        world->result = sync_action (sp_interaction_mark_done, interaction);
        break;
      case NOTE:
        note (world, step->arg);
        break;
      case HOLD:
      case RETRIEVE:
        world->result = PENDING;
        sp_interaction_hold_async (interaction, step->op == HOLD, on_done, world);
        break;
      case VIDEO_ON:
        world->result = PENDING;
        sp_interaction_activate_video_async (interaction, on_done, world);
        break;
      case VIDEO_OFF:
        world->result = PENDING;
        sp_interaction_deactivate_video_async (interaction, on_done, world);
        break;
      case PHONE_ANSWERS:
        phone_answers (world, step->arg == TAKE_ALL);
        break;
      case PHONE_REFUSES:
        fake_leg_emit_offer_failed (world->leg, step->arg);
        break;
      case PHONE_RINGS:
        g_signal_emit_by_name (world->leg, "progress", 180u);
        break;
      case PHONE_ANSWERED:
        fake_leg_emit_established (world->leg);
        break;
      case PHONE_OFFERS:
        phone_offers (world, step->arg);
        break;
      case PHONE_ENDS:
        fake_leg_emit_ended (world->leg, step->arg, step->arg == SP_LEG_END_FAILED ? 486 : 200);
        break;
      case MEDIA_FAILS:
        g_assert_nonnull (world->media->last);
        g_signal_emit_by_name (world->media->last, "error", "device gone");
        break;
      case WAIT_REOFFER:
        wait_reoffer (world);
        break;
      case TRANSFER:
        world->result = PENDING;
        sp_interaction_transfer_async (interaction, targets[step->arg], "billing question", on_done,
                                       world);
        break;
      case CONSULT:
        world->result = PENDING;
        sp_interaction_consult_async (interaction, targets[step->arg], "an expert", on_done, world);
        break;
      case CONSULTED_ANSWERS:
        side_phone_answers (world, world->telephony->dialled, step->arg);
        break;
      case CONFERENCE:
        world->result = PENDING;
        sp_interaction_conference_async (interaction, conferences[step->arg], on_done, world);
        break;
      case AGENT_ANSWERS:
      case AGENT_REFUSES:
        side_phone_answers (world, fake_telephony_last_to (world->telephony, agents[step->arg]),
                            step->op == AGENT_REFUSES ? 486 : 0);
        break;
      case AGENT_HANGS_UP:
        fake_leg_emit_ended (fake_telephony_last_to (world->telephony, agents[step->arg]),
                             SP_LEG_END_REMOTE_BYE, 200);
        break;
      case COMPLETE_CONF:
        world->result = PENDING;
        sp_interaction_complete_conference_async (interaction, on_done, world);
        break;
      case DROP:
        {
          GError *error = NULL;

          sp_interaction_drop_participant (interaction, party_ids[step->arg], &error);
          world->result = code_of (error);
        }
        break;
      case CONSULTED_ENDS:
        fake_leg_emit_ended (world->telephony->dialled, SP_LEG_END_REMOTE_BYE, 200);
        break;
      case COMPLETE:
        world->result = PENDING;
        sp_interaction_complete_transfer_async (interaction, on_done, world);
        break;
      case END_CONSULT:
        world->result = PENDING;
        sp_interaction_end_consultation_async (interaction, on_done, world);
        break;
      case PHONE_NOTIFIES:
        g_signal_emit_by_name (world->leg, "refer-progress", (guint)step->arg,
                               step->arg == 486 ? "Busy Here" : "Progress", step->arg >= 200);
        break;
    }
  /* GTask returns in an idle: let the async actions finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
parties_of (SpInteraction *interaction)
{
  g_autoptr (GVariant) participants
    = g_variant_ref_sink (sp_interaction_get_participants (interaction));
  g_autoptr (GString) text = g_string_new ("");
  GVariantIter iter;
  GVariant *party;

  g_variant_iter_init (&iter, participants);
  while ((party = g_variant_iter_next_value (&iter)))
    {
      const char *id = NULL, *state = NULL;

      g_variant_lookup (party, "id", "&s", &id);
      g_variant_lookup (party, "state", "&s", &state);
      g_string_append_printf (text, "%s%s:%s", text->len ? " " : "", id, state);
      g_variant_unref (party);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Every agent shown declined was announced by "participant-declined", once. */
static void
check_declined (World *world)
{
  g_autoptr (GVariant) participants
    = g_variant_ref_sink (sp_interaction_get_participants (world->interaction));
  g_autoptr (GString) expected = g_string_new ("");
  GVariantIter iter;
  GVariant *party;

  g_variant_iter_init (&iter, participants);
  while ((party = g_variant_iter_next_value (&iter)))
    {
      const char *id = NULL, *state = NULL;

      g_variant_lookup (party, "id", "&s", &id);
      g_variant_lookup (party, "state", "&s", &state);
      if (g_str_equal (state, "declined"))
        g_string_append_printf (expected, "%s ", id);
      g_variant_unref (party);
    }
  g_assert_cmpstr (world->declined->str, ==, expected->str);
}

static void
check_step (World *world, const Step *step, guint index)
{
  SpInteraction *interaction = world->interaction;
  g_autofree char *where = g_strdup_printf ("step %u", index + 1);

  g_test_message ("%s: state %s, video %s, leg %s, result %d", where,
                  sp_interaction_state_to_string (sp_interaction_get_state (interaction)),
                  sp_interaction_video_to_string (sp_interaction_get_video (interaction)),
                  fake_leg_last_action (world->leg), world->result);
  if (step->state)
    g_assert_cmpstr (sp_interaction_state_to_string (sp_interaction_get_state (interaction)), ==,
                     step->state);
  if (step->video)
    g_assert_cmpstr (sp_interaction_video_to_string (sp_interaction_get_video (interaction)), ==,
                     step->video);
  if (step->leg)
    g_assert_cmpstr (fake_leg_last_action (world->leg), ==, step->leg);
  if (step->result != ANY_RESULT)
    g_assert_cmpint (world->result, ==, step->result);
  if (step->links)
    {
      g_autofree char *links = fake_media_factory_links (world->media);
      g_assert_cmpstr (links, ==, step->links);
    }
  if (step->parties)
    {
      g_autofree char *parties = parties_of (interaction);
      g_assert_cmpstr (parties, ==, step->parties);
    }
  check_declined (world);
}

static void
run_case (gconstpointer data)
{
  const Case *test = data;
  World world = { 0 };

  world_start (&world, test);
  for (guint i = 0; i < G_N_ELEMENTS (test->steps) && test->steps[i].op != 0; i++)
    {
      run_step (&world, &test->steps[i]);
      check_step (&world, &test->steps[i], i);
    }
  world_stop (&world);
}

/* ---- the cases ---- */

#define BYE SP_LEG_END_REMOTE_BYE

static const Case cases[] = {
  { "answer-and-remote-bye",
    "accept",
    { { RING, 0, "ringing", "none", "ring", OK },
      { ANSWER, 0, "talking", "none", "accept", OK },
      { ANSWER, 0, "talking", ANY, "accept", INVALID_STATE },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, ANY_RESULT },
      { MARK_DONE, 0, "done", ANY, ANY, OK } } },
  { "reject",
    "accept",
    { { RING, 0, "ringing" },
      { REJECT, 0, "disconnected", ANY, "reject 486", OK },
      { ANSWER, 0, "disconnected", ANY, "reject 486", INVALID_STATE } } },
  { "caller-gives-up",
    "accept",
    { { RING, 0, "ringing" },
      { PHONE_ENDS, SP_LEG_END_REMOTE_CANCEL, "disconnected", ANY, "ring", ANY_RESULT },
      { HANG_UP, 0, "disconnected", ANY, "ring", INVALID_STATE },
      { MARK_DONE, 0, "done", ANY, ANY, OK } } },
  { "mark-done-needs-the-end",
    "accept",
    { { RING, 0, "ringing" },
      { MARK_DONE, 0, "ringing", ANY, ANY, INVALID_STATE },
      { ANSWER, 0, "talking" },
      { MARK_DONE, 0, "talking", ANY, ANY, INVALID_STATE },
      { HANG_UP, 0, "disconnected", ANY, "hangup", OK },
      { MARK_DONE, 0, "done", ANY, ANY, OK } } },
  { "hold-and-retrieve",
    "accept",
    { { RING, 0 },
      { ANSWER, 0, "talking" },
      { HOLD, 0, "talking", "none", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "held", "none", "offer", OK },
      { HOLD, 0, "held", ANY, "offer", INVALID_STATE },
      { RETRIEVE, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, "offer", OK },
      { RETRIEVE, 0, "talking", ANY, "offer", INVALID_STATE } } },
  { "hold-refused-keeps-talking",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { HOLD, 0, "talking", ANY, "offer", PENDING },
      { PHONE_REFUSES, 488, "talking", ANY, "offer", FAILED },
      { HOLD, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "held", ANY, ANY, OK } } },
  { "glare-retry",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { HOLD, 0, "talking", ANY, "offer", PENDING },
      { PHONE_REFUSES, 491, "talking", ANY, "offer", PENDING },
      { WAIT_REOFFER, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "held", ANY, ANY, OK } } },
  { "contact-holds-and-resumes",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { PHONE_OFFERS, OFFER_HOLD, "held", ANY, "answer 200" },
      { RETRIEVE, 0, "held", ANY, ANY, INVALID_STATE },
      { PHONE_OFFERS, OFFER_PLAIN, "talking", ANY, "answer 200" } } },
  { "reinvite-without-sdp",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { PHONE_OFFERS, OFFER_NONE, "talking", ANY, "answer 200" },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, "answer 200" } } },
  { "bye-while-held",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { HOLD, 0 },
      { PHONE_ANSWERS, TAKE_ALL, "held" },
      { PHONE_ENDS, BYE, "disconnected" },
      { RETRIEVE, 0, "disconnected", ANY, ANY, INVALID_STATE } } },
  { "video-escalation-pause-resume",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING },
      { VIDEO_ON, 0, "talking", "requested", "offer", INVALID_STATE },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "active", "offer", OK },
      { VIDEO_ON, 0, "talking", "active", "offer", INVALID_STATE },
      { VIDEO_OFF, 0, "talking", "active", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "paused", "offer", OK },
      { VIDEO_ON, 0, "talking", "paused", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "active", "offer", OK } } },
  { "video-declined-with-port-0",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_NO_VIDEO, "talking", "declined", "offer", DECLINED },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING } } },
  { "video-refused-with-488",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING },
      { PHONE_REFUSES, 488, "talking", "declined", "offer", DECLINED } } },
  { "pause-refused-keeps-video",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { VIDEO_ON, 0 },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "active" },
      { VIDEO_OFF, 0, "talking", "active", "offer", PENDING },
      { PHONE_REFUSES, 488, "talking", "active", "offer", FAILED } } },
  { "hold-while-video-waits",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING },
      { HOLD, 0, "talking", "requested", "offer", INVALID_STATE },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "active", "offer", OK },
      { HOLD, 0, "talking", "active", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "held", "active", "offer", OK },
      { VIDEO_OFF, 0, "held", "active", "offer", INVALID_STATE } } },
  { "bye-during-escalation",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, INVALID_STATE } } },
  { "contact-adds-video-accepted",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { PHONE_OFFERS, OFFER_VIDEO, "talking", "active", "answer 200" },
      { VIDEO_OFF, 0, "talking", "active", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "paused", ANY, OK } } },
  { "contact-adds-video-asked-then-accepted",
    "ask",
    { { RING, 0 },
      { ANSWER, 0 },
      { PHONE_OFFERS, OFFER_VIDEO, "talking", "requested", "accept" },
      { HOLD, 0, "talking", "requested", "accept", INVALID_STATE },
      { VIDEO_ON, 0, "talking", "active", "answer 200", OK } } },
  { "contact-adds-video-asked-then-declined",
    "ask",
    { { RING, 0 },
      { ANSWER, 0 },
      { PHONE_OFFERS, OFFER_VIDEO, "talking", "requested", "accept" },
      { VIDEO_OFF, 0, "talking", "none", "answer 200", OK } } },
  { "contact-adds-video-rejected-by-policy",
    "reject",
    { { RING, 0 },
      { ANSWER, 0 },
      { PHONE_OFFERS, OFFER_VIDEO, "talking", "none", "answer 200" } } },
  /* A call that arrives with video is answered with voice (video port 0): video starts with
   * the agent's ActivateVideo, like every escalation. */
  { "incoming-video-call-answered-with-voice",
    "accept",
    { { RING, 1, "ringing", "none", "ring" },
      { ANSWER, 0, "talking", "none", "accept", OK },
      { VIDEO_ON, 0, "talking", "requested", "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", "active", "offer", OK } } },
  { "outbound-answered",
    "accept",
    { { DIAL, 0, "dialing", "none", "invite" },
      { PHONE_RINGS, 0, "dialing" },
      { PHONE_ANSWERS, TAKE_ALL, "dialing" },
      { PHONE_ANSWERED, 0, "talking" },
      { HANG_UP, 0, "disconnected", ANY, "hangup", OK } } },
  { "outbound-busy",
    "accept",
    { { DIAL, 0, "dialing" },
      { PHONE_ENDS, SP_LEG_END_FAILED, "disconnected" },
      { MARK_DONE, 0, "done", ANY, ANY, OK } } },
  { "outbound-cancelled",
    "accept",
    { { DIAL, 0, "dialing" }, { HANG_UP, 0, "disconnected", ANY, "hangup", OK } } },
  { "media-failure-ends-the-call",
    "accept",
    { { RING, 0 }, { ANSWER, 0, "talking" }, { MEDIA_FAILS, 0, "disconnected", ANY, "hangup" } } },
  { "blind-transfer-to-an-agent",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { TRANSFER, 0, "talking", ANY, "refer sip:bob@agents.example", PENDING },
      { HOLD, 0, "talking", ANY, ANY, INVALID_STATE },
      { TRANSFER, 4, "talking", ANY, "refer sip:bob@agents.example", INVALID_STATE },
      { PHONE_NOTIFIES, 100, "talking" },
      { PHONE_NOTIFIES, 180, "talking" },
      { PHONE_NOTIFIES, 200, "disconnected", ANY, "hangup", OK },
      { MARK_DONE, 0, "done", ANY, ANY, OK } } },
  { "blind-transfer-to-a-busy-queue",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { TRANSFER, 4, "talking", ANY, "refer sip:sales@queues.example", PENDING },
      { PHONE_NOTIFIES, 486, "talking", ANY, ANY, TRANSFER_FAILED },
      { HOLD, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "held", ANY, ANY, OK },
      { TRANSFER, 1, "held", ANY, "refer sip:+39 02 1234@fake", PENDING } } },
  { "transfer-refused-when-it-cannot-start",
    "accept",
    { { RING, 0 },
      { TRANSFER, 0, "ringing", ANY, "ring", INVALID_STATE },
      { ANSWER, 0 },
      { TRANSFER, 2, "talking", ANY, "accept", ERROR (SP_INTERACTION_ERROR_NOT_FOUND) },
      { TRANSFER, 3, "talking", ANY, "accept", ERROR (SP_INTERACTION_ERROR_INVALID_ARGUMENT) },
      { PHONE_OFFERS, OFFER_HOLD, "held" },
      { TRANSFER, 0, "held", ANY, "answer 200", INVALID_STATE },
      { PHONE_ENDS, BYE, "disconnected" },
      { TRANSFER, 0, "disconnected", ANY, ANY, INVALID_STATE } } },
  { "phone-hangs-up-after-taking-the-transfer",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { TRANSFER, 0, "talking", ANY, ANY, PENDING },
      { PHONE_NOTIFIES, 100, "talking", ANY, ANY, PENDING },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, OK } } },
  { "phone-hangs-up-before-taking-the-transfer",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { TRANSFER, 0, "talking", ANY, ANY, PENDING },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, TRANSFER_FAILED } } },
  { "consult-then-complete",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONSULT, 1, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, "offer", PENDING },
      { HOLD, 0, "consulting", ANY, ANY, INVALID_STATE },
      { TRANSFER, 0, "consulting", ANY, ANY, INVALID_STATE },
      { CONSULTED_ANSWERS, 0, "consulting", ANY, "offer", OK },
      { COMPLETE, 0, "consulting", ANY, "refer sip:+39 02 1234@fake", PENDING },
      { PHONE_NOTIFIES, 180, "consulting", ANY, ANY, PENDING },
      { PHONE_NOTIFIES, 200, "disconnected", ANY, "hangup", OK } } },
  { "consult-busy-leaves-the-contact-on-hold",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONSULT, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, "offer", PENDING },
      { CONSULTED_ANSWERS, 486, "held", ANY, "offer", TRANSFER_FAILED },
      { COMPLETE, 0, "held", ANY, ANY, INVALID_STATE },
      { RETRIEVE, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK } } },
  { "consulted-hangs-up-then-end",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { HOLD, 0 },
      { PHONE_ANSWERS, TAKE_ALL, "held", ANY, ANY, OK },
      { CONSULT, 0, "consulting", ANY, "offer", PENDING },
      { CONSULTED_ANSWERS, 0, "consulting", ANY, ANY, OK },
      { CONSULTED_ENDS, 0, "held", ANY, "offer" },
      { END_CONSULT, 0, "held", ANY, ANY, INVALID_STATE },
      { CONSULT, 1, "consulting", ANY, "offer", PENDING },
      { CONSULTED_ANSWERS, 0, "consulting", ANY, ANY, OK },
      { END_CONSULT, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK },
      { COMPLETE, 0, "talking", ANY, ANY, INVALID_STATE } } },
  { "contact-hangs-up-while-held-for-consultation",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONSULT, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, TRANSFER_FAILED } } },
  { "contact-hangs-up-during-consultation",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONSULT, 0 },
      { PHONE_ANSWERS, TAKE_ALL, "consulting" },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, TRANSFER_FAILED } } },
  { "conference-then-complete",
    "accept",
    { { RING, 0 },
      { ANSWER, 0, "talking" },
      { CONFERENCE, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, "offer", OK, "",
        "contact:held conference-1:calling conference-2:calling" },
      { HOLD, 0, "consulting", ANY, ANY, INVALID_STATE },
      { COMPLETE_CONF, 0, "consulting", ANY, ANY, NOBODY_ANSWERED },
      { AGENT_ANSWERS, 0, "consulting", ANY, ANY, ANY_RESULT, "",
        "contact:held conference-1:talking conference-2:calling" },
      { COMPLETE_CONF, 0, "held", ANY, "offer", PENDING,
        "conference-1>contact contact>conference-1",
        "contact:held conference-1:talking conference-2:ended" },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK,
        "conference-1>contact contact>conference-1",
        "contact:talking conference-1:talking conference-2:ended" },
      /* More agents: the conference waits on hold while the agent talks with them. */
      { CONFERENCE, 1, "talking", ANY, "offer", PENDING, "" },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, ANY, OK, "",
        "contact:held conference-1:held conference-2:ended conference-3:calling" },
      { AGENT_ANSWERS, 2, "consulting" },
      { COMPLETE_CONF, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK,
        "conference-1>conference-3 conference-1>contact conference-3>conference-1 "
        "conference-3>contact contact>conference-1 contact>conference-3",
        "contact:talking conference-1:talking conference-2:ended conference-3:talking" },
      { HANG_UP, 0, "disconnected", ANY, "hangup", OK, "",
        "contact:ended conference-1:ended conference-2:ended conference-3:ended" } } },
  { "agent-leaves-the-others-go-on",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONFERENCE, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, ANY, OK },
      { AGENT_ANSWERS, 0 },
      { AGENT_ANSWERS, 1 },
      { COMPLETE_CONF, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK,
        "conference-1>conference-2 conference-1>contact conference-2>conference-1 "
        "conference-2>contact contact>conference-1 contact>conference-2" },
      { TRANSFER, 0, "talking", ANY, ANY, INVALID_STATE },
      { AGENT_HANGS_UP, 0, "talking", ANY, ANY, ANY_RESULT,
        "conference-2>contact contact>conference-2",
        "contact:talking conference-1:ended conference-2:talking" },
      { DROP, 0, "talking", ANY, ANY, INVALID_STATE },
      { DROP, 3, "talking", ANY, ANY, INVALID_ARGUMENT },
      { DROP, 4, "talking", ANY, ANY, NOT_FOUND },
      { DROP, 1, "talking", ANY, ANY, OK, "",
        "contact:talking conference-1:ended conference-2:ended" },
      { HOLD, 0, "talking", ANY, "offer", PENDING } } },
  { "declined-then-more-agents",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONFERENCE, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, ANY, OK },
      { AGENT_REFUSES, 0, "consulting", ANY, ANY, ANY_RESULT, "",
        "contact:held conference-1:declined conference-2:calling" },
      { AGENT_REFUSES, 1, "held", ANY, ANY, ANY_RESULT, "",
        "contact:held conference-1:declined conference-2:declined" },
      { COMPLETE_CONF, 0, "held", ANY, ANY, INVALID_STATE },
      { CONFERENCE, 5, "consulting", ANY, ANY, OK },
      { AGENT_ANSWERS, 0, "consulting" },
      { END_CONSULT, 0, "held", ANY, "offer", PENDING, "",
        "contact:held conference-1:declined conference-2:declined conference-3:ended" },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK, "" } } },
  { "conference-refused-when-it-cannot-start",
    "accept",
    { { RING, 0 },
      { CONFERENCE, 0, "ringing", ANY, ANY, INVALID_STATE },
      { ANSWER, 0 },
      { CONFERENCE, 2, "talking", ANY, ANY, INVALID_ARGUMENT },
      { CONFERENCE, 3, "talking", ANY, ANY, INVALID_ARGUMENT },
      { CONFERENCE, 4, "talking", ANY, ANY, NOT_FOUND },
      { CONSULT, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, ANY, PENDING },
      { CONFERENCE, 0, "consulting", ANY, ANY, INVALID_STATE },
      { CONSULTED_ANSWERS, 0, "consulting", ANY, ANY, OK },
      { END_CONSULT, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK },
      { CONFERENCE, 5, "talking", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, ANY, OK },
      { CONFERENCE, 5, "consulting", ANY, ANY, INVALID_STATE },
      { DROP, 5, "consulting", ANY, ANY, INVALID_ARGUMENT } } },
  { "contact-hangs-up-during-a-conference-round",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONFERENCE, 0 },
      { PHONE_ANSWERS, TAKE_ALL, "consulting", ANY, ANY, OK },
      { AGENT_ANSWERS, 0 },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, ANY_RESULT, "",
        "contact:ended conference-1:ended conference-2:ended" } } },
  { "contact-hangs-up-while-held-for-a-conference",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONFERENCE, 0, "talking", ANY, "offer", PENDING },
      { PHONE_ENDS, BYE, "disconnected", ANY, ANY, INVALID_STATE, "", "contact:ended" } } },
  { "host-hangs-up-ends-every-leg",
    "accept",
    { { RING, 0 },
      { ANSWER, 0 },
      { CONFERENCE, 0 },
      { PHONE_ANSWERS, TAKE_ALL },
      { AGENT_ANSWERS, 0 },
      { AGENT_ANSWERS, 1 },
      { COMPLETE_CONF, 0 },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK },
      { HOLD, 0, "talking", ANY, "offer", PENDING, "",
        "contact:talking conference-1:held conference-2:held" },
      { PHONE_ANSWERS, TAKE_ALL, "held", ANY, ANY, OK, "" },
      { RETRIEVE, 0, "held", ANY, "offer", PENDING },
      { PHONE_ANSWERS, TAKE_ALL, "talking", ANY, ANY, OK,
        "conference-1>conference-2 conference-1>contact conference-2>conference-1 "
        "conference-2>contact contact>conference-1 contact>conference-2",
        "contact:talking conference-1:talking conference-2:talking" },
      { HANG_UP, 0, "disconnected", ANY, "hangup", OK, "",
        "contact:ended conference-1:ended conference-2:ended" } } },
  { "unsaved-note-is-refused",
    "accept",
    { { RING, 0 },
      { NOTE, 1, "ringing", ANY, ANY, UNAVAILABLE },
      { NOTE, 0, "ringing", ANY, ANY, OK } } },
};

/* ---- what the tables do not show: the end reason and the participants ---- */

/* Our ports are reserved while the call rings (and released if it is rejected); Answer sends
 * the 200 OK and leaves the pipelines for the main loop's next turn, after Sofia has sent it;
 * a BYE before that turn means they never start. */
static void
test_answer_before_media (void)
{
  static const Case test = { "media", "accept", { { 0 } } };
  World world = { 0 };

  world_start (&world, &test);
  ring (&world, FALSE);
  g_assert_nonnull (world.media->last);
  g_assert_false (world.media->last->audio_started);
  g_assert_true (sp_interaction_reject (world.interaction, NULL));
  g_assert_null (world.media->last);
  world_stop (&world);

  world_start (&world, &test);
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  g_assert_cmpstr (fake_leg_last_action (world.leg), ==, "accept");
  g_assert_cmpint (sp_interaction_get_state (world.interaction), ==, SP_INTERACTION_TALKING);
  g_assert_nonnull (world.media->last); /* ports reserved: the answer names them */
  g_assert_false (world.media->last->audio_started);
  settle ();
  g_assert_true (world.media->last->audio_started);
  world_stop (&world);

  world_start (&world, &test);
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  fake_leg_emit_ended (world.leg, SP_LEG_END_REMOTE_BYE, 200);
  settle ();
  g_assert_null (world.media->last); /* released, never started */
  g_assert_cmpint (sp_interaction_get_state (world.interaction), ==, SP_INTERACTION_DISCONNECTED);
  world_stop (&world);
}

static void
test_end_and_participants (void)
{
  static const Case test = { "media", "accept", { { 0 } } };
  World world = { 0 };
  const char *actor, *reason, *message;
  int code;
  g_autoptr (GVariant) participants = NULL;
  g_autoptr (GVariant) contact = NULL;
  const char *state = NULL;
  gint64 joined = 0, left = 0;

  world_start (&world, &test);
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  g_assert_true (world.media->last->audio_started);
  g_assert_cmpint (world.media->last->audio_direction, ==, SP_MEDIA_DIRECTION_SENDRECV);
  g_signal_emit_by_name (world.media->last, "error", "device gone");
  sp_interaction_get_end (world.interaction, &actor, &reason, &code, &message);
  g_assert_cmpstr (actor, ==, "system");
  g_assert_cmpstr (reason, ==, "media-error");
  g_assert_cmpint (code, ==, SP_INTERACTION_ERROR_FAILED);
  g_assert_cmpstr (message, ==, "device gone");
  g_assert_null (world.media->last); /* the media were stopped and released */
  participants = sp_interaction_get_participants (world.interaction);
  g_assert_cmpuint (g_variant_n_children (participants), ==, 1);
  contact = g_variant_get_child_value (participants, 0);
  g_assert_true (g_variant_lookup (contact, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "ended");
  g_assert_true (g_variant_lookup (contact, "joined", "x", &joined));
  g_assert_true (g_variant_lookup (contact, "left", "x", &left));
  g_assert_cmpint (joined, >, 0);
  g_assert_cmpint (left, >=, joined);
  world_stop (&world);
}

/* A transfer that succeeds writes the notepad and the end reason; one that never gets a final
 * answer fails at [transfer] timeout and leaves the contact where it was. */
static void
test_transfer_record_and_timeout (void)
{
  static const Case test = { "transfer", "accept", { { 0 } } };
  World world = { 0 };
  const char *actor, *reason, *message;
  int code;
  g_autoptr (GVariant) participants = NULL;
  g_autoptr (GVariant) contact = NULL;
  const char *progress = NULL;

  world_start (&world, &test);
  world.config->transfer_timeout_s = 1;
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  g_assert_true (sp_interaction_append_note (world.interaction, "asked about an invoice", NULL));
  world.result = PENDING;
  sp_interaction_transfer_async (world.interaction, "bob", "billing question", on_done, &world);
  g_signal_emit_by_name (world.leg, "refer-progress", 180u, "Ringing", FALSE);
  participants = g_variant_ref_sink (sp_interaction_get_participants (world.interaction));
  contact = g_variant_get_child_value (participants, 0);
  g_assert_true (g_variant_lookup (contact, "transfer-state", "&s", &progress));
  g_assert_cmpstr (progress, ==, "180 Ringing");
  while (world.result == PENDING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (world.result, ==, TRANSFER_FAILED);
  g_assert_cmpint (sp_interaction_get_state (world.interaction), ==, SP_INTERACTION_TALKING);
  g_assert_cmpstr (sp_interaction_get_notepad (world.interaction), ==, "asked about an invoice");

  world.result = PENDING;
  sp_interaction_transfer_async (world.interaction, "bob", "billing question", on_done, &world);
  g_signal_emit_by_name (world.leg, "refer-progress", 200u, "OK", TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (world.result, ==, OK);
  g_assert_cmpstr (sp_interaction_get_notepad (world.interaction), ==,
                   "asked about an invoice\nTransferred to Bob Rossi: billing question");
  sp_interaction_get_end (world.interaction, &actor, &reason, &code, &message);
  g_assert_cmpstr (actor, ==, "local");
  g_assert_cmpstr (reason, ==, "transferred");
  g_assert_cmpint (code, ==, -1);
  g_assert_cmpstr (message, ==, "transferred to Bob Rossi");
  g_assert_cmpint (sp_interaction_get_state (world.interaction), ==, SP_INTERACTION_DISCONNECTED);
  world_stop (&world);
}

/* Hold silences the contact in the media, not only in the SDP. */
static void
test_hold_reaches_the_media (void)
{
  static const Case test = { "hold", "accept", { { 0 } } };
  World world = { 0 };

  world_start (&world, &test);
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  sp_interaction_hold_async (world.interaction, TRUE, on_done, &world);
  phone_answers (&world, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (world.result, ==, OK);
  g_assert_cmpint (world.media->last->audio_direction, ==, SP_MEDIA_DIRECTION_SENDONLY);
  world_stop (&world);
}

static gboolean
party_flag (SpInteraction *interaction, const char *id, const char *key)
{
  g_autoptr (GVariant) participants
    = g_variant_ref_sink (sp_interaction_get_participants (interaction));
  gboolean value = FALSE;

  for (gsize i = 0; i < g_variant_n_children (participants); i++)
    {
      g_autoptr (GVariant) party = g_variant_get_child_value (participants, i);
      const char *party_id = NULL;

      g_variant_lookup (party, "id", "&s", &party_id);
      if (g_str_equal (party_id, id))
        g_assert_true (g_variant_lookup (party, key, "b", &value));
    }
  return value;
}

/* The expert's phone takes the contact's picture: audio and video (recvonly) in its answer. */
static void
agent_answers_with_video (FakeLeg *leg)
{
  g_autoptr (SpSdpSession) offer = sp_sdp_parse (leg->last_sdp, -1, NULL);
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("expert", 1, "127.0.0.4");
  g_autoptr (SpSdpSession) answer = NULL;
  g_autofree char *text = NULL;

  local->video_allowed = TRUE;
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 54000, 0, SP_SDP_SENDRECV);
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_VIDEO, 54002, 0, SP_SDP_RECVONLY);
  answer = sp_sdp_answer (offer, local, NULL, NULL);
  g_assert_nonnull (answer);
  fake_leg_emit_answer (leg, (text = sp_sdp_print (answer)));
  fake_leg_emit_established (leg);
}

/* With video running, each conferenced agent's leg offers the contact's picture (sendonly,
 * without re-offering to the contact): a phone that takes it gets the contact's remote
 * channel instead of a camera, one that refuses video just hears. */
static void
test_conference_relays_the_contacts_video (void)
{
  static const Case test = { "video", "accept", { { 0 } } };
  World world = { 0 };
  FakeLeg *bob, *carla;
  g_autoptr (SpSdpSession) offer = NULL;
  const SpSdpMedia *video;
  guint contact_offers;

  world_start (&world, &test);
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  sp_interaction_activate_video_async (world.interaction, on_done, &world);
  phone_answers (&world, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (sp_interaction_get_video (world.interaction), ==, SP_INTERACTION_VIDEO_ACTIVE);
  sp_interaction_conference_async (world.interaction, conferences[0], on_done, &world);
  phone_answers (&world, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (world.result, ==, OK);
  contact_offers = world.leg->actions->len;
  bob = fake_telephony_last_to (world.telephony, agents[0]);
  carla = fake_telephony_last_to (world.telephony, agents[1]);
  offer = sp_sdp_parse (bob->last_sdp, -1, NULL);
  g_assert_cmpuint (offer->media->len, ==, 2);
  video = g_ptr_array_index (offer->media, 1);
  g_assert_cmpint (video->kind, ==, SP_SDP_MEDIA_VIDEO);
  g_assert_cmpint (video->direction, ==, SP_SDP_SENDONLY);
  agent_answers_with_video (bob);
  side_phone_answers (&world, carla, 0);
  g_assert_true (party_flag (world.interaction, "conference-1", "video"));
  g_assert_false (party_flag (world.interaction, "conference-2", "video"));
  for (guint i = 0; i < world.media->alive->len; i++)
    {
      FakeMedia *media = g_ptr_array_index (world.media->alive, i);

      if (media->relay)
        g_assert_cmpstr (media->relay, ==, "fake-remote");
    }
  sp_interaction_complete_conference_async (world.interaction, on_done, &world);
  phone_answers (&world, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (world.result, ==, OK);
  /* Only hold and retrieve reached the contact: no re-offer for the agents' video. */
  g_assert_cmpuint (world.leg->actions->len, ==, contact_offers + 1);
  g_assert_cmpint (sp_interaction_get_video (world.interaction), ==, SP_INTERACTION_VIDEO_ACTIVE);
  world_stop (&world);
}

/* ---- SRTP as [security] media-encryption says ---- */

/* The phone offers audio with SDES keys for every suite (RTP/SAVP when ONLY_SRTP). */
static char *
phone_srtp_offer (World *world, gboolean only_srtp)
{
  g_autoptr (SpSdpLocal) local = sp_sdp_local_new ("phone", 1, "127.0.0.2");
  SpSdpSession *offer;

  local->crypto = only_srtp ? SP_SDP_CRYPTO_MANDATORY : SP_SDP_CRYPTO_OPTIONAL;
  sp_sdp_local_add_slot (local, SP_SDP_MEDIA_AUDIO, 50000, 0, SP_SDP_SENDRECV);
  g_assert_true (sp_sdp_local_draw_keys (local, 0, NULL));
  offer = sp_sdp_offer (local, NULL);
  g_clear_pointer (&world->phone_sdp, sp_sdp_session_free);
  world->phone_sdp = offer;
  return sp_sdp_print (offer);
}

/* An inbound call whose offer cannot be answered: refused before it rings (NULL, ERROR set). */
static SpInteraction *
refused_inbound (World *world, const char *offer, GError **error)
{
  SpInteractionContext context = context_of (world);

  world->leg = fake_leg_new ("sip:customer@fake", offer);
  return sp_interaction_new_inbound (&context, 1, SP_LEG (world->leg), "", "Customer", error);
}

/* Preferred: keys offered are taken, our answer carries ours, the media get both, Encrypted. */
static void
test_srtp_answered (void)
{
  static const Case test = { "srtp", "accept", { { 0 } } };
  World world = { 0 };
  g_autofree char *offer = NULL;
  g_autoptr (SpSdpSession) answer = NULL;
  const SpSdpMedia *audio;
  const SpSdesCrypto *theirs;
  const SpMediaSrtp *keys;

  world_start (&world, &test);
  world.config->media_encryption = SP_MEDIA_ENCRYPTION_PREFERRED;
  ring_with (&world, (offer = phone_srtp_offer (&world, TRUE)));
  g_assert_false (sp_interaction_get_encrypted (world.interaction));
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  g_assert_true (sp_interaction_get_encrypted (world.interaction));
  answer = sp_sdp_parse (world.leg->last_sdp, -1, NULL);
  audio = g_ptr_array_index (answer->media, 0);
  g_assert_cmpstr (audio->proto, ==, "RTP/SAVP");
  g_assert_cmpuint (audio->cryptos->len, ==, 1);
  theirs = &g_array_index (((const SpSdpMedia *)world.phone_sdp->media->pdata[0])->cryptos,
                           SpSdesCrypto, 0);
  keys = &world.media->last->audio_srtp;
  g_assert_cmpint (keys->suite, ==, SP_MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80);
  g_assert_cmpmem (keys->recv_key, keys->key_length, theirs->key, theirs->key_length);
  g_assert_cmpmem (keys->send_key, keys->key_length,
                   g_array_index (audio->cryptos, SpSdesCrypto, 0).key, keys->key_length);
  world_stop (&world);
}

/* Preferred with a plain phone: plain RTP, not Encrypted. Required: the same offer is refused
 * with 488 before it rings (no interaction); nothing reaches the media. */
static void
test_srtp_policy_and_plain_phones (void)
{
  static const Case test = { "srtp-plain", "accept", { { 0 } } };
  World world = { 0 };
  g_autofree char *offer = NULL;
  g_autoptr (GError) error = NULL;

  world_start (&world, &test);
  world.config->media_encryption = SP_MEDIA_ENCRYPTION_PREFERRED;
  ring_with (&world, (offer = phone_offer (&world, SP_SDP_SENDRECV, FALSE)));
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  g_assert_false (sp_interaction_get_encrypted (world.interaction));
  g_assert_cmpint (world.media->last->audio_srtp.suite, ==, SP_MEDIA_SRTP_NONE);
  g_assert_null (strstr (world.leg->last_sdp, "a=crypto"));
  world_stop (&world);

  world_start (&world, &test);
  world.config->media_encryption = SP_MEDIA_ENCRYPTION_REQUIRED;
  g_clear_pointer (&offer, g_free);
  offer = phone_offer (&world, SP_SDP_SENDRECV, FALSE);
  g_assert_null (refused_inbound (&world, offer, &error));
  g_assert_nonnull (strstr (error->message, "media-encryption is required"));
  g_assert_cmpstr (fake_leg_last_action (world.leg), ==, "reject 488");
  g_assert_null (world.media->last);
  world_stop (&world);
}

/* Required, we offer: RTP/SAVP with keys; the phone's answer with its key makes it Encrypted;
 * a re-offer (hold) repeats the agreed key, so the media keep theirs. */
static void
test_srtp_offered_and_kept (void)
{
  static const Case test = { "srtp-offer", "accept", { { 0 } } };
  World world = { 0 };
  g_autoptr (SpSdpSession) first = NULL;
  g_autoptr (SpSdpSession) second = NULL;
  SpMediaSrtp before;

  world_start (&world, &test);
  world.config->media_encryption = SP_MEDIA_ENCRYPTION_REQUIRED;
  dial (&world);
  first = sp_sdp_parse (world.leg->last_sdp, -1, NULL);
  g_assert_cmpstr (((const SpSdpMedia *)first->media->pdata[0])->proto, ==, "RTP/SAVP");
  g_assert_cmpuint (((const SpSdpMedia *)first->media->pdata[0])->cryptos->len, ==, 4);
  phone_answers (&world, FALSE);
  fake_leg_emit_established (world.leg);
  g_assert_true (sp_interaction_get_encrypted (world.interaction));
  before = world.media->last->audio_srtp;
  g_assert_cmpint (before.suite, !=, SP_MEDIA_SRTP_NONE);

  sp_interaction_hold_async (world.interaction, TRUE, on_done, &world);
  second = sp_sdp_parse (world.leg->last_sdp, -1, NULL);
  g_assert_cmpuint (((const SpSdpMedia *)second->media->pdata[0])->cryptos->len, ==, 1);
  phone_answers (&world, FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (world.result, ==, OK);
  g_assert_true (sp_interaction_get_encrypted (world.interaction));
  g_assert_cmpmem (world.media->last->audio_srtp.send_key, before.key_length, before.send_key,
                   before.key_length);
  world_stop (&world);
}

/* Required: the consultation leg is encrypted too, with keys of its own (not the contact's). */
static void
test_srtp_side_legs (void)
{
  static const Case test = { "srtp-side", "accept", { { 0 } } };
  World world = { 0 };
  g_autoptr (SpSdpSession) side_offer = NULL;
  const SpSdpMedia *audio;
  FakeMedia *contact_media;

  world_start (&world, &test);
  world.config->media_encryption = SP_MEDIA_ENCRYPTION_REQUIRED;
  dial (&world);
  phone_answers (&world, FALSE);
  fake_leg_emit_established (world.leg);
  g_assert_true (sp_interaction_get_encrypted (world.interaction));
  contact_media = world.media->last;

  world.result = PENDING;
  sp_interaction_consult_async (world.interaction, "bob", "an expert", on_done, &world);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  phone_answers (&world, FALSE); /* the contact's hold, before the expert is called */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (world.telephony->dialled != world.leg);
  side_offer = sp_sdp_parse (world.telephony->dialled->last_sdp, -1, NULL);
  audio = g_ptr_array_index (side_offer->media, 0);
  g_assert_cmpstr (audio->proto, ==, "RTP/SAVP");
  g_assert_cmpuint (audio->cryptos->len, ==, 4);
  side_phone_answers (&world, world.telephony->dialled, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (world.result, ==, OK);
  g_assert_true (world.media->last != contact_media);
  g_assert_cmpint (world.media->last->audio_srtp.suite, !=, SP_MEDIA_SRTP_NONE);
  g_assert_true (memcmp (world.media->last->audio_srtp.send_key, contact_media->audio_srtp.send_key,
                         contact_media->audio_srtp.key_length)
                 != 0);
  world_stop (&world);
}

/* ---- video through the customer's browser ---- */

#define BROWSER_KEY "browser-key-0123456789"

static void
on_offer_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  char **answer = data;
  g_autoptr (GError) error = NULL;

  *answer = sp_interaction_browser_offer_finish (SP_INTERACTION (source), result, &error);
  if (!*answer)
    *answer = g_strdup_printf ("error %d", error->code);
}

static char *
browser_offers (World *world, const char *offer)
{
  char *answer = NULL;

  sp_interaction_browser_offer_async (world->interaction, offer, on_offer_answered, &answer);
  settle ();
  g_assert_nonnull (answer);
  return answer;
}

static void
assert_browser (World *world, const char *video, const char *path, const char *browser,
                const char *ended_by)
{
  SpInteraction *interaction = world->interaction;

  g_assert_cmpstr (sp_interaction_video_to_string (sp_interaction_get_video (interaction)), ==,
                   video);
  g_assert_cmpstr (sp_interaction_get_video_path (interaction), ==, path);
  g_assert_cmpstr (sp_interaction_get_browser_video (interaction), ==, browser);
  g_assert_cmpstr (sp_interaction_get_browser_video_ended_by (interaction), ==, ended_by);
}

/* A talking call, invited to browser video, the browser joined with the invitation's code. */
static SpCoBrowse *
invite_and_join (World *world)
{
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GError) error = NULL;
  SpCoBrowse *link;

  g_assert_true (sp_interaction_invite_browser_video (world->interaction, &code, &url, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (url, code));
  assert_browser (world, "requested", "browser", "invited", "");
  link
    = sp_cobrowse_registry_join (world->links, SP_COBROWSE_KIND_VIDEO, code, BROWSER_KEY, &error);
  g_assert_no_error (error);
  g_assert_true (link == sp_interaction_get_browser_link (world->interaction));
  assert_browser (world, "requested", "browser", "joined", "");
  return link;
}

static void
on_browser_candidate (SpInteraction *interaction, guint mline, const char *candidate, gpointer data)
{
  g_string_append_printf (data, "%u %s;", mline, candidate);
}

static void
browser_connects (World *world)
{
  g_autofree char *answer = browser_offers (world, "v=0 (offer)");

  g_assert_cmpstr (answer, ==, "v=0 (answer)");
  assert_browser (world, "requested", "browser", "connecting", "");
  g_signal_emit_by_name (world->media->last, "browser-state", "connected");
  assert_browser (world, "active", "browser", "active", "");
}

static void
test_browser_video (void)
{
  static const Case test = { "browser", "accept", { { 0 } } };
  World world = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) candidates = g_string_new ("");
  g_autofree char *answer = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autofree char *first_code = NULL;
  SpCoBrowse *link;

  world_start (&world, &test);
  world.links = sp_cobrowse_registry_new (world.config);
  ring (&world, FALSE);
  g_assert_true (sp_interaction_answer (world.interaction, NULL));
  settle ();
  g_signal_connect (world.interaction, "browser-candidate", G_CALLBACK (on_browser_candidate),
                    candidates);
  assert_browser (&world, "none", "", "none", "");

  /* Nobody joined: an offer is refused. A second invitation replaces the first. */
  answer = browser_offers (&world, "v=0 (offer)");
  g_assert_cmpstr (answer, ==, "error 2"); /* SP_INTERACTION_ERROR_INVALID_STATE */
  g_assert_true (sp_interaction_invite_browser_video (world.interaction, &first_code, &url, NULL));
  g_clear_pointer (&url, g_free);
  link = invite_and_join (&world);
  g_assert_cmpstr (sp_cobrowse_get_code (link), !=, first_code);

  /* The phone's own video is refused while the browser carries it, and the other way round. */
  sp_interaction_activate_video_async (world.interaction, on_done, &world);
  settle ();
  g_assert_cmpint (world.result, ==, ERROR (SP_INTERACTION_ERROR_INVALID_STATE));
  g_assert_false (sp_interaction_browser_candidate (world.interaction, 0, "candidate:1", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* Offer, candidates both ways, connected: active, with the media's pictures for the window. */
  browser_connects (&world);
  g_assert_true (sp_interaction_browser_candidate (world.interaction, 0, "candidate:1", NULL));
  g_assert_cmpuint (world.media->last->browser_candidates, ==, 1);
  g_signal_emit_by_name (world.media->last, "browser-candidate", 0, "candidate:2");
  g_assert_cmpstr (candidates->str, ==, "0 candidate:2;");
  g_assert_true (sp_interaction_get_video_used (world.interaction));
  g_assert_cmpstr (sp_interaction_get_picture (world.interaction, SP_MEDIA_PICTURE_REMOTE), !=, "");
  g_assert_false (sp_interaction_invite_browser_video (world.interaction, &code, &url, &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* The page reloads: a new offer replaces the media. */
  browser_connects (&world);
  g_assert_cmpuint (world.media->last->browser_starts, ==, 2);
  g_assert_cmpint (world.media->last->video_direction, ==, SP_MEDIA_DIRECTION_SENDRECV);

  /* DeactivateVideo pauses it (connected, nothing shown), ActivateVideo resumes it: no
   * re-INVITE of the phone either way. */
  sp_interaction_deactivate_video_async (world.interaction, on_done, &world);
  settle ();
  g_assert_cmpint (world.result, ==, OK);
  assert_browser (&world, "paused", "browser", "paused", "");
  g_assert_cmpint (world.media->last->video_direction, ==, SP_MEDIA_DIRECTION_INACTIVE);
  sp_interaction_deactivate_video_async (world.interaction, on_done, &world);
  settle ();
  g_assert_cmpint (world.result, ==, ERROR (SP_INTERACTION_ERROR_INVALID_STATE));
  sp_interaction_activate_video_async (world.interaction, on_done, &world);
  settle ();
  g_assert_cmpint (world.result, ==, OK);
  assert_browser (&world, "active", "browser", "active", "");
  g_assert_cmpint (world.media->last->video_direction, ==, SP_MEDIA_DIRECTION_SENDRECV);

  /* Hold stops it at once, Retrieve brings it back. */
  sp_interaction_hold_async (world.interaction, TRUE, on_done, &world);
  g_assert_cmpint (world.media->last->video_direction, ==, SP_MEDIA_DIRECTION_INACTIVE);
  phone_answers (&world, TRUE);
  settle ();
  g_assert_cmpint (world.result, ==, OK);
  g_assert_cmpint (world.media->last->video_direction, ==, SP_MEDIA_DIRECTION_INACTIVE);
  sp_interaction_hold_async (world.interaction, FALSE, on_done, &world);
  phone_answers (&world, TRUE);
  settle ();
  g_assert_cmpint (world.result, ==, OK);
  g_assert_cmpint (world.media->last->video_direction, ==, SP_MEDIA_DIRECTION_SENDRECV);
  assert_browser (&world, "active", "browser", "active", "");

  /* DeactivateVideo before the browser's media connected withdraws the invitation. */
  g_assert_true (sp_interaction_browser_left (world.interaction, "closed", NULL));
  assert_browser (&world, "none", "", "ended", "left");
  link = invite_and_join (&world);
  sp_interaction_deactivate_video_async (world.interaction, on_done, &world);
  settle ();
  g_assert_cmpint (world.result, ==, OK);
  assert_browser (&world, "none", "", "ended", "stopped");
  g_assert_false (world.media->last->browser_running);
  g_assert_null (sp_cobrowse_registry_find (world.links, SP_COBROWSE_KIND_VIDEO,
                                            sp_cobrowse_get_id (link), NULL));

  /* The browser refuses the camera; an unknown reason is refused. */
  invite_and_join (&world);
  g_assert_false (sp_interaction_browser_left (world.interaction, "bored", &error));
  g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (sp_interaction_browser_left (world.interaction, "camera-denied", NULL));
  assert_browser (&world, "none", "", "ended", "camera-denied");

  /* ICE fails: the video ends, the call goes on. */
  invite_and_join (&world);
  browser_connects (&world);
  g_signal_emit_by_name (world.media->last, "browser-state", "failed");
  assert_browser (&world, "none", "", "ended", "failed");
  g_assert_cmpint (sp_interaction_get_state (world.interaction), ==, SP_INTERACTION_TALKING);

  /* The phone hangs up: the browser's video and its link end with the call. */
  link = invite_and_join (&world);
  browser_connects (&world);
  fake_leg_emit_ended (world.leg, SP_LEG_END_REMOTE_BYE, 200);
  settle ();
  assert_browser (&world, "none", "", "ended", "call-ended");
  g_assert_null (sp_cobrowse_registry_find (world.links, SP_COBROWSE_KIND_VIDEO,
                                            sp_cobrowse_get_id (link), NULL));
  world_stop (&world);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Failures the cases cause are logged as warnings; criticals stay fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/interaction/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], run_case);
    }
  g_test_add_func ("/interaction/end-and-participants", test_end_and_participants);
  g_test_add_func ("/interaction/answer-before-media", test_answer_before_media);
  g_test_add_func ("/interaction/srtp/answered", test_srtp_answered);
  g_test_add_func ("/interaction/srtp/policy-and-plain-phones", test_srtp_policy_and_plain_phones);
  g_test_add_func ("/interaction/srtp/offered-and-kept", test_srtp_offered_and_kept);
  g_test_add_func ("/interaction/srtp/side-legs", test_srtp_side_legs);
  g_test_add_func ("/interaction/hold-reaches-the-media", test_hold_reaches_the_media);
  g_test_add_func ("/interaction/browser-video", test_browser_video);
  g_test_add_func ("/interaction/transfer-record-and-timeout", test_transfer_record_and_timeout);
  g_test_add_func ("/interaction/conference-relays-the-contacts-video",
                   test_conference_relays_the_contacts_video);
  return g_test_run ();
}
