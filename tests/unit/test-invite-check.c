/* Which incoming INVITEs are refused before they ring (service/sip/sp-invite-check.c): the
 * INVITEs of the RFC 4475 torture corpus as Sofia parses them, and a few written here. */
#include "sp-invite-check.h"

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <string.h>

typedef struct
{
  const char *name;
  int status; /* 0: may ring */
} CorpusCase;

/* The INVITEs among the corpus's messages that Sofia parses into a request (the decision for
 * every message, seen from the network, is in tests/integration/test_sip_torture.py). */
static const CorpusCase corpus[] = {
  { "wsinv", 0 },   { "esc01", 0 },     { "longreq", 0 }, { "lwsstart", 0 }, { "baddate", 0 },
  { "inv2543", 0 }, { "escruri", 400 }, { "invut", 415 }, { "sdp01", 406 },
};

static msg_t *
parse (const char *data, gsize len)
{
  msg_t *msg = msg_make (sip_default_mclass (), 0, data, (ssize_t)len);

  g_assert_nonnull (msg);
  g_assert_nonnull (sip_object (msg));
  g_assert_nonnull (sip_object (msg)->sip_request);
  return msg;
}

static int
verdict (msg_t *msg, SpInviteRefusal *refusal)
{
  const char *const uri_headers[] = { "User-to-User", "X-Account-Number", NULL };

  return sp_invite_check (sip_object (msg), uri_headers, refusal) ? 0 : refusal->status;
}

static void
test_corpus (gconstpointer data)
{
  const CorpusCase *row = data;
  g_autofree char *file = g_strdup_printf ("%s.dat", row->name);
  g_autofree char *path = g_build_filename (SRCDIR, "tests", "data", "rfc4475", file, NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  SpInviteRefusal refusal = { 0 };
  msg_t *msg;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  msg = parse (text, len);
  g_assert_cmpint (verdict (msg, &refusal), ==, row->status);
  if (row->status == 415)
    g_assert_cmpstr (refusal.accept, ==, "application/sdp"); /* RFC 3261 §21.4.13 */
  msg_destroy (msg);
}

typedef struct
{
  const char *name;
  const char *headers; /* added to a valid INVITE */
  const char *request_uri;
  const char *body; /* NULL: none */
  int status;
} HandCase;

static const HandCase hand[] = {
  { "ok/sdp", "Content-Type: application/sdp\r\n", "sip:agent@h", "v=0\r\n", 0 },
  { "ok/sdp-upper-case", "Content-Type: Application/SDP\r\n", "sip:agent@h", "v=0\r\n", 0 },
  { "ok/no-body", "", "sip:agent@h", NULL, 0 },
  { "ok/no-body-other-type", "Content-Type: text/plain\r\n", "sip:agent@h", NULL, 0 },
  { "ok/accept-sdp-and-more", "Accept: application/sdp, text/html\r\n", "sip:agent@h", NULL, 0 },
  { "ok/accept-application-any", "Accept: application/*\r\n", "sip:agent@h", NULL, 0 },
  { "ok/accept-any", "Accept: */*\r\n", "sip:agent@h", NULL, 0 },
  { "ok/uri-params", "", "sip:agent@h;transport=udp;user=phone", NULL, 0 },
  { "ok/uri-attached-data", "", "sip:agent@h?User-to-User=4142%3Bencoding%3Dhex&x-account-number=7",
    NULL, 0 },
  { "bad/uri-attached-and-other", "", "sip:agent@h?User-to-User=41&Subject=hi", NULL, 400 },
  { "bad/uri-header", "", "sip:agent@h?Subject=hi", NULL, 400 },
  { "bad/uri-route", "", "sip:agent@h;lr?Route=%3Csip:evil%3E", NULL, 400 },
  { "bad/multipart", "Content-Type: multipart/mixed;boundary=x\r\n", "sip:agent@h",
    "--x\r\n\r\nv=0\r\n--x--\r\n", 415 },
  { "bad/no-content-type", "", "sip:agent@h", "v=0\r\n", 415 },
  { "bad/accept-other", "Accept: text/html\r\n", "sip:agent@h", NULL, 406 },
};

static void
test_hand (gconstpointer data)
{
  const HandCase *row = data;
  const char *body = row->body ? row->body : "";
  g_autofree char *text
    = g_strdup_printf ("INVITE %s SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\n"
                       "Max-Forwards: 70\r\nFrom: <sip:c@h>;tag=1\r\nTo: <sip:agent@h>\r\n"
                       "Call-ID: x@h\r\nCSeq: 1 INVITE\r\nContact: <sip:c@127.0.0.1>\r\n"
                       "%sContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s",
                       row->request_uri, row->headers, strlen (body), body);
  SpInviteRefusal refusal = { 0 };
  msg_t *msg = parse (text, strlen (text));

  g_assert_cmpint (verdict (msg, &refusal), ==, row->status);
  msg_destroy (msg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      g_autofree char *path = g_strdup_printf ("/invite-check/rfc4475/%s", corpus[i].name);
      g_test_add_data_func (path, &corpus[i], test_corpus);
    }
  for (guint i = 0; i < G_N_ELEMENTS (hand); i++)
    {
      g_autofree char *path = g_strdup_printf ("/invite-check/%s", hand[i].name);
      g_test_add_data_func (path, &hand[i], test_hand);
    }
  return g_test_run ();
}
