-- enqueue: store a batch of new jobs in one statement, skipping taken unique keys.
-- $1 json   rows, encoded as described in src/storage/postgres/rows.ts (encodeJobs)
-- $2 jsonb  distinct histories, indexed by the rows' `h` (0-based)
-- $3 text[] distinct timestamps, indexed by the rows' r/c/sa/fa/ea (1-based)
-- $4 text   NOTIFY channel
-- Returns the input position `o` of each row actually stored. Rows whose unique key is held
-- by a live job (also one stored earlier in the same batch) are skipped.
-- Emits a `r:<queue>` notification per queue that received Enqueued jobs.
WITH d AS (
  SELECT $3::text[]::timestamptz[] AS ts
),
input AS (
  SELECT j.*
  FROM json_to_recordset($1::json) AS j(
    i text, m text, a jsonb, q text, p integer, s {{schema}}.job_state, n integer,
    x integer, b jsonb, t integer, r integer, c integer, sa integer, fa integer, ea integer,
    rs jsonb, er jsonb, u text, g double precision, h integer, o integer, tc text
  )
),
ins AS (
  INSERT INTO {{schema}}.jobs (
    id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
    run_at, created_at, started_at, finished_at, expires_at, result, error, unique_key,
    progress, history, trace_context
  )
  SELECT i, m, a, q, p, s, n, x, b, t, d.ts[r], d.ts[c], d.ts[sa], d.ts[fa], d.ts[ea],
    rs, er, u, g, $2::jsonb -> h, tc
  FROM input, d
  ORDER BY o
  ON CONFLICT (unique_key)
    WHERE unique_key IS NOT NULL
      AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    DO NOTHING
  RETURNING id, queue, state
),
notified AS (
  SELECT count(pg_notify($4, 'r:' || q.queue)) AS n
  FROM (SELECT DISTINCT queue FROM ins WHERE state = 'Enqueued') AS q
)
SELECT input.o AS ord
FROM ins JOIN input ON input.i = ins.id, notified
WHERE notified.n >= 0
