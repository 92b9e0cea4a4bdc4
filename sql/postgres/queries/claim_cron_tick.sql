-- claim_cron_tick: claim a tick of a template and store its job, atomically.
-- $1…$21 the job as column arrays of one row, as in enqueue_plain.sql
-- $22 text        template name
-- $23 timestamptz tick
-- $24 text        NOTIFY channel
-- Returns the stored job's id, or no row when the claim lost.
--
-- Concurrent claimers of one tick serialise on the template's row lock; the losers re-check
-- `last_tick_at < tick` against the winner's version and update nothing, so they insert
-- nothing either.
WITH claim AS (
  UPDATE {{schema}}.recurring
  SET last_tick_at = $23
  WHERE name = $22 AND NOT paused AND (last_tick_at IS NULL OR last_tick_at < $23)
  RETURNING name
),
ins AS (
  INSERT INTO {{schema}}.jobs (
    id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
    run_at, created_at, started_at, finished_at, expires_at, result, error, unique_key,
    progress, history, trace_context
  )
  SELECT i, m, a::json, q, p, s::{{schema}}.job_state, n, x, b::jsonb, t, r, c, sa, fa, ea,
    rs::json, er::json, u, g, h::json, tc
  FROM claim, unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::integer[],
    $8::integer[], $9::text[], $10::integer[], $11::timestamptz[], $12::timestamptz[],
    $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::text[], $17::text[],
    $18::text[], $19::float8[], $20::text[], $21::text[]
  ) AS j(i, m, a, q, p, s, n, x, b, t, r, c, sa, fa, ea, rs, er, u, g, h, tc)
  ON CONFLICT (unique_key)
    WHERE unique_key IS NOT NULL
      AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    DO NOTHING
  RETURNING id, queue, state
),
notified AS (
  SELECT count(pg_notify($24, 'r:' || queue)) AS n FROM ins WHERE state = 'Enqueued'
)
SELECT ins.id FROM ins, notified WHERE notified.n >= 0
