/* The web bridge's gate (crm-adapters/web-bridge/wb-gate.c): every refusal a hostile page or
 * a stray client meets, and what an allowed page gets. */
#include "wb-gate.h"

#include <string.h>

#define PORT 8731
#define TOKEN "s3cret-token-0123456789"
#define CRM "https://crm.example.com"

static const char *const origins[] = { CRM, "http://127.0.0.1:8080", NULL };

typedef struct
{
  const char *name;
  WbRequest request;
  guint status;
  const char *error;
} GateCase;

static const GateCase cases[] = {
  { "allowed", { "GET", "127.0.0.1:8731", CRM, "Bearer " TOKEN, FALSE, -1 }, 0, NULL },
  { "no-origin-client", { "POST", "localhost:8731", NULL, "Bearer " TOKEN, FALSE, 20 }, 0, NULL },
  { "ipv6-host", { "GET", "[::1]:8731", NULL, "bearer " TOKEN, FALSE, -1 }, 0, NULL },
  { "rebinding-host",
    { "GET", "attacker.example:8731", CRM, "Bearer " TOKEN, FALSE, -1 },
    421,
    "org.sportello.WebBridge.HostNotAllowed" },
  { "other-port-host",
    { "GET", "127.0.0.1:80", CRM, "Bearer " TOKEN, FALSE, -1 },
    421,
    "org.sportello.WebBridge.HostNotAllowed" },
  { "no-host", { "GET", NULL, NULL, "Bearer " TOKEN, FALSE, -1 }, 421,
    "org.sportello.WebBridge.HostNotAllowed" },
  { "other-origin",
    { "GET", "127.0.0.1:8731", "https://evil.example", "Bearer " TOKEN, FALSE, -1 },
    403,
    "org.sportello.WebBridge.OriginNotAllowed" },
  { "null-origin",
    { "POST", "127.0.0.1:8731", "null", "Bearer " TOKEN, FALSE, -1 },
    403,
    "org.sportello.WebBridge.OriginNotAllowed" },
  { "origin-prefix",
    { "GET", "127.0.0.1:8731", CRM ".evil.example", "Bearer " TOKEN, FALSE, -1 },
    403,
    "org.sportello.WebBridge.OriginNotAllowed" },
  { "no-token", { "GET", "127.0.0.1:8731", CRM, NULL, FALSE, -1 }, 401,
    "org.sportello.WebBridge.Unauthorized" },
  { "wrong-token",
    { "GET", "127.0.0.1:8731", CRM, "Bearer s3cret-token-0123456780", FALSE, -1 },
    401,
    "org.sportello.WebBridge.Unauthorized" },
  { "token-prefix",
    { "GET", "127.0.0.1:8731", CRM, "Bearer s3cret", FALSE, -1 },
    401,
    "org.sportello.WebBridge.Unauthorized" },
  { "basic-auth", { "GET", "127.0.0.1:8731", CRM, "Basic " TOKEN, FALSE, -1 }, 401,
    "org.sportello.WebBridge.Unauthorized" },
  { "too-large",
    { "POST", "127.0.0.1:8731", CRM, "Bearer " TOKEN, FALSE, 65537 },
    413,
    "org.sportello.WebBridge.TooLarge" },
  { "websocket-upgrade", { "GET", "127.0.0.1:8731", CRM, NULL, FALSE, -1, TRUE }, 0, NULL },
  { "websocket-other-origin",
    { "GET", "127.0.0.1:8731", "https://evil.example", NULL, FALSE, -1, TRUE },
    403,
    "org.sportello.WebBridge.OriginNotAllowed" },
  { "websocket-rebinding",
    { "GET", "evil.example:8731", CRM, NULL, FALSE, -1, TRUE },
    421,
    "org.sportello.WebBridge.HostNotAllowed" },
  { "own-origin", { "POST", "127.0.0.1:8731", "http://127.0.0.1:8731", "Bearer " TOKEN, FALSE, -1 },
    0, NULL },
  { "own-origin-other-port",
    { "POST", "127.0.0.1:8731", "http://127.0.0.1:8732", "Bearer " TOKEN, FALSE, -1 },
    403,
    "org.sportello.WebBridge.OriginNotAllowed" },
  { "panel-file", { "GET", "127.0.0.1:8731", NULL, NULL, FALSE, -1, FALSE, TRUE }, 0, NULL },
  { "panel-file-rebinding",
    { "GET", "evil.example:8731", NULL, NULL, FALSE, -1, FALSE, TRUE },
    421,
    "org.sportello.WebBridge.HostNotAllowed" },
  { "preflight", { "OPTIONS", "127.0.0.1:8731", CRM, NULL, TRUE, -1 }, 204, NULL },
  { "preflight-other-origin",
    { "OPTIONS", "127.0.0.1:8731", "https://evil.example", NULL, TRUE, -1 },
    403,
    "org.sportello.WebBridge.OriginNotAllowed" },
};

