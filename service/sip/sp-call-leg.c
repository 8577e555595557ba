/* A call leg: turns NUA events of one INVITE dialog into a few GObject signals, and the
 * domain's decisions back into SIP. SDP goes as application/sdp bodies we build ourselves
 * (NUA's own SDP engine is off: NUTAG_MEDIA_ENABLE(0)). */
#include "sp-sip-private.h"

#include "sp-attached-data.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/url.h>
#include <string.h>

#define SDP_TYPE "application/sdp"
/* The flag Sofia's transaction layer sets on responses it makes up itself (a timeout, a failed
 * connection): NTA_INTERNAL_MSG of nta_internal.h, not installed, unchanged since 1.12. */
#define SOFIA_INTERNAL_MSG (1 << 15)

struct _SpCallLeg
{
  GObject parent_instance;

  nua_handle_t *handle;
  gboolean outbound;
  char *call_id;
  char *remote_uri;
  char *remote_name;
  char *initial_offer;
  char *referred_by; /* the Referred-By of the INVITE, "" when none */
  GVariant *headers;
  GVariant *attached_data; /* a{ss}, mapped from headers by the agent */

  gboolean established;
  gboolean accepted; /* we sent 200 OK; the ACK may still be on its way */
  /* Requests that cannot go yet, sent in order once they can: between our 200 OK and its ACK
   * (RFC 3261 §14.2 lets no re-INVITE go before it, and a phone may not know the dialog yet),
   * and a re-INVITE while a MESSAGE or REFER of ours is unanswered: Sofia would queue it behind
   * them and never send it once they complete. */
  GPtrArray *deferred; /* of DeferredRequest */
  guint requests_in_flight; /* our MESSAGEs and REFERs without their final answer */
  gboolean ended;
  gboolean offer_pending;          /* we sent an offer and wait for the answer */
  gboolean answer_expected_in_ack; /* we offered in a 200 to an SDP-less INVITE */
  gboolean hung_up_locally;
  gboolean answered_elsewhere;
  gboolean remote_cancelled;
  gboolean remote_bye;
  gboolean no_response; /* our INVITE's final error came from our own stack, not from the network */

  char *local_tag;  /* our tag in this dialog, once known */
  char *remote_tag; /* the peer's */

  gboolean peer_takes_message; /* the peer's Allow (INVITE or its 2xx) lists MESSAGE */

  /* transfer (RFC 3515): our REFER and the NOTIFYs about it */
  gboolean refer_pending;
  char *uui_key;    /* the attached-data key that travels as User-to-User */
  GStrv header_map; /* "Header-Name=Key" entries for the other keys */

  /* Our Contact for the dialog, NULL: the one Sofia writes. Given in the INVITE or in our first
   * responses to one; Sofia keeps it as the dialog's local target for later requests. */
  char *contact;
};

enum
{
  SIGNAL_REFER_PROGRESS,
  SIGNAL_OFFER,
  SIGNAL_ANSWER,
  SIGNAL_PROGRESS,
  SIGNAL_ESTABLISHED,
  SIGNAL_OFFER_FAILED,
  SIGNAL_ENDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
sp_call_leg_leg_init (SpLegInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpCallLeg, sp_call_leg, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_LEG, sp_call_leg_leg_init))

