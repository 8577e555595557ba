/* sportello.conf loading: the example file, defaults, and one row per kind of problem, each
 * reported with the file, group and key an admin has to edit. */
#include "sp-config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* Writes @contents to a file in this test's isolated data dir and returns its path. */
static char *
write_config (const char *contents)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "conf", NULL);
  g_autofree char *path = g_build_filename (dir, "sportello.conf", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
assert_entry (GPtrArray *entries, guint index, const char *id, const char *name, const char *uri)
{
  const SpDirectoryEntry *entry;

  g_assert_cmpuint (index, <, entries->len);
  entry = g_ptr_array_index (entries, index);
  g_assert_cmpstr (entry->id, ==, id);
  g_assert_cmpstr (entry->name, ==, name);
  g_assert_cmpstr (entry->uri, ==, uri);
}

static void
test_defaults (void)
{
  g_autoptr (SpConfig) config = sp_config_new_defaults ();
  const char *const keys[] = { "Priority", "Product", "Serial", NULL };

  g_assert_null (config->path);
  g_assert_cmpstr (config->account_uri, ==, "sip:agent@127.0.0.1");
  g_assert_cmpstr (config->display_name, ==, "Agent");
  g_assert_cmpstr (config->registrar, ==, "");
  g_assert_cmpstr (config->proxy, ==, "");
  g_assert_cmpstr (config->listen, ==, "127.0.0.1:0");
  g_assert_cmpstr (config->transport, ==, "udp");
  g_assert_cmpstr (config->audio_source, ==, "pipewire");
  g_assert_cmpstr (config->audio_sink, ==, "pipewire");
  g_assert_cmpstr (config->camera, ==, "pipewire");
  g_assert_cmpuint (config->video_width, ==, 640);
  g_assert_cmpuint (config->video_height, ==, 480);
  g_assert_cmpuint (config->video_framerate, ==, 30);
  g_assert_cmpuint (config->rtp_port_min, ==, 20000);
  g_assert_cmpuint (config->rtp_port_max, ==, 20999);
  g_assert_true (config->video_allowed);
  g_assert_cmpint (config->remote_video_offers, ==, SP_REMOTE_VIDEO_ACCEPT);
  g_assert_cmpuint (config->transfer_timeout_s, ==, 45);
  g_assert_cmpuint (config->disposition_codes->len, ==, 3);
  assert_entry (config->disposition_codes, 0, "resolved", "Resolved", NULL);
  assert_entry (config->disposition_codes, 1, "callback", "Call back", NULL);
  assert_entry (config->disposition_codes, 2, "escalated", "Escalated", NULL);
  g_assert_false (config->disposition_required);
  g_assert_true (config->disposition_visible);
  g_assert_cmpstrv (config->case_data_keys, keys);
  g_assert_cmpuint (config->agents->len, ==, 0);
  g_assert_cmpuint (config->queues->len, ==, 0);
  g_assert_cmpstr (config->international_prefix, ==, "00");
  g_assert_null (config->data_dir);
  g_assert_cmpuint (config->web_bridge_port, ==, 8731);
  g_assert_cmpuint (g_strv_length (config->web_bridge_origins), ==, 0);
  g_assert_cmpstr (config->cobrowse_listen, ==, "127.0.0.1:8733");
  g_assert_cmpstr (config->cobrowse_public_url, ==, "http://127.0.0.1:8733");
  g_assert_cmpuint (g_strv_length (config->cobrowse_site_origins), ==, 0);
  g_assert_null (config->cobrowse_start_url);
  g_assert_cmpuint (config->cobrowse_code_lifetime_s, ==, 300);
  g_assert_cmpuint (config->cobrowse_max_attempts, ==, 5);
  g_assert_null (config->tls_certificate);
  g_assert_null (config->tls_private_key);
  g_assert_null (config->tls_ca);
  g_assert_true (config->tls_verify_peer);
  g_assert_cmpint (config->media_encryption, ==, SP_MEDIA_ENCRYPTION_NONE);
  g_assert_false (config->sdes_without_tls);
}

static void
test_example_file (void)
{
  const char *path = SRCDIR "/data/sportello.conf.example";
  const char *const keys[] = { "Priority", "Product", "Serial", NULL };
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, &problems, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpstr (config->path, ==, path);
  g_assert_cmpstr (config->account_uri, ==, "sip:agent1@example.com");
  g_assert_cmpstr (config->display_name, ==, "Agent One");
  g_assert_cmpstr (config->registrar, ==, "sip:127.0.0.1:5060");
  g_assert_cmpstr (config->proxy, ==, "");
  g_assert_cmpstr (config->listen, ==, "127.0.0.1:5070");
  g_assert_cmpstr (config->transport, ==, "udp");
  g_assert_cmpuint (config->video_width, ==, 640);
  g_assert_cmpuint (config->video_height, ==, 480);
  g_assert_cmpuint (config->rtp_port_min, ==, 20000);
  g_assert_cmpuint (config->rtp_port_max, ==, 20999);
  g_assert_cmpint (config->remote_video_offers, ==, SP_REMOTE_VIDEO_ACCEPT);
  g_assert_cmpuint (config->disposition_codes->len, ==, 3);
  assert_entry (config->disposition_codes, 1, "callback", "Call back", NULL);
  g_assert_cmpstrv (config->case_data_keys, keys);
  g_assert_cmpuint (config->agents->len, ==, 2);
  assert_entry (config->agents, 0, "bob", "Bob Rossi", "sip:bob@example.com");
  assert_entry (config->agents, 1, "carla", "Carla Bianchi", "sip:carla@example.com");
  g_assert_cmpuint (config->queues->len, ==, 2);
  assert_entry (config->queues, 0, "billing", "Billing", "sip:billing@example.com");
  assert_entry (config->queues, 1, "support", "Technical support", "sip:support@example.com");
  g_assert_cmpstr (config->international_prefix, ==, "00");
  g_assert_null (config->data_dir);
}

static void
test_inline_values (void)
{
  const char *const keys[] = { "Ticket", "Model Number", NULL };
  g_autofree char *path = write_config ("[account]\n"
                                        "uri = sips:agent2@Example.org\n"
                                        "display-name =   Agente Due  \n"
                                        "transport = tcp\n"
                                        "listen = [::1]:0\n"
                                        "[media]\n"
                                        "audio-source = file:/srv/hold.wav\n"
                                        "audio-sink = null\n"
                                        "camera = pipewire:usb-cam\n"
                                        "video-size = 1280 x 720\n"
                                        "video-framerate = 15\n"
                                        "rtp-ports = 30000-30003\n"
                                        "[video]\n"
                                        "allowed = no\n"
                                        "remote-offers = ask\n"
                                        "browser-stun-server = stun://stun.example.org:3478\n"
                                        "browser-turn-server = turns://a:b@turn.example.org:5349\n"
                                        "browser-ice-addresses = 10.0.0.5; ::1\n"
                                        "[dispositions]\n"
                                        "codes = sale = Sale made; no-sale ;;later=\n"
                                        "required = true\n"
                                        "[case-data]\n"
                                        "keys = Ticket; Model Number;\n"
                                        "[contacts]\n"
                                        "international-prefix = 011\n"
                                        "[paths]\n"
                                        "data-dir = /srv/sportello\n"
                                        "[queue:sales]\n"
                                        "uri = sip:sales@example.org\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->account_uri, ==, "sips:agent2@Example.org");
  g_assert_cmpstr (config->display_name, ==, "Agente Due");
  g_assert_cmpstr (config->transport, ==, "tcp");
  g_assert_cmpstr (config->listen, ==, "[::1]:0");
  g_assert_cmpstr (config->audio_source, ==, "file:/srv/hold.wav");
  g_assert_cmpstr (config->audio_sink, ==, "null");
  g_assert_cmpstr (config->camera, ==, "pipewire:usb-cam");
  g_assert_cmpuint (config->video_width, ==, 1280);
  g_assert_cmpuint (config->video_height, ==, 720);
  g_assert_cmpuint (config->video_framerate, ==, 15);
  g_assert_cmpuint (config->rtp_port_min, ==, 30000);
  g_assert_cmpuint (config->rtp_port_max, ==, 30003);
  g_assert_false (config->video_allowed);
  g_assert_cmpint (config->remote_video_offers, ==, SP_REMOTE_VIDEO_ASK);
  g_assert_cmpstr (config->browser_stun_server, ==, "stun://stun.example.org:3478");
  g_assert_cmpstr (config->browser_turn_server, ==, "turns://a:b@turn.example.org:5349");
  g_assert_cmpuint (g_strv_length (config->browser_ice_addresses), ==, 2);
  g_assert_cmpstr (config->browser_ice_addresses[1], ==, "::1");
  g_assert_cmpuint (config->disposition_codes->len, ==, 3);
  assert_entry (config->disposition_codes, 0, "sale", "Sale made", NULL);
  assert_entry (config->disposition_codes, 1, "no-sale", "no-sale", NULL);
  assert_entry (config->disposition_codes, 2, "later", "later", NULL);
  g_assert_true (config->disposition_required);
  g_assert_cmpstrv (config->case_data_keys, keys);
  g_assert_cmpstr (config->international_prefix, ==, "011");
  g_assert_cmpstr (config->data_dir, ==, "/srv/sportello");
  g_assert_cmpuint (config->agents->len, ==, 0);
  assert_entry (config->queues, 0, "sales", "sales", "sip:sales@example.org");
}

/* An empty file is a valid one: every value is the default. */
static void
test_empty_file (void)
{
  g_autofree char *path = write_config ("");
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, &problems, NULL);
  g_autoptr (SpConfig) defaults = sp_config_new_defaults ();

  g_assert_nonnull (config);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpstr (config->path, ==, path);
  g_assert_cmpstr (config->account_uri, ==, defaults->account_uri);
  g_assert_cmpstr (config->listen, ==, defaults->listen);
  g_assert_cmpuint (config->disposition_codes->len, ==, defaults->disposition_codes->len);
  g_assert_cmpstrv (config->case_data_keys, defaults->case_data_keys);
  g_assert_cmpstr (config->international_prefix, ==, "00");
}

static void
test_empty_prefix_allowed (void)
{
  g_autofree char *path = write_config ("[contacts]\ninternational-prefix =\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->international_prefix, ==, "");
}

/* Origins are kept as browsers send them: lower case, no default port, no trailing slash. */
static void
test_web_bridge (void)
{
  g_autofree char *path
    = write_config ("[web-bridge]\nport = 9100\nallowed-origins = HTTPS://CRM.Example.com:443/ ; "
                    "http://127.0.0.1:8080;http://crm.example.com:80\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);
  const char *const origins[]
    = { "https://crm.example.com", "http://127.0.0.1:8080", "http://crm.example.com", NULL };

  g_assert_no_error (error);
  g_assert_cmpuint (config->web_bridge_port, ==, 9100);
  g_assert_cmpstrv (config->web_bridge_origins, origins);
}

static void
test_readiness_and_routing (void)
{
  g_autofree char *path = write_config (
    "[readiness]\nnot-ready-reasons = coffee=Coffee break; admin\nafter-call-work = 0\n"
    "start = not-ready\n[routing]\nrpc = http://127.0.0.1:5071/RPC\n"
    "destination = sip:anna@queues.example.com\nsets = 2; 7\nqueue-key = Queue\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);
  g_autoptr (SpConfig) defaults = sp_config_new_defaults ();

  g_assert_no_error (error);
  g_assert_cmpuint (config->not_ready_reasons->len, ==, 2);
  assert_entry (config->not_ready_reasons, 0, "coffee", "Coffee break", NULL);
  assert_entry (config->not_ready_reasons, 1, "admin", "admin", NULL);
  g_assert_cmpuint (config->after_call_work_s, ==, 0);
  g_assert_false (config->start_ready);
  g_assert_cmpstr (config->routing_rpc, ==, "http://127.0.0.1:5071/RPC");
  g_assert_cmpstr (config->routing_destination, ==, "sip:anna@queues.example.com");
  g_assert_cmpuint (config->routing_sets->len, ==, 2);
  g_assert_cmpuint (g_array_index (config->routing_sets, guint, 1), ==, 7);
  g_assert_cmpstr (config->routing_queue_key, ==, "Queue");
  /* Without the groups: three reasons, 60 s, ready, nothing published. */
  g_assert_cmpuint (defaults->not_ready_reasons->len, ==, 3);
  g_assert_cmpuint (defaults->after_call_work_s, ==, 60);
  g_assert_true (defaults->start_ready);
  g_assert_null (defaults->routing_rpc);
  g_assert_cmpuint (g_array_index (defaults->routing_sets, guint, 0), ==, 1);
}

/* The relay's links drop a trailing slash; the start page defaults to the first origin's root. */
static void
test_cobrowse (void)
{
  g_autofree char *path = write_config (
    "[co-browse]\nlisten = 127.0.0.1:9200\npublic-url = https://help.example.com/cobrowse/\n"
    "site-origins = https://WWW.example.com:443;http://127.0.0.1:8080\ncode-lifetime = 60\n"
    "max-attempts = 3\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);
  g_autoptr (SpConfig) second = NULL;
  const char *const origins[] = { "https://www.example.com", "http://127.0.0.1:8080", NULL };

  g_assert_no_error (error);
  g_assert_cmpstr (config->cobrowse_listen, ==, "127.0.0.1:9200");
  g_assert_cmpstr (config->cobrowse_public_url, ==, "https://help.example.com/cobrowse");
  g_assert_cmpstrv (config->cobrowse_site_origins, origins);
  g_assert_cmpstr (config->cobrowse_start_url, ==, "https://www.example.com/");
  g_assert_cmpuint (config->cobrowse_code_lifetime_s, ==, 60);
  g_assert_cmpuint (config->cobrowse_max_attempts, ==, 3);

  g_free (path);
  path = write_config ("[co-browse]\nsite-origins = http://127.0.0.1:8080\n"
                       "start-url = http://127.0.0.1:8080/shop/\n");
  second = sp_config_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->cobrowse_start_url, ==, "http://127.0.0.1:8080/shop/");
}

#define PEM_CERTIFICATE "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
#define PEM_KEY "-----BEGIN EC PRIVATE KEY-----\nMHcCfake\n-----END EC PRIVATE KEY-----\n"

/* Writes @contents with @mode in this test's data dir; returns the absolute path. */
static char *
write_file (const char *name, const char *contents, int mode)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return g_steal_pointer (&path);
}

/* Certificates are checked for what an admin gets wrong: a file that is not PEM, a key others
 * can read, a certificate without its key. The contents are not parsed further here. */
static void
test_security (void)
{
  g_autofree char *certificate = write_file ("agent.pem", PEM_CERTIFICATE, 0644);
  g_autofree char *key = write_file ("agent.key", PEM_KEY, 0600);
  g_autofree char *ca = write_file ("ca.pem", "Test CA\n" PEM_CERTIFICATE PEM_CERTIFICATE, 0644);
  g_autofree char *text
    = g_strdup_printf ("[account]\ntransport = tls\n[security]\ncertificate = %s\n"
                       "private-key = %s\nca = %s\nverify-peer = false\n"
                       "media-encryption = required\n",
                       certificate, key, ca);
  g_autofree char *path = write_config (text);
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->tls_certificate, ==, certificate);
  g_assert_cmpstr (config->tls_private_key, ==, key);
  g_assert_cmpstr (config->tls_ca, ==, ca);
  g_assert_false (config->tls_verify_peer);
  g_assert_cmpint (config->media_encryption, ==, SP_MEDIA_ENCRYPTION_REQUIRED);
  g_assert_cmpstr (sp_media_encryption_to_string (config->media_encryption), ==, "required");
}

/* SDES over UDP only when the admin says so. */
static void
test_security_sdes_without_tls (void)
{
  g_autofree char *path
    = write_config ("[security]\nmedia-encryption = preferred\nsdes-without-tls = true\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (config->media_encryption, ==, SP_MEDIA_ENCRYPTION_PREFERRED);
  g_assert_true (config->sdes_without_tls);
}

typedef struct
{
  const char *certificate; /* file contents and mode; NULL: the key not set */
  int certificate_mode;
  const char *key;
  int key_mode;
  const char *problem_key;
  const char *reason;
} SecurityFileCase;

static const SecurityFileCase security_file_cases[] = {
  { PEM_CERTIFICATE, 0644, PEM_KEY, 0640, "private-key", "can be read by other users" },
  { PEM_CERTIFICATE, 0644, PEM_KEY, 0604, "private-key", "(chmod 600)" },
  { PEM_KEY, 0644, PEM_KEY, 0600, "certificate", "holds no PEM certificate" },
  { PEM_CERTIFICATE, 0644, PEM_CERTIFICATE, 0600, "private-key", "holds no PEM private key" },
  { "", 0644, PEM_KEY, 0600, "certificate", "holds no PEM certificate" },
  { PEM_CERTIFICATE, 0644, NULL, 0, "private-key", "set both or neither" },
  { NULL, 0, PEM_KEY, 0600, "certificate", "set both or neither" },
  { PEM_CERTIFICATE, 0000, PEM_KEY, 0600, "certificate", "ermission denied" },
};

static void
test_security_file (gconstpointer data)
{
  const SecurityFileCase *row = data;
  g_autofree char *certificate
    = row->certificate ? write_file ("c.pem", row->certificate, row->certificate_mode) : NULL;
  g_autofree char *key = row->key ? write_file ("k.pem", row->key, row->key_mode) : NULL;
  g_autofree char *text = g_strdup_printf (
    "[security]\n%s%s%s%s%s%s", certificate ? "certificate = " : "", certificate ? certificate : "",
    certificate ? "\n" : "", key ? "private-key = " : "", key ? key : "", key ? "\n" : "");
  g_autofree char *path = write_config (text);
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, &problems, NULL);
  const SpConfigProblem *problem;

  if (row->certificate_mode == 0 && row->certificate && access (certificate, R_OK) == 0)
    {
      g_test_skip ("running as root: a mode 000 file is readable");
      return;
    }
  g_assert_null (config);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->group, ==, "security");
  g_assert_cmpstr (problem->key, ==, row->problem_key);
  g_assert_nonnull (strstr (problem->reason, row->reason));
}

typedef struct
{
  const char *name;
  const char *contents;
  const char *group; /* expected SpConfigProblem fields */
  const char *key;
  const char *reason; /* a part of the reason */
} ProblemCase;

static const ProblemCase problem_cases[] = {
  { "unknown-group", "[acount]\nuri = sip:a@b\n", "acount", NULL, "unknown group" },
  { "readiness/reason", "[readiness]\nnot-ready-reasons = on break=Break\n", "readiness",
    "not-ready-reasons", "a code is ID=Label" },
  { "readiness/no-reason", "[readiness]\nnot-ready-reasons = ;\n", "readiness", "not-ready-reasons",
    "at least one reason" },
  { "readiness/limit", "[readiness]\nafter-call-work = 2h\n", "readiness", "after-call-work",
    "from 0 (none) to 3600" },
  { "readiness/start", "[readiness]\nstart = busy\n", "readiness", "start",
    "not ready or not-ready" },
  { "routing/rpc", "[routing]\nrpc = 127.0.0.1:5071\n", "routing", "rpc", "not an http(s) URL" },
  { "routing/destination", "[routing]\ndestination = agent1\n", "routing", "destination",
    "not a SIP URI" },
  { "routing/sets", "[routing]\nsets = 1;two\n", "routing", "sets",
    "'two' is not a dispatcher set number" },
  { "unknown-key", "[media]\ncolour = red\n", "media", "colour", "unknown key" },
  { "password", "[account]\npassword = hunter2\n", "account", "password",
    "sportelloctl secret set" },
  { "invalid-escape", "[account]\ndisplay-name = a\\qb\n", "account", "display-name",
    "cannot be interpreted" },
  { "not-utf8", "[account]\ndisplay-name = caf\xe9\n", "account", "display-name", "not UTF-8" },
  { "uri/no-scheme", "[account]\nuri = alice@example.com\n", "account", "uri",
    "'alice@example.com' is not a SIP URI" },
  { "uri/empty-user", "[account]\nuri = sip:@example.com\n", "account", "uri", "is not a SIP URI" },
  { "uri/empty", "[account]\nuri =\n", "account", "uri", "'' is not a SIP URI" },
  { "uri/angle-brackets", "[account]\nuri = <sip:a@b>\n", "account", "uri", "is not a SIP URI" },
  { "registrar", "[account]\nregistrar = http://pbx\n", "account", "registrar",
    "or leave it empty" },
  { "proxy", "[account]\nproxy = sip:a b\n", "account", "proxy", "'sip:a b' is not a SIP URI" },
  { "listen/no-port", "[account]\nlisten = localhost\n", "account", "listen",
    "is not ADDRESS:PORT" },
  { "listen/port-range", "[account]\nlisten = 127.0.0.1:65536\n", "account", "listen",
    "is not ADDRESS:PORT" },
  { "transport", "[account]\ntransport = sctp\n", "account", "transport",
    "'sctp' is not one of udp, tcp, tls" },
  { "audio-source", "[media]\naudio-source = alsa\n", "media", "audio-source",
    "'alsa' is not one of" },
  { "audio-source/empty-file", "[media]\naudio-source = file:\n", "media", "audio-source",
    "is not one of" },
  { "audio-sink", "[media]\naudio-sink = test\n", "media", "audio-sink",
    "'test' is not one of pipewire, null" },
  { "camera/file", "[media]\ncamera = file:/clip.mp4\n", "media", "camera", "is not one of" },
  { "camera/empty-node", "[media]\ncamera = pipewire:\n", "media", "camera", "is not one of" },
  { "video-size/odd", "[media]\nvideo-size = 640x481\n", "media", "video-size", "must be even" },
  { "video-size/format", "[media]\nvideo-size = 640\n", "media", "video-size",
    "is not WIDTHxHEIGHT" },
  { "video-size/range", "[media]\nvideo-size = 8x8\n", "media", "video-size",
    "between 16 and 4096" },
  { "video-framerate/zero", "[media]\nvideo-framerate = 0\n", "media", "video-framerate",
    "from 1 to 60" },
  { "video-framerate/high", "[media]\nvideo-framerate = 61\n", "media", "video-framerate",
    "from 1 to 60" },
  { "video-framerate/unit", "[media]\nvideo-framerate = 30fps\n", "media", "video-framerate",
    "'30fps'" },
  { "rtp-ports/too-few", "[media]\nrtp-ports = 20000-20002\n", "media", "rtp-ports",
    "at least 4 ports" },
  { "rtp-ports/privileged", "[media]\nrtp-ports = 1000-2000\n", "media", "rtp-ports",
    "within 1024-65535" },
  { "rtp-ports/single", "[media]\nrtp-ports = 20000\n", "media", "rtp-ports", "is not a range" },
  { "rtp-ports/reversed", "[media]\nrtp-ports = 30000-20000\n", "media", "rtp-ports",
    "is not a range" },
  { "video/allowed", "[video]\nallowed = maybe\n", "video", "allowed", "'maybe' is not a boolean" },
  { "video/remote-offers", "[video]\nremote-offers = sometimes\n", "video", "remote-offers",
    "'sometimes' is not one of accept, ask, reject" },
  { "video/stun-without-port", "[video]\nbrowser-stun-server = stun://stun.example.org\n", "video",
    "browser-stun-server", "is not stun://HOST:PORT" },
  { "video/turn-without-user", "[video]\nbrowser-turn-server = turn://turn.example.org:3478\n",
    "video", "browser-turn-server", "is not turn://USER:PASSWORD@HOST:PORT" },
  { "video/ice-address", "[video]\nbrowser-ice-addresses = 10.0.0.5;eth0\n", "video",
    "browser-ice-addresses", "'eth0' is not an IP address" },
  { "transfer/timeout-short", "[transfer]\ntimeout = 2\n", "transfer", "timeout",
    "'2' is not a number of seconds from 5 to 120" },
  { "transfer/unknown-key", "[transfer]\nallow = yes\n", "transfer", "allow", "unknown key" },
  { "web-bridge/port", "[web-bridge]\nport = 80\n", "web-bridge", "port",
    "'80' is not a port from 1024 to 65535" },
  { "web-bridge/origin-path", "[web-bridge]\nallowed-origins = https://crm.example.com/app\n",
    "web-bridge", "allowed-origins", "'https://crm.example.com/app' is not a web origin" },
  { "web-bridge/origin-scheme", "[web-bridge]\nallowed-origins = ftp://crm.example.com\n",
    "web-bridge", "allowed-origins", "'ftp://crm.example.com' is not a web origin" },
  { "web-bridge/origin-wildcard", "[web-bridge]\nallowed-origins = *\n", "web-bridge",
    "allowed-origins", "'*' is not a web origin" },
  { "web-bridge/unknown-key", "[web-bridge]\nhost = 0.0.0.0\n", "web-bridge", "host",
    "unknown key" },
  { "co-browse/listen", "[co-browse]\nlisten = 8733\n", "co-browse", "listen",
    "'8733' is not HOST:PORT" },
  { "co-browse/public-url", "[co-browse]\npublic-url = relay.example.com\n", "co-browse",
    "public-url", "'relay.example.com' is not an http:// or https:// URL" },
  { "co-browse/public-url-query", "[co-browse]\npublic-url = https://r.example.com/?a=1\n",
    "co-browse", "public-url", "without a query or fragment" },
  { "co-browse/site-origin", "[co-browse]\nsite-origins = https://www.example.com/shop\n",
    "co-browse", "site-origins", "'https://www.example.com/shop' is not a web origin" },
  { "co-browse/start-url-elsewhere",
    "[co-browse]\nsite-origins = https://www.example.com\nstart-url = https://evil.example/\n",
    "co-browse", "start-url", "'https://evil.example/' is not an http(s) URL of one of the" },
  { "co-browse/code-lifetime", "[co-browse]\ncode-lifetime = 5\n", "co-browse", "code-lifetime",
    "'5' is not a number of seconds from 30 to 3600" },
  { "co-browse/max-attempts", "[co-browse]\nmax-attempts = 0\n", "co-browse", "max-attempts",
    "'0' is not a number from 1 to 100" },
  { "dispositions/bad-id", "[dispositions]\ncodes = ok=Fine;bad id=Label\n", "dispositions",
    "codes", "'bad id=Label': a code is ID=Label" },
  { "dispositions/twice", "[dispositions]\ncodes = a=A;a=B\n", "dispositions", "codes",
    "code 'a' is listed twice" },
  { "dispositions/required-invisible", "[dispositions]\nrequired = true\nvisible = false\n",
    "dispositions", "required", "while the checklist is not visible" },
  { "dispositions/required-no-codes", "[dispositions]\ncodes =\nrequired = true\n", "dispositions",
    "required", "no codes are configured" },
  { "case-data/twice", "[case-data]\nkeys = A;B;A\n", "case-data", "keys",
    "key 'A' is listed twice" },
  { "contacts/prefix", "[contacts]\ninternational-prefix = +\n", "contacts", "international-prefix",
    "'+' must be digits only" },
  { "paths/relative", "[paths]\ndata-dir = var/sportello\n", "paths", "data-dir",
    "'var/sportello' is not an absolute path" },
  { "agent/bad-id", "[agent:bob rossi]\nuri = sip:bob@b\n", "agent:bob rossi", NULL,
    "the id after ':'" },
  { "agent/empty-id", "[agent:]\nuri = sip:bob@b\n", "agent:", NULL, "the id after ':'" },
  { "agent/no-uri", "[agent:bob]\nname = Bob\n", "agent:bob", "uri",
    "missing: every agent needs a SIP URI" },
  { "queue/no-uri", "[queue:q1]\n", "queue:q1", "uri", "missing: every queue needs a SIP URI" },
  { "agent/bad-uri", "[agent:bob]\nuri = bob\n", "agent:bob", "uri", "'bob' is not a SIP URI" },
  { "agent/unknown-key", "[agent:bob]\nuri = sip:bob@b\nphone = 123\n", "agent:bob", "phone",
    "unknown key" },
  { "queue/id-taken", "[agent:x]\nuri = sip:x@b\n[queue:x]\nuri = sip:q@b\n", "queue:x", NULL,
    "id 'x' is already used by another agent or queue" },
  { "security/relative-path", "[security]\nca = certs/ca.pem\n", "security", "ca",
    "'certs/ca.pem' is not an absolute path" },
  { "security/missing-file", "[security]\nca = /nonexistent/ca.pem\n", "security", "ca",
    "'/nonexistent/ca.pem' is not a file" },
  { "security/directory", "[security]\nca = /\n", "security", "ca", "'/' is not a file" },
  { "security/policy", "[security]\nmedia-encryption = always\n", "security", "media-encryption",
    "'always' is not one of none, preferred, required" },
  { "security/sdes-over-udp", "[security]\nmedia-encryption = preferred\n", "security",
    "media-encryption", "use transport = tls, or set sdes-without-tls = true" },
  { "security/sdes-over-tcp",
    "[account]\ntransport = tcp\n[security]\nmedia-encryption = required\n", "security",
    "media-encryption", "readable with transport = tcp" },
  { "security/verify-peer", "[security]\nverify-peer = maybe\n", "security", "verify-peer",
    "'maybe' is not a boolean" },
  { "security/tls-without-certificate", "[account]\ntransport = tls\n", "security", "certificate",
    "transport = tls needs a certificate and private key" },
  { "security/unknown-key", "[security]\nsrtp = yes\n", "security", "srtp", "unknown key" },
};

static void
test_problem (gconstpointer data)
{
  const ProblemCase *row = data;
  g_autofree char *path = write_config (row->contents);
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, &problems, &error);
  g_autofree char *message = g_strdup_printf ("%s: 1 problem found", path);
  const SpConfigProblem *problem;

  g_assert_null (config);
  g_assert_error (error, SP_CONFIG_ERROR, SP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->file, ==, path);
  g_assert_cmpstr (problem->group, ==, row->group);
  g_assert_cmpstr (problem->key, ==, row->key);
  g_assert_nonnull (strstr (problem->reason, row->reason));
}

