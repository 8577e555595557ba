/* SRTP for one rtpbin session: an srtpenc for what we send (our key) and an srtpdec for what we
 * receive (the peer's key), handed to rtpbin through its request-rtp/rtcp-encoder/decoder
 * signals. Connect before the session's pads are requested (sp_rtp_transport_attach). */
#pragma once

#include "sp-media-session.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _SpSrtp SpSrtp;

/* NULL with SP_MEDIA_ERROR_GSTREAMER when GStreamer's srtp plugin is missing. */
SpSrtp *
sp_srtp_new (GstElement *rtpbin, guint session, const SpMediaSrtp *keys, GError **error);
/* A re-INVITE's keys: a changed key or suite takes effect on the next packet (srtpdec forgets
 * its keys and asks again). */
void
sp_srtp_update (SpSrtp *self, const SpMediaSrtp *keys);
/* TRUE when @a and @b hold the same suite and keys. */
gboolean
sp_srtp_keys_equal (const SpMediaSrtp *a, const SpMediaSrtp *b);
/* Lets go of rtpbin (before the pipeline goes): it asks for no element any more. */
void
sp_srtp_detach (SpSrtp *self);
/* Once the pipeline is gone: the elements' last references. */
void
sp_srtp_free (SpSrtp *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSrtp, sp_srtp_free)

G_END_DECLS