static char *
payload_of (const sip_t *sip)
{
  if (!sip || !sip->sip_payload || sip->sip_payload->pl_len == 0)
    return NULL;
  if (sip->sip_content_type && g_ascii_strcasecmp (sip->sip_content_type->c_type, SDP_TYPE) != 0)
    return NULL;
  return g_strndup (sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

static char *
unquote (const char *text)
{
  gsize len;

  if (!text)
    return g_strdup ("");
  len = strlen (text);
  if (len >= 2 && text[0] == '"' && text[len - 1] == '"')
    return g_strndup (text + 1, len - 2);
  return g_strdup (text);
}

char *
sp_uri_header_value (const char *escaped)
{
  static const char *const mangled[][2] = {
    { "?to-tag?", ";to-tag=" },
    { "?from-tag?", ";from-tag=" },
    { "?early-only", ";early-only" },
    { "?encoding?", ";encoding=" },
  };
  g_autofree char *value = g_uri_unescape_string (escaped, NULL);
  g_autoptr (GString) repaired = NULL;

  if (!value || strchr (value, ';') || !strchr (value, '?'))
    return g_steal_pointer (&value);
  /* baresip 1.0 calls a Refer-To URI with each escaped ';' and '=' of its header values turned
   * into '?': put back the separators of the parameters that travel this way. */
  repaired = g_string_new (value);
  for (guint i = 0; i < G_N_ELEMENTS (mangled); i++)
    g_string_replace (repaired, mangled[i][0], mangled[i][1], 0);
  return g_string_free (g_steal_pointer (&repaired), FALSE);
}

/* Headers embedded in the request URI ("sip:bob@host?User-to-User=…&X-Case=…"): a phone that
 * took a REFER calls the Refer-To URI as it is instead of turning them into headers (baresip
 * does), so they are read as headers too; a real header of the same name wins (it comes later). */
static void
add_uri_headers (GVariantBuilder *builder, const sip_t *sip)
{
  const char *query = sip && sip->sip_request ? sip->sip_request->rq_url->url_headers : NULL;
  g_auto (GStrv) pairs = g_strsplit (query ? query : "", "&", -1);

  for (guint i = 0; pairs[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (pairs[i], "=", 2);
      g_autofree char *name = pair[0] ? g_uri_unescape_string (pair[0], NULL) : NULL;
      g_autofree char *value = pair[0] && pair[1] ? sp_uri_header_value (pair[1]) : NULL;

      if (name && value && *name && g_ascii_strcasecmp (name, "body") != 0)
        g_variant_builder_add (builder, "(ss)", name, value);
    }
}

static GVariant *
collect_headers (const sip_t *sip)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  add_uri_headers (&builder, sip);
  for (const sip_unknown_t *header = sip ? sip->sip_unknown : NULL; header;
       header = header->un_next)
    if (header->un_name && header->un_value)
      g_variant_builder_add (&builder, "(ss)", header->un_name, header->un_value);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Who transferred the call (RFC 3892): "Name <uri>" or "uri". */
static char *
referrer_of (su_home_t *home, const sip_t *sip)
{
  const sip_referred_by_t *by = sip ? sip->sip_referred_by : NULL;
  g_autofree char *name = NULL;
  const char *uri;

  if (!by)
    return g_strdup ("");
  uri = url_as_string (home, by->b_url);
  name = unquote (by->b_display);
  return *name ? g_strdup_printf ("%s <%s>", name, uri) : g_strdup (uri);
}

SpCallLeg *
sp_call_leg_new_incoming (nua_handle_t *handle, const sip_t *sip)
{
  SpCallLeg *self = g_object_new (SP_TYPE_CALL_LEG, NULL);
  su_home_t *home = su_home_new (sizeof (su_home_t));

  /* NUA created this handle for the INVITE; destroying it is ours to do (release_handle). */
  self->handle = handle;
  nua_handle_bind (handle, G_OBJECT (self));
  self->call_id = g_strdup (sip && sip->sip_call_id ? sip->sip_call_id->i_id : "");
  if (sip && sip->sip_from)
    {
      self->remote_uri = g_strdup (url_as_string (home, sip->sip_from->a_url));
      self->remote_name = unquote (sip->sip_from->a_display);
    }
  else
    {
      self->remote_uri = g_strdup ("");
      self->remote_name = g_strdup ("");
    }
  self->initial_offer = payload_of (sip);
  self->referred_by = referrer_of (home, sip);
  self->answer_expected_in_ack = self->initial_offer == NULL;
  self->headers = collect_headers (sip);
  self->peer_takes_message = sip && sip_is_allowed (sip->sip_allow, sip_method_message, NULL);
  su_home_unref (home);
  return self;
}

SpCallLeg *
sp_call_leg_new_outgoing (nua_handle_t *handle, const char *target, const char *call_id)
{
  SpCallLeg *self = g_object_new (SP_TYPE_CALL_LEG, NULL);

  self->handle = handle;
  self->outbound = TRUE;
  self->offer_pending = TRUE;
  nua_handle_bind (handle, G_OBJECT (self));
  self->call_id = g_strdup (call_id ? call_id : "");
  self->remote_uri = g_strdup (target);
  self->remote_name = g_strdup ("");
  self->referred_by = g_strdup ("");
  self->headers = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ss)"), NULL, 0));
  return self;
}

static void
emit_ended (SpCallLeg *self, int status, const char *phrase)
{
  SpLegEndCause cause;
  g_autofree char *reason = NULL;

  if (self->ended)
    return;
  self->ended = TRUE;
  if (self->answered_elsewhere)
    cause = SP_LEG_END_ANSWERED_ELSEWHERE;
  else if (self->remote_cancelled)
    cause = SP_LEG_END_REMOTE_CANCEL;
  else if (self->remote_bye)
    cause = SP_LEG_END_REMOTE_BYE;
  else if (self->hung_up_locally)
    cause = SP_LEG_END_LOCAL;
  else if (!self->established && self->outbound && status >= 300 && !self->no_response)
    cause = SP_LEG_END_FAILED;
  else
    cause = SP_LEG_END_NETWORK;
  if (self->no_response)
    reason
      = g_strdup_printf ("%s (no answer from the party: it is unreachable%s)", phrase ? phrase : "",
                         strstr (self->remote_uri, "transport=tls")
                           ? ", or its TLS certificate is not trusted ([security] ca)"
                           : "");
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, cause, (guint)status,
                 reason ? reason : (phrase ? phrase : ""));
}

static void
release_handle (SpCallLeg *self)
{
  nua_handle_t *handle = g_steal_pointer (&self->handle);

  if (!handle)
    return;
  /* Late events for this handle must not reach a freed leg (Rakia's "gone" binding). */
  nua_handle_bind (handle, NULL);
  nua_handle_destroy (handle);
}

static void
on_remote_invite (SpCallLeg *self, const sip_t *sip)
{
  g_autofree char *sdp = payload_of (sip);

  self->answer_expected_in_ack = sdp == NULL;
  g_signal_emit (self, signals[SIGNAL_OFFER], 0, sdp);
}

/* Our INVITE's 2xx: From carries our tag, To the peer's (for Replaces, RFC 3891). */
static void
note_tags (SpCallLeg *self, const sip_t *sip)
{
  if (self->remote_tag || !sip || !sip->sip_from || !sip->sip_to || !sip->sip_to->a_tag)
    return;
  self->local_tag = g_strdup (sip->sip_from->a_tag ? sip->sip_from->a_tag : "");
  self->remote_tag = g_strdup (sip->sip_to->a_tag);
}

static void
send_refer (SpCallLeg *self, const char *refer_to)
{
  self->requests_in_flight++;
  /* NUA adds Referred-By from our From (RFC 3892). */
  nua_refer (self->handle, SIPTAG_REFER_TO_STR (refer_to), TAG_END ());
}

static void
send_offer (SpCallLeg *self, const char *offer_sdp)
{
  nua_invite (self->handle, NUTAG_AUTOANSWER (0), SIPTAG_CONTENT_TYPE_STR (SDP_TYPE),
              SIPTAG_PAYLOAD_STR (offer_sdp), TAG_END ());
}

static void
send_message (SpCallLeg *self, const char *text)
{
  self->requests_in_flight++;
  nua_message (self->handle, SIPTAG_CONTENT_TYPE_STR ("text/plain;charset=UTF-8"),
               SIPTAG_PAYLOAD_STR (text), TAG_END ());
}

typedef struct
{
  void (*send) (SpCallLeg *self, const char *argument);
  char *argument;
} DeferredRequest;

static void
deferred_request_free (gpointer data)
{
  DeferredRequest *request = data;

  g_free (request->argument);
  g_free (request);
}

static gboolean
can_send_now (SpCallLeg *self, void (*send) (SpCallLeg *, const char *))
{
  return self->established && (send != send_offer || self->requests_in_flight == 0);
}

/* Sends the waiting requests, in order, as far as the dialog lets them go. */
static void
send_deferred (SpCallLeg *self)
{
  while (self->deferred && self->deferred->len > 0 && self->handle && !self->ended)
    {
      DeferredRequest *request = g_ptr_array_index (self->deferred, 0);
      g_autofree char *argument = NULL;
      void (*send) (SpCallLeg *, const char *) = request->send;

      if (!can_send_now (self, send))
        return;
      argument = g_steal_pointer (&request->argument);
      g_ptr_array_remove_index (self->deferred, 0);
      send (self, argument);
    }
}

/* Sends a request in the dialog now, or once nothing before it holds it back: the ACK of our
 * 200 OK (RFC 3261 §14.2), and for a re-INVITE also our MESSAGEs and REFERs still unanswered. */
static void
send_in_dialog (SpCallLeg *self, void (*send) (SpCallLeg *, const char *), const char *argument)
{
  DeferredRequest *request;

  if (can_send_now (self, send) && (!self->deferred || self->deferred->len == 0))
    {
      send (self, argument);
      return;
    }
  request = g_new0 (DeferredRequest, 1);
  request->send = send;
  request->argument = g_strdup (argument);
  if (!self->deferred)
    self->deferred = g_ptr_array_new_with_free_func (deferred_request_free);
  g_ptr_array_add (self->deferred, request);
}

/* A MESSAGE or REFER of ours got its final answer. */
static void
request_completed (SpCallLeg *self)
{
  if (self->requests_in_flight > 0)
    self->requests_in_flight--;
  send_deferred (self);
}

static void
mark_established (SpCallLeg *self)
{
  self->established = TRUE;
  g_signal_emit (self, signals[SIGNAL_ESTABLISHED], 0);
  send_deferred (self);
}

static void
on_invite_response (SpCallLeg *self, int status, const char *phrase, const sip_t *sip)
{
  g_autofree char *sdp = payload_of (sip);

  if (!*self->call_id && sip && sip->sip_call_id)
    {
      g_free (self->call_id);
      self->call_id = g_strdup (sip->sip_call_id->i_id);
    }
  if (status >= 200 && status < 300)
    {
      note_tags (self, sip);
      if (sip && sip->sip_allow)
        self->peer_takes_message = sip_is_allowed (sip->sip_allow, sip_method_message, NULL);
    }
  if (status < 200)
    {
      if (status > 100)
        g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, (guint)status);
      if (sdp && self->offer_pending)
        g_signal_emit (self, signals[SIGNAL_ANSWER], 0, sdp);
      return;
    }
  if (status < 300)
    {
      gboolean was_pending = self->offer_pending;

      self->offer_pending = FALSE;
      if (sdp && was_pending)
        g_signal_emit (self, signals[SIGNAL_ANSWER], 0, sdp);
      if (!self->established)
        mark_established (self);
      return;
    }
  self->offer_pending = FALSE;
  if (self->established)
    g_signal_emit (self, signals[SIGNAL_OFFER_FAILED], 0, (guint)status, phrase ? phrase : "");
  /* A failed initial INVITE ends with the terminated state that follows. Sofia may have made
   * the answer up: a timeout, or a connection that failed (over TLS, also a certificate we do
   * not trust). */
  self->no_response = !sip || (sip->sip_flags & SOFIA_INTERNAL_MSG);
}