static const char *
header (const WbVerdict *verdict, const char *name)
{
  for (guint i = 0; i + 1 < verdict->headers->len; i += 2)
    if (g_ascii_strcasecmp (g_ptr_array_index (verdict->headers, i), name) == 0)
      return g_ptr_array_index (verdict->headers, i + 1);
  return NULL;
}

static void
test_case (gconstpointer data)
{
  const GateCase *row = data;
  WbGate *gate = wb_gate_new (PORT, origins, TOKEN, 65536);
  WbVerdict verdict;

  wb_gate_check (gate, &row->request, &verdict);
  g_assert_cmpuint (verdict.status, ==, row->status);
  g_assert_cmpstr (verdict.error, ==, row->error);
  if (row->status == 421 || row->status == 403)
    /* A page that is not ours cannot even read the refusal. */
    g_assert_null (header (&verdict, "Access-Control-Allow-Origin"));
  else
    /* An allowed page may read the answer, a refusal too; a client without Origin gets no
     * CORS header. */
    g_assert_cmpstr (header (&verdict, "Access-Control-Allow-Origin"), ==, row->request.origin);
  if (row->status != 0)
    g_assert_nonnull (verdict.reason);
  if (row->status == 204)
    {
      g_assert_cmpstr (header (&verdict, "Access-Control-Allow-Private-Network"), ==, "true");
      g_assert_nonnull (strstr (header (&verdict, "Access-Control-Allow-Headers"), "Authorization"));
    }
  if (row->status == 401)
    g_assert_nonnull (header (&verdict, "WWW-Authenticate"));
  wb_verdict_clear (&verdict);
  wb_gate_free (gate);
}

/* Without a token configured nothing gets through, not even an empty Bearer. */
static void
test_no_token_configured (void)
{
  WbGate *gate = wb_gate_new (PORT, origins, NULL, 65536);
  WbRequest request = { "GET", "127.0.0.1:8731", CRM, "Bearer ", FALSE, -1, FALSE };
  WbVerdict verdict;

  wb_gate_check (gate, &request, &verdict);
  g_assert_cmpuint (verdict.status, ==, 401);
  g_assert_false (wb_gate_token_matches (gate, ""));
  wb_verdict_clear (&verdict);
  wb_gate_free (gate);
}

/* The event stream's first message carries the token: same comparison. */
static void
test_token_matches (void)
{
  WbGate *gate = wb_gate_new (PORT, origins, TOKEN, 65536);

  g_assert_true (wb_gate_token_matches (gate, TOKEN));
  g_assert_false (wb_gate_token_matches (gate, TOKEN "x"));
  g_assert_false (wb_gate_token_matches (gate, "s3cret"));
  g_assert_false (wb_gate_token_matches (gate, NULL));
  wb_gate_free (gate);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/web-gate/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/web-gate/no-token-configured", test_no_token_configured);
  g_test_add_func ("/web-gate/token-matches", test_token_matches);
  return g_test_run ();
}
