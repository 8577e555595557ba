/* The live co-browse sessions and the rules of joining them. */
#include "sp-cobrowse-registry.h"

#include <string.h>

#include "sp-interaction.h"

#define ATTEMPT_WINDOW_US ((gint64)60 * G_USEC_PER_SEC)
#define MAX_URL_BYTES 2048
#define MIN_BROWSER_KEY 16
#define MAX_BROWSER_KEY 128
#define MAX_CODE_DRAWS 8
#define EXPIRED_MEMORY_US ((gint64)3600 * G_USEC_PER_SEC)

struct _SpCoBrowseRegistry
{
  GObject parent_instance;

  const SpConfig *config;
  GHashTable *by_id;     /* id → Entry (owns it) */
  GHashTable *by_code;   /* code → Entry, while waiting or joined */
  GHashTable *by_key;    /* agent key → Entry */
  GHashTable *expired;   /* code → when it expired (monotonic), for an hour */
  gint64 window_started; /* the minute in which wrong codes are counted */
  guint wrong_codes;
};

G_DEFINE_FINAL_TYPE (SpCoBrowseRegistry, sp_cobrowse_registry, G_TYPE_OBJECT)

enum
{
  SIGNAL_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  SpCoBrowse *cobrowse;
  guint expiry_id;
  SpCoBrowseRegistry *registry;
} Entry;

static void
entry_free (Entry *entry)
{
  g_clear_handle_id (&entry->expiry_id, g_source_remove);
  g_object_unref (entry->cobrowse);
  g_free (entry);
}

SpCoBrowseRegistry *
sp_cobrowse_registry_new (const SpConfig *config)
{
  SpCoBrowseRegistry *self = g_object_new (SP_TYPE_COBROWSE_REGISTRY, NULL);

  self->config = config;
  return self;
}

gboolean
sp_cobrowse_registry_enabled (SpCoBrowseRegistry *self)
{
  return self->config->cobrowse_site_origins && self->config->cobrowse_site_origins[0];
}

/* Codes that expired are told apart from wrong ones for an hour (the customer was too late). */
static void
forget_old_expired_codes (SpCoBrowseRegistry *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer when;

  g_hash_table_iter_init (&iter, self->expired);
  while (g_hash_table_iter_next (&iter, NULL, &when))
    if (now - *(gint64 *)when > EXPIRED_MEMORY_US)
      g_hash_table_iter_remove (&iter);
}

static gboolean
on_expired (gpointer data)
{
  Entry *entry = data;
  SpCoBrowseRegistry *self = entry->registry;
  gint64 *when = g_new (gint64, 1);

  entry->expiry_id = 0;
  *when = g_get_monotonic_time ();
  forget_old_expired_codes (self);
  g_hash_table_insert (self->expired, g_strdup (sp_cobrowse_get_code (entry->cobrowse)), when);
  sp_cobrowse_registry_end (self, entry->cobrowse, "expired");
  return G_SOURCE_REMOVE;
}

SpCoBrowse *
sp_cobrowse_registry_open (SpCoBrowseRegistry *self, SpCoBrowseKind kind, GError **error)
{
  g_autoptr (SpCoBrowse) cobrowse = NULL;
  Entry *entry;

  /* A code must name one live session: draw again on the rare collision. */
  for (guint draw = 0; draw < MAX_CODE_DRAWS; draw++)
    {
      g_clear_object (&cobrowse);
      cobrowse = sp_cobrowse_new (kind, error);
      if (!cobrowse)
        return NULL;
      if (!g_hash_table_contains (self->by_code, sp_cobrowse_get_code (cobrowse)))
        break;
    }
  if (g_hash_table_contains (self->by_code, sp_cobrowse_get_code (cobrowse)))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_UNAVAILABLE,
                   "no free join code: too many co-browse sessions are waiting");
      return NULL;
    }
  g_hash_table_remove (self->expired, sp_cobrowse_get_code (cobrowse));
  entry = g_new0 (Entry, 1);
  entry->cobrowse = g_object_ref (cobrowse);
  entry->registry = self;
  entry->expiry_id
    = g_timeout_add_seconds (self->config->cobrowse_code_lifetime_s, on_expired, entry);
  g_hash_table_insert (self->by_id, (char *)sp_cobrowse_get_id (cobrowse), entry);
  g_hash_table_insert (self->by_code, (char *)sp_cobrowse_get_code (cobrowse), entry);
  g_hash_table_insert (self->by_key, (char *)sp_cobrowse_get_agent_key (cobrowse), entry);
  return g_steal_pointer (&cobrowse);
}

