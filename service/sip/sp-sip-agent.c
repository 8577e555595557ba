/* Sofia-SIP NUA on the default GMainContext (threading off), its logs routed into GLib's, one
 * registration handle, and the event callback as a thin dispatcher to the bound legs. */
#include "sp-sip-private.h"

#include "sp-attached-data.h"
#include "sp-dial-target.h"
#include "sp-invite-check.h"
#include "sp-sip-agent.h"
#include "sp-sip-tls.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_uniqueid.h>
#include <sofia-sip/url.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define REGISTER_RETRY_FIRST_S 2
#define REGISTER_RETRY_MAX_S 30

struct _SpSipAgent
{
  GObject parent_instance;

  gboolean tls; /* transport = tls: we listen, call and register over TLS */
  /* With TLS, the Contact we send, "<sip:HOST:PORT;transport=tls>", once the port is known.
   * Sofia would write <sips:HOST:PORT>: a sips: Contact obliges every hop of the dialog to use
   * TLS (RFC 5630 §3.1.3), and baresip 1.0.0 cannot send its ACK to one at all (ENOSYS). */
  char *tls_contact;
  gboolean started; /* sp_sip_agent_start() was called: register once the Contact is known */

  su_root_t *root;
  GSource *root_source;
  nua_t *nua;
  nua_handle_t *registration;
  char *aor;
  char *display_name;
  char *registrar;
  char *proxy;
  char *local_address;
  char *contact_uri;
  char *domain;
  char *password;
  char *uui_key;
  GStrv attached_headers;
  GStrv uri_headers; /* the attached-data headers a Request-URI may carry */

  const char *registration_state;
  char *registration_error;
  gboolean auth_tried;
  gboolean credentials_refused; /* the last REGISTER failed on authentication */
  guint register_retry_id;
  guint register_retry_s;
  GTask *shutdown_task;
  guint destroy_id;
};

enum
{
  PROP_0,
  PROP_REGISTRATION,
  PROP_CONTACT_URI,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_INCOMING_CALL,
  SIGNAL_REPLACING_CALL,
  SIGNAL_PASSWORD_NEEDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
sp_sip_agent_telephony_init (SpTelephonyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpSipAgent, sp_sip_agent, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_TELEPHONY,
                                                      sp_sip_agent_telephony_init))

/* ---- logging: Sofia prints lines in pieces; collect them up to the newline ---- */

static GString *sofia_line;

static void
on_sofia_log (void *stream, char const *format, va_list args)
{
  if (!sofia_line)
    sofia_line = g_string_new (NULL);
  g_string_append_vprintf (sofia_line, format, args);
  if (sofia_line->len && sofia_line->str[sofia_line->len - 1] == '\n')
    {
      g_string_truncate (sofia_line, sofia_line->len - 1);
      g_log_structured ("sportello-sip", G_LOG_LEVEL_DEBUG, "MESSAGE", "sofia: %s",
                        sofia_line->str);
      g_string_truncate (sofia_line, 0);
    }
}

/* ---- registration ---- */

static void
set_registration (SpSipAgent *self, const char *state, const char *error)
{
  if (g_strcmp0 (self->registration_error, error) != 0)
    {
      g_free (self->registration_error);
      self->registration_error = g_strdup (error);
    }
  if (self->registration_state == state)
    return;
  self->registration_state = state;
  g_log_structured ("sportello-sip", G_LOG_LEVEL_INFO, "MESSAGE", "registration: %s%s%s", state,
                    error ? ": " : "", error ? error : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTRATION]);
}

static void
send_register (SpSipAgent *self);

static gboolean
on_register_retry (gpointer data)
{
  SpSipAgent *self = data;

  self->register_retry_id = 0;
  /* After a refused password, read it again: the admin may have stored the right one
   * meanwhile (sportelloctl secret set). The handler calls sp_sip_agent_start(). */
  if (self->credentials_refused
      && g_signal_has_handler_pending (self, signals[SIGNAL_PASSWORD_NEEDED], 0, FALSE))
    g_signal_emit (self, signals[SIGNAL_PASSWORD_NEEDED], 0);
  else
    send_register (self);
  return G_SOURCE_REMOVE;
}

