-- transition: apply a batch of decided transitions (see src/transitions.ts), each guarded.
-- $1 json        array of items, encoded as described in src/storage/postgres/rows.ts
--                (encodeTransitions): id, the guard (gs state, gl locked by, ge lock expired)
--                and every field of the next state; timestamps and history entries are
--                indexes into $5 and $6
-- $2 timestamptz now (for the lock-expired guard)
-- $3 text        NOTIFY channel
-- $4 text[]      the items' ids (lets the planner find the rows by primary key instead of
--                hashing the whole table against the JSON input)
-- $5 text[]      distinct timestamps, indexed by the items' r/sa/fa/ea (1-based)
-- $6 jsonb       distinct history entries to append, indexed by the items' e (0-based)
-- Returns the ids of the items that applied.
-- Emits `r:<queue>` for jobs that became Enqueued and `c:<id>` for Processing jobs deleted.
--
-- The guard is checked on the locked, current row version (UPDATE re-checks its WHERE after
-- waiting for a concurrent writer), so a late finish or a second rescuer changes nothing.
-- A job leaving a final state must not take a unique key a live job already holds.
WITH d AS (
  SELECT $5::text[]::timestamptz[] AS ts
),
input AS (
  SELECT x.i AS id, x.gs AS g_state, x.gl AS g_locked_by, x.ge AS g_lock_expired,
    x.s AS state, d.ts[x.r] AS run_at, x.n AS attempts, x.rs AS result, x.er AS error,
    d.ts[x.sa] AS started_at, d.ts[x.fa] AS finished_at, d.ts[x.ea] AS expires_at,
    $6::jsonb -> x.e AS entry
  FROM d, json_to_recordset($1::json) AS x(
    i text, gs {{schema}}.job_state, gl text, ge boolean, s {{schema}}.job_state, r integer,
    n integer, rs jsonb, er jsonb, sa integer, fa integer, ea integer, e integer
  )
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
      history = t.history || jsonb_build_array(i.entry)
  FROM input AS i
  WHERE t.id = ANY($4::text[])
    AND t.id = i.id
    AND t.state = i.g_state
    AND (i.g_locked_by IS NULL OR t.locked_by = i.g_locked_by)
    AND (i.g_lock_expired IS NOT TRUE OR t.locked_until <= $2)
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
  SELECT count(pg_notify($3, n.payload)) AS n
  FROM (
    SELECT DISTINCT 'r:' || queue AS payload FROM upd WHERE state = 'Enqueued'
    UNION ALL
    SELECT 'c:' || id FROM upd WHERE state = 'Deleted' AND g_state = 'Processing'
  ) AS n
)
SELECT upd.id FROM upd, notified WHERE notified.n >= 0
