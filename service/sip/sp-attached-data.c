/* The documented mapping between attached data and SIP headers (see the admin guide). */
#include "sp-attached-data.h"
#include "sp-sip-agent.h"

#include <string.h>

#define PREFIX "X-Sportello-"

static gboolean
is_token (const char *text)
{
  /* RFC 3261 §25.1 token characters. */
  if (!*text)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("-.!%*_+`'~", *p))
      return FALSE;
  return TRUE;
}

static gboolean
has_control_character (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

static gboolean
check_entry (const char *key, const char *value, GError **error)
{
  g_autofree char *start = g_strndup (key, SP_ATTACHED_DATA_MAX_KEY);
  g_autofree char *shown = g_strescape (start, NULL);

  if (strlen (key) > SP_ATTACHED_DATA_MAX_KEY || !is_token (key))
    g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID,
                 "attached data key '%s' is not 1 to %d letters, digits or -.!%%*_+`'~ (it "
                 "becomes a SIP header name)",
                 shown, SP_ATTACHED_DATA_MAX_KEY);
  else if (strlen (value) > SP_ATTACHED_DATA_MAX_VALUE)
    g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID,
                 "attached data '%s' is %" G_GSIZE_FORMAT " bytes long; a value has at most %d",
                 shown, strlen (value), SP_ATTACHED_DATA_MAX_VALUE);
  else if (has_control_character (value))
    g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID,
                 "attached data '%s' holds a control character (line breaks included)", shown);
  else
    return TRUE;
  return FALSE;
}

gboolean
sp_attached_data_check (GVariant *attached, GError **error)
{
  GVariantIter iter;
  const char *key, *value;
  gsize count = g_variant_n_children (attached);

  if (count > SP_ATTACHED_DATA_MAX_ENTRIES)
    {
      g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID,
                   "%" G_GSIZE_FORMAT " attached data entries; at most %d", count,
                   SP_ATTACHED_DATA_MAX_ENTRIES);
      return FALSE;
    }
  g_variant_iter_init (&iter, attached);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    if (!check_entry (key, value, error))
      return FALSE;
  return TRUE;
}

static const char *
key_for_header (const char *name, const SpAttachedDataMap *map, char **owned)
{
  gsize prefix_len = strlen (PREFIX);

  for (guint i = 0; map->header_map && map->header_map[i]; i++)
    {
      const char *eq = strchr (map->header_map[i], '=');
      if (eq && (gsize)(eq - map->header_map[i]) == strlen (name)
          && g_ascii_strncasecmp (map->header_map[i], name, strlen (name)) == 0)
        return eq + 1;
    }
  if (g_ascii_strncasecmp (name, PREFIX, prefix_len) == 0 && name[prefix_len])
    return *owned = g_strdup (name + prefix_len);
  return NULL;
}

/* RFC 7433: "User-to-User: 0a1b;encoding=hex" carries hex octets; without encoding=hex the
 * value is taken as it is. Non-printable octets are kept as hex. */
static char *
decode_uui (const char *value)
{
  g_auto (GStrv) parts = g_strsplit (value, ";", -1);
  g_autofree char *data = g_strstrip (g_strdup (parts[0]));
  gboolean hex = FALSE;
  GString *out;
  gsize len = strlen (data);

  for (guint i = 1; parts[i]; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), "encoding=hex") == 0)
      hex = TRUE;
  if (!hex || len % 2)
    return g_steal_pointer (&data);
  out = g_string_new (NULL);
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = g_ascii_xdigit_value (data[i]), lo = g_ascii_xdigit_value (data[i + 1]);
      if (hi < 0 || lo < 0 || !g_ascii_isprint ((char)(hi * 16 + lo)))
        {
          g_string_free (out, TRUE);
          return g_steal_pointer (&data);
        }
      g_string_append_c (out, (char)(hi * 16 + lo));
    }
  return g_string_free (out, FALSE);
}

static GVariant *
table_to_variant (GHashTable *table)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer key, value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_variant_builder_add (&builder, "{ss}", key, value);
  return g_variant_builder_end (&builder);
}

GVariant *
sp_attached_data_from_headers (GVariant *headers, const SpAttachedDataMap *map)
{
  g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  const char *name, *value;

  g_variant_iter_init (&iter, headers);
  while (g_variant_iter_next (&iter, "(&s&s)", &name, &value))
    {
      g_autofree char *owned = NULL;
      const char *key;

      if (map->uui_key && g_ascii_strcasecmp (name, "User-to-User") == 0)
        {
          g_hash_table_replace (table, g_strdup (map->uui_key), decode_uui (value));
          continue;
        }
      key = key_for_header (name, map, &owned);
      if (key)
        g_hash_table_replace (table, g_strdup (key), g_strdup (value));
    }
  return table_to_variant (table);
}

static const char *
header_for_key (const char *key, const SpAttachedDataMap *map, char **owned)
{
  for (guint i = 0; map->header_map && map->header_map[i]; i++)
    {
      const char *eq = strchr (map->header_map[i], '=');
      if (eq && g_str_equal (eq + 1, key))
        return *owned = g_strndup (map->header_map[i], (gsize)(eq - map->header_map[i]));
    }
  return *owned = g_strconcat (PREFIX, key, NULL);
}

char *
sp_attached_data_to_headers (GVariant *attached, const SpAttachedDataMap *map)
{
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  const char *key, *value;

  g_variant_iter_init (&iter, attached);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    {
      g_autofree char *owned = NULL;
      const char *header;

      if (!is_token (key) || strpbrk (value, "\r\n"))
        continue;
      if (map->uui_key && g_str_equal (key, map->uui_key))
        {
          g_string_append_printf (out, "User-to-User: %s\r\n", value);
          continue;
        }
      header = header_for_key (key, map, &owned);
      g_string_append_printf (out, "%s: %s\r\n", header, value);
    }
  return g_string_free (out, FALSE);
}
