/* vCard 3.0 and 4.0 (RFC 2426, RFC 6350) to contact records: N, FN, ORG, EMAIL, TEL, IMPP and
 * X-SIP, NOTE, UID. Parameters are ignored; every other property is skipped. */
#include "ctl-import.h"

#include <string.h>

typedef struct
{
  guint line; /* of BEGIN:VCARD */
  char *uid, *first, *last, *full_name, *organisation, *email, *notes;
  GPtrArray *addresses;
} Card;

static Card *
card_new (guint line)
{
  Card *card = g_new0 (Card, 1);

  card->line = line;
  card->addresses = g_ptr_array_new_with_free_func (g_free);
  return card;
}

static void
card_free (Card *card)
{
  g_free (card->uid);
  g_free (card->first);
  g_free (card->last);
  g_free (card->full_name);
  g_free (card->organisation);
  g_free (card->email);
  g_free (card->notes);
  g_ptr_array_unref (card->addresses);
  g_free (card);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Card, card_free)

/* Undoes RFC 6350 §3.4 escaping; with @split, unescaped ';' separates components (N, ORG). */
static GStrv
unescape (const char *value, gboolean split)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GString) part = g_string_new (NULL);

  for (const char *p = value; *p; p++)
    {
      if (*p == '\\' && p[1])
        {
          p++;
          g_string_append_c (part, *p == 'n' || *p == 'N' ? '\n' : *p);
        }
      else if (*p == ';' && split)
        {
          g_strv_builder_add (builder, part->str);
          g_string_truncate (part, 0);
        }
      else
        g_string_append_c (part, *p);
    }
  g_strv_builder_add (builder, part->str);
  return g_strv_builder_end (builder);
}

static char *
unescape_one (const char *value)
{
  g_auto (GStrv) parts = unescape (value, FALSE);

  return g_strstrip (g_strdup (parts[0]));
}

static void
set_once (char **field, char *value)
{
  if (!*field && *value)
    *field = value;
  else
    g_free (value);
}

static void
add_address (Card *card, const char *value, gboolean sip_only)
{
  g_autofree char *address = unescape_one (value);

  if (!*address)
    return;
  if (sip_only && !g_str_has_prefix (address, "sip:") && !g_str_has_prefix (address, "sips:"))
    {
      /* IMPP also carries xmpp:, skype: …; X-SIP often leaves the scheme out. */
      if (strchr (address, ':'))
        return;
      g_ptr_array_add (card->addresses, g_strconcat ("sip:", address, NULL));
      return;
    }
  g_ptr_array_add (card->addresses, g_steal_pointer (&address));
}

static void
apply_name (Card *card, const char *value)
{
  g_auto (GStrv) parts = unescape (value, TRUE);

  if (!card->last && parts[0] && *g_strstrip (parts[0]))
    card->last = g_strdup (parts[0]);
  if (!card->first && parts[0] && parts[1] && *g_strstrip (parts[1]))
    card->first = g_strdup (parts[1]);
}

static void
apply_property (Card *card, const char *name, const char *value)
{
  if (g_str_equal (name, "N"))
    apply_name (card, value);
  else if (g_str_equal (name, "FN"))
    set_once (&card->full_name, unescape_one (value));
  else if (g_str_equal (name, "ORG"))
    {
      g_auto (GStrv) parts = unescape (value, TRUE);
      set_once (&card->organisation, g_strstrip (g_strdup (parts[0])));
    }
  else if (g_str_equal (name, "EMAIL"))
    set_once (&card->email, unescape_one (value));
  else if (g_str_equal (name, "TEL"))
    add_address (card, value, FALSE);
  else if (g_str_equal (name, "IMPP") || g_str_equal (name, "X-SIP"))
    add_address (card, value, TRUE);
  else if (g_str_equal (name, "UID"))
    set_once (&card->uid, unescape_one (value));
  else if (g_str_equal (name, "NOTE"))
    {
      g_autofree char *note = unescape_one (value);
      char *joined = card->notes ? g_strconcat (card->notes, "\n", note, NULL) : g_strdup (note);
      g_free (card->notes);
      card->notes = joined;
    }
}

/* Without N, FN "Mario De Rossi" gives first name "Mario De", last name "Rossi". */
static void
names_from_full_name (Card *card)
{
  const char *space;

  if (card->first || card->last || !card->full_name || !*card->full_name)
    return;
  space = strrchr (card->full_name, ' ');
  if (!space)
    {
      card->first = g_strdup (card->full_name);
      return;
    }
  card->first = g_strndup (card->full_name, (gsize)(space - card->full_name));
  card->last = g_strdup (space + 1);
  g_strstrip (card->first);
}

static void
insert_string (GVariantDict *dict, const char *key, const char *value)
{
  if (value && *value)
    g_variant_dict_insert (dict, key, "s", value);
}

