-- fetch_and_lock: take up to ?2 ready jobs of one queue for a server (the caller runs it per
-- queue, in strict queue order, inside one BEGIN IMMEDIATE transaction).
-- ?1 text    queue
-- ?2 integer limit
-- ?3 integer now (ms)
-- ?4 text    server name
-- ?5 integer lock expiry (now + lock TTL, ms)
-- ?6 text    history entry to append (fetchedEntry, JSON)
-- The history entry is appended as text (no JSON parse of the history: 2x cheaper).
-- Returns the locked jobs' full rows (unordered: the caller sorts them).
-- The subquery reads jobs_fetch_idx in the order jobs must run, so nothing is sorted.
UPDATE jobs
SET state = 'Processing',
    attempts = attempts + 1,
    started_at = ?3,
    locked_by = ?4,
    locked_until = ?5,
    history = CASE history WHEN '[]' THEN '[' || ?6 || ']'
      ELSE substr(history, 1, length(history) - 1) || ',' || ?6 || ']' END
WHERE id IN (
  SELECT id FROM jobs
  WHERE state = 'Enqueued' AND queue = ?1 AND run_at <= ?3
  ORDER BY priority DESC, run_at, id
  LIMIT ?2
)
RETURNING *
