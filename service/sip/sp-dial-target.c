/* Dial targets. A phone number is what people type (+, digits, visual separators); a SIP URI is
 * checked by Sofia's parser and must carry nothing but the address: no control characters, no
 * display name, no URI headers (RFC 3261 §19.1.5 would turn "?Route=…" into headers of our
 * INVITE), ASCII only (RFC 3986 escapes the rest). */
#include "sp-dial-target.h"

#include "sp-sip-agent.h"

#include <sofia-sip/url.h>
#include <stdarg.h>
#include <string.h>

/* Always NULL, so callers can `return refuse (...)`. */
static char *G_GNUC_PRINTF (3, 4)
  refuse (GError **error, const char *target, const char *format, ...)
{
  /* Quote at most the start of the target, escaped: it may be long or hold control bytes. */
  g_autofree char *start = g_strndup (target, 64);
  g_autofree char *shown = g_strescape (start, NULL);
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID, "'%s%s' cannot be dialled: %s", shown,
               strlen (target) > 64 ? "…" : "", reason);
  return NULL;
}

static gboolean
is_phone_number (const char *text)
{
  gboolean digit = FALSE;

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        digit = TRUE;
      else if (!strchr ("+ -.()/", *p) || (*p == '+' && p != text))
        return FALSE;
    }
  return digit;
}

static char *
phone_number_uri (const char *number, const char *domain)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = number; *p; p++)
    if (g_ascii_isdigit (*p) || *p == '+')
      g_string_append_c (digits, *p);
  /* RFC 3261 §19.1.6: a telephone number in a SIP URI, routed by our domain's proxy. */
  g_string_prepend (digits, "sip:");
  g_string_append_printf (digits, "@%s;user=phone", domain);
  return g_string_free (digits, FALSE);
}

static gboolean
has_scheme (const char *text, const char *scheme)
{
  return g_ascii_strncasecmp (text, scheme, strlen (scheme)) == 0;
}

static gboolean
escapes_are_valid (const char *uri)
{
  for (const char *p = strchr (uri, '%'); p; p = strchr (p + 1, '%'))
    if (!g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
      return FALSE;
  return TRUE;
}

static char *
sip_uri (const char *target, const char *text, GError **error)
{
  g_autofree char *parsed = g_strdup (text); /* url_d() cuts it into pieces */
  gsize scheme_len = has_scheme (text, "sips:") ? 5 : 4;
  g_autofree char *scheme = g_ascii_strdown (text, (gssize)scheme_len);
  url_t url;

  for (const char *p = text; *p; p++)
    if ((guchar)*p >= 0x80)
      return refuse (error, target, "a SIP URI is ASCII (escape other characters as %%HH)");
  if (strpbrk (text, " <>\""))
    return refuse (error, target, "a SIP URI has no spaces, display name or angle brackets");
  if (strchr (text, '?'))
    return refuse (error, target, "URI headers ('?…') are not allowed");
  if (!escapes_are_valid (text) || url_d (&url, parsed) < 0
      || (url.url_type != url_sip && url.url_type != url_sips) || !url.url_host || !*url.url_host
      || (strchr (text, '@') && (!url.url_user || !*url.url_user)))
    return refuse (error, target, "not a valid SIP URI");
  /* The scheme in lower case: some peers compare it as written. */
  return g_strconcat (scheme, text + scheme_len, NULL);
}

char *
sp_dial_target_to_uri (const char *target, const char *domain, GError **error)
{
  gsize len = strlen (target);
  g_autofree char *stripped = NULL;
  const char *number;

  if (len > SP_DIAL_TARGET_MAX)
    return refuse (error, target, "%" G_GSIZE_FORMAT " bytes, more than %d", len,
                   SP_DIAL_TARGET_MAX);
  for (gsize i = 0; i < len; i++)
    if ((guchar)target[i] < 0x20 || target[i] == 0x7f)
      return refuse (error, target, "a control character at byte %" G_GSIZE_FORMAT, i);
  stripped = g_strstrip (g_strdup (target));
  if (has_scheme (stripped, "sip:") || has_scheme (stripped, "sips:"))
    return sip_uri (target, stripped, error);
  number = has_scheme (stripped, "tel:") ? stripped + 4 : stripped;
  if (is_phone_number (number))
    return phone_number_uri (number, domain);
  return refuse (error, target, "it is neither a phone number nor a SIP or SIPS URI");
}