char *
sp_cobrowse_registry_customer_url (SpCoBrowseRegistry *self, SpCoBrowse *cobrowse)
{
  return g_strdup_printf ("%s/%s/%s", self->config->cobrowse_public_url,
                          sp_cobrowse_get_kind (cobrowse) == SP_COBROWSE_KIND_VIDEO ? "v" : "j",
                          sp_cobrowse_get_code (cobrowse));
}

char *
sp_cobrowse_registry_agent_url (SpCoBrowseRegistry *self, SpCoBrowse *cobrowse)
{
  return g_strdup_printf ("%s/a/%s", self->config->cobrowse_public_url,
                          sp_cobrowse_get_agent_key (cobrowse));
}

GVariant *
sp_cobrowse_registry_site (SpCoBrowseRegistry *self)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "origins", "^as", self->config->cobrowse_site_origins);
  g_variant_dict_insert (&dict, "start-url", "s",
                         self->config->cobrowse_start_url ? self->config->cobrowse_start_url : "");
  g_variant_dict_insert (&dict, "agent-name", "s",
                         self->config->display_name ? self->config->display_name : "");
  return g_variant_dict_end (&dict);
}

static gboolean
only_chars (const char *text, const char *allowed_extra, gboolean digits_only)
{
  for (const char *c = text; *c; c++)
    if (!(g_ascii_isdigit (*c)
          || (!digits_only && (g_ascii_isalpha (*c) || strchr (allowed_extra, *c)))))
      return FALSE;
  return TRUE;
}

static gboolean
check_join_input (const char *code, const char *browser, GError **error)
{
  gsize length = strlen (browser);

  if (strlen (code) != 6 || !only_chars (code, "", TRUE))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                 "a join code is 6 digits");
  else if (length < MIN_BROWSER_KEY || length > MAX_BROWSER_KEY
           || !only_chars (browser, "-_", FALSE))
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                 "a browser key is %d to %d letters, digits, '-' or '_'", MIN_BROWSER_KEY,
                 MAX_BROWSER_KEY);
  else
    return TRUE;
  return FALSE;
}

/* Wrong codes are counted per minute; past the limit every join waits for the next minute, so
 * guessing one of a million codes takes months. */
static gboolean
joins_blocked (SpCoBrowseRegistry *self, GError **error)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->window_started >= ATTEMPT_WINDOW_US)
    {
      self->window_started = now;
      self->wrong_codes = 0;
    }
  if (self->wrong_codes < self->config->cobrowse_max_attempts)
    return FALSE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
               "too many wrong codes: joining is refused for %" G_GINT64_FORMAT " s",
               (self->window_started + ATTEMPT_WINDOW_US - now) / G_USEC_PER_SEC + 1);
  return TRUE;
}

SpCoBrowse *
sp_cobrowse_registry_join (SpCoBrowseRegistry *self, SpCoBrowseKind kind, const char *code,
                           const char *browser, GError **error)
{
  Entry *entry;
  SpCoBrowse *cobrowse;

  if (!check_join_input (code, browser, error) || joins_blocked (self, error))
    return NULL;
  entry = g_hash_table_lookup (self->by_code, code);
  if (entry && sp_cobrowse_get_kind (entry->cobrowse) != kind)
    entry = NULL;
  if (!entry && g_hash_table_contains (self->expired, code))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_STATE,
                   "this code has expired: ask the agent for a new one");
      return NULL;
    }
  if (!entry)
    {
      self->wrong_codes++;
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                   kind == SP_COBROWSE_KIND_VIDEO ? "no video invitation has this code"
                                                  : "no co-browse session has this code");
      return NULL;
    }
  cobrowse = entry->cobrowse;
  if (sp_cobrowse_get_state (cobrowse) == SP_COBROWSE_JOINED)
    {
      if (g_str_equal (sp_cobrowse_get_browser (cobrowse), browser))
        return cobrowse;
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
                   "this code is already in use by another browser");
      return NULL;
    }
  g_clear_handle_id (&entry->expiry_id, g_source_remove);
  sp_cobrowse_bind (cobrowse, browser);
  return cobrowse;
}

SpCoBrowse *
sp_cobrowse_registry_join_agent (SpCoBrowseRegistry *self, const char *key, GError **error)
{
  Entry *entry = g_hash_table_lookup (self->by_key, key);

  if (entry && sp_cobrowse_get_kind (entry->cobrowse) == SP_COBROWSE_KIND_SITE)
    return entry->cobrowse;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
               "no co-browse session has this agent key");
  return NULL;
}

