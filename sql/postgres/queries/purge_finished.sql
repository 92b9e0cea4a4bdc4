-- purge_finished: hard-delete final jobs (Succeeded, Failed, Deleted) that finished before a time.
-- $1 timestamptz before
-- $2 integer     limit
-- Returns one row: how many were deleted.
-- Plans as a scan of jobs_state_id_idx (state, id) over the three final states, filtering on
-- finished_at (no index on it): a call reads the final rows it keeps plus at most $2 it
-- deletes, and stops there. No ORDER BY: any $2 matching rows will do. Job counts
-- follow through the statement triggers (0003_dashboard.sql); unique keys are already free.
WITH doomed AS (
  SELECT ctid
  FROM {{schema}}.jobs
  WHERE state IN ('Succeeded', 'Failed', 'Deleted') AND finished_at < $1
  LIMIT $2
  FOR UPDATE SKIP LOCKED
),
del AS (
  DELETE FROM {{schema}}.jobs AS t WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM doomed)) RETURNING 1
)
SELECT count(*)::integer AS purged FROM del