static void
assert_problem_at (GPtrArray *problems, guint index, const char *group, const char *key)
{
  const SpConfigProblem *problem;

  g_assert_cmpuint (index, <, problems->len);
  problem = g_ptr_array_index (problems, index);
  g_assert_cmpstr (problem->group, ==, group);
  g_assert_cmpstr (problem->key, ==, key);
  g_assert_cmpstr (problem->reason, !=, "");
}

/* One run reports everything, in file order for groups and keys, then value checks. */
static void
test_several_problems (void)
{
  g_autofree char *path = write_config ("[account]\n"
                                        "uri = nobody\n"
                                        "password = secret\n"
                                        "[media]\n"
                                        "video-framerate = 100\n"
                                        "[extra]\n"
                                        "[contacts]\n"
                                        "international-prefix = 0o\n");
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, &problems, &error);
  g_autofree char *message = g_strdup_printf ("%s: 5 problems found", path);

  g_assert_null (config);
  g_assert_error (error, SP_CONFIG_ERROR, SP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpuint (problems->len, ==, 5);
  assert_problem_at (problems, 0, "account", "password");
  assert_problem_at (problems, 1, "extra", NULL);
  assert_problem_at (problems, 2, "account", "uri");
  assert_problem_at (problems, 3, "media", "video-framerate");
  assert_problem_at (problems, 4, "contacts", "international-prefix");
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "no-such.conf", NULL);
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, &problems, &error);
  const SpConfigProblem *problem;

  g_assert_null (config);
  g_assert_error (error, SP_CONFIG_ERROR, SP_CONFIG_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->file, ==, path);
  g_assert_null (problem->group);
  g_assert_null (problem->key);
}

