/* Address normalisation. Phone-like user parts keep only digits (and a leading '+'); other SIP
 * addresses keep user@host: the user as written once unescaped (RFC 3261 §19.1.4: users compare
 * case-sensitively, "%61lice" is "alice"), the host lower-cased (hosts compare
 * case-insensitively), and nothing else: no scheme difference (sips: is sip:), password, port,
 * URI parameters or headers, display name or angle brackets. So an address of record matches
 * whatever contact address, port and transport a phone happens to send from. */
#include "sp-address.h"
#include "sp-store-error.h"

#include <string.h>

static gboolean
is_visual_separator (char c)
{
  /* RFC 3966 §5.1.1 visual separators, plus space and '/' that people type. */
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
}

/* A phone number: an optional '+', then digits and visual separators only, with a digit. */
static gboolean
looks_like_phone_number (const char *text)
{
  gboolean has_digit = FALSE;
  const char *p = text;

  if (*p == '+')
    p++;
  for (; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (!is_visual_separator (*p))
        return FALSE;
    }
  return has_digit;
}

static char *
normalise_phone_number (const char *text, const char *international_prefix)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p) || (*p == '+' && out->len == 0))
      g_string_append_c (out, *p);
  if (international_prefix && *international_prefix && out->str[0] != '+'
      && g_str_has_prefix (out->str, international_prefix)
      && out->len > strlen (international_prefix))
    g_string_overwrite_len (g_string_erase (out, 0, (gssize)strlen (international_prefix) - 1), 0,
                            "+", 1);
  return g_string_free (out, FALSE);
}

/* Past a leading quoted display name, which may itself hold '<' (RFC 3261 §25.1 quoted-pair). */
static const char *
skip_quoted_name (const char *address)
{
  const char *p = address + strspn (address, " \t");

  if (*p != '"')
    return address;
  for (p++; *p && *p != '"'; p++)
    if (*p == '\\' && p[1])
      p++;
  return *p ? p + 1 : address;
}

/* Strips a display name and angle brackets: `"Alice" <sip:alice@x>` → `sip:alice@x`. */
static char *
strip_name_addr (const char *address)
{
  const char *open = strchr (skip_quoted_name (address), '<');
  const char *close = open ? strchr (open, '>') : NULL;

  if (open && close)
    return g_strstrip (g_strndup (open + 1, (gsize)(close - open - 1)));
  return g_strstrip (g_strdup (address));
}

static const char *
skip_scheme (const char *uri, gboolean *is_sip)
{
  static const char *const sip_schemes[] = { "sip:", "sips:" };

  *is_sip = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (sip_schemes); i++)
    if (g_ascii_strncasecmp (uri, sip_schemes[i], strlen (sip_schemes[i])) == 0)
      {
        *is_sip = TRUE;
        return uri + strlen (sip_schemes[i]);
      }
  if (g_ascii_strncasecmp (uri, "tel:", 4) == 0)
    return uri + 4;
  return uri;
}

/* The host of "host[:port][;params][?headers]"; an IPv6 reference keeps its brackets. NULL
 * for an unterminated reference. */
static char *
host_of (const char *hostport)
{
  const char *close;

  if (*hostport != '[')
    return g_strndup (hostport, strcspn (hostport, ":;?>"));
  close = strchr (hostport, ']');
  return close ? g_strndup (hostport, (gsize)(close - hostport + 1)) : NULL;
}

char *
sp_address_normalise (const char *address, const char *international_prefix, GError **error)
{
  g_autofree char *bare = strip_name_addr (address);
  gboolean is_sip;
  const char *rest = skip_scheme (bare, &is_sip);
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *unescaped = NULL;
  const char *at = strchr (rest, '@');

  if (is_sip && !at)
    {
      /* "sip:10.0.0.1" is a host, not the number 10001 (RFC 3261 §19.1.1: userinfo ends in '@'). */
      g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
                   "'%s' is a SIP URI without a user part", address);
      return NULL;
    }
  if (at)
    {
      user = g_strndup (rest, (gsize)(at - rest));
      user[strcspn (user, ":")] = '\0'; /* "user:password" (RFC 3261 §19.1.1: not recommended) */
      host = host_of (at + 1);
    }
  else
    user = g_strdup (rest);
  user[strcspn (user, ";?")] = '\0'; /* URI and tel: parameters (";user=phone", ";ext=") */
  unescaped = g_uri_unescape_string (user, NULL);
  if (unescaped)
    g_strstrip (unescaped);

  if (unescaped && looks_like_phone_number (unescaped))
    return normalise_phone_number (unescaped, international_prefix);
  if (is_sip && unescaped && *unescaped && host && *host)
    {
      g_autofree char *lower_host = g_ascii_strdown (host, -1);
      return g_strdup_printf ("sip:%s@%s", unescaped, lower_host);
    }
  g_set_error (error, SP_STORE_ERROR, SP_STORE_ERROR_INVALID,
               "'%s' is neither a phone number nor a SIP or tel URI with a user part", address);
  return NULL;
}
