/* `secret set` / `secret clear`: the agent's credentials in the Secret Service (schema
 * org.sportello.Secret), through the same asynchronous wrapper the service uses. The secret
 * comes from stdin (without echo on a terminal) and is never printed. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include "ctl-commands.h"
#include "ctl-output.h"
#include "sp-secrets.h"

/* A keyring waiting on a prompt nobody sees would keep us forever. */
#define SECRET_TIMEOUT_S 30
#define SECRET_MAX_BYTES (64 * 1024)

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  gboolean result;
  GError *error;
} SecretCall;

/* A GString holding a secret: overwritten before its memory goes back to the allocator. */
typedef GString SecretText;

static void
secret_text_free (SecretText *text)
{
  volatile char *p = (volatile char *)text->str;

  for (gsize i = 0; i < text->allocated_len; i++)
    p[i] = 0;
  g_string_free (text, TRUE);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SecretText, secret_text_free)

static gboolean
read_all (FILE *input, SecretText *text, GError **error)
{
  char buffer[4096];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, input)) > 0)
    {
      g_string_append_len (text, buffer, (gssize)n);
      memset (buffer, 0, sizeof buffer);
      if (text->len > SECRET_MAX_BYTES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "the secret is longer than %d bytes", SECRET_MAX_BYTES);
          return FALSE;
        }
    }
  if (ferror (input))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read the secret from stdin");
      return FALSE;
    }
  return TRUE;
}

/* On a terminal: turn echo off, then prompt on stderr (in that order, so that nothing typed
 * after the prompt shows), read one line, and restore the terminal. */
static gboolean
read_from_terminal (const char *account, const char *kind, SecretText *text, GError **error)
{
  struct termios saved, quiet;
  gboolean ok;
  int c;

  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot turn off echo on the terminal");
      return FALSE;
    }
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  g_printerr ("%s for %s: ", kind, account);
  while ((c = getchar ()) != EOF && c != '\n' && text->len <= SECRET_MAX_BYTES)
    g_string_append_c (text, (char)c);
  ok = !ferror (stdin);
  tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  g_printerr ("\n");
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read the secret from the terminal");
  return ok;
}

