-- transition: apply one decided transition if its guard still holds (compare-and-set).
-- ?1  text    id
-- ?2  text    guard: state the job must be in
-- ?3  text    guard: server that must hold the lock, or NULL
-- ?4  integer guard: 1 if the lock must have lapsed (locked_until <= ?5), else 0
-- ?5  integer now (ms)
-- ?6  text    next state
-- ?7  integer run_at       ?8  integer attempts
-- ?9  text    result JSON  ?10 text    error JSON
-- ?11 integer started_at   ?12 integer finished_at   ?13 integer expires_at
-- ?14 text    history entry to append (JSON)
-- The history entry is appended as text (no JSON parse of the history: 2x cheaper).
-- Returns the job's queue when it applied, no row otherwise.
-- A job leaving a final state must not take a unique key that another live job holds.
UPDATE jobs
SET state = ?6,
    run_at = ?7,
    attempts = ?8,
    result = ?9,
    error = ?10,
    started_at = ?11,
    finished_at = ?12,
    expires_at = ?13,
    locked_by = NULL,
    locked_until = NULL,
    history = CASE history WHEN '[]' THEN '[' || ?14 || ']'
      ELSE substr(history, 1, length(history) - 1) || ',' || ?14 || ']' END
WHERE id = ?1
  AND state = ?2
  AND (?3 IS NULL OR locked_by = ?3)
  AND (?4 = 0 OR locked_until <= ?5)
  AND (
    unique_key IS NULL
    OR ?2 IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    OR ?6 NOT IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    OR NOT EXISTS (
      SELECT 1 FROM jobs AS o
      WHERE o.unique_key = jobs.unique_key AND o.id <> jobs.id
        AND o.state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    )
  )
RETURNING queue
