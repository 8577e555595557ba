/* The service configuration: sportello.conf (GKeyFile) loaded, validated and exposed as plain
 * fields. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_CONFIG_ERROR (sp_config_error_quark ())
GQuark
sp_config_error_quark (void);

typedef enum
{
  SP_CONFIG_ERROR_NOT_FOUND,
  SP_CONFIG_ERROR_PARSE,
  SP_CONFIG_ERROR_INVALID,
} SpConfigError;

typedef enum
{
  SP_REMOTE_VIDEO_ACCEPT,
  SP_REMOTE_VIDEO_ASK,
  SP_REMOTE_VIDEO_REJECT,
} SpRemoteVideoPolicy;

/* [security] media-encryption: whether calls use SRTP (SDES keys, RFC 4568). */
typedef enum
{
  SP_MEDIA_ENCRYPTION_NONE,      /* plain RTP only */
  SP_MEDIA_ENCRYPTION_PREFERRED, /* offer SRTP, accept plain RTP */
  SP_MEDIA_ENCRYPTION_REQUIRED,  /* SRTP or no call: plain offers get 488 */
} SpMediaEncryption;

/* One entry of the agents directory, the queues or the disposition checklist. */
typedef struct
{
  char *id;
  char *name; /* the label, for a disposition code */
  char *uri;  /* NULL for a disposition code */
} SpDirectoryEntry;

/* A problem found while validating: enough for an admin to find and fix it. */
typedef struct
{
  char *file;
  char *group; /* NULL when the whole file is concerned */
  char *key;   /* NULL when the whole group is concerned */
  char *reason;
} SpConfigProblem;

typedef struct
{
  char *path; /* NULL for the embedded defaults */

  char *account_uri;
  char *display_name;
  char *registrar;
  char *proxy;
  char *listen;
  char *transport;

  char *audio_source;
  char *audio_sink;
  char *camera;
  guint video_width;
  guint video_height;
  guint video_framerate;
  guint video_bitrate_kbps;
  guint rtp_port_min;
  guint rtp_port_max;
  guint rtp_timeout_s; /* 0: never end a call for lack of RTP */

  gboolean video_allowed;
  SpRemoteVideoPolicy remote_video_offers;
  char *browser_stun_server;   /* stun://HOST:PORT for browser video, or NULL */
  char *browser_turn_server;   /* turn(s)://USER:PASSWORD@HOST:PORT for browser video, or NULL */
  GStrv browser_ice_addresses; /* the local addresses ICE offers browsers; empty: all */
  guint video_ask_timeout_s;   /* how long an "ask" offer waits for the CRM before it is declined */
  guint transfer_timeout_s;    /* how long a transfer may take to reach its target's answer */

  GPtrArray *disposition_codes; /* of SpDirectoryEntry */
  gboolean disposition_required;
  gboolean disposition_visible;

  GStrv case_data_keys;
  GStrv case_from_attached; /* "CaseKey=AttachedKey": initial case values taken from the call */

  GPtrArray *agents; /* of SpDirectoryEntry */
  GPtrArray *queues; /* of SpDirectoryEntry */

  char *uui_key;          /* attached-data key of User-to-User, NULL to ignore it */
  GStrv attached_headers; /* "Header-Name=Key" */

  char *international_prefix;
  char *data_dir; /* NULL: $XDG_DATA_HOME/sportello */

  guint web_bridge_port;    /* the web bridge listens on loopback at this port */
  GStrv web_bridge_origins; /* web origins allowed to use it, "scheme://host[:port]" */

  char *cobrowse_listen;          /* "HOST:PORT" the co-browse relay listens on */
  char *cobrowse_public_url;      /* the relay as customers reach it, no trailing slash */
  GStrv cobrowse_site_origins;    /* the company origins co-browsed; empty: co-browse off */
  char *cobrowse_start_url;       /* where a customer lands; NULL when co-browse is off */
  guint cobrowse_code_lifetime_s; /* a join code's validity before anyone joined */
  guint cobrowse_max_attempts;    /* wrong codes per minute before joins are refused */

  GPtrArray *not_ready_reasons; /* of SpDirectoryEntry: the reasons an agent may give */
  guint after_call_work_s;      /* after-call work's limit; 0: no after-call work */
  gboolean start_ready;         /* the agent is Ready when the service starts */
  char *routing_rpc;            /* kamailio's JSON-RPC URL; NULL: readiness is not published */
  char *routing_destination;    /* this agent in the dispatcher list; NULL: the account's URI */
  GArray *routing_sets;         /* of guint: the dispatcher sets (queues) this agent serves */
  char *routing_queue_key;      /* the attached-data key a routed call carries; NULL: none */
  char *shared_store_uri;       /* [shared-store] uri: PostgreSQL; NULL: this agent alone */

  char *tls_certificate;    /* PEM certificate (chain) presented over TLS; NULL: none */
  char *tls_private_key;    /* PEM private key of tls_certificate, readable by its owner only */
  char *tls_ca;             /* PEM CA bundle peers are verified against; NULL: the system store */
  gboolean tls_verify_peer; /* FALSE only for self-signed test setups */
  SpMediaEncryption media_encryption;
  gboolean sdes_without_tls; /* the admin allows SDES keys over a transport other than TLS */
} SpConfig;

SpConfig *
sp_config_new_defaults (void);
SpConfig *
sp_config_load (const char *path, GPtrArray **problems, GError **error);
char *
sp_config_find_default_path (void);
/* PATH, or when it is NULL the file sp_config_find_default_path() finds, or the embedded
 * defaults when there is none. */
SpConfig *
sp_config_load_or_defaults (const char *path, GPtrArray **problems, GError **error);
void
sp_config_free (SpConfig *config);

const SpDirectoryEntry *
sp_config_find_entry (GPtrArray *entries, const char *id);
const char *
sp_remote_video_policy_to_string (SpRemoteVideoPolicy policy);
/* "none", "preferred", "required". */
const char *
sp_media_encryption_to_string (SpMediaEncryption policy);
char *
sp_config_problem_to_string (const SpConfigProblem *problem);
void
sp_config_problem_free (SpConfigProblem *problem);
void
sp_directory_entry_free (SpDirectoryEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpConfig, sp_config_free)

G_END_DECLS
