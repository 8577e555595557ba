/* Loads sportello.conf, checks every group and key, and reports each problem with file, group,
 * key and reason, so that `sportellod --check-config` tells an admin exactly what to fix. */
#include "sp-config.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_QUARK (sp - config - error - quark, sp_config_error)

#define DEFAULT_ACCOUNT_URI "sip:agent@127.0.0.1"

typedef struct
{
  GKeyFile *keyfile;
  const char *file;
  GPtrArray *problems;
} Checker;

static const char *const account_keys[]
  = { "uri", "display-name", "registrar", "proxy", "listen", "transport", NULL };
static const char *const media_keys[]
  = { "audio-source",  "audio-sink", "camera",      "video-size", "video-framerate",
      "video-bitrate", "rtp-ports",  "rtp-timeout", NULL };
static const char *const attached_data_keys[] = { "user-to-user", "headers", NULL };
static const char *const video_keys[] = { "allowed",
                                          "remote-offers",
                                          "ask-timeout",
                                          "browser-stun-server",
                                          "browser-turn-server",
                                          "browser-ice-addresses",
                                          NULL };
static const char *const transfer_keys[] = { "timeout", NULL };
static const char *const disposition_keys[] = { "codes", "required", "visible", NULL };
static const char *const case_data_keys[] = { "keys", "from-attached", NULL };
static const char *const contacts_keys[] = { "international-prefix", NULL };
static const char *const paths_keys[] = { "data-dir", NULL };
static const char *const directory_keys[] = { "name", "uri", NULL };
static const char *const web_bridge_keys[] = { "port", "allowed-origins", NULL };
static const char *const cobrowse_keys[]
  = { "listen", "public-url", "site-origins", "start-url", "code-lifetime", "max-attempts", NULL };
static const char *const security_keys[]
  = { "certificate",      "private-key",      "ca", "verify-peer",
      "media-encryption", "sdes-without-tls", NULL };
static const char *const readiness_keys[]
  = { "not-ready-reasons", "after-call-work", "start", NULL };
static const char *const routing_keys[] = { "rpc", "destination", "sets", "queue-key", NULL };
static const char *const shared_store_keys[] = { "uri", NULL };
static const char *const media_encryption_names[] = { "none", "preferred", "required", NULL };

static void G_GNUC_PRINTF (4, 5)
  add_problem (Checker *checker, const char *group, const char *key, const char *format, ...)
{
  SpConfigProblem *problem = g_new0 (SpConfigProblem, 1);
  va_list args;

  va_start (args, format);
  problem->file = g_strdup (checker->file);
  problem->group = g_strdup (group);
  problem->key = g_strdup (key);
  problem->reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (checker->problems, problem);
}

void
sp_config_problem_free (SpConfigProblem *problem)
{
  if (!problem)
    return;
  g_free (problem->file);
  g_free (problem->group);
  g_free (problem->key);
  g_free (problem->reason);
  g_free (problem);
}

char *
sp_config_problem_to_string (const SpConfigProblem *problem)
{
  GString *text = g_string_new (problem->file ? problem->file : "(defaults)");

  /* "FILE: [group] key: reason", or "FILE: reason" when the whole file is concerned. */
  if (problem->group || problem->key)
    g_string_append (text, ":");
  if (problem->group)
    g_string_append_printf (text, " [%s]", problem->group);
  if (problem->key)
    g_string_append_printf (text, " %s", problem->key);
  g_string_append_printf (text, ": %s", problem->reason);
  return g_string_free (text, FALSE);
}

void
sp_directory_entry_free (SpDirectoryEntry *entry)
{
  if (!entry)
    return;
  g_free (entry->id);
  g_free (entry->name);
  g_free (entry->uri);
  g_free (entry);
}

static SpDirectoryEntry *
directory_entry_new (const char *id, const char *name, const char *uri)
{
  SpDirectoryEntry *entry = g_new0 (SpDirectoryEntry, 1);

  entry->id = g_strdup (id);
  entry->name = g_strdup (name);
  entry->uri = g_strdup (uri);
  return entry;
}

const SpDirectoryEntry *
sp_config_find_entry (GPtrArray *entries, const char *id)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const SpDirectoryEntry *entry = g_ptr_array_index (entries, i);
      if (g_str_equal (entry->id, id))
        return entry;
    }
  return NULL;
}

const char *
sp_media_encryption_to_string (SpMediaEncryption policy)
{
  g_return_val_if_fail (policy <= SP_MEDIA_ENCRYPTION_REQUIRED, NULL);
  return media_encryption_names[policy];
}

const char *
sp_remote_video_policy_to_string (SpRemoteVideoPolicy policy)
{
  switch (policy)
    {
      case SP_REMOTE_VIDEO_ACCEPT:
        return "accept";
      case SP_REMOTE_VIDEO_ASK:
        return "ask";
      case SP_REMOTE_VIDEO_REJECT:
        return "reject";
      default:
        return "reject";
    }
}