static void
on_cancel (SpCallLeg *self, const sip_t *sip)
{
  self->remote_cancelled = TRUE;
  /* RFC 3326: "Reason: SIP;cause=200" means the call was answered at another device. */
  for (const sip_reason_t *reason = sip ? sip->sip_reason : NULL; reason; reason = reason->re_next)
    if (reason->re_protocol && g_ascii_strcasecmp (reason->re_protocol, "SIP") == 0
        && reason->re_cause && g_str_equal (reason->re_cause, "200"))
      self->answered_elsewhere = TRUE;
}

static void
on_state (SpCallLeg *self, int status, const char *phrase, tagi_t tags[])
{
  int state = -1;

  tl_gets (tags, NUTAG_CALLSTATE_REF (state), TAG_END ());
  if (state == nua_callstate_ready && !self->established)
    mark_established (self);
  else if (state == nua_callstate_terminated)
    {
      g_object_ref (self);
      emit_ended (self, status, phrase);
      release_handle (self);
      g_object_unref (self);
    }
}

/* ---- transfer ---- */

static void
emit_refer_progress (SpCallLeg *self, guint status, const char *phrase, gboolean final)
{
  if (!self->refer_pending)
    return;
  if (final)
    self->refer_pending = FALSE;
  g_signal_emit (self, signals[SIGNAL_REFER_PROGRESS], 0, status, phrase ? phrase : "", final);
}

