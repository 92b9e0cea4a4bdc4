-- purge_finished: hard-delete final jobs (Succeeded, Failed, Deleted) that finished before a time.
-- $1 timestamptz before
-- $2 integer     limit
-- Returns one row: how many were deleted.
-- Scans jobs_state_id_idx over the three final states (oldest id first) and filters on
-- finished_at: there is no index on finished_at, so a call reads the final rows it keeps plus
-- at most $2 it deletes. Ids are time-ordered, so old finished rows come first. Job counts
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