SpConfig *
sp_config_new_defaults (void)
{
  SpConfig *config = g_new0 (SpConfig, 1);

  config->account_uri = g_strdup (DEFAULT_ACCOUNT_URI);
  config->display_name = g_strdup ("Agent");
  config->registrar = g_strdup ("");
  config->proxy = g_strdup ("");
  /* Port 0: a free port, shown in Agent1.ContactUri; a registrar or a fixed port makes it known to
   * peers. */
  config->listen = g_strdup ("127.0.0.1:0");
  config->transport = g_strdup ("udp");
  config->audio_source = g_strdup ("pipewire");
  config->audio_sink = g_strdup ("pipewire");
  config->camera = g_strdup ("pipewire");
  config->video_width = 640;
  config->video_height = 480;
  config->video_framerate = 30;
  config->video_bitrate_kbps = 1000;
  config->video_ask_timeout_s = 20;
  config->transfer_timeout_s = 45;
  config->rtp_port_min = 20000;
  config->rtp_port_max = 20999;
  config->rtp_timeout_s = 30;
  config->uui_key = g_strdup ("UserToUser");
  config->attached_headers = g_new0 (char *, 1);
  config->video_allowed = TRUE;
  config->remote_video_offers = SP_REMOTE_VIDEO_ACCEPT;
  config->disposition_codes
    = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_directory_entry_free);
  g_ptr_array_add (config->disposition_codes, directory_entry_new ("resolved", "Resolved", NULL));
  g_ptr_array_add (config->disposition_codes, directory_entry_new ("callback", "Call back", NULL));
  g_ptr_array_add (config->disposition_codes, directory_entry_new ("escalated", "Escalated", NULL));
  config->disposition_required = FALSE;
  config->disposition_visible = TRUE;
  config->case_data_keys = g_strsplit ("Priority;Product;Serial", ";", -1);
  config->case_from_attached = g_new0 (char *, 1);
  config->agents = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_directory_entry_free);
  config->queues = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_directory_entry_free);
  config->international_prefix = g_strdup ("00");
  config->web_bridge_port = 8731;
  config->web_bridge_origins = g_new0 (char *, 1);
  config->cobrowse_listen = g_strdup ("127.0.0.1:8733");
  config->cobrowse_public_url = g_strdup ("http://127.0.0.1:8733");
  config->cobrowse_site_origins = g_new0 (char *, 1);
  config->browser_ice_addresses = g_new0 (char *, 1);
  config->cobrowse_code_lifetime_s = 300;
  config->cobrowse_max_attempts = 5;
  config->not_ready_reasons
    = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_directory_entry_free);
  g_ptr_array_add (config->not_ready_reasons, directory_entry_new ("break", "Break", NULL));
  g_ptr_array_add (config->not_ready_reasons, directory_entry_new ("lunch", "Lunch", NULL));
  g_ptr_array_add (config->not_ready_reasons, directory_entry_new ("training", "Training", NULL));
  config->after_call_work_s = 60;
  config->start_ready = TRUE;
  config->routing_sets = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (config->routing_sets, (guint){ 1 });
  config->tls_verify_peer = TRUE;
  config->media_encryption = SP_MEDIA_ENCRYPTION_NONE;
  return config;
}

void
sp_config_free (SpConfig *config)
{
  if (!config)
    return;
  g_free (config->path);
  g_free (config->account_uri);
  g_free (config->display_name);
  g_free (config->registrar);
  g_free (config->proxy);
  g_free (config->listen);
  g_free (config->transport);
  g_free (config->audio_source);
  g_free (config->audio_sink);
  g_free (config->camera);
  g_ptr_array_unref (config->disposition_codes);
  g_strfreev (config->case_data_keys);
  g_strfreev (config->case_from_attached);
  g_ptr_array_unref (config->agents);
  g_ptr_array_unref (config->queues);
  g_free (config->uui_key);
  g_strfreev (config->attached_headers);
  g_free (config->international_prefix);
  g_free (config->data_dir);
  g_strfreev (config->web_bridge_origins);
  g_free (config->browser_stun_server);
  g_free (config->browser_turn_server);
  g_strfreev (config->browser_ice_addresses);
  g_free (config->cobrowse_listen);
  g_free (config->cobrowse_public_url);
  g_strfreev (config->cobrowse_site_origins);
  g_free (config->cobrowse_start_url);
  g_ptr_array_unref (config->not_ready_reasons);
  g_free (config->routing_rpc);
  g_free (config->routing_destination);
  g_array_unref (config->routing_sets);
  g_free (config->routing_queue_key);
  g_free (config->shared_store_uri);
  g_free (config->tls_certificate);
  g_free (config->tls_private_key);
  g_free (config->tls_ca);
  g_free (config);
}

/* ---- small validators: each returns TRUE when the value is acceptable ---- */

static gboolean
is_sip_uri (const char *value)
{
  const char *rest;

  if (g_str_has_prefix (value, "sip:"))
    rest = value + 4;
  else if (g_str_has_prefix (value, "sips:"))
    rest = value + 5;
  else
    return FALSE;
  if (*rest == '\0' || *rest == '@' || rest[strlen (rest) - 1] == '@')
    return FALSE;
  for (const char *p = rest; *p; p++)
    if (g_ascii_isspace (*p) || *p == '<' || *p == '>' || *p == '"')
      return FALSE;
  return TRUE;
}