/* The REFER's own answer: 202 means the phone will try (and NOTIFY how it goes). */
static void
on_refer_response (SpCallLeg *self, int status, const char *phrase)
{
  if (status < 200)
    return;
  request_completed (self);
  emit_refer_progress (self, (guint)status, phrase, status >= 300);
}

/* A message/sipfrag body: "SIP/2.0 180 Ringing". FALSE when it is not one. */
static gboolean
parse_sipfrag (const sip_t *sip, guint *status, char **phrase)
{
  g_autofree char *body = NULL;
  g_auto (GStrv) parts = NULL;
  guint64 code = 0;

  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data)
    return FALSE;
  body = g_strndup (sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  parts = g_strsplit_set (g_strstrip (body), " \r\n", 3);
  if (g_strv_length (parts) < 2 || !g_str_has_prefix (parts[0], "SIP/")
      || !g_ascii_string_to_unsigned (parts[1], 10, 100, 699, &code, NULL))
    return FALSE;
  *status = (guint)code;
  *phrase = g_strdup (parts[2] ? g_strstrip (g_strdelimit (parts[2], "\r\n", ' ')) : "");
  return TRUE;
}

static void
on_notify (SpCallLeg *self, const sip_t *sip)
{
  g_autofree char *phrase = NULL;
  guint status = 0;
  gboolean terminated
    = sip && sip->sip_subscription_state && sip->sip_subscription_state->ss_substate
      && g_ascii_strcasecmp (sip->sip_subscription_state->ss_substate, "terminated") == 0;

  if (!parse_sipfrag (sip, &status, &phrase))
    {
      g_message ("a NOTIFY about the transfer carried no status line it could read");
      status = 500;
      phrase = g_strdup ("unreadable progress report");
    }
  emit_refer_progress (self, status, phrase, status >= 200 || terminated);
}

