-- record_activity: add metric deltas to their minute buckets and publish job changes, in
-- one statement (one round trip per result batch).
-- $1 json    deltas, one per (minute, queue, method), already summed by the caller:
--            [{ "at": iso, "q": queue, "m": method, "s": succeeded, "f": failed,
--               "r": retried, "rm": run histogram, "wm": wait histogram }]
-- $2 text[]  NOTIFY payloads (`a:<json>`), each under NOTIFY's 8,000-byte limit, in order
-- $3 text    NOTIFY channel
WITH input AS (
  SELECT x.*
  FROM json_to_recordset($1::json) AS x(
    at timestamptz, q text, m text, s bigint, f bigint, r bigint, rm bigint[], wm bigint[]
  )
),
up AS (
  INSERT INTO {{schema}}.metrics_minutes AS t (
    at, queue, method, succeeded, failed, retried, run_ms, wait_ms
  )
  SELECT at, q, m, s, f, r, rm, wm FROM input
  ON CONFLICT (at, queue, method) DO UPDATE
  SET succeeded = t.succeeded + EXCLUDED.succeeded,
      failed = t.failed + EXCLUDED.failed,
      retried = t.retried + EXCLUDED.retried,
      run_ms = {{schema}}.add_histograms(t.run_ms, EXCLUDED.run_ms),
      wait_ms = {{schema}}.add_histograms(t.wait_ms, EXCLUDED.wait_ms)
  RETURNING 1
),
notified AS (
  -- unnest yields the chunks in array order; NOTIFY delivers them in call order.
  SELECT count(pg_notify($3, p)) AS n
  FROM unnest($2::text[]) AS c(p)
)
SELECT (SELECT count(*) FROM up)::integer AS buckets, (SELECT n FROM notified)::integer AS sent