static void
test_parse_error (void)
{
  static const char *const bodies[]
    = { "this is not a key file\n", "uri = sip:a@b\n[account]\n", "[account\n" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *path = write_config (bodies[i]);
      g_autoptr (GPtrArray) problems = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (SpConfig) config = sp_config_load (path, &problems, &error);
      const SpConfigProblem *problem;

      g_assert_null (config);
      g_assert_error (error, SP_CONFIG_ERROR, SP_CONFIG_ERROR_PARSE);
      g_assert_cmpuint (problems->len, ==, 1);
      problem = g_ptr_array_index (problems, 0);
      g_assert_cmpstr (problem->file, ==, path);
      g_assert_null (problem->group);
    }
}

/* Callers that only want the error need not collect problems. */
static void
test_problems_optional (void)
{
  g_autofree char *path = write_config ("[nope]\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SpConfig) config = sp_config_load (path, NULL, &error);

  g_assert_null (config);
  g_assert_error (error, SP_CONFIG_ERROR, SP_CONFIG_ERROR_INVALID);
}

static void
test_problem_to_string (void)
{
  static const struct
  {
    SpConfigProblem problem;
    const char *expected;
  } rows[] = {
    { { "/etc/s.conf", "media", "camera", "bad" }, "/etc/s.conf: [media] camera: bad" },
    { { "/etc/s.conf", "agent:x", NULL, "bad id" }, "/etc/s.conf: [agent:x]: bad id" },
    { { "/etc/s.conf", NULL, NULL, "no such file" }, "/etc/s.conf: no such file" },
    { { NULL, "account", "uri", "bad" }, "(defaults): [account] uri: bad" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text = sp_config_problem_to_string (&rows[i].problem);
      g_assert_cmpstr (text, ==, rows[i].expected);
    }
}

static void
test_find_entry_and_policy_names (void)
{
  g_autoptr (SpConfig) config = sp_config_new_defaults ();

  g_assert_cmpstr (sp_config_find_entry (config->disposition_codes, "callback")->name, ==,
                   "Call back");
  g_assert_null (sp_config_find_entry (config->disposition_codes, "Callback"));
  g_assert_null (sp_config_find_entry (config->agents, "bob"));
  g_assert_cmpstr (sp_remote_video_policy_to_string (SP_REMOTE_VIDEO_ACCEPT), ==, "accept");
  g_assert_cmpstr (sp_remote_video_policy_to_string (SP_REMOTE_VIDEO_ASK), ==, "ask");
  g_assert_cmpstr (sp_remote_video_policy_to_string (SP_REMOTE_VIDEO_REJECT), ==, "reject");
}

static char *
put_config_in (const char *dir)
{
  g_autofree char *sub = g_build_filename (dir, "sportello", NULL);
  g_autofree char *path = g_build_filename (sub, "sportello.conf", NULL);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  return g_steal_pointer (&path);
}

static void
test_default_path (void)
{
  const char *system_dir = g_get_system_config_dirs ()[0];
  g_autofree char *none = NULL;
  g_autofree char *system_path = NULL;
  g_autofree char *found_system = NULL;
  g_autofree char *user_path = NULL;
  g_autofree char *found_user = NULL;

  /* G_TEST_OPTION_ISOLATE_DIRS points $XDG_CONFIG_HOME and $XDG_CONFIG_DIRS at fresh, empty
   * directories of this test (through GLib's cache, not the environment). */
  none = sp_config_find_default_path ();
  g_assert_null (none);

  system_path = put_config_in (system_dir);
  found_system = sp_config_find_default_path ();
  g_assert_cmpstr (found_system, ==, system_path);

  user_path = put_config_in (g_get_user_config_dir ());
  found_user = sp_config_find_default_path ();
  g_assert_cmpstr (found_user, ==, user_path);
}

/* A directory where the file should be is not a config file. */
static void
test_default_path_ignores_directory (void)
{
  g_autofree char *user
    = g_build_filename (g_get_user_config_dir (), "sportello", "sportello.conf", NULL);
  g_autofree char *system
    = g_build_filename (g_get_system_config_dirs ()[0], "sportello", "sportello.conf", NULL);
  g_autofree char *found = NULL;

  g_assert_cmpint (g_mkdir_with_parents (user, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (system, 0700), ==, 0);
  found = sp_config_find_default_path ();
  g_assert_null (found);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/load/example-file", test_example_file);
  g_test_add_func ("/config/load/inline-values", test_inline_values);
  g_test_add_func ("/config/load/empty-file", test_empty_file);
  g_test_add_func ("/config/load/empty-prefix", test_empty_prefix_allowed);
  g_test_add_func ("/config/load/web-bridge", test_web_bridge);
  g_test_add_func ("/config/load/co-browse", test_cobrowse);
  g_test_add_func ("/config/load/readiness-and-routing", test_readiness_and_routing);
  g_test_add_func ("/config/load/security", test_security);
  g_test_add_func ("/config/load/security-sdes-without-tls", test_security_sdes_without_tls);
  for (gsize i = 0; i < G_N_ELEMENTS (security_file_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/config/problem/security-file/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (name, &security_file_cases[i], test_security_file);
    }
  for (guint i = 0; i < G_N_ELEMENTS (problem_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/problem/%s", problem_cases[i].name);
      g_test_add_data_func (path, &problem_cases[i], test_problem);
    }
  g_test_add_func ("/config/problem/several", test_several_problems);
  g_test_add_func ("/config/problem/optional-array", test_problems_optional);
  g_test_add_func ("/config/error/missing-file", test_missing_file);
  g_test_add_func ("/config/error/parse", test_parse_error);
  g_test_add_func ("/config/problem-to-string", test_problem_to_string);
  g_test_add_func ("/config/find-entry-and-policy-names", test_find_entry_and_policy_names);
  g_test_add_func ("/config/default-path/xdg", test_default_path);
  g_test_add_func ("/config/default-path/ignores-directory", test_default_path_ignores_directory);
  return g_test_run ();
}