static gboolean
is_identifier (const char *value)
{
  if (*value == '\0')
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
parse_uint_in_range (const char *text, guint min, guint max, guint *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    return FALSE;
  *out = (guint)value;
  return TRUE;
}

static gboolean
parse_pair (const char *text, char separator, guint min, guint max, guint *first, guint *second)
{
  g_auto (GStrv) parts = NULL;
  char sep[2] = { separator, '\0' };

  parts = g_strsplit (text, sep, 3);
  return g_strv_length (parts) == 2 && parse_uint_in_range (g_strstrip (parts[0]), min, max, first)
         && parse_uint_in_range (g_strstrip (parts[1]), min, max, second);
}

static gboolean
is_host_port (const char *value)
{
  const char *colon = strrchr (value, ':');
  guint port;

  if (!colon || colon == value)
    return FALSE;
  return parse_uint_in_range (colon + 1, 0, 65535, &port);
}

/* TRUE when @text has a line "-----BEGIN ...@block", e.g. "-----BEGIN EC PRIVATE KEY-----". */
static gboolean
pem_has_block (const char *text, const char *block)
{
  for (const char *begin = strstr (text, "-----BEGIN "); begin;
       begin = strstr (begin + 1, "-----BEGIN "))
    {
      const char *end = strchr (begin, '\n');
      g_autofree char *line = end ? g_strndup (begin, end - begin) : g_strdup (begin);

      if (g_str_has_suffix (g_strchomp (line), block))
        return TRUE;
    }
  return FALSE;
}

/* ---- typed getters that record problems instead of failing ---- */

static char *
get_string (Checker *checker, const char *group, const char *key, const char *fallback)
{
  g_autoptr (GError) error = NULL;
  char *value = g_key_file_get_string (checker->keyfile, group, key, &error);

  /* Test the error, not the value: for an invalid escape ("\q") GLib returns the raw text and
   * sets G_KEY_FILE_ERROR_INVALID_VALUE. */
  if (error)
    {
      g_free (value);
      if (!g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)
          && !g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        add_problem (checker, group, key, "%s", error->message);
      return g_strdup (fallback);
    }
  return g_strstrip (value);
}

static gboolean
get_boolean (Checker *checker, const char *group, const char *key, gboolean fallback)
{
  g_autofree char *text = get_string (checker, group, key, NULL);

  if (!text)
    return fallback;
  if (g_str_equal (text, "true") || g_str_equal (text, "yes") || g_str_equal (text, "1"))
    return TRUE;
  if (g_str_equal (text, "false") || g_str_equal (text, "no") || g_str_equal (text, "0"))
    return FALSE;
  add_problem (checker, group, key, "'%s' is not a boolean (use true or false)", text);
  return fallback;
}

static GStrv
get_list (Checker *checker, const char *group, const char *key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *text = get_string (checker, group, key, NULL);
  g_auto (GStrv) parts = NULL;

  if (!text)
    return NULL;
  parts = g_strsplit (text, ";", -1);
  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i])
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static void
check_keys (Checker *checker, const char *group, const char *const *allowed)
{
  g_auto (GStrv) keys = g_key_file_get_keys (checker->keyfile, group, NULL, NULL);

  for (guint i = 0; keys && keys[i]; i++)
    {
      if (g_str_equal (group, "account") && g_str_equal (keys[i], "password"))
        add_problem (
          checker, group, keys[i],
          "passwords never go in the config file; store it with 'sportelloctl secret set'");
      else if (!g_strv_contains (allowed, keys[i]))
        add_problem (checker, group, keys[i], "unknown key");
    }
}

/* ---- one loader per group ---- */

static void
load_account (Checker *checker, SpConfig *config)
{
  const char *g = "account";

  g_free (config->account_uri);
  config->account_uri = get_string (checker, g, "uri", DEFAULT_ACCOUNT_URI);
  if (!is_sip_uri (config->account_uri))
    add_problem (checker, g, "uri", "'%s' is not a SIP URI (sip:user@host)", config->account_uri);

  g_free (config->display_name);
  config->display_name = get_string (checker, g, "display-name", "Agent");

  g_free (config->registrar);
  config->registrar = get_string (checker, g, "registrar", "");
  if (*config->registrar && !is_sip_uri (config->registrar))
    add_problem (checker, g, "registrar",
                 "'%s' is not a SIP URI (sip:host[:port]), or leave it empty", config->registrar);

  g_free (config->proxy);
  config->proxy = get_string (checker, g, "proxy", "");
  if (*config->proxy && !is_sip_uri (config->proxy))
    add_problem (checker, g, "proxy", "'%s' is not a SIP URI (sip:host[:port]), or leave it empty",
                 config->proxy);

  g_free (config->listen);
  config->listen = get_string (checker, g, "listen", "127.0.0.1:0");
  if (!is_host_port (config->listen))
    add_problem (checker, g, "listen", "'%s' is not ADDRESS:PORT (port 0 picks a free one)",
                 config->listen);

  g_free (config->transport);
  config->transport = get_string (checker, g, "transport", "udp");
  if (!g_str_equal (config->transport, "udp") && !g_str_equal (config->transport, "tcp")
      && !g_str_equal (config->transport, "tls"))
    add_problem (checker, g, "transport", "'%s' is not one of udp, tcp, tls", config->transport);
}

static gboolean
is_device_spec (const char *value, const char *const *words, gboolean allow_pipewire_node)
{
  if (g_strv_contains (words, value))
    return TRUE;
  if (g_str_has_prefix (value, "file:") && value[5] != '\0')
    return TRUE;
  return allow_pipewire_node && g_str_has_prefix (value, "pipewire:") && value[9] != '\0';
}

