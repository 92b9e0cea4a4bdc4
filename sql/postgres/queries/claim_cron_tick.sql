-- claim_cron_tick: claim a tick of a template and store its job, atomically.
-- $1 text        template name
-- $2 timestamptz tick
-- $3 json        the job, encoded as in enqueue.sql (one row)
-- $4 jsonb       its history (one-element dictionary)
-- $5 text[]      its timestamps
-- $6 text        NOTIFY channel
-- Returns the stored job's id, or no row when the claim lost.
--
-- Concurrent claimers of one tick serialise on the template's row lock; the losers re-check
-- `last_tick_at < tick` against the winner's version and update nothing, so they insert
-- nothing either.
WITH claim AS (
  UPDATE {{schema}}.recurring
  SET last_tick_at = $2
  WHERE name = $1 AND NOT paused AND (last_tick_at IS NULL OR last_tick_at < $2)
  RETURNING name
),
d AS (
  SELECT $5::text[]::timestamptz[] AS ts
),
ins AS (
  INSERT INTO {{schema}}.jobs (
    id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
    run_at, created_at, started_at, finished_at, expires_at, result, error, unique_key,
    progress, history
  )
  SELECT i, m, a, q, p, s, n, x, b, t, d.ts[r], d.ts[c], d.ts[sa], d.ts[fa], d.ts[ea],
    rs, er, u, g, $4::jsonb -> h
  FROM claim, d, json_to_recordset($3::json) AS j(
    i text, m text, a jsonb, q text, p integer, s {{schema}}.job_state, n integer,
    x integer, b jsonb, t integer, r integer, c integer, sa integer, fa integer, ea integer,
    rs jsonb, er jsonb, u text, g double precision, h integer, o integer
  )
  ON CONFLICT (unique_key)
    WHERE unique_key IS NOT NULL
      AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
    DO NOTHING
  RETURNING id, queue, state
),
notified AS (
  SELECT count(pg_notify($6, 'r:' || queue)) AS n FROM ins WHERE state = 'Enqueued'
)
SELECT ins.id FROM ins, notified WHERE notified.n >= 0
