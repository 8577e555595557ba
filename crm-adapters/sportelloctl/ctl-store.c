/* `store sync` and `store import`: the shared store's state (Agent1.SyncState), waiting for it
 * to be up to date, and the import of the local store into it with a progress bar. */
#include <stdio.h>
#include <unistd.h>

#include "ctl-commands.h"
#include "ctl-output.h"

#define POLL_MS 200

static GVariant *
sync_state (CtlContext *ctx, GError **error)
{
  g_autoptr (GVariant) properties = ctl_context_agent_properties (ctx, error);

  if (!properties)
    return NULL;
  return g_variant_lookup_value (properties, "SyncState", G_VARIANT_TYPE_VARDICT);
}

static const char *
state_string (GVariant *state, const char *key)
{
  const char *value = "";

  g_variant_lookup (state, key, "&s", &value);
  return value;
}

static guint
state_queued (GVariant *state)
{
  guint32 queued = 0;

  g_variant_lookup (state, "queued", "u", &queued);
  return queued;
}

static guint
state_importing (GVariant *state)
{
  guint32 importing = 0;

  g_variant_lookup (state, "importing", "u", &importing);
  return importing;
}

static gboolean
is_up_to_date (GVariant *state)
{
  return g_str_equal (state_string (state, "state"), "up-to-date") && state_queued (state) == 0
         && state_importing (state) == 0;
}

static char *
format_time (gint64 usec)
{
  g_autoptr (GDateTime) time
    = usec ? g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC) : NULL;

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("never");
}

static void
print_state (CtlContext *ctx, GVariant *state)
{
  static const char *const fields[]
    = { "state", "uri", "queued", "last-success", "last-error", "position", NULL };

  if (ctx->json)
    {
      ctl_print_variant_json (state);
      return;
    }
  for (guint i = 0; fields[i]; i++)
    {
      g_autoptr (GVariant) value = g_variant_lookup_value (state, fields[i], NULL);
      g_autofree char *text = NULL;

      if (!value)
        continue;
      if (g_str_equal (fields[i], "last-success"))
        text = format_time (g_variant_get_int64 (value));
      else
        text = ctl_format_value (value);
      ctl_print_field (fields[i], text, strlen ("last-success"));
    }
}

/* Polls SyncState until @done says so or @timeout_s pass; @progress sees each state. */
typedef void (*ProgressFunc) (GVariant *state, gpointer data);

static GVariant *
wait_for_sync (CtlContext *ctx, guint timeout_s, ProgressFunc progress, gpointer data,
               GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (GVariant) state = sync_state (ctx, error);

      if (!state)
        return NULL;
      if (progress)
        progress (state, data);
      if (is_up_to_date (state))
        return g_steal_pointer (&state);
      if (g_get_monotonic_time () >= deadline)
        {
          const char *why = state_string (state, "last-error");
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "the shared store is not up to date after %u s (%s, %u queued%s%s)",
                       timeout_s, state_string (state, "state"), state_queued (state),
                       *why ? "; last error: " : "", why);
          return NULL;
        }
      g_usleep (POLL_MS * 1000);
    }
}

static int
run_sync (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  gboolean wait = FALSE;
  int timeout_s = 60;
  const GOptionEntry entries[] = {
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      "Wait until everything queued here is in the shared store", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "How long --wait waits (default 60)", "S" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) state = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  if (timeout_s < 0)
    return ctl_fail_message ("--timeout must be 0 or more seconds");
  state
    = wait ? wait_for_sync (ctx, (guint)timeout_s, NULL, NULL, &error) : sync_state (ctx, &error);
  if (!state)
    return error ? ctl_fail (ctx, error) : ctl_fail_message ("the service has no SyncState");
  print_state (ctx, state);
  return CTL_EXIT_OK;
}

typedef struct
{
  guint total;
  gboolean drawn;
} Progress;

/* A bar on stderr: redrawn in place on a terminal, one line per change otherwise. */
static void
draw_progress (GVariant *state, gpointer data)
{
  Progress *progress = data;
  guint left = state_queued (state) + state_importing (state);
  guint sent = left < progress->total ? progress->total - left : 0;
  guint width = 30;
  guint filled = progress->total ? sent * width / progress->total : width;
  g_autofree char *bar = g_strnfill (filled, '#');
  g_autofree char *rest = g_strnfill (width - filled, '-');
  const char *why = state_string (state, "last-error");
  const char *name = state_string (state, "state");
  gboolean behind = g_str_equal (name, "offline") || g_str_equal (name, "incompatible");

  if (left > progress->total)
    progress->total = left;
  g_printerr ("%s[%s%s] %u/%u records sent (%s%s%s)%s", isatty (STDERR_FILENO) ? "\r" : "", bar,
              rest, sent, progress->total, name, behind && *why ? ": " : "", behind ? why : "",
              isatty (STDERR_FILENO) ? "" : "\n");
  progress->drawn = TRUE;
}

static int
run_import (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  gboolean no_wait = FALSE;
  int timeout_s = 3600;
  const GOptionEntry entries[] = {
    { "no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, "Queue the records and return at once", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "How long to wait (default 3600)", "S" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SpAgent1) agent = NULL;
  g_autoptr (GVariant) state = NULL;
  guint queued = 0;
  Progress progress = { 0 };

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  if (timeout_s < 0)
    return ctl_fail_message ("--timeout must be 0 or more seconds");
  agent = ctl_context_agent_proxy (ctx, &error);
  if (!agent || !sp_agent1_call_import_local_store_sync (agent, &queued, NULL, &error))
    return ctl_fail (ctx, error);
  progress.total = queued;
  if (!no_wait)
    state
      = wait_for_sync (ctx, (guint)timeout_s, ctx->json ? NULL : draw_progress, &progress, &error);
  if (progress.drawn && isatty (STDERR_FILENO))
    g_printerr ("\n");
  if (!no_wait && !state)
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (
        g_variant_new_parsed ("{'queued': <%u>, 'up-to-date': <%b>}", queued, state != NULL));
      ctl_print_variant_json (reply);
    }
  else if (no_wait)
    g_print ("queued %u records for the shared store\n", queued);
  else
    g_print ("imported %u records into %s\n", queued, state_string (state, "uri"));
  return CTL_EXIT_OK;
}

const CtlCommand ctl_store_commands[] = {
  { "store", "sync", "[--wait] [--timeout S]",
    "Show the shared store's state (queued changes, last success, last error); --wait waits "
    "until it is up to date",
    run_sync },
  { "store", "import", "[--no-wait] [--timeout S]",
    "Send the whole local store (contacts, responses, push items, this agent's history) to the "
    "shared store, with a progress bar",
    run_import },
  { NULL },
};
