/* The error domain of the media layer (ports, codecs, devices, GStreamer setup). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_MEDIA_ERROR (sp_media_error_quark ())
GQuark
sp_media_error_quark (void);

typedef enum
{
  SP_MEDIA_ERROR_PORTS_EXHAUSTED,   /* every RTP/RTCP pair of the configured range is busy */
  SP_MEDIA_ERROR_INVALID_ARGUMENT,  /* an address, port or range that cannot be used */
  SP_MEDIA_ERROR_UNSUPPORTED_CODEC, /* the negotiated rtpmap is not one we can encode/decode */
  SP_MEDIA_ERROR_DEVICE,            /* an audio-source/audio-sink spec we cannot build */
  SP_MEDIA_ERROR_STATE,             /* a call made out of order (start before prepare, …) */
  SP_MEDIA_ERROR_GSTREAMER,         /* GStreamer could not be initialised or lacks an element */
  SP_MEDIA_ERROR_DISPLAY,           /* no display, or the display cannot do what was asked */
  SP_MEDIA_ERROR_CAMERA,            /* no camera, or the configured camera cannot be opened */
  SP_MEDIA_ERROR_UNSUPPORTED_MEDIA, /* a file that is no clip or image we can decode: unknown,
                                       truncated, damaged, or with no decoder installed */
} SpMediaError;

G_END_DECLS