static gboolean
check_secret (SecretText *text, GError **error)
{
  /* One trailing newline is how `echo` and here-documents end their input, not part of it. */
  if (text->len && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
  if (text->len && text->str[text->len - 1] == '\r')
    g_string_truncate (text, text->len - 1);
  if (text->len == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the secret is empty");
  else if (memchr (text->str, '\0', text->len)
           || !g_utf8_validate (text->str, (gssize)text->len, NULL))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "the secret must be UTF-8 text without NUL bytes");
  return text->len && !(error && *error);
}

static SecretText *
read_secret (const char *account, const char *kind, GError **error)
{
  g_autoptr (SecretText) text = g_string_sized_new (256);
  gboolean ok;

  if (isatty (STDIN_FILENO))
    ok = read_from_terminal (account, kind, text, error);
  else
    ok = read_all (stdin, text, error);
  if (!ok || !check_secret (text, error))
    return NULL;
  return g_steal_pointer (&text);
}

/* The account defaults to the one the service is configured with (Agent1.Account). */
static char *
default_account (CtlContext *ctx, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  GDBusConnection *connection = ctl_context_get_connection (ctx, error);

  if (connection)
    reply = g_dbus_connection_call_sync (
      connection, ctx->bus_name, CTL_OBJECT_PATH, "org.freedesktop.DBus.Properties", "Get",
      g_variant_new ("(ss)", "org.sportello.Agent1", "Account"), G_VARIANT_TYPE ("(v)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (!reply)
    {
      if (error && ctl_error_is_service_missing (*error))
        {
          g_clear_error (error);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the service %s is not running",
                       ctx->bus_name);
        }
      else if (error && *error)
        g_dbus_error_strip_remote_error (*error);
      g_prefix_error (error, "cannot tell which account the secret is for (give --account URI): ");
      return NULL;
    }
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) || !*g_variant_get_string (value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the service has no account configured; give --account URI");
      return NULL;
    }
  return g_variant_dup_string (value, NULL);
}

static gboolean
on_secret_timeout (gpointer data)
{
  g_cancellable_cancel (((SecretCall *)data)->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_stored (GObject *source, GAsyncResult *result, gpointer data)
{
  SecretCall *call = data;

  call->result = sp_secrets_store_finish (result, &call->error);
  g_main_loop_quit (call->loop);
}

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer data)
{
  SecretCall *call = data;

  call->result = sp_secrets_clear_finish (result, &call->error);
  g_main_loop_quit (call->loop);
}

/* Runs the main loop until the asynchronous call ends, or cancels it after SECRET_TIMEOUT_S. */
static void
secret_call_run (SecretCall *call)
{
  guint timeout = g_timeout_add_seconds (SECRET_TIMEOUT_S, on_secret_timeout, call);

  g_main_loop_run (call->loop);
  g_clear_handle_id (&timeout, g_source_remove);
}

static void
secret_call_clear (SecretCall *call)
{
  g_clear_pointer (&call->loop, g_main_loop_unref);
  g_clear_object (&call->cancellable);
  g_clear_error (&call->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretCall, secret_call_clear)

static void
secret_call_init (SecretCall *call)
{
  call->loop = g_main_loop_new (NULL, FALSE);
  call->cancellable = g_cancellable_new ();
}

static int
fail_secret (SecretCall *call, const char *action)
{
  if (g_error_matches (call->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return ctl_fail_message ("cannot %s the secret: the Secret Service did not answer within %d s",
                             action, SECRET_TIMEOUT_S);
  if (ctl_error_is_service_missing (call->error))
    return ctl_fail_message (
      "cannot %s the secret: no Secret Service (org.freedesktop.secrets) is running on the "
      "session bus; start gnome-keyring-daemon or another keyring",
      action);
  g_dbus_error_strip_remote_error (call->error);
  return ctl_fail_message ("cannot %s the secret: %s", action, call->error->message);
}

static void
print_secret_result (CtlContext *ctx, const char *account, const char *kind, const char *key,
                     gboolean done, const char *human)
{
  if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_parsed (
        "{'account': <%s>, 'kind': <%s>, %s: <%b>}", account, kind, key, done));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%s\n", human);
}

static gboolean
parse_secret_options (CtlContext *ctx, const CtlCommand *command, int *argc, char ***argv,
                      char **account, char **kind)
{
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, account,
      "The account (default: the service's Agent1.Account)", "URI" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, kind,
      "What the secret is (default " SP_SECRET_KIND_SIP_PASSWORD ")", "KIND" },
    { NULL },
  };

  if (!ctl_parse_options (ctx, command, entries, argc, argv, 0, 0))
    return FALSE;
  if (!*kind)
    *kind = g_strdup (SP_SECRET_KIND_SIP_PASSWORD);
  return TRUE;
}

static int
run_set (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *account = NULL;
  g_autofree char *kind = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SecretText) secret = NULL;
  g_auto (SecretCall) call = { 0 };

  if (!parse_secret_options (ctx, command, &argc, &argv, &account, &kind))
    return CTL_EXIT_USAGE;
  if (!account && !(account = default_account (ctx, &error)))
    return ctl_fail_message ("%s", error->message);
  if (!(secret = read_secret (account, kind, &error)))
    return ctl_fail_message ("%s", error->message);
  secret_call_init (&call);
  sp_secrets_store_async (account, kind, secret->str, call.cancellable, on_stored, &call);
  secret_call_run (&call);
  if (!call.result)
    return fail_secret (&call, "store");
  g_autofree char *human = g_strdup_printf ("stored the %s of %s", kind, account);
  print_secret_result (ctx, account, kind, "stored", TRUE, human);
  return CTL_EXIT_OK;
}

static int
run_clear (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  g_autofree char *account = NULL;
  g_autofree char *kind = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (SecretCall) call = { 0 };
  g_autofree char *human = NULL;

  if (!parse_secret_options (ctx, command, &argc, &argv, &account, &kind))
    return CTL_EXIT_USAGE;
  if (!account && !(account = default_account (ctx, &error)))
    return ctl_fail_message ("%s", error->message);
  secret_call_init (&call);
  sp_secrets_clear_async (account, kind, call.cancellable, on_cleared, &call);
  secret_call_run (&call);
  if (call.error)
    return fail_secret (&call, "clear");
  human = call.result ? g_strdup_printf ("cleared the %s of %s", kind, account)
                      : g_strdup_printf ("no %s was stored for %s", kind, account);
  print_secret_result (ctx, account, kind, "cleared", call.result, human);
  return CTL_EXIT_OK;
}

/* ---- the web bridge's token ---- */

#define WEB_BRIDGE_ACCOUNT "web-bridge"
#define WEB_BRIDGE_TOKEN_KIND "web-bridge-token"
#define TOKEN_BYTES 32

typedef struct
{
  SecretCall call;
  char *secret;
} LookupCall;

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer data)
{
  LookupCall *lookup = data;

  lookup->secret = sp_secrets_lookup_finish (result, &lookup->call.error);
  g_main_loop_quit (lookup->call.loop);
}