void
sp_call_leg_set_header_map (SpCallLeg *self, const char *uui_key, const char *const *header_map)
{
  g_free (self->uui_key);
  self->uui_key = g_strdup (uui_key);
  g_strfreev (self->header_map);
  self->header_map = g_strdupv ((char **)header_map);
}

void
sp_call_leg_set_contact (SpCallLeg *self, const char *contact)
{
  g_free (self->contact);
  self->contact = g_strdup (contact);
}

/* TARGET with the attached data as embedded headers (RFC 3261 §19.1.1), so that the phone's
 * INVITE to the target carries them. */
static char *
refer_to_with_data (SpCallLeg *self, const char *target, GVariant *attached_data)
{
  SpAttachedDataMap map = { self->uui_key, (const char *const *)self->header_map };
  g_autofree char *lines = attached_data ? sp_attached_data_to_headers (attached_data, &map) : NULL;
  g_auto (GStrv) headers = g_strsplit (lines ? lines : "", "\r\n", -1);
  GString *uri = g_string_new (target);
  char separator = strchr (target, '?') ? '&' : '?';

  for (guint i = 0; headers[i]; i++)
    {
      const char *colon = strchr (headers[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (!colon)
        continue;
      name = g_strndup (headers[i], (gsize)(colon - headers[i]));
      value = g_uri_escape_string (g_strstrip ((char *)colon + 1), NULL, FALSE);
      g_string_append_printf (uri, "%c%s=%s", separator, name, value);
      separator = '&';
    }
  return g_string_free (uri, FALSE);
}

gboolean
sp_call_leg_refer (SpCallLeg *self, const char *target, GVariant *attached_data, GError **error)
{
  g_autofree char *uri = NULL;
  g_autofree char *refer_to = NULL;

  if (!self->handle || self->ended || !(self->established || self->accepted))
    {
      g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED, "the call is not established");
      return FALSE;
    }
  if (self->refer_pending)
    {
      g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED, "a transfer is already under way");
      return FALSE;
    }
  uri = refer_to_with_data (self, target, attached_data);
  refer_to = g_strdup_printf ("<%s>", uri);
  self->refer_pending = TRUE;
  /* A lost ACK ends the call, and a transfer waiting for it with it. */
  send_in_dialog (self, send_refer, refer_to);
  return TRUE;
}

