/* The agent's readiness (service/domain/sp-readiness.c): the agent's choices, after-call work
 * that follows an answered call, its limit, and availability for routed calls. Interactions are
 * named by keys; what the manager would tell is told directly. */
#include "sp-config.h"
#include "sp-readiness.h"

#define CALL_A GUINT_TO_POINTER (1)
#define CALL_B GUINT_TO_POINTER (2)

static GPtrArray *
reasons (void)
{
  static GPtrArray *list;

  if (!list)
    {
      SpConfig *config = sp_config_new_defaults ();

      list = g_ptr_array_ref (config->not_ready_reasons);
      sp_config_free (config);
    }
  return list;
}

static void
assert_readiness (SpReadiness *readiness, const char *state, const char *reason, gboolean available)
{
  g_assert_cmpstr (sp_readiness_get_state (readiness), ==, state);
  g_assert_cmpstr (sp_readiness_get_reason (readiness), ==, reason);
  g_assert_cmpint (sp_readiness_is_available (readiness), ==, available);
}

static void
answer_and_end (SpReadiness *readiness, gconstpointer call)
{
  sp_readiness_interaction_changed (readiness, call, SP_INTERACTION_RINGING);
  sp_readiness_interaction_changed (readiness, call, SP_INTERACTION_TALKING);
  sp_readiness_interaction_changed (readiness, call, SP_INTERACTION_DISCONNECTED);
}

static void
test_start (void)
{
  g_autoptr (SpReadiness) ready = sp_readiness_new (reasons (), 60, TRUE, NULL);
  g_autoptr (SpReadiness) not_ready = sp_readiness_new (reasons (), 60, FALSE, NULL);

  assert_readiness (ready, "ready", "", TRUE);
  assert_readiness (not_ready, "not-ready", "break", FALSE);
}

static void
test_choices (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (sp_readiness_set (readiness, "not-ready", "lunch", &error));
  g_assert_no_error (error);
  assert_readiness (readiness, "not-ready", "lunch", FALSE);
  g_assert_true (sp_readiness_set (readiness, "ready", "", &error));
  assert_readiness (readiness, "ready", "", TRUE);
}

static void
test_refused_choices (void)
{
  static const char *const refused[][2] = {
    { "not-ready", "nap" },    { "not-ready", "" }, { "ready", "lunch" },
    { "after-call-work", "" }, { "away", "" },      { "READY", "" },
  };
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (sp_readiness_set (readiness, refused[i][0], refused[i][1], &error));
      g_assert_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT);
      assert_readiness (readiness, "ready", "", TRUE);
    }
  /* Without a GError the refusal is still a refusal. */
  g_assert_false (sp_readiness_set (readiness, "not-ready", "nap", NULL));
}

static void
test_a_call_in_progress_is_not_available (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_RINGING);
  assert_readiness (readiness, "ready", "", FALSE);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_TALKING);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_HELD);
  assert_readiness (readiness, "ready", "", FALSE);
}

static void
test_after_call_work_until_done (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  answer_and_end (readiness, CALL_A);
  assert_readiness (readiness, "after-call-work", "", FALSE);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_DONE);
  assert_readiness (readiness, "after-call-work", "", FALSE);
  sp_readiness_interaction_removed (readiness, CALL_A);
  assert_readiness (readiness, "ready", "", TRUE);
}

static void
test_a_missed_call_needs_no_after_call_work (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_RINGING);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_DISCONNECTED);
  assert_readiness (readiness, "ready", "", TRUE);
}

static void
test_after_call_work_waits_for_every_answered_call (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  answer_and_end (readiness, CALL_A);
  answer_and_end (readiness, CALL_B);
  sp_readiness_interaction_removed (readiness, CALL_A);
  assert_readiness (readiness, "after-call-work", "", FALSE);
  sp_readiness_interaction_removed (readiness, CALL_B);
  assert_readiness (readiness, "ready", "", TRUE);
}

static void
test_not_ready_stays_after_a_call (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_TALKING);
  g_assert_true (sp_readiness_set (readiness, "not-ready", "training", NULL));
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_DISCONNECTED);
  assert_readiness (readiness, "not-ready", "training", FALSE);
  sp_readiness_interaction_removed (readiness, CALL_A);
  assert_readiness (readiness, "not-ready", "training", FALSE);
}

static void
test_the_agent_ends_after_call_work (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);

  answer_and_end (readiness, CALL_A);
  g_assert_true (sp_readiness_set (readiness, "ready", "", NULL));
  assert_readiness (readiness, "ready", "", TRUE);
  /* Mark Done afterwards changes nothing. */
  sp_readiness_interaction_removed (readiness, CALL_A);
  assert_readiness (readiness, "ready", "", TRUE);
}

