/* One REST action as one D-Bus call, driven by the contract's introspection data: the action
 * "activate-video" is the method ActivateVideo, the JSON body gives its arguments (an array in
 * order, or an object by argument name), and the reply comes back as JSON. D-Bus errors keep
 * their name and get the HTTP status that says the same. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* "activate-video" → "ActivateVideo"; NULL when ACTION is not lower-case words and dashes. */
char *
wb_method_name (const char *action);

/* The method's arguments from BODY (NULL or empty: none), as a tuple of its in-signature;
 * NULL with G_IO_ERROR_INVALID_ARGUMENT when they do not fit. */
GVariant *
wb_arguments_from_json (const GDBusMethodInfo *method, JsonNode *body, GError **error);

/* The reply's out-arguments: none → {}, one → its value, several → an object by name. */
JsonNode *
wb_reply_to_json (const GDBusMethodInfo *method, GVariant *reply);

/* The HTTP status for a D-Bus error name (org.sportello.Error.NotFound → 404, …). */
guint
wb_status_for_error (const char *name);

G_END_DECLS
