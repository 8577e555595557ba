/* The co-browse relay's message rules (crm-adapters/co-browse/cb-message.c): one row per
 * message, sender and leader, with what is forwarded or why it is dropped. */
#include "cb-message.h"

#include <string.h>

static const char *const origins[] = { "https://www.example.com", "http://127.0.0.1:8080", NULL };

typedef struct
{
  const char *name;
  const char *text;
  CbRole from;
  CbRole leader;
  const char *forward; /* NULL: dropped */
  const char *reason;  /* a part of the reason when dropped */
} Case;

#define A CB_ROLE_AGENT
#define C CB_ROLE_CUSTOMER

static const Case cases[] = {
  { "navigate/leader", "{\"type\":\"navigate\",\"url\":\"https://www.example.com/shop\",\"x\":1}",
    A, A, "{\"type\":\"navigate\",\"url\":\"https://www.example.com/shop\"}", NULL },
  { "navigate/default-port", "{\"type\":\"navigate\",\"url\":\"https://WWW.example.com:443/a\"}", A,
    A, "{\"type\":\"navigate\",\"url\":\"https://WWW.example.com:443/a\"}", NULL },
  { "navigate/follower", "{\"type\":\"navigate\",\"url\":\"https://www.example.com/\"}", C, A, NULL,
    "only the leader" },
  { "navigate/foreign", "{\"type\":\"navigate\",\"url\":\"https://evil.example/\"}", A, A, NULL,
    "not a page of the co-browsed site" },
  { "navigate/scheme", "{\"type\":\"navigate\",\"url\":\"javascript:alert(1)\"}", A, A, NULL,
    "not a page" },
  { "navigate/userinfo", "{\"type\":\"navigate\",\"url\":\"https://u:p@www.example.com/\"}", A, A,
    NULL, "not a page" },
  { "scroll", "{\"type\":\"scroll\",\"x\":0,\"y\":0.25}", C, C,
    "{\"type\":\"scroll\",\"x\":0.0,\"y\":0.25}", NULL },
  { "scroll/range", "{\"type\":\"scroll\",\"x\":0,\"y\":2}", A, A, NULL, "fractions" },
  { "scroll/string", "{\"type\":\"scroll\",\"x\":\"0\",\"y\":0}", A, A, NULL, "fractions" },
  { "pointer/either", "{\"type\":\"pointer\",\"x\":12.5,\"y\":40}", C, A,
    "{\"type\":\"pointer\",\"x\":12.5,\"y\":40.0}", NULL },
  { "pointer/negative", "{\"type\":\"pointer\",\"x\":-1,\"y\":40}", C, A, NULL,
    "page coordinates" },
  { "click", "{\"type\":\"click\",\"path\":\"body > main:nth-child(2) > button#buy.primary\"}", A,
    A, "{\"type\":\"click\",\"path\":\"body > main:nth-child(2) > button#buy.primary\"}", NULL },
  { "click/markup", "{\"type\":\"click\",\"path\":\"body<img src=x>\"}", A, A, NULL,
    "not an element path" },
  { "click/follower", "{\"type\":\"click\",\"path\":\"body\"}", C, A, NULL, "only the leader" },
  { "highlight/agent", "{\"type\":\"highlight\",\"path\":\"body > h1:nth-child(1)\"}", A, C,
    "{\"type\":\"highlight\",\"path\":\"body > h1:nth-child(1)\"}", NULL },
  { "highlight/clear", "{\"type\":\"highlight\",\"path\":null}", A, C,
    "{\"type\":\"highlight\",\"path\":null}", NULL },
  { "highlight/customer", "{\"type\":\"highlight\",\"path\":\"body\"}", C, C, NULL,
    "the agent's only" },
  { "input/customer",
    "{\"type\":\"input\",\"path\":\"body > "
    "input:nth-child(3)\",\"masked\":\"\xe2\x80\xa2\xe2\x80\xa2\"}",
    C, A,
    "{\"type\":\"input\",\"path\":\"body > "
    "input:nth-child(3)\",\"masked\":\"\xe2\x80\xa2\xe2\x80\xa2\"}",
    NULL },
  { "input/agent", "{\"type\":\"input\",\"path\":\"body > input:nth-child(3)\",\"masked\":\"x\"}",
    A, A, NULL, "the customer's only" },
  { "control/agent-gives", "{\"type\":\"control\",\"leader\":\"customer\"}", A, A,
    "{\"type\":\"control\",\"leader\":\"customer\"}", NULL },
  { "control/customer-takes", "{\"type\":\"control\",\"leader\":\"customer\"}", C, A,
    "{\"type\":\"control\",\"leader\":\"customer\"}", NULL },
  { "control/customer-gives-to-agent", "{\"type\":\"control\",\"leader\":\"agent\"}", C, C, NULL,
    "can only take the lead" },
  { "leave/agent", "{\"type\":\"leave\"}", A, A, NULL, "the customer's only" },
  { "unknown", "{\"type\":\"eval\",\"code\":\"x\"}", A, A, NULL, "unknown type" },
  { "not-object", "[1,2]", A, A, NULL, "not a JSON object" },
  { "not-json", "{type:", A, A, NULL, "not a JSON object" },
};

static void
test_case (gconstpointer data)
{
  const Case *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (CbMessage) message
    = cb_message_check (row->text, strlen (row->text), row->from, row->leader, origins, &error);

  if (row->forward)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (message->forward, ==, row->forward);
    }
  else
    {
      g_assert_null (message);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, row->reason));
    }
}

#define NAV "{\"type\":\"navigate\",\"url\":\"http://127.0.0.1:8080/p\"}"

static void
test_leave_and_size (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CbMessage) leave
    = cb_message_check ("{\"type\":\"leave\"}", 16, C, A, origins, &error);
  g_autofree char *big = g_strnfill (CB_MESSAGE_MAX_BYTES + 1, ' ');
  g_autoptr (CbMessage) nav = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (leave->type, ==, CB_MESSAGE_LEAVE);
  g_assert_null (leave->forward);
  g_assert_null (cb_message_check (big, strlen (big), A, A, origins, &error));
  g_assert_nonnull (strstr (error->message, "more than"));
  g_clear_error (&error);
  nav = cb_message_check (NAV, strlen (NAV), A, A, origins, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nav->url, ==, "http://127.0.0.1:8080/p");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cobrowse-message/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/cobrowse-message/leave-and-size", test_leave_and_size);
  return g_test_run ();
}
