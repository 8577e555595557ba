/* Renders standard responses. Every placeholder must resolve: an unknown or empty one is an
 * error naming it, never blank text in front of a customer. */
#include "sp-template.h"

#include <string.h>

G_DEFINE_QUARK (sp - template - error - quark, sp_template_error)

typedef struct
{
  const char *ns;
  const char *const *keys; /* NULL: any key (free-form data) */
} Namespace;

static const char *const agent_keys[] = { "name", "uri", NULL };
static const char *const contact_keys[]
  = { "id", "first-name", "last-name", "organisation", "email", NULL };
static const char *const session_keys[] = { "remote", "remote-name", "direction", NULL };

static const Namespace namespaces[] = {
  { "agent", agent_keys },
  { "contact", contact_keys },
  { "session", session_keys },
  { "attached", NULL },
  { "case", NULL },
};

/* Splits "contact.first_name" into its namespace and canonical key ("first-name"). */
static gboolean
parse_name (const char *name, const Namespace **ns_out, char **key_out)
{
  const char *dot = strchr (name, '.');

  if (!dot || dot == name || dot[1] == '\0')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (namespaces); i++)
    {
      const Namespace *ns = &namespaces[i];
      g_autofree char *key = g_strdup (dot + 1);

      if (strlen (ns->ns) != (gsize)(dot - name)
          || strncmp (ns->ns, name, (gsize)(dot - name)) != 0)
        continue;
      if (ns->keys)
        {
          g_strdelimit (key, "_", '-');
          if (!g_strv_contains (ns->keys, key))
            return FALSE;
        }
      *ns_out = ns;
      *key_out = g_steal_pointer (&key);
      return TRUE;
    }
  return FALSE;
}

typedef void (*PlaceholderFunc) (const char *name, GString *out, gpointer data);

/* Walks @body, copying text to @out and calling @func for each placeholder name. */
static gboolean
walk (const char *body, GString *out, PlaceholderFunc func, gpointer data, GError **error)
{
  const char *p = body;

  while (*p)
    {
      if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}'))
        {
          g_string_append_c (out, p[0]);
          p += 2;
        }
      else if (*p == '}')
        {
          g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_SYNTAX,
                       "a lone '}' at offset %ld (write '}}' for a literal brace)",
                       (long)(p - body));
          return FALSE;
        }
      else if (*p == '{')
        {
          const char *close = strchr (p + 1, '}');
          g_autofree char *name = NULL;

          if (!close || close == p + 1 || memchr (p + 1, '{', (gsize)(close - p - 1)))
            {
              g_set_error (
                error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_SYNTAX,
                "an unclosed or empty '{' at offset %ld (write '{{' for a literal brace)",
                (long)(p - body));
              return FALSE;
            }
          name = g_strstrip (g_strndup (p + 1, (gsize)(close - p - 1)));
          if (!*name)
            {
              g_set_error (
                error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_SYNTAX,
                "an unclosed or empty '{' at offset %ld (write '{{' for a literal brace)",
                (long)(p - body));
              return FALSE;
            }
          func (name, out, data);
          p = close + 1;
        }
      else
        g_string_append_c (out, *p++);
    }
  return TRUE;
}

typedef struct
{
  SpTemplateLookup lookup;
  gpointer user_data;
  GPtrArray *unknown;
  GPtrArray *missing;
} RenderState;

static void
render_placeholder (const char *name, GString *out, gpointer data)
{
  RenderState *state = data;
  const Namespace *ns = NULL;
  g_autofree char *key = NULL;
  const char *value;

  if (!parse_name (name, &ns, &key))
    {
      g_ptr_array_add (state->unknown, g_strdup_printf ("{%s}", name));
      return;
    }
  value = state->lookup ? state->lookup (ns->ns, key, state->user_data) : NULL;
  if (!value || !*value)
    {
      g_ptr_array_add (state->missing, g_strdup_printf ("{%s}", name));
      return;
    }
  g_string_append (out, value);
}

static char *
join (GPtrArray *names)
{
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **)names->pdata);
}

char *
sp_template_render (const char *body, SpTemplateLookup lookup, gpointer user_data, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  RenderState state = { lookup, user_data, unknown, missing };

  if (!walk (body, out, render_placeholder, &state, error))
    return NULL;
  if (unknown->len)
    {
      const char *plural = unknown->len > 1 ? "s" : "";
      g_autofree char *names = join (unknown);
      g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
                   "unknown placeholder%s %s", plural, names);
      return NULL;
    }
  if (missing->len)
    {
      g_autofree char *names = join (missing);
      g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_MISSING_VALUE,
                   "no value here for %s", names);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Checks syntax and names only (for saving a response): no value is needed. */
gboolean
sp_template_check (const char *body, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  RenderState state = { NULL, NULL, unknown, missing };

  if (!walk (body, out, render_placeholder, &state, error))
    return FALSE;
  if (unknown->len)
    {
      const char *plural = unknown->len > 1 ? "s" : "";
      g_autofree char *names = join (unknown);
      g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
                   "unknown placeholder%s %s", plural, names);
      return FALSE;
    }
  return TRUE;
}
