/* The shared store's schema in PostgreSQL (sp-pg-schema.h). */
#include "sp-pg-schema.h"

#include <glib.h>

/* Agents starting together all run this; the advisory lock makes them take turns. */
const char sp_pg_schema_bootstrap_sql[]
  = "BEGIN;"
    "SELECT pg_advisory_xact_lock(7262001);"
    "CREATE SCHEMA IF NOT EXISTS sportello;"
    "CREATE TABLE IF NOT EXISTS sportello.meta (key text PRIMARY KEY, value text NOT NULL);"
    "INSERT INTO sportello.meta (key, value) VALUES ('schema-version', '" SP_PG_SCHEMA_VERSION_TEXT
    "') ON CONFLICT (key) DO NOTHING;"
    "COMMIT;";

const char sp_pg_schema_version_sql[]
  = "SELECT value FROM sportello.meta WHERE key = 'schema-version'";

/* sportello.records: the current version of every shared record. A change replaces a record
 * only when it is newer (updated, µs since the epoch; on a tie the greater origin), so sending
 * a change twice, or late, does nothing; an interaction is only ever changed by the agent that
 * handled it. seq numbers the stored changes in commit order (the lock below makes writers
 * take turns), so an agent that has taken every change up to N never misses one below N. */
const char sp_pg_schema_create_sql[]
  = "BEGIN;"
    "SELECT pg_advisory_xact_lock(7262001);"
    "CREATE SEQUENCE IF NOT EXISTS sportello.change_seq;"
    "CREATE TABLE IF NOT EXISTS sportello.records ("
    "  kind text NOT NULL,"
    "  id text NOT NULL,"
    "  doc jsonb,"
    "  deleted boolean NOT NULL DEFAULT false,"
    "  updated bigint NOT NULL,"
    "  origin text NOT NULL,"
    "  seq bigint NOT NULL,"
    "  PRIMARY KEY (kind, id));"
    "CREATE INDEX IF NOT EXISTS records_by_seq ON sportello.records (seq);"
    "CREATE OR REPLACE FUNCTION sportello.push(batch jsonb, agent text) RETURNS integer"
    " LANGUAGE plpgsql AS $push$"
    " DECLARE stored integer;"
    " BEGIN"
    "  PERFORM pg_advisory_xact_lock(7262002);"
    "  INSERT INTO sportello.records AS r (kind, id, doc, deleted, updated, origin, seq)"
    "   SELECT c->>'kind', c->>'id', c->'doc', COALESCE((c->>'deleted')::boolean, false),"
    "    (c->>'updated')::bigint, agent, nextval('sportello.change_seq')"
    "   FROM jsonb_array_elements(batch) AS c"
    "  ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc, deleted = excluded.deleted,"
    "   updated = excluded.updated, origin = excluded.origin, seq = excluded.seq"
    "   WHERE (excluded.updated > r.updated"
    "     OR (excluded.updated = r.updated AND excluded.origin > r.origin))"
    "    AND (r.kind <> 'interaction' OR r.origin = excluded.origin);"
    "  GET DIAGNOSTICS stored = ROW_COUNT;"
    "  IF stored > 0 THEN PERFORM pg_notify('" SP_PG_CHANNEL "', agent); END IF;"
    "  RETURN stored;"
    " END $push$;"
    "COMMIT;";

const char sp_pg_push_sql[] = "SELECT sportello.push($1::jsonb, $2)";

const char sp_pg_pull_sql[]
  = "SELECT kind, id, doc::text, deleted, updated, origin, seq FROM sportello.records"
    " WHERE seq > $1::bigint ORDER BY seq LIMIT " SP_PG_PULL_LIMIT_TEXT;
