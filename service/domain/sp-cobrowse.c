/* One co-browse session: identity from the kernel's generator, and the three states. */
#include "sp-cobrowse.h"

#include <string.h>
#include <sys/random.h>

#include "sp-interaction.h"

#define CODE_SPACE 1000000u /* 6 digits */

struct _SpCoBrowse
{
  GObject parent_instance;

  SpCoBrowseKind kind;
  char *id;
  char *code;
  char *agent_key;
  char *browser;
  SpCoBrowseState state;
  gint64 started;
  gint64 joined;
  gint64 ended;
  char *ended_by;
  char *last_url;
  gint64 last_time;
};

G_DEFINE_FINAL_TYPE (SpCoBrowse, sp_cobrowse, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum
{
  SIGNAL_PAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
random_fill (void *buffer, gsize count, GError **error)
{
  if (getrandom (buffer, count, 0) == (ssize_t)count)
    return TRUE;
  g_set_error (error, SP_INTERACTION_ERROR, SP_INTERACTION_ERROR_FAILED,
               "no random bytes from the kernel");
  return FALSE;
}

static char *
base64url_token (gsize count, GError **error)
{
  g_autofree guchar *bytes = g_malloc (count);
  char *token;

  if (!random_fill (bytes, count, error))
    return NULL;
  token = g_base64_encode (bytes, count);
  memset (bytes, 0, count);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  return token;
}

/* Drawn again while it starts with '-' or '_': a key given on a command line must not read as an
 * option (sportelloctl cobrowse join-agent KEY). */
char *
sp_cobrowse_random_token (gsize count, GError **error)
{
  char *token;

  while ((token = base64url_token (count, error)) && !g_ascii_isalnum (token[0]))
    g_free (token);
  return token;
}

/* Six uniformly drawn digits: values past the last whole multiple of a million are drawn again. */
static char *
random_code (GError **error)
{
  const guint32 limit = G_MAXUINT32 - G_MAXUINT32 % CODE_SPACE;
  guint32 value;

  do
    if (!random_fill (&value, sizeof value, error))
      return NULL;
  while (value >= limit);
  return g_strdup_printf ("%06u", value % CODE_SPACE);
}

SpCoBrowse *
sp_cobrowse_new (SpCoBrowseKind kind, GError **error)
{
  g_autoptr (SpCoBrowse) self = g_object_new (SP_TYPE_COBROWSE, NULL);

  self->kind = kind;
  self->id = sp_cobrowse_random_token (12, error);
  self->code = self->id ? random_code (error) : NULL;
  self->agent_key = self->code ? sp_cobrowse_random_token (32, error) : NULL;
  if (!self->agent_key)
    return NULL;
  self->started = g_get_real_time ();
  return g_steal_pointer (&self);
}

SpCoBrowseKind
sp_cobrowse_get_kind (SpCoBrowse *self)
{
  return self->kind;
}

const char *
sp_cobrowse_get_id (SpCoBrowse *self)
{
  return self->id;
}

const char *
sp_cobrowse_get_code (SpCoBrowse *self)
{
  return self->code;
}

const char *
sp_cobrowse_get_agent_key (SpCoBrowse *self)
{
  return self->agent_key;
}

SpCoBrowseState
sp_cobrowse_get_state (SpCoBrowse *self)
{
  return self->state;
}

const char *
sp_cobrowse_state_to_string (SpCoBrowseState state)
{
  static const char *const names[] = { "waiting", "joined", "ended" };

  return names[state];
}

const char *
sp_cobrowse_get_browser (SpCoBrowse *self)
{
  return self->browser;
}

gint64
sp_cobrowse_get_started (SpCoBrowse *self)
{
  return self->started;
}

gint64
sp_cobrowse_get_joined (SpCoBrowse *self)
{
  return self->joined;
}

gint64
sp_cobrowse_get_ended (SpCoBrowse *self)
{
  return self->ended;
}

const char *
sp_cobrowse_get_ended_by (SpCoBrowse *self)
{
  return self->ended_by ? self->ended_by : "";
}

gboolean
sp_cobrowse_get_last_page (SpCoBrowse *self, const char **url, gint64 *time)
{
  *url = self->last_url;
  *time = self->last_time;
  return self->last_url != NULL;
}

static void
set_state (SpCoBrowse *self, SpCoBrowseState state)
{
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
sp_cobrowse_bind (SpCoBrowse *self, const char *browser)
{
  g_return_if_fail (self->state == SP_COBROWSE_WAITING);
  self->browser = g_strdup (browser);
  self->joined = g_get_real_time ();
  set_state (self, SP_COBROWSE_JOINED);
}

/* A page is recorded once, however many times the browsers report it in a row. */
void
sp_cobrowse_add_page (SpCoBrowse *self, const char *url)
{
  if (self->state == SP_COBROWSE_ENDED || g_strcmp0 (self->last_url, url) == 0)
    return;
  g_free (self->last_url);
  self->last_url = g_strdup (url);
  self->last_time = g_get_real_time ();
  g_signal_emit (self, signals[SIGNAL_PAGE], 0, self->last_url, self->last_time);
}

void
sp_cobrowse_end (SpCoBrowse *self, const char *reason)
{
  if (self->state == SP_COBROWSE_ENDED)
    return;
  self->ended = g_get_real_time ();
  self->ended_by = g_strdup (reason);
  set_state (self, SP_COBROWSE_ENDED);
}

static void
sp_cobrowse_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpCoBrowse *self = SP_COBROWSE (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_string (value, sp_cobrowse_state_to_string (self->state));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_cobrowse_finalize (GObject *object)
{
  SpCoBrowse *self = SP_COBROWSE (object);

  g_free (self->id);
  g_free (self->code);
  if (self->agent_key)
    memset (self->agent_key, 0, strlen (self->agent_key));
  g_free (self->agent_key);
  g_free (self->browser);
  g_free (self->ended_by);
  g_free (self->last_url);
  G_OBJECT_CLASS (sp_cobrowse_parent_class)->finalize (object);
}

static void
sp_cobrowse_class_init (SpCoBrowseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sp_cobrowse_get_property;
  object_class->finalize = sp_cobrowse_finalize;
  properties[PROP_STATE]
    = g_param_spec_string ("state", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_PAGE]
    = g_signal_new ("page", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);
}

static void
sp_cobrowse_init (SpCoBrowse *self)
{
  self->state = SP_COBROWSE_WAITING;
}