static void
test_no_after_call_work_when_its_limit_is_zero (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 0, TRUE, NULL);

  answer_and_end (readiness, CALL_A);
  assert_readiness (readiness, "ready", "", TRUE);
}

static gboolean
on_give_up (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_after_call_work_ends_at_its_limit (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 1, TRUE, NULL);
  gboolean gave_up = FALSE;
  guint give_up = g_timeout_add_seconds (10, on_give_up, &gave_up);

  answer_and_end (readiness, CALL_A);
  assert_readiness (readiness, "after-call-work", "", FALSE);
  while (!gave_up && !sp_readiness_is_available (readiness))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gave_up);
  g_source_remove (give_up);
  assert_readiness (readiness, "ready", "", TRUE);
}

static GVariant *
attached (const char *key)
{
  g_autoptr (GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));

  if (key)
    g_variant_builder_add (builder, "{ss}", key, "support");
  return g_variant_ref_sink (g_variant_builder_end (builder));
}

static void
test_routed_calls_are_refused_while_not_available (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, "Queue");
  g_autoptr (SpReadiness) no_key = sp_readiness_new (reasons (), 60, FALSE, NULL);
  g_autoptr (GVariant) routed = attached ("Queue");
  g_autoptr (GVariant) direct = attached ("AccountNumber");

  g_assert_false (sp_readiness_refuses (readiness, routed));
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_TALKING);
  g_assert_true (sp_readiness_refuses (readiness, routed));
  g_assert_false (sp_readiness_refuses (readiness, direct)); /* a call to the agent itself */
  g_assert_false (sp_readiness_refuses (readiness, NULL));
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_DISCONNECTED);
  g_assert_true (sp_readiness_refuses (readiness, routed)); /* after-call work */
  sp_readiness_interaction_removed (readiness, CALL_A);
  g_assert_false (sp_readiness_refuses (readiness, routed));
  g_assert_true (sp_readiness_set (readiness, "not-ready", "break", NULL));
  g_assert_true (sp_readiness_refuses (readiness, routed));
  /* Without a configured key nothing is recognised as routed. */
  g_assert_false (sp_readiness_refuses (no_key, routed));
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *)data)++;
}

static void
test_available_is_notified_once_per_change (void)
{
  g_autoptr (SpReadiness) readiness = sp_readiness_new (reasons (), 60, TRUE, NULL);
  guint changes = 0;

  g_signal_connect (readiness, "notify::available", G_CALLBACK (count_notify), &changes);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_RINGING);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_TALKING);
  sp_readiness_interaction_changed (readiness, CALL_B, SP_INTERACTION_RINGING);
  g_assert_cmpuint (changes, ==, 1);
  sp_readiness_interaction_changed (readiness, CALL_B, SP_INTERACTION_DISCONNECTED);
  sp_readiness_interaction_removed (readiness, CALL_B);
  g_assert_cmpuint (changes, ==, 1);
  sp_readiness_interaction_changed (readiness, CALL_A, SP_INTERACTION_DISCONNECTED);
  sp_readiness_interaction_removed (readiness, CALL_A);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_true (sp_readiness_is_available (readiness));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/readiness/start", test_start);
  g_test_add_func ("/readiness/choices", test_choices);
  g_test_add_func ("/readiness/refused-choices", test_refused_choices);
  g_test_add_func ("/readiness/a-call-in-progress-is-not-available",
                   test_a_call_in_progress_is_not_available);
  g_test_add_func ("/readiness/after-call-work-until-done", test_after_call_work_until_done);
  g_test_add_func ("/readiness/a-missed-call-needs-no-after-call-work",
                   test_a_missed_call_needs_no_after_call_work);
  g_test_add_func ("/readiness/after-call-work-waits-for-every-answered-call",
                   test_after_call_work_waits_for_every_answered_call);
  g_test_add_func ("/readiness/not-ready-stays-after-a-call", test_not_ready_stays_after_a_call);
  g_test_add_func ("/readiness/the-agent-ends-after-call-work",
                   test_the_agent_ends_after_call_work);
  g_test_add_func ("/readiness/no-after-call-work-when-its-limit-is-zero",
                   test_no_after_call_work_when_its_limit_is_zero);
  g_test_add_func ("/readiness/after-call-work-ends-at-its-limit",
                   test_after_call_work_ends_at_its_limit);
  g_test_add_func ("/readiness/routed-calls-are-refused-while-not-available",
                   test_routed_calls_are_refused_while_not_available);
  g_test_add_func ("/readiness/available-is-notified-once-per-change",
                   test_available_is_notified_once_per_change);
  return g_test_run ();
}