void
sp_call_leg_handle_event (SpCallLeg *self, nua_event_t event, int status, const char *phrase,
                          const sip_t *sip, tagi_t tags[])
{
  g_autofree char *sdp = NULL;

  switch (event)
    {
      case nua_i_invite:
        on_remote_invite (self, sip);
        break;
      case nua_r_invite:
        on_invite_response (self, status, phrase, sip);
        break;
      case nua_i_ack:
        sdp = payload_of (sip);
        if (sdp && self->answer_expected_in_ack)
          g_signal_emit (self, signals[SIGNAL_ANSWER], 0, sdp);
        self->answer_expected_in_ack = FALSE;
        break;
      case nua_i_cancel:
        on_cancel (self, sip);
        break;
      case nua_i_bye:
        self->remote_bye = TRUE;
        break;
      case nua_i_state:
        on_state (self, status, phrase, tags);
        break;
      case nua_r_refer:
        on_refer_response (self, status, phrase);
        break;
      case nua_i_notify:
        on_notify (self, sip);
        break;
      case nua_r_message:
        if (status < 200)
          break;
        g_info ("call %s: text message answered %d %s", self->call_id, status,
                phrase ? phrase : "");
        request_completed (self);
        break;
      default:
        break;
    }
}

void
sp_call_leg_ring (SpCallLeg *self)
{
  if (self->handle && !self->ended)
    nua_respond (self->handle, SIP_180_RINGING, NUTAG_AUTOANSWER (0),
                 TAG_IF (self->contact, SIPTAG_CONTACT_STR (self->contact)), TAG_END ());
}

void
sp_call_leg_accept (SpCallLeg *self, const char *answer_sdp)
{
  if (!self->handle || self->ended)
    return;
  self->accepted = TRUE;
  nua_respond (self->handle, SIP_200_OK, NUTAG_AUTOANSWER (0), SIPTAG_CONTENT_TYPE_STR (SDP_TYPE),
               SIPTAG_PAYLOAD_STR (answer_sdp),
               TAG_IF (self->contact, SIPTAG_CONTACT_STR (self->contact)), TAG_END ());
}

void
sp_call_leg_reject (SpCallLeg *self, guint status, const char *phrase)
{
  if (!self->handle || self->ended)
    return;
  self->hung_up_locally = TRUE;
  nua_respond (self->handle, (int)status, phrase, TAG_END ());
}

void
sp_call_leg_send_offer (SpCallLeg *self, const char *offer_sdp)
{
  if (!self->handle || self->ended)
    return;
  self->offer_pending = TRUE;
  send_in_dialog (self, send_offer, offer_sdp);
}

void
sp_call_leg_answer_offer (SpCallLeg *self, guint status, const char *answer_sdp)
{
  if (!self->handle || self->ended)
    return;
  if (status >= 200 && status < 300 && answer_sdp)
    nua_respond (self->handle, (int)status, sip_status_phrase ((int)status), NUTAG_AUTOANSWER (0),
                 SIPTAG_CONTENT_TYPE_STR (SDP_TYPE), SIPTAG_PAYLOAD_STR (answer_sdp), TAG_END ());
  else
    nua_respond (self->handle, (int)status, sip_status_phrase ((int)status), TAG_END ());
}

void
sp_call_leg_hangup (SpCallLeg *self)
{
  if (!self->handle || self->ended)
    return;
  self->hung_up_locally = TRUE;
  /* Nothing waiting goes after our BYE. */
  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  /* Once we answered, only a BYE ends the dialog, even before the ACK arrived. */
  if (self->established || self->accepted)
    nua_bye (self->handle, TAG_END ());
  else if (self->outbound)
    nua_cancel (self->handle, TAG_END ());
  else
    nua_respond (self->handle, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END ());
}

const char *
sp_call_leg_get_call_id (SpCallLeg *self)
{
  return self->call_id;
}