static void
send_register (SpSipAgent *self)
{
  /* A handle whose REGISTER failed (refused credentials, a dead registrar) is not reused:
   * Sofia keeps its failed client state, and a fresh handle starts clean. */
  if (self->registration && g_strcmp0 (self->registration_state, "failed") == 0)
    {
      nua_handle_bind (self->registration, NULL);
      g_clear_pointer (&self->registration, nua_handle_destroy);
    }
  if (!self->registration)
    self->registration = nua_handle (self->nua, NULL, SIPTAG_TO_STR (self->aor),
                                     SIPTAG_FROM_STR (self->aor), TAG_END ());
  nua_handle_bind (self->registration, G_OBJECT (self));
  self->auth_tried = FALSE;
  set_registration (self, "registering", NULL);
  nua_register (self->registration, NUTAG_REGISTRAR (self->registrar),
                TAG_IF (*self->proxy, NUTAG_PROXY (self->proxy)),
                TAG_IF (self->tls_contact, SIPTAG_CONTACT_STR (self->tls_contact)), TAG_END ());
}

static void
schedule_register_retry (SpSipAgent *self)
{
  g_clear_handle_id (&self->register_retry_id, g_source_remove);
  if (self->shutdown_task)
    return;
  /* Back off from 2 s to 30 s: a registrar that restarts is back quickly, a dead one is not
   * hammered. */
  self->register_retry_s
    = CLAMP (self->register_retry_s * 2, REGISTER_RETRY_FIRST_S, REGISTER_RETRY_MAX_S);
  self->register_retry_id = g_timeout_add_seconds (self->register_retry_s, on_register_retry, self);
}

static char *
realm_of (const sip_t *sip)
{
  const msg_auth_t *challenge
    = sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
  const char *realm = challenge ? msg_params_find (challenge->au_params, "realm=") : NULL;
  gsize len;

  if (!realm)
    return NULL;
  len = strlen (realm);
  if (len >= 2 && realm[0] == '"')
    return g_strndup (realm + 1, len - 2);
  return g_strdup (realm);
}

static char *
aor_user (SpSipAgent *self)
{
  const char *user = strchr (self->aor, ':') + 1;
  const char *at = strchr (user, '@');

  return at ? g_strndup (user, (gsize)(at - user)) : g_strdup (user);
}

/* Answers a 401/407 once with our credentials; a second challenge means they were refused. */
static gboolean
authenticate (SpSipAgent *self, nua_handle_t *handle, const sip_t *sip)
{
  g_autofree char *realm = sip ? realm_of (sip) : NULL;
  g_autofree char *user = aor_user (self);
  g_autofree char *credentials = NULL;
  const char *scheme = "Digest";

  if (!realm || !self->password || self->auth_tried)
    return FALSE;
  self->auth_tried = TRUE;
  credentials = g_strdup_printf ("%s:\"%s\":%s:%s", scheme, realm, user, self->password);
  nua_authenticate (handle, NUTAG_AUTH (credentials), TAG_END ());
  return TRUE;
}

static void
on_register_response (SpSipAgent *self, int status, const char *phrase, const sip_t *sip)
{
  g_autofree char *reason = NULL;

  if (status < 200)
    return;
  if (status < 300)
    {
      self->auth_tried = FALSE;
      self->credentials_refused = FALSE;
      self->register_retry_s = 0;
      set_registration (self, "registered", NULL);
      return;
    }
  if ((status == 401 || status == 407) && authenticate (self, self->registration, sip))
    return;
  self->credentials_refused = status == 401 || status == 407;
  if ((status == 401 || status == 407) && !self->password)
    reason
      = g_strdup_printf ("%d %s: no password stored (sportelloctl secret set)", status, phrase);
  else
    reason = g_strdup_printf ("%d %s", status, phrase);
  set_registration (self, "failed", reason);
  schedule_register_retry (self);
}

