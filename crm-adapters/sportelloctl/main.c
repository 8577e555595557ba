/* sportelloctl: the command-line CRM adapter for sportellod. Parses the global options, finds
 * the command (one word, or a group and a word: "contacts lookup") and runs it. */
#include <locale.h>

#include "ctl-commands.h"

static const CtlCommand *const *
command_tables (void)
{
  static const CtlCommand *const tables[] = {
    ctl_agent_commands,
    ctl_readiness_commands,
    ctl_sessions_commands,
    ctl_cobrowse_relay_commands,
    ctl_browser_video_relay_commands,
    ctl_contacts_commands,
    ctl_responses_commands,
    ctl_secret_commands,
    ctl_store_commands,
    ctl_watch_commands,
    NULL,
  };
  return tables;
}

static void
print_help (void)
{
  const CtlCommand *const *tables = command_tables ();

  g_print ("usage: sportelloctl [--json] [--bus-name NAME] COMMAND [ARGUMENTS…]\n"
           "       sportelloctl --version\n\n"
           "Talks to sportellod on the session bus (name %s, or $SPORTELLO_BUS_NAME).\n\n"
           "Commands:\n",
           CTL_DEFAULT_BUS_NAME);
  for (guint t = 0; tables[t]; t++)
    for (const CtlCommand *command = tables[t]; command->name; command++)
      {
        g_autofree char *title = ctl_command_title (command);
        g_autofree char *line
          = g_strdup_printf ("%s %s", title, command->synopsis ? command->synopsis : "");

        g_print ("  %s\n      %s\n", g_strstrip (line), command->summary);
      }
  g_print (
    "  help\n      Show this list\n\n"
    "Options:\n"
    "  --json            Print JSON instead of text\n"
    "  --bus-name NAME   Talk to the service under this bus name\n\n"
    "Exit status: 0 on success, 1 when the service or a file refused, 2 on a usage error.\n");
}

static gboolean
is_group (const char *word)
{
  const CtlCommand *const *tables = command_tables ();

  for (guint t = 0; tables[t]; t++)
    for (const CtlCommand *command = tables[t]; command->name; command++)
      if (command->group && g_str_equal (command->group, word))
        return TRUE;
  return FALSE;
}

static const CtlCommand *
find_command (const char *group, const char *name)
{
  const CtlCommand *const *tables = command_tables ();

  for (guint t = 0; tables[t]; t++)
    for (const CtlCommand *command = tables[t]; command->name; command++)
      if (g_strcmp0 (command->group, group) == 0 && g_str_equal (command->name, name))
        return command;
  return NULL;
}

/* Finds the command in @argv and runs it with argv[0] set to its title. */
static int
dispatch (CtlContext *ctx, int argc, char **argv)
{
  const CtlCommand *command;
  int used = 1;

  if (argc < 1)
    return ctl_usage_error (NULL, "no command given");
  if (g_str_equal (argv[0], "help"))
    {
      print_help ();
      return CTL_EXIT_OK;
    }
  /* A word can be both a group and a command ("transfer complete N", "transfer N TARGET"):
   * the group's command wins when the next word names one. */
  if (argc >= 2 && is_group (argv[0]) && (command = find_command (argv[0], argv[1])))
    used = 2;
  else if (!(command = find_command (NULL, argv[0])))
    {
      if (!is_group (argv[0]))
        return ctl_usage_error (NULL, "unknown command '%s'", argv[0]);
      if (argc < 2)
        return ctl_usage_error (NULL, "'%s' needs a subcommand", argv[0]);
      return ctl_usage_error (NULL, "unknown command '%s %s'", argv[0], argv[1]);
    }
  {
    g_autofree char *title = ctl_command_title (command);
    g_autofree char **sub_argv = g_new0 (char *, (gsize)(argc - used) + 2);

    sub_argv[0] = title;
    for (int i = used; i < argc; i++)
      sub_argv[i - used + 1] = argv[i];
    return command->run (ctx, command, argc - used + 1, sub_argv);
  }
}

int
main (int argc, char **argv)
{
  CtlContext ctx;
  g_autofree char *bus_name = NULL;
  gboolean json = FALSE, help = FALSE, version = FALSE;
  const GOptionEntry entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show the commands", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "bus-name", 0, 0, G_OPTION_ARG_STRING, &bus_name, "Talk to the service under this bus name",
      "NAME" },
    { NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("COMMAND [ARGUMENTS…]");
  g_autoptr (GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  /* Stop at the command word: what follows belongs to the command's own options. */
  g_option_context_set_strict_posix (options, TRUE);
  g_option_context_set_help_enabled (options, FALSE);
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return ctl_usage_error (NULL, "%s", error->message);
  if (help)
    {
      print_help ();
      return CTL_EXIT_OK;
    }
  if (version)
    {
      g_print ("sportelloctl %s\n", SP_VERSION);
      return CTL_EXIT_OK;
    }
  ctl_context_init (&ctx);
  ctx.json = json;
  if (bus_name)
    {
      g_free (ctx.bus_name);
      ctx.bus_name = g_steal_pointer (&bus_name);
    }
  status = dispatch (&ctx, argc - 1, argv + 1);
  ctl_context_clear (&ctx);
  return status;
}
