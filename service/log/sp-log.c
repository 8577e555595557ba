/* A GLib log writer. Under systemd, structured fields go to the journal as they are, so admins
 * can filter (journalctl --user -u sportello SPORTELLO_SESSION=3). On a terminal or in tests,
 * one readable line per message with those fields appended.
 *
 * Whatever a message quotes (a SIP message traced with TPORT_LOG, an SDP a debug line shows),
 * SRTP keys never reach the log: every "inline:" key of an a=crypto line is replaced here, the
 * last place all messages pass. */
#include "sp-log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *program_name = "sportello";
static gboolean verbose;

static const char *
level_name (GLogLevelFlags level)
{
  switch (level & G_LOG_LEVEL_MASK)
    {
      case G_LOG_LEVEL_ERROR:
        return "ERROR";
      case G_LOG_LEVEL_CRITICAL:
        return "CRITICAL";
      case G_LOG_LEVEL_WARNING:
        return "WARNING";
      case G_LOG_LEVEL_MESSAGE:
        return "MESSAGE";
      case G_LOG_LEVEL_INFO:
        return "INFO";
      default:
        return "DEBUG";
    }
}

static gboolean
is_our_field (const char *key)
{
  return g_str_has_prefix (key, "SPORTELLO_") || g_str_has_prefix (key, "SIP_");
}

static void
append_field (GString *line, const GLogField *field)
{
  if (field->length < 0)
    g_string_append_printf (line, " %s=%s", field->key, (const char *)field->value);
  else
    g_string_append_printf (line, " %s=%.*s", field->key, (int)field->length,
                            (const char *)field->value);
}

#define KEY_MARK "inline:"
#define KEY_HIDDEN "[key hidden]"

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/' || c == '=';
}

/* MESSAGE with each key after "inline:" (RFC 4568's key-params: base64, then optional
 * "|lifetime" and "|MKI:length", which say nothing secret) replaced, or NULL if it has none. */
char *
sp_log_redact (const char *message)
{
  const char *mark = message ? strstr (message, KEY_MARK) : NULL;
  GString *out;

  if (mark == NULL)
    return NULL;
  out = g_string_new (NULL);
  while (mark != NULL)
    {
      const char *key = mark + strlen (KEY_MARK), *end = key;

      while (is_key_char (*end))
        end++;
      g_string_append_len (out, message, key - message);
      g_string_append (out, end > key ? KEY_HIDDEN : "");
      message = end;
      mark = strstr (message, KEY_MARK);
    }
  g_string_append (out, message);
  return g_string_free (out, FALSE);
}

static GLogWriterOutput
write_line (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  g_autoptr (GString) line = g_string_new (NULL);
  const char *domain = NULL, *message = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S.%f");

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;
  stamp[12] = '\0'; /* milliseconds */
  g_string_append_printf (line, "%s %s[%d] %s %s: %s", stamp, program_name, (int)getpid (),
                          level_name (level), domain ? domain : "sportello",
                          message ? message : "");
  for (gsize i = 0; i < n_fields; i++)
    if (is_our_field (fields[i].key))
      append_field (line, &fields[i]);
  g_string_append_c (line, '\n');
  fputs (line->str, stderr);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
should_drop (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  const char *domain = NULL;

  /* Info is kept (admins want to see cameras come and go); debug only when asked for. */
  if ((level & G_LOG_LEVEL_DEBUG) == 0 || verbose)
    return FALSE;
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  return g_log_writer_default_would_drop (level, domain);
}

static GLogWriterOutput
write_fields (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  if (g_log_writer_is_journald (STDERR_FILENO)
      && g_log_writer_journald (level, fields, n_fields, NULL) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  return write_line (level, fields, n_fields);
}

/* The fields as given, but a MESSAGE holding a key goes out redacted. */
static GLogWriterOutput
writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  g_autofree GLogField *copy = NULL;
  g_autofree char *redacted = NULL;

  if (should_drop (level, fields, n_fields))
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields && redacted == NULL; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0
        && (redacted = sp_log_redact (fields[i].value)) != NULL)
      {
        copy = g_memdup2 (fields, n_fields * sizeof *fields);
        copy[i].value = redacted;
      }
  return write_fields (level, copy ? copy : fields, n_fields);
}

void
sp_log_init (const char *program)
{
  program_name = program;
  g_log_set_writer_func (writer, NULL, NULL);
}

void
sp_log_set_verbose (gboolean value)
{
  verbose = value;
}
