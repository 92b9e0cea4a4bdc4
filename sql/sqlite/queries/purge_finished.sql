-- purge_finished: hard-delete final jobs (Succeeded, Failed, Deleted) that finished before a time.
-- ?1 integer before (ms)
-- ?2 integer limit
-- Returns the queue and state of each job that went (the caller updates job_counts).
-- Scans jobs_state_id_idx over the three final states and filters on finished_at (no index on
-- it): a call reads the final rows it keeps plus at most ?2 it deletes.
DELETE FROM jobs
WHERE id IN (
  SELECT id FROM jobs
  WHERE state IN ('Succeeded', 'Failed', 'Deleted') AND finished_at < ?1
  LIMIT ?2
)
RETURNING queue, state
