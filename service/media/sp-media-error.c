/* The error domain of the media layer. */
#include "sp-media-error.h"

G_DEFINE_QUARK (sp - media - error - quark, sp_media_error)
