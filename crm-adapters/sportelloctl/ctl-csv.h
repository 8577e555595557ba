/* CSV as RFC 4180 has it (quoted fields, doubled quotes, commas and line breaks inside quotes),
 * UTF-8 with an optional byte-order mark, a header row naming record keys. */
#pragma once

#include "ctl-import.h"

G_BEGIN_DECLS

/* Called for each data row; @cells[i] is the value of @columns[i], NULL when the cell is empty. */
typedef void (*CtlCsvRowFunc) (CtlImportBatch *batch, guint line, const char *const *columns,
                               const char *const *cells);

void
ctl_csv_import (CtlImportBatch *batch, const char *data, gsize length,
                const char *const *known_columns, CtlCsvRowFunc row_func);

G_END_DECLS
