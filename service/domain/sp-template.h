/* Standard-response templates: "{namespace.key}" placeholders, "{{" and "}}" for literal braces. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_TEMPLATE_ERROR (sp_template_error_quark ())
GQuark
sp_template_error_quark (void);

typedef enum
{
  SP_TEMPLATE_ERROR_SYNTAX,              /* an unclosed or empty brace */
  SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER, /* a name no context can ever fill */
  SP_TEMPLATE_ERROR_MISSING_VALUE,       /* a known name with no value here */
} SpTemplateError;

/* Returns the value of @key in @ns ("agent", "contact", "attached", "case", "session"), or
 * NULL (or "") when this context has none. Keys of agent/contact/session use dashes. */
typedef const char *(*SpTemplateLookup) (const char *ns, const char *key, gpointer user_data);

gboolean
sp_template_check (const char *body, GError **error);
char *
sp_template_render (const char *body, SpTemplateLookup lookup, gpointer user_data, GError **error);

G_END_DECLS
