-- enqueue: store a batch of new jobs in one statement, skipping taken unique keys.
-- $1…$21 the batch as column arrays, as in enqueue_plain.sql
-- $22 integer[] each row's input position (1-based), returned for the rows stored
-- $23 text      NOTIFY channel, or '' to send no wake-up (the caller sends it after the commit:
--               see src/storage/postgres/ready_notifier.ts)
-- Returns the input position `ord` of each row actually stored. Rows whose unique key is
-- held by a live job (also one stored earlier in the same batch) are skipped.
-- Emits a `r:<queue>` notification per queue that received Enqueued jobs.
WITH input AS MATERIALIZED (
  SELECT *
  FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::integer[],
    $8::integer[], $9::text[], $10::integer[], $11::timestamptz[], $12::timestamptz[],
    $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::text[], $17::text[],
    $18::text[], $19::float8[], $20::text[], $21::text[], $22::integer[]
  ) AS j(i, m, a, q, p, s, n, x, b, t, r, c, sa, fa, ea, rs, er, u, g, h, tc, o)
),
ins AS (
  INSERT INTO {{schema}}.jobs (
    id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
    run_at, created_at, started_at, finished_at, expires_at, result, error, unique_key,
    progress, history, trace_context
  )
  SELECT i, m, a::json, q, p, s::{{schema}}.job_state, n, x, b::jsonb, t, r, c, sa, fa, ea,
    rs::json, er::json, u, g, h::json, tc
  FROM input
  ORDER BY o
  ON CONFLICT (unique_key)
    WHERE unique_key IS NOT NULL
      AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    DO NOTHING
  RETURNING id, queue, state
),
notified AS (
  SELECT count(pg_notify($23, 'r:' || q.queue)) AS n
  FROM (SELECT DISTINCT queue FROM ins WHERE state = 'Enqueued') AS q
  WHERE $23 <> ''
)
SELECT input.o AS ord
FROM ins JOIN input ON input.i = ins.id, notified
WHERE notified.n >= 0
