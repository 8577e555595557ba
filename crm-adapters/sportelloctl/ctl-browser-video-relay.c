/* BrowserVideo1 commands: what the relay asks of the service for video through a browser, by
 * hand (to try a relay or a page, or to see why a customer cannot join). The agent's side is
 * "video browser N" (ctl-sessions.c). */
#include "ctl-commands.h"
#include "ctl-output.h"

static const char *const settings_order[]
  = { "id", "ice-servers", "turn-username", "turn-credential", "agent-name", NULL };

static SpBrowserVideo1 *
relay_proxy (CtlContext *ctx, GError **error)
{
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (!connection)
    return NULL;
  return sp_browser_video1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                           ctx->bus_name, CTL_OBJECT_PATH, NULL, error);
}

static int
print_done (CtlContext *ctx, const char *done)
{
  g_print (ctx->json ? "{}\n" : "%s\n", done);
  return CTL_EXIT_OK;
}

static int
run_join (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpBrowserVideo1) relay = NULL;
  g_autofree char *id = NULL;
  g_autoptr (GVariant) settings = NULL;
  g_autoptr (GVariant) record = NULL;
  GVariantDict dict;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 2, 2))
    return CTL_EXIT_USAGE;
  if (!(relay = relay_proxy (ctx, &error))
      || !sp_browser_video1_call_join_sync (relay, argv[1], argv[2], &id, &settings, NULL, &error))
    return ctl_fail (ctx, error);
  g_variant_dict_init (&dict, settings);
  g_variant_dict_insert (&dict, "id", "s", id);
  record = g_variant_ref_sink (g_variant_dict_end (&dict));
  if (ctx->json)
    ctl_print_variant_json (record);
  else
    ctl_print_record (record, settings_order);
  return CTL_EXIT_OK;
}

/* The offer from a file, or from stdin with "-"; the answer's SDP on stdout. */
static int
run_offer (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpBrowserVideo1) relay = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 2, 2))
    return CTL_EXIT_USAGE;
  if (!g_file_get_contents (g_str_equal (argv[2], "-") ? "/dev/stdin" : argv[2], &offer, NULL,
                            &error)
      || !(relay = relay_proxy (ctx, &error))
      || !sp_browser_video1_call_offer_sync (relay, argv[1], offer, &answer, NULL, &error))
    return ctl_fail (ctx, error);
  if (ctx->json)
    {
      g_autoptr (GVariant) reply
        = g_variant_ref_sink (g_variant_new_parsed ("{'answer': <%s>}", answer));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%s", answer);
  return CTL_EXIT_OK;
}

static int
run_candidate (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpBrowserVideo1) relay = NULL;
  guint64 mline;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 3, 3))
    return CTL_EXIT_USAGE;
  if (!g_ascii_string_to_unsigned (argv[2], 10, 0, G_MAXUINT, &mline, &error)
      || !(relay = relay_proxy (ctx, &error))
      || !sp_browser_video1_call_add_candidate_sync (relay, argv[1], (guint)mline, argv[3], NULL,
                                                     &error))
    return ctl_fail (ctx, error);
  return print_done (ctx, "added");
}

static int
run_leave (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SpBrowserVideo1) relay = NULL;

  if (!ctl_parse_options (ctx, command, NULL, &argc, &argv, 2, 2))
    return CTL_EXIT_USAGE;
  if (!(relay = relay_proxy (ctx, &error))
      || !sp_browser_video1_call_leave_sync (relay, argv[1], argv[2], NULL, &error))
    return ctl_fail (ctx, error);
  return print_done (ctx, "left");
}

const CtlCommand ctl_browser_video_relay_commands[] = {
  { "browser-video", "join", "CODE BROWSER_KEY",
    "Open a video link as the customer's browser would (the relay's Join)", run_join },
  { "browser-video", "offer", "ID FILE|-", "Give a browser's WebRTC offer; prints the answer",
    run_offer },
  { "browser-video", "candidate", "ID MLINE CANDIDATE", "Give one of the browser's ICE candidates",
    run_candidate },
  { "browser-video", "leave", "ID closed|camera-denied|camera-error",
    "Say that the browser left (its video and link end)", run_leave },
  { NULL },
};