const char *
sp_call_leg_get_remote_uri (SpCallLeg *self)
{
  return self->remote_uri;
}

const char *
sp_call_leg_get_remote_name (SpCallLeg *self)
{
  return self->remote_name;
}

const char *
sp_call_leg_get_initial_offer (SpCallLeg *self)
{
  return self->initial_offer;
}

GVariant *
sp_call_leg_get_headers (SpCallLeg *self)
{
  return self->headers;
}

gboolean
sp_call_leg_is_established (SpCallLeg *self)
{
  return self->established;
}

gboolean
sp_call_leg_is_ended (SpCallLeg *self)
{
  return self->ended;
}

gboolean
sp_call_leg_has_pending_offer (SpCallLeg *self)
{
  return self->offer_pending;
}

static void
sp_call_leg_dispose (GObject *object)
{
  release_handle (SP_CALL_LEG (object));
  G_OBJECT_CLASS (sp_call_leg_parent_class)->dispose (object);
}

static void
sp_call_leg_finalize (GObject *object)
{
  SpCallLeg *self = SP_CALL_LEG (object);

  g_free (self->call_id);
  g_free (self->remote_uri);
  g_free (self->remote_name);
  g_free (self->initial_offer);
  g_free (self->referred_by);
  g_free (self->local_tag);
  g_free (self->remote_tag);
  g_clear_pointer (&self->headers, g_variant_unref);
  g_clear_pointer (&self->attached_data, g_variant_unref);
  g_free (self->uui_key);
  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  g_free (self->contact);
  g_strfreev (self->header_map);
  G_OBJECT_CLASS (sp_call_leg_parent_class)->finalize (object);
}

static void
sp_call_leg_class_init (SpCallLegClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_call_leg_dispose;
  object_class->finalize = sp_call_leg_finalize;
  /* The signals are the interface's: look their ids up once. */
  g_type_default_interface_unref (g_type_default_interface_ref (SP_TYPE_LEG));
  signals[SIGNAL_OFFER] = g_signal_lookup ("offer", SP_TYPE_LEG);
  signals[SIGNAL_ANSWER] = g_signal_lookup ("answer", SP_TYPE_LEG);
  signals[SIGNAL_PROGRESS] = g_signal_lookup ("progress", SP_TYPE_LEG);
  signals[SIGNAL_ESTABLISHED] = g_signal_lookup ("established", SP_TYPE_LEG);
  signals[SIGNAL_OFFER_FAILED] = g_signal_lookup ("offer-failed", SP_TYPE_LEG);
  signals[SIGNAL_ENDED] = g_signal_lookup ("ended", SP_TYPE_LEG);
  signals[SIGNAL_REFER_PROGRESS] = g_signal_lookup ("refer-progress", SP_TYPE_LEG);
}

static void
sp_call_leg_init (SpCallLeg *self)
{
}

/* ---- SpLeg ---- */

void
sp_call_leg_set_attached_data (SpCallLeg *self, GVariant *attached_data)
{
  g_clear_pointer (&self->attached_data, g_variant_unref);
  self->attached_data = g_variant_ref_sink (attached_data);
}

#define LEG(leg) SP_CALL_LEG (leg)

static GVariant *
leg_get_attached_data (SpLeg *leg)
{
  SpCallLeg *self = LEG (leg);

  if (!self->attached_data)
    self->attached_data
      = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0));
  return self->attached_data;
}

/* TARGET with a Replaces header naming the dialog of REPLACES as its peer sees it (RFC 3891
 * §3: to-tag is the peer's tag, from-tag ours; the Call-ID escaped, "@" as %40). */
static char *
target_replacing (const char *target, SpCallLeg *replaces, GError **error)
{
  g_autofree char *value = NULL;
  g_autofree char *escaped = NULL;

  if (!replaces->established || replaces->ended || !replaces->remote_tag || !*replaces->call_id)
    {
      g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED,
                   "the call to be replaced is not established");
      return NULL;
    }
  value = g_strdup_printf ("%s;to-tag=%s;from-tag=%s", replaces->call_id, replaces->remote_tag,
                           replaces->local_tag);
  escaped = g_uri_escape_string (value, NULL, FALSE);
  return g_strdup_printf ("%s%cReplaces=%s", target, strchr (target, '?') ? '&' : '?', escaped);
}