/* ---- the NUA callback ---- */

/* An INVITE we refuse is answered here and never becomes a call leg (sp-invite-check.c). */
static gboolean
refuse_incoming_invite (SpSipAgent *self, nua_handle_t *handle, const sip_t *sip)
{
  SpInviteRefusal refusal;
  char status[16];

  if (!sip || sp_invite_check (sip, (const char *const *)self->uri_headers, &refusal))
    return FALSE;
  g_snprintf (status, sizeof status, "%d", refusal.status);
  g_log_structured ("sportello-sip", G_LOG_LEVEL_INFO, "SIP_CALL_ID",
                    sip->sip_call_id ? sip->sip_call_id->i_id : "", "SIP_STATUS", status, "MESSAGE",
                    "incoming INVITE refused with %d: %s", refusal.status, refusal.reason);
  nua_respond (handle, refusal.status, refusal.phrase,
               TAG_IF (refusal.accept, SIPTAG_ACCEPT_STR (refusal.accept)), TAG_END ());
  nua_handle_destroy (handle);
  return TRUE;
}

/* The Replaces of an INVITE (RFC 3891): its header, or one a phone left in the Request-URI
 * when it called a Refer-To URI as it is (baresip). NULL when there is none. */
static sip_replaces_t *
replaces_of (su_home_t *home, const sip_t *sip)
{
  const char *query = sip->sip_request ? sip->sip_request->rq_url->url_headers : NULL;
  g_auto (GStrv) pairs = g_strsplit (query ? query : "", "&", -1);

  if (sip->sip_replaces)
    return sip_replaces_dup (home, sip->sip_replaces);
  for (guint i = 0; pairs[i]; i++)
    if (g_ascii_strncasecmp (pairs[i], "Replaces=", 9) == 0)
      {
        g_autofree char *value = sp_uri_header_value (pairs[i] + 9);
        return value ? sip_replaces_make (home, value) : NULL;
      }
  return NULL;
}

/* The established leg of ours an INVITE with Replaces takes over, or NULL; ASKED says whether
 * the INVITE had a Replaces at all. */
static SpCallLeg *
replaced_leg (SpSipAgent *self, const sip_t *sip, gboolean *asked)
{
  su_home_t home[1] = { SU_HOME_INIT (home) };
  sip_replaces_t *replaces = replaces_of (home, sip);
  nua_handle_t *old = replaces ? nua_handle_by_replaces (self->nua, replaces) : NULL;
  SpCallLeg *leg = NULL;

  *asked = replaces != NULL;
  if (old)
    {
      GObject *bound = nua_handle_magic (old);

      if (bound && SP_IS_CALL_LEG (bound) && sp_call_leg_is_established (SP_CALL_LEG (bound))
          && !sp_call_leg_is_ended (SP_CALL_LEG (bound)))
        leg = g_object_ref (SP_CALL_LEG (bound));
      nua_handle_unref (old);
    }
  su_home_deinit (home);
  return leg;
}

static SpCallLeg *
new_incoming_leg (SpSipAgent *self, nua_handle_t *handle, const sip_t *sip)
{
  SpCallLeg *leg = sp_call_leg_new_incoming (handle, sip);

  sp_call_leg_set_contact (leg, self->tls_contact);
  sp_call_leg_set_header_map (leg, self->uui_key, (const char *const *)self->attached_headers);
  sp_call_leg_set_attached_data (
    leg, sp_attached_data_from_headers (
           sp_call_leg_get_headers (leg),
           &(SpAttachedDataMap){ self->uui_key, (const char *const *)self->attached_headers }));
  return leg;
}

