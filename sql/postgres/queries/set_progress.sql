-- set_progress: store a running job's progress.
-- $1 text             job id
-- $2 text             server name (must still hold the lock)
-- $3 double precision progress, 0..100
-- Returns the id when stored.
UPDATE {{schema}}.jobs
SET progress = $3
WHERE id = $1 AND state = 'Processing' AND locked_by = $2
RETURNING id
