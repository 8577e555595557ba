/* Imports: records parsed on the client side from a file, each with the line it starts on,
 * then sent in one Import call (one transaction in the service: all or nothing). */
#pragma once

#include "ctl-context.h"

G_BEGIN_DECLS

typedef struct
{
  char *path;
  GPtrArray *records;  /* of a{sv} GVariant */
  GArray *lines;       /* of guint: the line each record starts on */
  GPtrArray *problems; /* of "FILE:LINE: reason" */
} CtlImportBatch;

CtlImportBatch *
ctl_import_batch_new (const char *path);
void
ctl_import_batch_free (CtlImportBatch *batch);
void
ctl_import_batch_add (CtlImportBatch *batch, guint line, GVariant *record);
void
ctl_import_batch_problem (CtlImportBatch *batch, guint line, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
gboolean
ctl_import_batch_report_problems (CtlImportBatch *batch);
int
ctl_import_batch_send (CtlContext *ctx, CtlImportBatch *batch, GDBusProxy *proxy, const char *what);

char *
ctl_import_load (CtlImportBatch *batch, const char *format, const char *const *formats,
                 char **chosen, gsize *length, GError **error);

gboolean
ctl_import_read_contacts (CtlImportBatch *batch, const char *format, GError **error);
gboolean
ctl_import_read_responses (CtlImportBatch *batch, const char *format, GError **error);

void
ctl_import_parse_vcard (CtlImportBatch *batch, const char *data, gsize length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlImportBatch, ctl_import_batch_free)

G_END_DECLS