/* RFC 3891: the new leg takes the place of OLD in its interaction (no new ringing session). */
static void
on_replacing_invite (SpSipAgent *self, nua_handle_t *handle, const sip_t *sip, SpCallLeg *old)
{
  g_autoptr (SpCallLeg) leg = new_incoming_leg (self, handle, sip);

  g_log_structured ("sportello-sip", G_LOG_LEVEL_INFO, "SIP_CALL_ID", sp_call_leg_get_call_id (leg),
                    "MESSAGE", "%s replaces the call %s", sp_call_leg_get_remote_uri (leg),
                    sp_call_leg_get_call_id (old));
  g_signal_emit (self, signals[SIGNAL_REPLACING_CALL], 0, old, leg);
  if (G_OBJECT (leg)->ref_count == 1 && !sp_call_leg_is_ended (leg))
    sp_call_leg_reject (leg, 481, "Call/Transaction Does Not Exist");
}

static void
on_incoming_invite (SpSipAgent *self, nua_handle_t *handle, const sip_t *sip)
{
  g_autoptr (SpCallLeg) leg = NULL;
  g_autoptr (SpCallLeg) old = NULL;
  gboolean asked = FALSE;

  if (refuse_incoming_invite (self, handle, sip))
    return;
  old = replaced_leg (self, sip, &asked);
  if (asked && !old)
    {
      /* RFC 3891 §3: no confirmed dialog of ours matches. */
      nua_respond (handle, 481, "Call/Transaction Does Not Exist", TAG_END ());
      nua_handle_destroy (handle);
      return;
    }
  if (old)
    {
      on_replacing_invite (self, handle, sip, old);
      return;
    }
  leg = new_incoming_leg (self, handle, sip);
  g_log_structured ("sportello-sip", G_LOG_LEVEL_INFO, "SIP_CALL_ID", sp_call_leg_get_call_id (leg),
                    "MESSAGE", "incoming call from %s", sp_call_leg_get_remote_uri (leg));
  g_signal_emit (self, signals[SIGNAL_INCOMING_CALL], 0, leg);
  /* Nobody took the call (e.g. during shutdown): refuse it rather than leave it ringing. */
  if (G_OBJECT (leg)->ref_count == 1 && !sp_call_leg_is_ended (leg))
    sp_call_leg_reject (leg, 480, "Temporarily Unavailable");
}

/* Where we really listen: with port 0 in [account] listen, the stack picked one. With TLS, the
 * stack's only transport is TLS and its contact is sips:HOST:PORT. */
static void
on_params (SpSipAgent *self, tagi_t tags[])
{
  sip_contact_t const *contact = NULL;
  g_autofree char *uri = NULL;

  tl_gets (tags, NTATAG_CONTACT_REF (contact), TAG_END ());
  if (!contact || !contact->m_url->url_host)
    return;
  uri = g_strdup_printf (
    "sip:%s%s%s%s", contact->m_url->url_host, contact->m_url->url_port ? ":" : "",
    contact->m_url->url_port ? contact->m_url->url_port : "", self->tls ? ";transport=tls" : "");
  if (g_strcmp0 (uri, self->contact_uri) == 0)
    return;
  g_free (self->contact_uri);
  self->contact_uri = g_steal_pointer (&uri);
  g_info ("listening for SIP at %s", self->contact_uri);
  if (self->tls)
    {
      g_free (self->tls_contact);
      self->tls_contact = g_strdup_printf ("<%s>", self->contact_uri);
      if (self->started && *self->registrar && !self->registration && !self->shutdown_task)
        send_register (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT_URI]);
}

