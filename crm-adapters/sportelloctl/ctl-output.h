/* Output: aligned "key: value" records and one-line-per-record tables for people, JSON for
 * programs. Records (a{sv}) become plain JSON objects. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _CtlTable CtlTable;

void
ctl_print_json (JsonNode *node, gboolean pretty);
void
ctl_print_variant_json (GVariant *value);
void
ctl_print_json_line (JsonBuilder *builder);

char *
ctl_format_value (GVariant *value);
char *
ctl_format_time (gint64 usec);
char *
ctl_format_duration (guint64 ms);
const char *
ctl_record_string (GVariant *record, const char *key);

void
ctl_print_record (GVariant *record, const char *const *order);
void
ctl_print_field (const char *key, const char *value, guint width);
void
ctl_print_lines (const char *const *lines);

CtlTable *
ctl_table_new (void);
void
ctl_table_add (CtlTable *table, const char *first, ...) G_GNUC_NULL_TERMINATED;
void
ctl_table_print (CtlTable *table);
void
ctl_table_free (CtlTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlTable, ctl_table_free)

G_END_DECLS