static void
load_media (Checker *checker, SpConfig *config)
{
  static const char *const sources[] = { "pipewire", "test", "none", NULL };
  static const char *const sinks[] = { "pipewire", "null", NULL };
  static const char *const cameras[] = { "pipewire", "test", "none", NULL };
  const char *g = "media";
  g_autofree char *size = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *ports = NULL;

  g_free (config->audio_source);
  config->audio_source = get_string (checker, g, "audio-source", "pipewire");
  if (!is_device_spec (config->audio_source, sources, FALSE))
    add_problem (checker, g, "audio-source", "'%s' is not one of pipewire, test, none, file:PATH",
                 config->audio_source);

  g_free (config->audio_sink);
  config->audio_sink = get_string (checker, g, "audio-sink", "pipewire");
  if (!is_device_spec (config->audio_sink, sinks, FALSE))
    add_problem (checker, g, "audio-sink", "'%s' is not one of pipewire, null, file:PATH",
                 config->audio_sink);

  g_free (config->camera);
  config->camera = get_string (checker, g, "camera", "pipewire");
  if (!is_device_spec (config->camera, cameras, TRUE) || g_str_has_prefix (config->camera, "file:"))
    add_problem (checker, g, "camera",
                 "'%s' is not one of pipewire, pipewire:NODE-NAME, test, none", config->camera);

  size = get_string (checker, g, "video-size", "640x480");
  if (!parse_pair (size, 'x', 16, 4096, &config->video_width, &config->video_height))
    add_problem (checker, g, "video-size", "'%s' is not WIDTHxHEIGHT between 16 and 4096", size);
  else if (config->video_width % 2 || config->video_height % 2)
    add_problem (checker, g, "video-size", "'%s': width and height must be even", size);

  rate = get_string (checker, g, "video-framerate", "30");
  if (!parse_uint_in_range (rate, 1, 60, &config->video_framerate))
    add_problem (checker, g, "video-framerate",
                 "'%s' is not a whole number of frames per second from 1 to 60", rate);

  g_autofree char *bitrate = get_string (checker, g, "video-bitrate", "1000");
  if (!parse_uint_in_range (bitrate, 50, 20000, &config->video_bitrate_kbps))
    add_problem (checker, g, "video-bitrate", "'%s' is not a bit rate in kbit/s from 50 to 20000",
                 bitrate);

  ports = get_string (checker, g, "rtp-ports", "20000-20999");
  if (!parse_pair (ports, '-', 1024, 65535, &config->rtp_port_min, &config->rtp_port_max)
      || config->rtp_port_max < config->rtp_port_min + 3)
    add_problem (checker, g, "rtp-ports",
                 "'%s' is not a range FIRST-LAST within 1024-65535 holding at least 4 ports",
                 ports);

  g_autofree char *timeout = get_string (checker, g, "rtp-timeout", "30");
  if (!parse_uint_in_range (timeout, 0, 3600, &config->rtp_timeout_s))
    add_problem (checker, g, "rtp-timeout",
                 "'%s' is not a number of seconds from 0 (never) to 3600", timeout);
}

