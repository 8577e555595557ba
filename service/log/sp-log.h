/* Log output: journald when stderr is connected to the journal, readable lines otherwise. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void
sp_log_init (const char *program);
void
sp_log_set_verbose (gboolean verbose);
char *
sp_log_redact (const char *message);

G_END_DECLS