static Entry *
find (SpCoBrowseRegistry *self, const char *id, GError **error)
{
  Entry *entry = g_hash_table_lookup (self->by_id, id);

  if (!entry)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                 "no co-browse session '%s' (it may have ended)", id);
  return entry;
}

/* URL must be absolute http(s), short enough, and of one of the site's origins. */
static gboolean
check_page (SpCoBrowseRegistry *self, const char *url, GError **error)
{
  g_autoptr (GUri) uri
    = strlen (url) <= MAX_URL_BYTES ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  g_autofree char *origin = NULL;
  g_autofree char *host = NULL;
  gint port;

  if (scheme == NULL || (g_strcmp0 (scheme, "http") && g_strcmp0 (scheme, "https"))
      || g_uri_get_host (uri) == NULL || g_uri_get_userinfo (uri))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                   "not an absolute http(s) URL of at most %d bytes", MAX_URL_BYTES);
      return FALSE;
    }
  port = g_uri_get_port (uri);
  if (port == (g_str_equal (scheme, "https") ? 443 : 80))
    port = -1;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  origin = port < 0 ? g_strdup_printf ("%s://%s", scheme, host)
                    : g_strdup_printf ("%s://%s:%d", scheme, host, port);
  if (g_strv_contains ((const char *const *)self->config->cobrowse_site_origins, origin))
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_ALLOWED,
               "%s is not one of the co-browsed sites", origin);
  return FALSE;
}

SpCoBrowse *
sp_cobrowse_registry_find (SpCoBrowseRegistry *self, SpCoBrowseKind kind, const char *id,
                           GError **error)
{
  Entry *entry = find (self, id, error);

  if (entry && sp_cobrowse_get_kind (entry->cobrowse) == kind)
    return entry->cobrowse;
  if (entry)
    g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_NOT_FOUND,
                 "no session '%s' of this kind", id);
  return NULL;
}

gboolean
sp_cobrowse_registry_visited (SpCoBrowseRegistry *self, const char *id, const char *url,
                              GError **error)
{
  SpCoBrowse *cobrowse = sp_cobrowse_registry_find (self, SP_COBROWSE_KIND_SITE, id, error);

  if (!cobrowse || !check_page (self, url, error))
    return FALSE;
  sp_cobrowse_add_page (cobrowse, url);
  return TRUE;
}

gboolean
sp_cobrowse_registry_left (SpCoBrowseRegistry *self, const char *id, const char *role,
                           GError **error)
{
  SpCoBrowse *cobrowse;

  if (!g_str_equal (role, "customer") && !g_str_equal (role, "agent"))
    {
      g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_INVALID_ARGUMENT,
                   "a role is customer or agent, not '%s'", role);
      return FALSE;
    }
  cobrowse = sp_cobrowse_registry_find (self, SP_COBROWSE_KIND_SITE, id, error);
  if (!cobrowse)
    return FALSE;
  /* The agent's browser may come back through its link; the customer's leaving is final. */
  if (g_str_equal (role, "customer"))
    sp_cobrowse_registry_end (self, cobrowse, "customer-left");
  return TRUE;
}

void
sp_cobrowse_registry_end (SpCoBrowseRegistry *self, SpCoBrowse *cobrowse, const char *reason)
{
  g_autofree char *id = g_strdup (sp_cobrowse_get_id (cobrowse));
  g_autoptr (SpCoBrowse) keep = g_object_ref (cobrowse);

  if (!g_hash_table_contains (self->by_id, id))
    return;
  g_hash_table_remove (self->by_code, sp_cobrowse_get_code (cobrowse));
  g_hash_table_remove (self->by_key, sp_cobrowse_get_agent_key (cobrowse));
  g_hash_table_remove (self->by_id, id);
  sp_cobrowse_end (cobrowse, reason);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, id, reason, (gint)sp_cobrowse_get_kind (cobrowse));
}

static void
sp_cobrowse_registry_finalize (GObject *object)
{
  SpCoBrowseRegistry *self = SP_COBROWSE_REGISTRY (object);

  g_hash_table_unref (self->by_code);
  g_hash_table_unref (self->by_key);
  g_hash_table_unref (self->expired);
  g_hash_table_unref (self->by_id);
  G_OBJECT_CLASS (sp_cobrowse_registry_parent_class)->finalize (object);
}

static void
sp_cobrowse_registry_class_init (SpCoBrowseRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_cobrowse_registry_finalize;
  signals[SIGNAL_ENDED]
    = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);
}

static void
sp_cobrowse_registry_init (SpCoBrowseRegistry *self)
{
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)entry_free);
  self->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  self->expired = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->window_started = g_get_monotonic_time ();
}
