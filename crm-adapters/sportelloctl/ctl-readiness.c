/* Readiness commands: what the agent's readiness is (and whether the router knows it), Ready,
 * Not ready with a reason, and the configured reasons. */
#include "ctl-commands.h"
#include "ctl-output.h"

static int
run_readiness (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  static const char *const fields[]
    = { "Readiness", "ReadinessReason", "Available", "Routing", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) properties = NULL;
  g_autoptr (GVariantDict) shown = g_variant_dict_new (NULL);
  g_autoptr (GVariant) readiness = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  properties = ctl_context_agent_properties (ctx, &error);
  if (!properties)
    return ctl_fail (ctx, error);
  for (guint i = 0; fields[i]; i++)
    {
      g_autoptr (GVariant) value = g_variant_lookup_value (properties, fields[i], NULL);
      g_autofree char *text = value ? ctl_format_value (value) : g_strdup ("unknown");

      if (value)
        g_variant_dict_insert_value (shown, fields[i], value);
      if (!ctx->json)
        ctl_print_field (fields[i], text, strlen ("ReadinessReason"));
    }
  readiness = g_variant_ref_sink (g_variant_dict_end (shown));
  if (ctx->json)
    ctl_print_variant_json (readiness);
  return CTL_EXIT_OK;
}

static int
set_readiness (CtlContext *ctx, const char *state, const char *reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = ctl_context_agent_proxy (ctx, &error);

  if (!agent || !sp_agent1_call_set_readiness_sync (agent, state, reason, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) done = g_variant_ref_sink (
        g_variant_new_parsed ("{'readiness': <%s>, 'reason': <%s>}", state, reason));
      ctl_print_variant_json (done);
    }
  else
    g_print ("%s%s%s\n", state, *reason ? " " : "", reason);
  return CTL_EXIT_OK;
}

static int
run_ready (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  return set_readiness (ctx, "ready", "");
}

static int
run_not_ready (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 1, 1))
    return CTL_EXIT_USAGE;
  return set_readiness (ctx, "not-ready", argv[1]);
}

static int
run_reasons (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) reasons = NULL;
  g_autoptr (CtlTable) table = ctl_table_new ();
  GVariantIter iter;
  GVariant *reason;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_list_not_ready_reasons_sync (agent, &reasons, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      ctl_print_variant_json (reasons);
      return CTL_EXIT_OK;
    }
  g_variant_iter_init (&iter, reasons);
  while ((reason = g_variant_iter_next_value (&iter)))
    {
      ctl_table_add (table, ctl_record_string (reason, "id"), ctl_record_string (reason, "label"),
                     NULL);
      g_variant_unref (reason);
    }
  ctl_table_print (table);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_readiness_commands[] = {
  { NULL, "readiness", "",
    "Show the agent's readiness, its reason, whether queues may offer a call, and the router's "
    "state",
    run_readiness },
  { NULL, "ready", "", "Take routed calls (also ends after-call work)", run_ready },
  { NULL, "not-ready", "REASON", "Take no routed calls, for a configured reason (see 'reasons')",
    run_not_ready },
  { NULL, "reasons", "", "List the configured not-ready reasons", run_reasons },
  { NULL },
};
