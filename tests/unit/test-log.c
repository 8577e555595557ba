/* The log writer's last line of defence (service/log/sp-log.c): SRTP keys quoted in any message
 * are hidden, and nothing else of the message changes. */
#include "sp-log.h"

static void
test_keys_are_hidden (void)
{
  g_autofree char *one = sp_log_redact (
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4");
  g_autofree char *two = sp_log_redact ("sofia: inline:AAAA inline:BBBB/+== end");

  g_assert_cmpstr (one, ==, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[key hidden]|2^20|1:4");
  g_assert_cmpstr (two, ==, "sofia: inline:[key hidden] inline:[key hidden] end");
}

static void
test_messages_without_keys_are_left_alone (void)
{
  g_autofree char *empty_key = sp_log_redact ("inline: nothing");

  g_assert_null (sp_log_redact ("registration: registered"));
  g_assert_null (sp_log_redact (NULL));
  g_assert_cmpstr (empty_key, ==, "inline: nothing");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/keys-are-hidden", test_keys_are_hidden);
  g_test_add_func ("/log/messages-without-keys-are-left-alone", test_messages_without_keys_are_left_alone);
  return g_test_run ();
}
