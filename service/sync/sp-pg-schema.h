/* The shared store's schema in PostgreSQL (schema "sportello"), documented in
 * docs/shared-store.md. Version 1: one table of records (contacts, interactions, responses, push
 * items) as JSON documents, each change numbered by one sequence in commit order, and the
 * function agents write through. */
#pragma once

#define SP_PG_SCHEMA_VERSION 1
#define SP_PG_SCHEMA_VERSION_TEXT "1" /* the same, for SQL text */
#define SP_PG_CHANNEL "sportello_changes"

/* Makes the schema's version row exist (any agent may be first), in one transaction. */
extern const char sp_pg_schema_bootstrap_sql[];
/* The version the database is at: one row, one column. */
extern const char sp_pg_schema_version_sql[];
/* Creates (or completes) version 1; run only when the database is not newer. */
extern const char sp_pg_schema_create_sql[];
/* $1 the batch (JSON array of changes), $2 this agent: how many records were stored. */
extern const char sp_pg_push_sql[];
/* $1 the position already taken: the next changes in order (kind, id, doc, deleted, updated,
 * origin, seq). */
extern const char sp_pg_pull_sql[];
#define SP_PG_PULL_LIMIT 500
#define SP_PG_PULL_LIMIT_TEXT "500"