static gboolean
leg_refer (SpLeg *leg, const char *target_uri, SpLeg *replaces, GVariant *attached_data,
           GError **error)
{
  g_autofree char *target = NULL;

  if (!replaces)
    return sp_call_leg_refer (LEG (leg), target_uri, attached_data, error);
  if (!SP_IS_CALL_LEG (replaces))
    {
      g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED, "not a SIP call to replace");
      return FALSE;
    }
  target = target_replacing (target_uri, SP_CALL_LEG (replaces), error);
  return target && sp_call_leg_refer (LEG (leg), target, attached_data, error);
}

static const char *
leg_get_call_id (SpLeg *leg)
{
  return sp_call_leg_get_call_id (LEG (leg));
}

static const char *
leg_get_remote_uri (SpLeg *leg)
{
  return sp_call_leg_get_remote_uri (LEG (leg));
}

static const char *
leg_get_remote_name (SpLeg *leg)
{
  return sp_call_leg_get_remote_name (LEG (leg));
}

static const char *
leg_get_referred_by (SpLeg *leg)
{
  return LEG (leg)->referred_by;
}

static const char *
leg_get_initial_offer (SpLeg *leg)
{
  return sp_call_leg_get_initial_offer (LEG (leg));
}

static gboolean
leg_is_established (SpLeg *leg)
{
  return sp_call_leg_is_established (LEG (leg));
}

static gboolean
leg_is_ended (SpLeg *leg)
{
  return sp_call_leg_is_ended (LEG (leg));
}

static gboolean
leg_has_pending_offer (SpLeg *leg)
{
  return sp_call_leg_has_pending_offer (LEG (leg));
}

static void
leg_ring (SpLeg *leg)
{
  sp_call_leg_ring (LEG (leg));
}

static void
leg_accept (SpLeg *leg, const char *answer_sdp)
{
  sp_call_leg_accept (LEG (leg), answer_sdp);
}

static void
leg_reject (SpLeg *leg, guint status, const char *phrase)
{
  sp_call_leg_reject (LEG (leg), status, phrase);
}

static void
leg_send_offer (SpLeg *leg, const char *offer_sdp)
{
  sp_call_leg_send_offer (LEG (leg), offer_sdp);
}

static void
leg_answer_offer (SpLeg *leg, guint status, const char *answer_sdp)
{
  sp_call_leg_answer_offer (LEG (leg), status, answer_sdp);
}

static void
leg_hangup (SpLeg *leg)
{
  sp_call_leg_hangup (LEG (leg));
}

static gboolean
leg_send_text (SpLeg *leg, const char *text, GError **error)
{
  SpCallLeg *self = LEG (leg);

  if (!self->handle || self->ended || !(self->established || self->accepted))
    g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED, "the call is not established");
  else if (!self->peer_takes_message)
    g_set_error (error, SP_LEG_ERROR, SP_LEG_ERROR_FAILED,
                 "the phone does not list MESSAGE in its Allow header");
  else
    {
      send_in_dialog (self, send_message, text);
      return TRUE;
    }
  return FALSE;
}

static void
sp_call_leg_leg_init (SpLegInterface *iface)
{
  iface->get_call_id = leg_get_call_id;
  iface->get_remote_uri = leg_get_remote_uri;
  iface->get_remote_name = leg_get_remote_name;
  iface->get_initial_offer = leg_get_initial_offer;
  iface->get_attached_data = leg_get_attached_data;
  iface->get_referred_by = leg_get_referred_by;
  iface->is_established = leg_is_established;
  iface->is_ended = leg_is_ended;
  iface->has_pending_offer = leg_has_pending_offer;
  iface->ring = leg_ring;
  iface->accept = leg_accept;
  iface->reject = leg_reject;
  iface->send_offer = leg_send_offer;
  iface->answer_offer = leg_answer_offer;
  iface->hangup = leg_hangup;
  iface->refer = leg_refer;
  iface->send_text = leg_send_text;
}
