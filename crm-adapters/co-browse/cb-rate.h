/* A token bucket: how many messages a WebSocket may send, in bursts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double tokens;
  gint64 refilled; /* g_get_monotonic_time() */
} CbRate;

/* A full bucket of BURST tokens. */
void
cb_rate_init (CbRate *rate, double burst);
/* Takes a token (refilled at PER_SECOND up to BURST); FALSE when none is left. */
gboolean
cb_rate_take (CbRate *rate, double per_second, double burst);

G_END_DECLS
