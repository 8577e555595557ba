/* What every sportelloctl command shares: the output mode, the bus connection, the service's
 * name, the command table entry type, and the way failures become exit statuses. */
#pragma once

#include <gio/gio.h>

#include "sp-dbus-generated.h"

G_BEGIN_DECLS

#define CTL_EXIT_OK 0
#define CTL_EXIT_FAILURE 1
#define CTL_EXIT_USAGE 2

#define CTL_DEFAULT_BUS_NAME "org.sportello.Sportello1"
#define CTL_OBJECT_PATH "/org/sportello/Sportello1"
#define CTL_ERROR_NOT_FOUND "org.sportello.Error.NotFound"

typedef struct
{
  gboolean json;
  char *bus_name;
  GDBusConnection *connection; /* opened on first use */
} CtlContext;

typedef struct _CtlCommand CtlCommand;

/* @argv[0] is the command's name; the arguments follow. Returns the exit status. */
typedef int (*CtlRunFunc) (CtlContext *ctx, const CtlCommand *command, int argc, char **argv);

struct _CtlCommand
{
  const char *group; /* "contacts", "responses", …; NULL for a top-level command */
  const char *name;
  const char *synopsis; /* the arguments, for usage lines */
  const char *summary;
  CtlRunFunc run;
};

void
ctl_context_init (CtlContext *ctx);
void
ctl_context_clear (CtlContext *ctx);

GDBusConnection *
ctl_context_get_connection (CtlContext *ctx, GError **error);
SpAgent1 *
ctl_context_agent_proxy (CtlContext *ctx, GError **error);
/* Agent1's properties (a{sv}) by GetAll, not a proxy's cache: a missing service is an error. */
GVariant *
ctl_context_agent_properties (CtlContext *ctx, GError **error);
SpContacts1 *
ctl_context_contacts_proxy (CtlContext *ctx, GError **error);
SpResponses1 *
ctl_context_responses_proxy (CtlContext *ctx, GError **error);

gboolean
ctl_parse_options (CtlContext *ctx, const CtlCommand *command, const GOptionEntry *entries,
                   int *argc, char ***argv, int min_args, int max_args);

int
ctl_fail (CtlContext *ctx, GError *error);
int
ctl_fail_message (const char *format, ...) G_GNUC_PRINTF (1, 2);
int
ctl_usage_error (const CtlCommand *command, const char *format, ...) G_GNUC_PRINTF (2, 3);
char *
ctl_command_title (const CtlCommand *command);
gboolean
ctl_error_is_service_missing (const GError *error);
gboolean
ctl_error_has_name (const GError *error, const char *name);

gboolean
ctl_parse_key_values (char **pairs, int n_pairs, GVariant **dict, char **bad_pair);

G_END_DECLS
