-- promote_due: Scheduled / AwaitingRetry jobs that came due become Enqueued.
-- ?1 integer now (ms)
-- ?2 integer limit
-- ?3 text    history entry to append (promotedEntry, JSON)
-- The history entry is appended as text (no JSON parse of the history: 2x cheaper).
-- Returns the queue of each promoted job.
-- INDEXED BY: without statistics the planner would take jobs_state_id_idx and sort.
UPDATE jobs
SET state = 'Enqueued',
    history = CASE history WHEN '[]' THEN '[' || ?3 || ']'
      ELSE substr(history, 1, length(history) - 1) || ',' || ?3 || ']' END
WHERE id IN (
  SELECT id FROM jobs INDEXED BY jobs_due_idx
  WHERE state IN ('Scheduled', 'AwaitingRetry') AND run_at <= ?1
  ORDER BY run_at, id
  LIMIT ?2
)
RETURNING queue
