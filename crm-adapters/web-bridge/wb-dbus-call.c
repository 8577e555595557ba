#include "wb-dbus-call.h"

#include <string.h>

char *
wb_method_name (const char *action)
{
  g_autoptr (GString) name = g_string_new (NULL);
  gboolean word_start = TRUE;

  if (action == NULL || *action == '\0' || *action == '-')
    return NULL;
  for (const char *c = action; *c; c++)
    {
      if (*c == '-')
        {
          if (word_start)
            return NULL; /* "--" */
          word_start = TRUE;
        }
      else if (g_ascii_islower (*c) || g_ascii_isdigit (*c))
        {
          g_string_append_c (name, word_start ? g_ascii_toupper (*c) : *c);
          word_start = FALSE;
        }
      else
        return NULL;
    }
  return word_start ? NULL : g_string_free (g_steal_pointer (&name), FALSE);
}

static guint
count_args (GDBusArgInfo **args)
{
  guint n = 0;

  while (args && args[n])
    n++;
  return n;
}

/* The argument I of METHOD from BODY: BODY[I] for an array, BODY[name] for an object. */
static JsonNode *
argument_node (const GDBusMethodInfo *method, JsonNode *body, guint i)
{
  if (JSON_NODE_HOLDS_ARRAY (body))
    {
      JsonArray *array = json_node_get_array (body);

      return i < json_array_get_length (array) ? json_array_get_element (array, i) : NULL;
    }
  return json_object_get_member (json_node_get_object (body), method->in_args[i]->name);
}

GVariant *
wb_arguments_from_json (const GDBusMethodInfo *method, JsonNode *body, GError **error)
{
  guint n = count_args (method->in_args);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);

  if (body != NULL && !JSON_NODE_HOLDS_NULL (body) && !JSON_NODE_HOLDS_ARRAY (body)
      && !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The body must be a JSON array or object of the arguments");
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      const GDBusArgInfo *arg = method->in_args[i];
      JsonNode *node = body && !JSON_NODE_HOLDS_NULL (body) ? argument_node (method, body, i) : NULL;
      g_autoptr (GError) local = NULL;
      GVariant *value;

      if (node == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Missing argument '%s' (%s) of %s", arg->name, arg->signature, method->name);
          return NULL;
        }
      value = json_gvariant_deserialize (node, arg->signature, &local);
      if (value == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Argument '%s' of %s is not a %s: %s", arg->name, method->name,
                       arg->signature, local->message);
          return NULL;
        }
      g_ptr_array_add (values, g_variant_ref_sink (value));
    }
  return g_variant_new_tuple ((GVariant **)values->pdata, values->len);
}

JsonNode *
wb_reply_to_json (const GDBusMethodInfo *method, GVariant *reply)
{
  guint n = count_args (method->out_args);
  g_autoptr (JsonBuilder) builder = NULL;

  if (n == 1)
    {
      g_autoptr (GVariant) value = g_variant_get_child_value (reply, 0);

      return json_gvariant_serialize (value);
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  for (guint i = 0; i < n && i < g_variant_n_children (reply); i++)
    {
      g_autoptr (GVariant) value = g_variant_get_child_value (reply, i);

      json_builder_set_member_name (builder, method->out_args[i]->name);
      json_builder_add_value (builder, json_gvariant_serialize (value));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

guint
wb_status_for_error (const char *name)
{
  static const struct
  {
    const char *name;
    guint status;
  } map[] = {
    { "org.sportello.Error.InvalidArgument", 400 },
    { "org.sportello.Error.NotAllowed", 403 },
    { "org.sportello.Error.NotFound", 404 },
    { "org.sportello.Error.InvalidState", 409 },
    { "org.sportello.Error.NobodyAnswered", 409 },
    { "org.sportello.Error.DispositionRequired", 409 },
    { "org.sportello.Error.NoCamera", 409 },
    { "org.sportello.Error.PeerDeclinedVideo", 409 },
    { "org.sportello.Error.TransferFailed", 409 },
    { "org.sportello.Error.Unavailable", 503 },
    { "org.sportello.Error.Failed", 500 },
    { "org.freedesktop.DBus.Error.InvalidArgs", 400 },
    { "org.freedesktop.DBus.Error.AccessDenied", 403 },
    { "org.freedesktop.DBus.Error.UnknownMethod", 404 },
    { "org.freedesktop.DBus.Error.UnknownObject", 404 },
    { "org.freedesktop.DBus.Error.ServiceUnknown", 503 },
    { "org.freedesktop.DBus.Error.NameHasNoOwner", 503 },
    { "org.freedesktop.DBus.Error.NoReply", 504 },
    { "org.freedesktop.DBus.Error.Timeout", 504 },
  };

  for (guint i = 0; name && i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (name, map[i].name))
      return map[i].status;
  return 502; /* the service failed in a way it did not name for us */
}