static gboolean
on_destroy_idle (gpointer data)
{
  SpSipAgent *self = data;
  g_autoptr (GTask) task = g_steal_pointer (&self->shutdown_task);

  self->destroy_id = 0;
  /* Never inside the NUA callback: nua_destroy() may iterate the stack (ANCHORS). */
  g_clear_pointer (&self->nua, nua_destroy);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* Nobody transfers the contact without the agent (ANCHORS: never act on a REFER silently):
 * 603 inside one of our calls, 403 outside any. */
static void
refuse_refer (nua_t *nua, nua_handle_t *handle, GObject *bound, const sip_t *sip)
{
  gboolean in_call = bound && SP_IS_CALL_LEG (bound);

  g_log_structured ("sportello-sip", G_LOG_LEVEL_INFO, "SIP_CALL_ID",
                    sip && sip->sip_call_id ? sip->sip_call_id->i_id : "", "MESSAGE",
                    "refusing a REFER %s: transfers are the agent's to make",
                    in_call ? "in a call" : "outside any call");
  nua_respond (handle, in_call ? 603 : 403, "Transfer Not Allowed", NUTAG_WITH_CURRENT (nua),
               TAG_END ());
  if (!in_call)
    nua_handle_destroy (handle);
}

static void
on_nua_event (nua_event_t event, int status, char const *phrase, nua_t *nua,
              struct _SpSipAgent *self, nua_handle_t *handle, GObject *bound, sip_t const *sip,
              tagi_t tags[])
{
  char status_text[16];

  g_snprintf (status_text, sizeof status_text, "%d", status);
  g_log_structured ("sportello-sip", G_LOG_LEVEL_DEBUG, "SIP_STATUS", status_text, "MESSAGE",
                    "%s %d %s", nua_event_name (event), status, phrase ? phrase : "");
  if (event == nua_r_get_params)
    {
      on_params (self, tags);
      return;
    }
  if (event == nua_r_shutdown)
    {
      if (status >= 200 && self->shutdown_task && !self->destroy_id)
        self->destroy_id = g_idle_add (on_destroy_idle, self);
      return;
    }
  if (event == nua_i_refer && handle)
    {
      refuse_refer (nua, handle, bound, sip);
      return;
    }
  if (bound && SP_IS_CALL_LEG (bound))
    {
      sp_call_leg_handle_event (SP_CALL_LEG (bound), event, status, phrase, sip, tags);
      return;
    }
  if (bound == G_OBJECT (self) && (event == nua_r_register || event == nua_r_unregister))
    {
      if (event == nua_r_register)
        on_register_response (self, status, phrase, sip);
      return;
    }
  if (event == nua_i_invite && !bound && handle)
    {
      if (self->shutdown_task)
        nua_respond (handle, SIP_503_SERVICE_UNAVAILABLE, TAG_END ());
      else
        on_incoming_invite (self, handle, sip);
      return;
    }
  /* Requests outside any dialog we know (OPTIONS is answered by NUA itself). */
  if (!bound && handle && event != nua_i_state && event != nua_i_terminated)
    nua_handle_destroy (handle);
}

/* ---- creation, dialling, shutdown ---- */

static gboolean
uses_tls (const SpSipSettings *settings)
{
  return settings->transport && g_str_equal (settings->transport, "tls");
}

/* With TLS we listen on TLS only, through NUTAG_SIPS_URL alone (";transport=tls" in NUTAG_URL
 * makes nua_create fail): no SIP in clear on any port. */
static char *
listen_url (const SpSipSettings *settings)
{
  const char *transport
    = settings->transport && g_str_equal (settings->transport, "tcp") ? ";transport=tcp" : "";

  if (uses_tls (settings))
    return g_strdup_printf ("sips:%s", settings->listen);
  return g_strdup_printf ("sip:%s%s", settings->listen, transport);
}

/* transport = tls: a sip: URI without a transport of its own is reached over TLS too. */
static char *
with_tls_transport (SpSipAgent *self, const char *uri)
{
  if (self->tls && g_str_has_prefix (uri, "sip:") && !strstr (uri, ";transport="))
    return g_strconcat (uri, ";transport=tls", NULL);
  return g_strdup (uri);
}

static char *
host_of (const char *listen)
{
  const char *colon = strrchr (listen, ':');
  return colon ? g_strndup (listen, (gsize)(colon - listen)) : g_strdup (listen);
}

static char *
domain_of (const char *aor)
{
  const char *at = strchr (aor, '@');
  g_autofree char *domain = g_strdup (at ? at + 1 : "");

  domain[strcspn (domain, ";>?")] = '\0';
  return g_steal_pointer (&domain);
}

/* User-to-User (when it maps to a key) and the names of the "Header-Name=Key" entries. */
static GStrv
attached_header_names (const char *uui_key, const char *const *header_map)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

  /* Replaces is read as the header it stands for (RFC 3891), never as attached data. */
  g_strv_builder_add (names, "Replaces");
  if (uui_key)
    g_strv_builder_add (names, "User-to-User");
  for (guint i = 0; header_map && header_map[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (header_map[i], "=", 2);
      g_strv_builder_add (names, g_strstrip (pair[0]));
    }
  return g_strv_builder_end (names);
}

/* verify-peer checks the certificate of every server we connect to (registrar, proxy, a phone we
 * call) against the CAs and its subject against the host we asked for. Connections to us are not
 * asked for a certificate: SIP clients rarely have one (RFC 3261 §26.3.1 foresees mutual TLS
 * between proxies, not from user agents). */
static int
tls_verify_policy (const SpSipSettings *settings)
{
  return settings->tls_verify_peer ? TPTLS_VERIFY_SUBJECTS_OUT : TPTLS_VERIFY_NONE;
}

SpSipAgent *
sp_sip_agent_new (const SpSipSettings *settings, GError **error)
{
  g_autoptr (SpSipAgent) self = g_object_new (SP_TYPE_SIP_AGENT, NULL);
  g_autofree char *url = listen_url (settings);
  g_autofree char *from = NULL;
  g_autofree char *tls_dir = NULL;

  self->tls = uses_tls (settings);
  self->aor = g_strdup (settings->aor);
  self->display_name = g_strdup (settings->display_name ? settings->display_name : "");
  self->registrar = with_tls_transport (self, settings->registrar ? settings->registrar : "");
  self->proxy = with_tls_transport (self, settings->proxy ? settings->proxy : "");
  self->local_address = host_of (settings->listen);
  self->uui_key = g_strdup (settings->uui_key);
  self->attached_headers = g_strdupv ((char **)settings->attached_headers);
  self->uri_headers = attached_header_names (self->uui_key, settings->attached_headers);
  self->domain = domain_of (settings->aor);
  self->registration_state = *self->registrar ? "unregistered" : "disabled";
  from = *self->display_name ? g_strdup_printf ("\"%s\" <%s>", self->display_name, self->aor)
                             : g_strdup (self->aor);

  /* Seeds Sofia's generator before any Call-ID or tag (sofia-sip #58), and makes the thread key
   * it keeps the generator in. Debian's Sofia deletes that key at exit whether it was made or
   * not: unmade, it deletes key 0, which is GLib's, and a GLib thread still at work aborts. So
   * this comes first, before anything below can fail. */
  (void)su_random64 ();
  if (self->tls
      && !(tls_dir = sp_sip_tls_dir_new (settings->tls_certificate, settings->tls_private_key,
                                         settings->tls_ca, error)))
    return NULL;
  su_init ();
  su_log_redirect (NULL, on_sofia_log, NULL);
  self->root = su_glib_root_create (self);
  su_root_threading (self->root, 0); /* before nua_create: keep the stack on the GLib thread */
  self->root_source = su_glib_root_gsource (self->root);
  g_source_attach (self->root_source, NULL);
  self->nua = nua_create (
    self->root, on_nua_event, self, TAG_IF (!self->tls, NUTAG_URL (url)),
    TAG_IF (self->tls, NUTAG_SIPS_URL (url)), NUTAG_MEDIA_ENABLE (0), NUTAG_AUTOANSWER (0),
    NUTAG_AUTOACK (1), NUTAG_APPL_METHOD ("REFER"), SIPTAG_FROM_STR (from),
    SIPTAG_USER_AGENT_STR ("Sportello/" SP_VERSION),
    NUTAG_ALLOW ("INVITE, ACK, BYE, CANCEL, OPTIONS, NOTIFY, REFER, INFO"),
    TAG_IF (*self->proxy, NUTAG_PROXY (self->proxy)),
    TAG_IF (self->tls, NUTAG_CERTIFICATE_DIR (tls_dir)),
    TAG_IF (self->tls, TPTAG_TLS_VERIFY_POLICY (tls_verify_policy (settings))),
    /* A TLS connection closed in its handshake (e.g. a certificate we do not trust) fails the
     * requests waiting for it at once; without this they wait for a timeout (32 s). */
    TAG_IF (self->tls, TPTAG_SDWN_ERROR (1)), TAG_END ());
  /* Sofia read the certificate, key and CAs into its TLS context while binding: the copies go. */
  sp_sip_tls_dir_remove (tls_dir);
  if (!self->nua)
    {
      g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_FAILED, "cannot listen for SIP on %s: %s",
                   settings->listen, g_strerror (errno));
      return NULL;
    }
  nua_get_params (self->nua, TAG_ANY (), TAG_END ());
  return g_steal_pointer (&self);
}

