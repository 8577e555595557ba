/* An Opus encoder element ("sportelloopusenc") on libopus's single-stream API, for the voice of
 * a call: 48 kHz mono S16 in, one 20 ms Opus frame per packet out. */
#pragma once

#include <gst/audio/gstaudioencoder.h>

G_BEGIN_DECLS

#define SP_TYPE_OPUS_ENCODER (sp_opus_encoder_get_type ())
G_DECLARE_FINAL_TYPE (SpOpusEncoder, sp_opus_encoder, SP, OPUS_ENCODER, GstAudioEncoder)

G_END_DECLS
