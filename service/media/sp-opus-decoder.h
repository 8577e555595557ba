/* An Opus decoder element ("sportelloopusdec") on libopus's single-stream API, for the voice of
 * a call: one stream in, 48 kHz mono S16 out. */
#pragma once

#include <gst/audio/gstaudiodecoder.h>

G_BEGIN_DECLS

#define SP_TYPE_OPUS_DECODER (sp_opus_decoder_get_type ())
G_DECLARE_FINAL_TYPE (SpOpusDecoder, sp_opus_decoder, SP, OPUS_DECODER, GstAudioDecoder)

G_END_DECLS