const char *
sp_sip_agent_get_contact_uri (SpSipAgent *self)
{
  return self->contact_uri ? self->contact_uri : "";
}

void
sp_sip_agent_start (SpSipAgent *self, const char *password)
{
  /* A password lookup may finish while the stack shuts down: nothing to register then. */
  if (self->shutdown_task || !self->nua)
    return;
  g_free (self->password);
  self->password = g_strdup (password);
  self->started = TRUE;
  /* With TLS, on_params() registers once our Contact is known. */
  if (*self->registrar && (!self->tls || self->tls_contact))
    send_register (self);
}

const char *
sp_sip_agent_get_registration (SpSipAgent *self)
{
  return self->registration_state;
}

const char *
sp_sip_agent_get_registration_error (SpSipAgent *self)
{
  return self->registration_error;
}

const char *
sp_sip_agent_get_local_address (SpSipAgent *self)
{
  return self->local_address;
}

char *
sp_sip_agent_target_uri (SpSipAgent *self, const char *target, GError **error)
{
  g_autofree char *uri = sp_dial_target_to_uri (target, self->domain, error);

  return uri ? with_tls_transport (self, uri) : NULL;
}

SpCallLeg *
sp_sip_agent_dial (SpSipAgent *self, const char *target, const char *headers, const char *offer_sdp,
                   GError **error)
{
  nua_handle_t *handle;
  SpCallLeg *leg;
  /* Our own Call-ID, known before anything is sent, so that the session's log lines carry it
   * from the start (Sofia would only tell us with the first response). */
  g_autofree char *call_id = g_uuid_string_random ();

  if (self->shutdown_task)
    {
      g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_FAILED, "the SIP stack is shutting down");
      return NULL;
    }
  handle = nua_handle (self->nua, NULL, SIPTAG_TO_STR (target), SIPTAG_CALL_ID_STR (call_id),
                       TAG_END ());
  if (!handle)
    {
      g_set_error (error, SP_SIP_ERROR, SP_SIP_ERROR_INVALID, "cannot call '%s'", target);
      return NULL;
    }
  leg = sp_call_leg_new_outgoing (handle, target, call_id);
  sp_call_leg_set_header_map (leg, self->uui_key, (const char *const *)self->attached_headers);
  sp_call_leg_set_contact (leg, self->tls_contact);
  nua_invite (
    handle, NUTAG_AUTOANSWER (0), TAG_IF (headers && *headers, SIPTAG_HEADER_STR (headers)),
    TAG_IF (self->tls_contact, SIPTAG_CONTACT_STR (self->tls_contact)),
    SIPTAG_CONTENT_TYPE_STR ("application/sdp"), SIPTAG_PAYLOAD_STR (offer_sdp), TAG_END ());
  return leg;
}

