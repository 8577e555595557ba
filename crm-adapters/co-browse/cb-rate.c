/* The token bucket of the relay's WebSockets. */
#include "cb-rate.h"

void
cb_rate_init (CbRate *rate, double burst)
{
  rate->tokens = burst;
  rate->refilled = g_get_monotonic_time ();
}

gboolean
cb_rate_take (CbRate *rate, double per_second, double burst)
{
  gint64 now = g_get_monotonic_time ();

  rate->tokens = MIN (burst, rate->tokens + (now - rate->refilled) / 1e6 * per_second);
  rate->refilled = now;
  if (rate->tokens < 1)
    return FALSE;
  rate->tokens -= 1;
  return TRUE;
}