/* 32 bytes from the kernel's generator, as base64url without padding (43 characters). */
static char *
new_token (GError **error)
{
  guchar bytes[TOKEN_BYTES];
  char *token;

  if (getrandom (bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no random bytes from the kernel");
      return NULL;
    }
  token = g_base64_encode (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  return token;
}

static void
print_token (CtlContext *ctx, const char *token, gboolean created)
{
  if (ctx->json)
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (
        g_variant_new_parsed ("{'token': <%s>, 'created': <%b>}", token, created));
      ctl_print_variant_json (reply);
    }
  else
    g_print ("%s\n", token);
}

/* Prints the web bridge's bearer token, making one first when there is none (or --new). */
static int
run_web_bridge_token (CtlContext *ctx, const CtlCommand *command, int argc, char **argv)
{
  gboolean renew = FALSE;
  const GOptionEntry entries[] = {
    { "new", 0, 0, G_OPTION_ARG_NONE, &renew,
      "Replace the token (pages holding the old one are refused from then on)", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_auto (SecretCall) store = { 0 };
  LookupCall lookup = { { 0 }, NULL };
  g_autofree char *token = NULL;

  if (!ctl_parse_options (ctx, command, entries, &argc, &argv, 0, 0))
    return CTL_EXIT_USAGE;
  if (!renew)
    {
      int status = CTL_EXIT_OK;

      secret_call_init (&lookup.call);
      sp_secrets_lookup_async (WEB_BRIDGE_ACCOUNT, WEB_BRIDGE_TOKEN_KIND, lookup.call.cancellable,
                               on_looked_up, &lookup);
      secret_call_run (&lookup.call);
      if (lookup.call.error)
        status = fail_secret (&lookup.call, "read");
      else if (lookup.secret)
        print_token (ctx, lookup.secret, FALSE);
      secret_call_clear (&lookup.call);
      if (status != CTL_EXIT_OK || lookup.secret)
        {
          sp_secrets_free (lookup.secret);
          return status;
        }
    }
  if (!(token = new_token (&error)))
    return ctl_fail_message ("%s", error->message);
  secret_call_init (&store);
  sp_secrets_store_async (WEB_BRIDGE_ACCOUNT, WEB_BRIDGE_TOKEN_KIND, token, store.cancellable,
                          on_stored, &store);
  secret_call_run (&store);
  if (!store.result)
    return fail_secret (&store, "store");
  print_token (ctx, token, TRUE);
  return CTL_EXIT_OK;
}

const CtlCommand ctl_secret_commands[] = {
  { "secret", "set", "[--account URI] [--kind KIND]",
    "Store a secret read from stdin (the SIP password by default) in the keyring", run_set },
  { "secret", "clear", "[--account URI] [--kind KIND]", "Remove a secret from the keyring",
    run_clear },
  { "web-bridge", "token", "[--new]",
    "Print the web bridge's bearer token, made and kept in the keyring on first use",
    run_web_bridge_token },
  { NULL },
};