void
sp_sip_agent_shutdown_async (SpSipAgent *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_clear_handle_id (&self->register_retry_id, g_source_remove);
  if (!self->nua || self->shutdown_task)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  self->shutdown_task = task;
  /* Unregisters and ends every dialog; nua_r_shutdown follows (200, or 500 after its timeout). */
  nua_shutdown (self->nua);
}

gboolean
sp_sip_agent_shutdown_finish (SpSipAgent *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_sip_agent_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SpSipAgent *self = SP_SIP_AGENT (object);

  switch (prop_id)
    {
      case PROP_REGISTRATION:
        g_value_set_string (value, self->registration_state);
        break;
      case PROP_CONTACT_URI:
        g_value_set_string (value, sp_sip_agent_get_contact_uri (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_sip_agent_dispose (GObject *object)
{
  SpSipAgent *self = SP_SIP_AGENT (object);

  g_clear_handle_id (&self->register_retry_id, g_source_remove);
  g_clear_handle_id (&self->destroy_id, g_source_remove);
  if (self->registration)
    {
      nua_handle_bind (self->registration, NULL);
      g_clear_pointer (&self->registration, nua_handle_destroy);
    }
  if (self->nua)
    {
      /* Only reached when shutdown did not finish in time: nua_destroy would abort. */
      g_warning ("the SIP stack did not shut down cleanly");
      self->nua = NULL;
    }
  if (self->root)
    {
      /* su_root_destroy() also destroys the GSource it made. */
      g_clear_pointer (&self->root, su_root_destroy);
      self->root_source = NULL;
      su_deinit ();
    }
  G_OBJECT_CLASS (sp_sip_agent_parent_class)->dispose (object);
}

static void
sp_sip_agent_finalize (GObject *object)
{
  SpSipAgent *self = SP_SIP_AGENT (object);

  g_free (self->uui_key);
  g_strfreev (self->attached_headers);
  g_strfreev (self->uri_headers);
  g_free (self->aor);
  g_free (self->display_name);
  g_free (self->registrar);
  g_free (self->proxy);
  g_free (self->local_address);
  g_free (self->contact_uri);
  g_free (self->tls_contact);
  g_free (self->domain);
  if (self->password)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->registration_error);
  G_OBJECT_CLASS (sp_sip_agent_parent_class)->finalize (object);
}

static void
sp_sip_agent_class_init (SpSipAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sp_sip_agent_get_property;
  object_class->dispose = sp_sip_agent_dispose;
  object_class->finalize = sp_sip_agent_finalize;
  properties[PROP_REGISTRATION] = g_param_spec_string ("registration", NULL, NULL, "disabled",
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTACT_URI] = g_param_spec_string ("contact-uri", NULL, NULL, "",
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_PASSWORD_NEEDED]
    = g_signal_new ("password-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
  g_type_default_interface_unref (g_type_default_interface_ref (SP_TYPE_TELEPHONY));
  signals[SIGNAL_INCOMING_CALL] = g_signal_lookup ("incoming-call", SP_TYPE_TELEPHONY);
  signals[SIGNAL_REPLACING_CALL] = g_signal_lookup ("replacing-call", SP_TYPE_TELEPHONY);
}

static void
sp_sip_agent_init (SpSipAgent *self)
{
  self->registration_state = "disabled";
}

/* ---- SpTelephony ---- */

static char *
telephony_target_uri (SpTelephony *telephony, const char *target, GError **error)
{
  return sp_sip_agent_target_uri (SP_SIP_AGENT (telephony), target, error);
}

static SpLeg *
telephony_dial (SpTelephony *telephony, const char *target_uri, GVariant *attached_data,
                const char *offer_sdp, GError **error)
{
  SpSipAgent *self = SP_SIP_AGENT (telephony);
  SpAttachedDataMap map = { self->uui_key, (const char *const *)self->attached_headers };
  g_autofree char *headers = NULL;

  if (attached_data && !sp_attached_data_check (attached_data, error))
    return NULL;
  headers = attached_data ? sp_attached_data_to_headers (attached_data, &map) : NULL;
  return SP_LEG (sp_sip_agent_dial (self, target_uri, headers, offer_sdp, error));
}

static const char *
telephony_get_local_address (SpTelephony *telephony)
{
  return sp_sip_agent_get_local_address (SP_SIP_AGENT (telephony));
}

static void
sp_sip_agent_telephony_init (SpTelephonyInterface *iface)
{
  iface->target_uri = telephony_target_uri;
  iface->dial = telephony_dial;
  iface->get_local_address = telephony_get_local_address;
}
