/* The store's error domain. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_STORE_ERROR (sp_store_error_quark ())
GQuark
sp_store_error_quark (void);

typedef enum
{
  SP_STORE_ERROR_FAILED,
  SP_STORE_ERROR_INVALID,     /* the caller's record or query is wrong */
  SP_STORE_ERROR_NOT_FOUND,   /* no such id */
  SP_STORE_ERROR_CONFLICT,    /* e.g. an address that belongs to another contact */
  SP_STORE_ERROR_UNAVAILABLE, /* the database cannot be used: damaged, read-only, disk full */
} SpStoreError;

G_END_DECLS
