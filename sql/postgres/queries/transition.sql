-- transition: apply a batch of decided transitions (see src/transitions.ts), each guarded.
-- $1…$13 the items as column arrays (src/storage/postgres/columns.ts, transitionColumns):
--        id, guard state, guard locked by, guard lock expired, next state, run at,
--        attempts, result (JSON text), error (JSON text), started at, finished at,
--        expires at, and the index of the history entry to append in $14; a column null in
--        every row comes as an empty array (unnest pads it)
-- $14 text[]      distinct history entries to append, as JSON text (0-based)
-- $15 timestamptz now (for the lock-expired guard)
-- $16 text        NOTIFY channel
-- Returns the ids of the items that applied.
-- Emits `r:<queue>` for jobs that became Enqueued and `c:<id>` for Processing jobs deleted.
-- Items that end their job already expired go to transition_expired.sql instead.
--
-- Each value is parsed once, as its column's type, and the rows are joined by id: a nested
-- loop over the primary key for a table the planner knows is big, a hash join for one it
-- believes small; either is linear. (An `id = ANY($1)` filter is not: on a sequential scan
-- it compares every row with the whole id array.)
-- The guard is checked on the locked, current row version (UPDATE re-checks its WHERE after
-- waiting for a concurrent writer), so a late finish or a second rescuer changes nothing.
-- A job leaving a final state must not take a unique key a live job already holds.
WITH input AS (
  SELECT x.i AS id, x.gs::{{schema}}.job_state AS g_state, x.gl AS g_locked_by,
    x.ge::boolean AS g_lock_expired, x.s::{{schema}}.job_state AS state, x.r AS run_at,
    x.n AS attempts, x.rs::json AS result, x.er::json AS error, x.sa AS started_at,
    x.fa AS finished_at, x.ea AS expires_at, ($14::text[])[x.e + 1]::json AS entry
  FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
    $7::integer[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[],
    $12::timestamptz[], $13::integer[]
  ) AS x(i, gs, gl, ge, s, r, n, rs, er, sa, fa, ea, e)
),
upd AS (
  UPDATE {{schema}}.jobs AS t
  SET state = i.state,
      run_at = i.run_at,
      attempts = i.attempts,
      result = i.result,
      error = i.error,
      started_at = i.started_at,
      finished_at = i.finished_at,
      expires_at = i.expires_at,
      locked_by = NULL,
      locked_until = NULL,
      history = {{schema}}.history_append(t.history, i.entry)
  FROM input AS i
  WHERE t.id = i.id
    AND t.state = i.g_state
    AND (i.g_locked_by IS NULL OR t.locked_by = i.g_locked_by)
    AND (i.g_lock_expired IS NOT TRUE OR t.locked_until <= $15)
    AND (
      t.unique_key IS NULL
      OR i.g_state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
      OR i.state NOT IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
      OR NOT EXISTS (
        SELECT 1 FROM {{schema}}.jobs AS o
        WHERE o.unique_key = t.unique_key AND o.id <> t.id
          AND o.state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
      )
    )
  RETURNING t.id, t.queue, t.state, i.g_state
),
notified AS (
  SELECT count(pg_notify($16, n.payload)) AS n
  FROM (
    SELECT DISTINCT 'r:' || queue AS payload FROM upd WHERE state = 'Enqueued'
    UNION ALL
    SELECT 'c:' || id FROM upd WHERE state = 'Deleted' AND g_state = 'Processing'
  ) AS n
)
SELECT upd.id FROM upd, notified WHERE notified.n >= 0