static void
load_attached_data (Checker *checker, SpConfig *config)
{
  const char *g = "attached-data";
  g_auto (GStrv) headers = get_list (checker, g, "headers");

  g_free (config->uui_key);
  config->uui_key = get_string (checker, g, "user-to-user", "UserToUser");
  if (!*config->uui_key)
    g_clear_pointer (&config->uui_key, g_free);
  else if (!is_identifier (config->uui_key))
    add_problem (
      checker, g, "user-to-user",
      "'%s' is not a key of letters, digits, '-', '_' or '.' (or empty to ignore the header)",
      config->uui_key);
  if (!headers)
    return;
  for (guint i = 0; headers[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit (headers[i], "=", 2);
      if (!parts[1] || !is_identifier (g_strstrip (parts[0]))
          || !is_identifier (g_strstrip (parts[1])))
        add_problem (checker, g, "headers", "'%s' is not Header-Name=Key", headers[i]);
    }
  g_strfreev (config->attached_headers);
  config->attached_headers = g_steal_pointer (&headers);
}

/* ICE servers for video through the customer's browser (docs/browser-video.md), in the form
 * webrtcbin takes: stun://HOST:PORT and turn(s)://USER:PASSWORD@HOST:PORT. */
static char *
load_ice_server (Checker *checker, const char *key, const char *const *schemes, gboolean needs_user)
{
  g_autofree char *value = get_string (checker, "video", key, "");
  g_autoptr (GUri) uri = *value ? g_uri_parse (value, G_URI_FLAGS_NONE, NULL) : NULL;

  if (!*value)
    return NULL;
  if (uri && g_strv_contains (schemes, g_uri_get_scheme (uri)) && g_uri_get_host (uri)
      && g_uri_get_port (uri) > 0 && (!needs_user || g_uri_get_user (uri))
      && (needs_user || !g_uri_get_userinfo (uri)))
    return g_steal_pointer (&value);
  add_problem (checker, "video", key, "'%s' is not %s", value,
               needs_user ? "turn://USER:PASSWORD@HOST:PORT (or turns://)" : "stun://HOST:PORT");
  return NULL;
}

/* The IP addresses ICE may offer a browser (';'-separated); none: every interface. */
static void
load_ice_addresses (Checker *checker, SpConfig *config)
{
  g_autofree char *value = get_string (checker, "video", "browser-ice-addresses", "");
  g_auto (GStrv) addresses = g_strsplit (value, ";", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; addresses[i]; i++)
    {
      g_strstrip (addresses[i]);
      if (!*addresses[i])
        continue;
      if (g_hostname_is_ip_address (addresses[i]))
        g_ptr_array_add (kept, g_strdup (addresses[i]));
      else
        add_problem (checker, "video", "browser-ice-addresses", "'%s' is not an IP address",
                     addresses[i]);
    }
  g_ptr_array_add (kept, NULL);
  g_strfreev (config->browser_ice_addresses);
  config->browser_ice_addresses = (GStrv)g_ptr_array_steal (kept, NULL);
}

static void
load_browser_ice_servers (Checker *checker, SpConfig *config)
{
  static const char *const stun[] = { "stun", NULL };
  static const char *const turn[] = { "turn", "turns", NULL };

  g_free (config->browser_stun_server);
  config->browser_stun_server = load_ice_server (checker, "browser-stun-server", stun, FALSE);
  g_free (config->browser_turn_server);
  config->browser_turn_server = load_ice_server (checker, "browser-turn-server", turn, TRUE);
  load_ice_addresses (checker, config);
}

static void
load_video (Checker *checker, SpConfig *config)
{
  g_autofree char *offers = NULL;

  config->video_allowed = get_boolean (checker, "video", "allowed", TRUE);
  offers = get_string (checker, "video", "remote-offers", "accept");
  if (g_str_equal (offers, "accept"))
    config->remote_video_offers = SP_REMOTE_VIDEO_ACCEPT;
  else if (g_str_equal (offers, "ask"))
    config->remote_video_offers = SP_REMOTE_VIDEO_ASK;
  else if (g_str_equal (offers, "reject"))
    config->remote_video_offers = SP_REMOTE_VIDEO_REJECT;
  else
    add_problem (checker, "video", "remote-offers", "'%s' is not one of accept, ask, reject",
                 offers);

  /* A re-INVITE must get its final answer before the contact's Timer B (32 s, RFC 3261
   * §17.1.1.2) gives up on it. */
  g_autofree char *timeout = get_string (checker, "video", "ask-timeout", "20");
  if (!parse_uint_in_range (timeout, 1, 30, &config->video_ask_timeout_s))
    add_problem (checker, "video", "ask-timeout",
                 "'%s' is not a number of seconds from 1 to 30 (the contact gives up at 32)",
                 timeout);
  load_browser_ice_servers (checker, config);
}

/* A transfer waits for its target's answer; a target rings for a while (queues longer). */
static void
load_transfer (Checker *checker, SpConfig *config)
{
  g_autofree char *timeout = get_string (checker, "transfer", "timeout", "45");

  if (!parse_uint_in_range (timeout, 5, 120, &config->transfer_timeout_s))
    add_problem (checker, "transfer", "timeout", "'%s' is not a number of seconds from 5 to 120",
                 timeout);
}

/* A web origin as browsers send it: http or https, a host, a port only when not the scheme's
 * default, nothing else; NULL when TEXT is not one. */
static char *
normalise_origin (const char *text)
{
  g_autoptr (GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;
  const char *path = uri ? g_uri_get_path (uri) : NULL;
  gint port = uri ? g_uri_get_port (uri) : -1;
  g_autofree char *lower_scheme = NULL;
  g_autofree char *lower_host = NULL;

  if (scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") && g_ascii_strcasecmp (scheme, "https"))
      || host == NULL || *host == '\0' || g_uri_get_userinfo (uri) || g_uri_get_query (uri)
      || g_uri_get_fragment (uri) || (path && *path && !g_str_equal (path, "/")))
    return NULL;
  lower_scheme = g_ascii_strdown (scheme, -1);
  lower_host = g_ascii_strdown (host, -1);
  if (port == (g_str_equal (lower_scheme, "https") ? 443 : 80))
    port = -1;
  return port < 0 ? g_strdup_printf ("%s://%s", lower_scheme, lower_host)
                  : g_strdup_printf ("%s://%s:%d", lower_scheme, lower_host, port);
}

/* The list of web origins in @key of @group, normalised; each entry that is not one is a
 * problem. */
static GStrv
load_origins (Checker *checker, const char *group, const char *key)
{
  g_auto (GStrv) origins = get_list (checker, group, key);
  g_autoptr (GStrvBuilder) valid = g_strv_builder_new ();

  for (guint i = 0; origins && origins[i]; i++)
    {
      g_autofree char *origin = normalise_origin (origins[i]);

      if (origin == NULL)
        add_problem (checker, group, key,
                     "'%s' is not a web origin (http:// or https://, a host, an optional port)",
                     origins[i]);
      else
        g_strv_builder_add (valid, origin);
    }
  return g_strv_builder_end (valid);
}

/* The web bridge: a loopback port, and the web pages (origins) allowed to use it. */
static void
load_web_bridge (Checker *checker, SpConfig *config)
{
  const char *g = "web-bridge";
  g_autofree char *port = get_string (checker, g, "port", "8731");

  if (!parse_uint_in_range (port, 1024, 65535, &config->web_bridge_port))
    add_problem (checker, g, "port", "'%s' is not a port from 1024 to 65535", port);
  g_strfreev (config->web_bridge_origins);
  config->web_bridge_origins = load_origins (checker, g, "allowed-origins");
}

/* An absolute http(s) URL with a host and no fragment, or NULL. */
static GUri *
parse_web_url (const char *text)
{
  g_autoptr (GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") && g_ascii_strcasecmp (scheme, "https"))
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' || g_uri_get_fragment (uri)
      || g_uri_get_userinfo (uri))
    return NULL;
  return g_steal_pointer (&uri);
}

/* The origin part of an absolute web URL, as normalise_origin() writes it. */
static char *
origin_of_url (GUri *uri)
{
  g_autofree char *text = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                      g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);

  return normalise_origin (text);
}

static void
load_cobrowse_urls (Checker *checker, SpConfig *config)
{
  const char *g = "co-browse";
  g_autofree char *public_url = get_string (checker, g, "public-url", "http://127.0.0.1:8733");
  g_autofree char *start_url = get_string (checker, g, "start-url", "");
  g_autoptr (GUri) public_uri = parse_web_url (public_url);

  if (public_uri == NULL || g_uri_get_query (public_uri))
    add_problem (checker, g, "public-url",
                 "'%s' is not an http:// or https:// URL without a query or fragment", public_url);
  else
    {
      while (g_str_has_suffix (public_url, "/"))
        public_url[strlen (public_url) - 1] = '\0';
      g_free (config->cobrowse_public_url);
      config->cobrowse_public_url = g_steal_pointer (&public_url);
    }
  if (config->cobrowse_site_origins[0] == NULL)
    return;
  if (*start_url == '\0')
    {
      config->cobrowse_start_url = g_strconcat (config->cobrowse_site_origins[0], "/", NULL);
      return;
    }
  g_autoptr (GUri) start = parse_web_url (start_url);
  g_autofree char *origin = start ? origin_of_url (start) : NULL;

  if (origin == NULL
      || !g_strv_contains ((const char *const *)config->cobrowse_site_origins, origin))
    add_problem (checker, g, "start-url", "'%s' is not an http(s) URL of one of the site-origins",
                 start_url);
  else
    config->cobrowse_start_url = g_steal_pointer (&start_url);
}

/* Co-browse: where the relay listens and is reached, the company site, the codes' limits. */
static void
load_cobrowse (Checker *checker, SpConfig *config)
{
  const char *g = "co-browse";
  g_autofree char *listen = get_string (checker, g, "listen", "127.0.0.1:8733");
  g_autofree char *lifetime = get_string (checker, g, "code-lifetime", "300");
  g_autofree char *attempts = get_string (checker, g, "max-attempts", "5");

  if (!is_host_port (listen))
    add_problem (checker, g, "listen", "'%s' is not HOST:PORT", listen);
  else
    {
      g_free (config->cobrowse_listen);
      config->cobrowse_listen = g_steal_pointer (&listen);
    }
  if (!parse_uint_in_range (lifetime, 30, 3600, &config->cobrowse_code_lifetime_s))
    add_problem (checker, g, "code-lifetime", "'%s' is not a number of seconds from 30 to 3600",
                 lifetime);
  if (!parse_uint_in_range (attempts, 1, 100, &config->cobrowse_max_attempts))
    add_problem (checker, g, "max-attempts", "'%s' is not a number from 1 to 100", attempts);
  g_strfreev (config->cobrowse_site_origins);
  config->cobrowse_site_origins = load_origins (checker, g, "site-origins");
  load_cobrowse_urls (checker, config);
}

/* A PEM file we can use: an absolute path to a readable regular file holding a BEGIN line that
 * ends with @block ("CERTIFICATE-----", "PRIVATE KEY-----"). NULL with a problem otherwise. */
static char *
load_pem_path (Checker *checker, const char *key, const char *block)
{
  g_autofree char *path = get_string (checker, "security", key, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  GStatBuf info;

  if (!path || !*path)
    return NULL;
  if (!g_path_is_absolute (path))
    add_problem (checker, "security", key, "'%s' is not an absolute path", path);
  else if (g_stat (path, &info) != 0 || !S_ISREG (info.st_mode))
    add_problem (checker, "security", key, "'%s' is not a file", path);
  else if (info.st_size > 1024 * 1024)
    add_problem (checker, "security", key, "'%s' is larger than 1 MiB: not a PEM file", path);
  else if (!g_file_get_contents (path, &contents, NULL, &error))
    add_problem (checker, "security", key, "%s", error->message);
  else if (!pem_has_block (contents, block))
    add_problem (checker, "security", key, "'%s' holds no PEM %s", path,
                 g_str_equal (block, "CERTIFICATE-----") ? "certificate" : "private key");
  else if (g_str_equal (key, "private-key") && (info.st_mode & (S_IRWXG | S_IRWXO)))
    add_problem (checker, "security", key,
                 "'%s' can be read by other users: make it readable by its owner only (chmod 600)",
                 path);
  else
    return g_steal_pointer (&path);
  return NULL;
}

static void
load_security (Checker *checker, SpConfig *config)
{
  const char *g = "security";
  g_autofree char *policy = get_string (checker, g, "media-encryption", "none");
  gboolean over_tls = g_str_equal (config->transport, "tls");
  gboolean has_certificate, has_key;

  config->tls_certificate = load_pem_path (checker, "certificate", "CERTIFICATE-----");
  config->tls_private_key = load_pem_path (checker, "private-key", "PRIVATE KEY-----");
  config->tls_ca = load_pem_path (checker, "ca", "CERTIFICATE-----");
  config->tls_verify_peer = get_boolean (checker, g, "verify-peer", TRUE);
  config->sdes_without_tls = get_boolean (checker, g, "sdes-without-tls", FALSE);
  has_certificate = g_key_file_has_key (checker->keyfile, g, "certificate", NULL);
  has_key = g_key_file_has_key (checker->keyfile, g, "private-key", NULL);
  if (has_certificate != has_key)
    add_problem (checker, g, has_key ? "certificate" : "private-key",
                 "a certificate and its private key go together: set both or neither");
  else if (over_tls && !has_certificate)
    add_problem (checker, g, "certificate",
                 "missing: transport = tls needs a certificate and private key to listen with");

  if (!g_strv_contains (media_encryption_names, policy))
    add_problem (checker, g, "media-encryption", "'%s' is not one of none, preferred, required",
                 policy);
  for (guint i = 0; media_encryption_names[i]; i++)
    if (g_str_equal (policy, media_encryption_names[i]))
      config->media_encryption = (SpMediaEncryption)i;
  if (config->media_encryption != SP_MEDIA_ENCRYPTION_NONE && !over_tls
      && !config->sdes_without_tls)
    add_problem (checker, g, "media-encryption",
                 "SDES keys would cross the network readable with transport = %s: use transport "
                 "= tls, or set sdes-without-tls = true",
                 config->transport);
}

/* A list of ID=Label codes (the dispositions, the not-ready reasons) replaces ENTRIES when the
 * key is there. */
static void
load_codes (Checker *checker, const char *g, const char *key, GPtrArray *entries)
{
  g_auto (GStrv) codes = get_list (checker, g, key);

  if (!codes)
    return;
  g_ptr_array_set_size (entries, 0);
  for (guint i = 0; codes[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit (codes[i], "=", 2);
      const char *id = g_strstrip (parts[0]);
      const char *label = parts[1] ? g_strstrip (parts[1]) : id;

      if (!is_identifier (id))
        add_problem (checker, g, key,
                     "'%s': a code is ID=Label, with an ID of letters, digits, '-', '_' or '.'",
                     codes[i]);
      else if (sp_config_find_entry (entries, id))
        add_problem (checker, g, key, "code '%s' is listed twice", id);
      else
        g_ptr_array_add (entries, directory_entry_new (id, *label ? label : id, NULL));
    }
}

static void
load_dispositions (Checker *checker, SpConfig *config)
{
  const char *g = "dispositions";

  load_codes (checker, g, "codes", config->disposition_codes);
  config->disposition_required = get_boolean (checker, g, "required", FALSE);
  config->disposition_visible = get_boolean (checker, g, "visible", TRUE);
  if (config->disposition_required && !config->disposition_visible)
    add_problem (
      checker, g, "required",
      "a disposition cannot be required while the checklist is not visible (visible=false)");
  if (config->disposition_required && config->disposition_codes->len == 0)
    add_problem (checker, g, "required", "a disposition is required but no codes are configured");
}

static void
load_readiness (Checker *checker, SpConfig *config)
{
  const char *g = "readiness";
  guint problems = checker->problems->len;
  g_autofree char *limit = get_string (checker, g, "after-call-work", "60");
  g_autofree char *start = get_string (checker, g, "start", "ready");

  load_codes (checker, g, "not-ready-reasons", config->not_ready_reasons);
  if (config->not_ready_reasons->len == 0 && checker->problems->len == problems)
    add_problem (checker, g, "not-ready-reasons", "an agent needs at least one reason to give");
  if (!parse_uint_in_range (limit, 0, 3600, &config->after_call_work_s))
    add_problem (checker, g, "after-call-work",
                 "'%s' is not a number of seconds from 0 (none) to 3600", limit);
  if (!g_str_equal (start, "ready") && !g_str_equal (start, "not-ready"))
    add_problem (checker, g, "start", "'%s' is not ready or not-ready", start);
  config->start_ready = g_str_equal (start, "ready");
}

static void
load_routing_sets (Checker *checker, SpConfig *config)
{
  g_auto (GStrv) sets = get_list (checker, "routing", "sets");

  if (!sets)
    return;
  g_array_set_size (config->routing_sets, 0);
  for (guint i = 0; sets[i]; i++)
    {
      guint set;

      if (!parse_uint_in_range (sets[i], 0, G_MAXINT32, &set))
        add_problem (checker, "routing", "sets", "'%s' is not a dispatcher set number", sets[i]);
      else
        g_array_append_val (config->routing_sets, set);
    }
  if (config->routing_sets->len == 0)
    add_problem (checker, "routing", "sets", "no dispatcher set: list the queues' set numbers");
}

static void
load_routing (Checker *checker, SpConfig *config)
{
  const char *g = "routing";
  g_autofree char *rpc = get_string (checker, g, "rpc", "");
  g_autofree char *destination = get_string (checker, g, "destination", "");
  g_autofree char *queue_key = get_string (checker, g, "queue-key", "");
  g_autoptr (GUri) rpc_uri = *rpc ? parse_web_url (rpc) : NULL;

  if (*rpc && !rpc_uri)
    add_problem (checker, g, "rpc", "'%s' is not an http(s) URL (kamailio's JSON-RPC)", rpc);
  else if (*rpc)
    config->routing_rpc = g_steal_pointer (&rpc);
  if (*destination && !is_sip_uri (destination))
    add_problem (checker, g, "destination", "'%s' is not a SIP URI (sip:user@host)", destination);
  else if (*destination)
    config->routing_destination = g_steal_pointer (&destination);
  if (*queue_key)
    config->routing_queue_key = g_steal_pointer (&queue_key);
  load_routing_sets (checker, config);
}

/* A libpq connection URI; the password belongs in the Secret Service, not in the file. */
static void
load_shared_store (Checker *checker, SpConfig *config)
{
  g_autofree char *uri = get_string (checker, "shared-store", "uri", "");

  if (!*uri)
    return;
  if (!g_str_has_prefix (uri, "postgresql://") && !g_str_has_prefix (uri, "postgres://"))
    add_problem (checker, "shared-store", "uri",
                 "'%s' is not a PostgreSQL URI (postgresql://user@host/database)", uri);
  else
    config->shared_store_uri = g_steal_pointer (&uri);
}

static void
load_case_from_attached (Checker *checker, SpConfig *config)
{
  g_auto (GStrv) pairs = get_list (checker, "case-data", "from-attached");

  if (!pairs)
    return;
  for (guint i = 0; pairs[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit (pairs[i], "=", 2);
      const char *case_key = g_strstrip (parts[0]);

      if (!parts[1] || !*g_strstrip (parts[1]))
        add_problem (checker, "case-data", "from-attached", "'%s' is not CaseKey=AttachedKey",
                     pairs[i]);
      else if (!g_strv_contains ((const char *const *)config->case_data_keys, case_key))
        add_problem (checker, "case-data", "from-attached", "'%s' is not one of the case-data keys",
                     case_key);
    }
  g_strfreev (config->case_from_attached);
  config->case_from_attached = g_steal_pointer (&pairs);
}

static void
load_case_data (Checker *checker, SpConfig *config)
{
  g_auto (GStrv) keys = get_list (checker, "case-data", "keys");

  if (!keys)
    {
      load_case_from_attached (checker, config);
      return;
    }
  for (guint i = 0; keys[i]; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (keys[i], keys[j]))
        add_problem (checker, "case-data", "keys", "key '%s' is listed twice", keys[i]);
  g_strfreev (config->case_data_keys);
  config->case_data_keys = g_steal_pointer (&keys);
  load_case_from_attached (checker, config);
}

static void
load_contacts (Checker *checker, SpConfig *config)
{
  g_free (config->international_prefix);
  config->international_prefix = get_string (checker, "contacts", "international-prefix", "00");
  for (const char *p = config->international_prefix; *p; p++)
    if (!g_ascii_isdigit (*p))
      {
        add_problem (checker, "contacts", "international-prefix",
                     "'%s' must be digits only (e.g. 00 or 011), or empty",
                     config->international_prefix);
        break;
      }
}

static void
load_paths (Checker *checker, SpConfig *config)
{
  g_autofree char *data_dir = get_string (checker, "paths", "data-dir", NULL);

  if (data_dir && !g_path_is_absolute (data_dir))
    add_problem (checker, "paths", "data-dir", "'%s' is not an absolute path", data_dir);
  else if (data_dir)
    config->data_dir = g_steal_pointer (&data_dir);
}

static void
load_directory_entry (Checker *checker, SpConfig *config, const char *group)
{
  const char *colon = strchr (group, ':');
  const char *id = colon + 1;
  gboolean is_agent = g_str_has_prefix (group, "agent:");
  GPtrArray *entries = is_agent ? config->agents : config->queues;
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;

  check_keys (checker, group, directory_keys);
  if (!is_identifier (id))
    {
      add_problem (checker, group, NULL,
                   "the id after ':' must be letters, digits, '-', '_' or '.'");
      return;
    }
  if (sp_config_find_entry (config->agents, id) || sp_config_find_entry (config->queues, id))
    {
      add_problem (checker, group, NULL, "id '%s' is already used by another agent or queue", id);
      return;
    }
  name = get_string (checker, group, "name", id);
  uri = get_string (checker, group, "uri", NULL);
  if (!uri)
    add_problem (checker, group, "uri", "missing: every %s needs a SIP URI",
                 is_agent ? "agent" : "queue");
  else if (!is_sip_uri (uri))
    add_problem (checker, group, "uri", "'%s' is not a SIP URI (sip:user@host)", uri);
  else
    g_ptr_array_add (entries, directory_entry_new (id, name, uri));
}

static void
load_groups (Checker *checker, SpConfig *config)
{
  static const struct
  {
    const char *name;
    const char *const *keys;
  } fixed[] = {
    { "account", account_keys },
    { "media", media_keys },
    { "video", video_keys },
    { "dispositions", disposition_keys },
    { "case-data", case_data_keys },
    { "contacts", contacts_keys },
    { "paths", paths_keys },
    { "attached-data", attached_data_keys },
    { "transfer", transfer_keys },
    { "web-bridge", web_bridge_keys },
    { "co-browse", cobrowse_keys },
    { "security", security_keys },
    { "readiness", readiness_keys },
    { "routing", routing_keys },
    { "shared-store", shared_store_keys },
  };
  g_auto (GStrv) groups = g_key_file_get_groups (checker->keyfile, NULL);

  for (guint i = 0; groups[i]; i++)
    {
      gboolean known = FALSE;

      for (guint f = 0; f < G_N_ELEMENTS (fixed); f++)
        if (g_str_equal (groups[i], fixed[f].name))
          {
            check_keys (checker, groups[i], fixed[f].keys);
            known = TRUE;
          }
      if (g_str_has_prefix (groups[i], "agent:") || g_str_has_prefix (groups[i], "queue:"))
        {
          load_directory_entry (checker, config, groups[i]);
          known = TRUE;
        }
      if (!known)
        add_problem (checker, groups[i], NULL, "unknown group");
    }
  load_account (checker, config);
  load_media (checker, config);
  load_video (checker, config);
  load_transfer (checker, config);
  load_dispositions (checker, config);
  load_readiness (checker, config);
  load_routing (checker, config);
  load_shared_store (checker, config);
  load_case_data (checker, config);
  load_contacts (checker, config);
  load_paths (checker, config);
  load_attached_data (checker, config);
  load_web_bridge (checker, config);
  load_cobrowse (checker, config);
  load_security (checker, config);
}

/* Loads and validates @path. On problems, returns NULL with an SP_CONFIG_ERROR_INVALID error
 * and fills @problems (if given) with every problem found, not just the first. */
SpConfig *
sp_config_load (const char *path, GPtrArray **problems, GError **error)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (GPtrArray) found
    = g_ptr_array_new_with_free_func ((GDestroyNotify)sp_config_problem_free);
  g_autoptr (SpConfig) config = sp_config_new_defaults ();
  g_autoptr (GError) local_error = NULL;
  Checker checker = { keyfile, path, found };

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      gboolean missing = g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

      add_problem (&checker, NULL, NULL, "%s", local_error->message);
      g_set_error (error, SP_CONFIG_ERROR,
                   missing ? SP_CONFIG_ERROR_NOT_FOUND : SP_CONFIG_ERROR_PARSE, "%s: %s", path,
                   local_error->message);
      if (problems)
        *problems = g_steal_pointer (&found);
      return NULL;
    }
  config->path = g_strdup (path);
  load_groups (&checker, config);
  if (found->len > 0)
    {
      g_set_error (error, SP_CONFIG_ERROR, SP_CONFIG_ERROR_INVALID, "%s: %u problem%s found", path,
                   found->len, found->len == 1 ? "" : "s");
      if (problems)
        *problems = g_steal_pointer (&found);
      return NULL;
    }
  if (problems)
    *problems = g_steal_pointer (&found);
  return g_steal_pointer (&config);
}

/* The first sportello/sportello.conf in $XDG_CONFIG_HOME, then the system config dirs. */
char *
sp_config_find_default_path (void)
{
  g_autofree char *user
    = g_build_filename (g_get_user_config_dir (), "sportello", "sportello.conf", NULL);
  const char *const *system_dirs = g_get_system_config_dirs ();

  if (g_file_test (user, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&user);
  for (guint i = 0; system_dirs[i]; i++)
    {
      g_autofree char *path
        = g_build_filename (system_dirs[i], "sportello", "sportello.conf", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return NULL;
}

SpConfig *
sp_config_load_or_defaults (const char *path, GPtrArray **problems, GError **error)
{
  g_autofree char *found = path ? g_strdup (path) : sp_config_find_default_path ();

  return found ? sp_config_load (found, problems, error) : sp_config_new_defaults ();
}
