-- qml schema, version 5: a trigram index for the dashboard's job search.
-- {{schema}} is replaced by the validated, quoted schema name before this runs.
-- Runs inside migrate()'s transaction, under its advisory lock.
--
-- The search (src/storage/search.ts) looks for a substring of the lowercased method and
-- args. A pg_trgm GIN index on that text lets a search read only the jobs that can match
-- instead of scanning the newest SEARCH_SCAN_LIMIT jobs (src/storage/postgres/list.ts
-- writes the same expression; the two must stay identical for the planner to use it).
--
-- pg_trgm ships with PostgreSQL and is a trusted extension since version 13, so a role
-- with CREATE on the database can install it. Where it cannot (an older server, a managed
-- database without it, a role without the right), this migration still succeeds, creates
-- no index, and searches keep the bounded scan. Building the index on an existing large
-- table takes a while and blocks writes to it meanwhile.
-- args_field (0003) catches errors, which opens a subtransaction: no process of a parallel
-- query may, so a key:value search planned in parallel failed. PostgreSQL's rule for such a
-- function is PARALLEL UNSAFE.
ALTER FUNCTION {{schema}}.args_field(text, text) PARALLEL UNSAFE;

DO $migration$
DECLARE
  ns text;
BEGIN
  -- One creator at a time: parallel migrations of other schemas wait here, then see the
  -- extension instead of failing on a duplicate.
  PERFORM pg_advisory_xact_lock(hashtext('qml:pg_trgm'));
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN others THEN
    RAISE NOTICE 'qml: pg_trgm is unavailable (%); job searches scan the newest jobs', SQLERRM;
  END;
  SELECT n.nspname INTO ns
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  WHERE e.extname = 'pg_trgm';
  IF ns IS NOT NULL THEN
    EXECUTE format(
      'CREATE INDEX jobs_search_trgm_idx ON {{schema}}.jobs USING gin '
      '(lower(method || '' '' || coalesce(args::text, ''null'')) %I.gin_trgm_ops)',
      ns
    );
  END IF;
END
$migration$;