static void
finish_card (CtlImportBatch *batch, Card *card)
{
  GVariantDict dict;

  names_from_full_name (card);
  if (!card->first && !card->last && !card->organisation && !card->email
      && card->addresses->len == 0)
    {
      ctl_import_batch_problem (batch, card->line,
                                "the card has no name, organisation, e-mail or address");
      return;
    }
  g_variant_dict_init (&dict, NULL);
  insert_string (&dict, "id", card->uid);
  insert_string (&dict, "first-name", card->first);
  insert_string (&dict, "last-name", card->last);
  insert_string (&dict, "organisation", card->organisation);
  insert_string (&dict, "email", card->email);
  insert_string (&dict, "notes", card->notes);
  if (card->addresses->len)
    g_variant_dict_insert_value (&dict, "addresses",
                                 g_variant_new_strv ((const char *const *)card->addresses->pdata,
                                                     (gssize)card->addresses->len));
  ctl_import_batch_add (batch, card->line, g_variant_dict_end (&dict));
}

/* A content line: [group.]NAME[;PARAM…]:VALUE; a ':' inside a quoted parameter value does not
 * end the name. Returns FALSE when there is no ':' at all. */
static gboolean
split_content_line (const char *line, char **name, const char **value)
{
  gboolean quoted = FALSE;
  const char *p, *end, *dot;

  for (p = line; *p && (quoted || *p != ':'); p++)
    if (*p == '"')
      quoted = !quoted;
  if (*p != ':')
    return FALSE;
  *value = p + 1;
  end = strpbrk (line, ";:");
  for (dot = end; dot > line && dot[-1] != '.'; dot--)
    ;
  *name = g_ascii_strup (dot, end - dot);
  return TRUE;
}

typedef struct
{
  CtlImportBatch *batch;
  Card *card; /* the card being read, or NULL between cards */
} Parser;

static void
parse_content_line (Parser *parser, guint number, const char *line)
{
  g_autofree char *name = NULL;
  const char *value = NULL;
  gboolean is_begin, is_end;

  if (!g_utf8_validate (line, -1, NULL))
    {
      ctl_import_batch_problem (parser->batch, number, "not valid UTF-8 text");
      return;
    }
  if (!split_content_line (line, &name, &value))
    {
      ctl_import_batch_problem (parser->batch, number, "not a vCard line (NAME:VALUE)");
      return;
    }
  is_begin = g_str_equal (name, "BEGIN") && g_ascii_strcasecmp (value, "VCARD") == 0;
  is_end = g_str_equal (name, "END") && g_ascii_strcasecmp (value, "VCARD") == 0;
  if (is_begin)
    {
      if (parser->card)
        ctl_import_batch_problem (parser->batch, parser->card->line,
                                  "the card never ends (END:VCARD missing)");
      g_clear_pointer (&parser->card, card_free);
      parser->card = card_new (number);
    }
  else if (!parser->card)
    ctl_import_batch_problem (parser->batch, number, "%s outside BEGIN:VCARD … END:VCARD",
                              is_end ? "END:VCARD" : name);
  else if (is_end)
    {
      finish_card (parser->batch, parser->card);
      g_clear_pointer (&parser->card, card_free);
    }
  else
    apply_property (parser->card, name, value);
}

static gsize
line_end (const char *data, gsize length, gsize pos, gsize *next)
{
  const char *newline = memchr (data + pos, '\n', length - pos);
  gsize end = newline ? (gsize)(newline - data) : length;

  *next = newline ? end + 1 : length;
  if (end > pos && data[end - 1] == '\r')
    end--;
  return end;
}

/* Unfolds (RFC 6350 §3.2: a line break followed by a space or tab continues the line) and hands
 * each logical line to the parser with the number of its first physical line. */
void
ctl_import_parse_vcard (CtlImportBatch *batch, const char *data, gsize length)
{
  Parser parser = { batch, NULL };
  g_autoptr (GString) logical = g_string_new (NULL);
  guint logical_line = 0, number = 0;
  gsize pos = length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, next = 0;

  for (; pos < length; pos = next)
    {
      gsize end = line_end (data, length, pos, &next);

      number++;
      if (end > pos && (data[pos] == ' ' || data[pos] == '\t') && logical_line)
        {
          g_string_append_len (logical, data + pos + 1, (gssize)(end - pos - 1));
          continue;
        }
      if (logical->len)
        parse_content_line (&parser, logical_line, logical->str);
      g_string_assign (logical, "");
      g_string_append_len (logical, data + pos, (gssize)(end - pos));
      logical_line = number;
    }
  if (logical->len)
    parse_content_line (&parser, logical_line, logical->str);
  if (parser.card)
    ctl_import_batch_problem (batch, parser.card->line, "the card never ends (END:VCARD missing)");
  g_clear_pointer (&parser.card, card_free);
}
