/* SpMediaDirection: names as in SDP (RFC 3264 §5.1) and what each means for our valves. */
#include "sp-media-direction.h"

#include <string.h>

G_DEFINE_ENUM_TYPE (SpMediaDirection, sp_media_direction,
                    G_DEFINE_ENUM_VALUE (SP_MEDIA_DIRECTION_SENDRECV, "sendrecv"),
                    G_DEFINE_ENUM_VALUE (SP_MEDIA_DIRECTION_SENDONLY, "sendonly"),
                    G_DEFINE_ENUM_VALUE (SP_MEDIA_DIRECTION_RECVONLY, "recvonly"),
                    G_DEFINE_ENUM_VALUE (SP_MEDIA_DIRECTION_INACTIVE, "inactive"))

static const char *const names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };

const char *
sp_media_direction_to_string (SpMediaDirection direction)
{
  if ((guint)direction >= G_N_ELEMENTS (names))
    return "invalid";
  return names[direction];
}

gboolean
sp_media_direction_from_string (const char *string, SpMediaDirection *direction)
{
  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (names); i++)
    {
      if (strcmp (string, names[i]) == 0)
        {
          *direction = (SpMediaDirection)i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
sp_media_direction_sends (SpMediaDirection direction)
{
  return direction == SP_MEDIA_DIRECTION_SENDRECV;
}

gboolean
sp_media_direction_receives (SpMediaDirection direction)
{
  return direction == SP_MEDIA_DIRECTION_SENDRECV || direction == SP_MEDIA_DIRECTION_RECVONLY;
}
