-- compact_metrics: roll minute buckets older than $1 into hour buckets and drop hour
-- buckets older than $2 (minutes older than $2 are dropped without rolling).
-- $1 timestamptz minute cut (now - 7 days)  $2 timestamptz hour cut (now - 90 days)
-- Returns how many rows went.
WITH moved AS (
  DELETE FROM {{schema}}.metrics_minutes WHERE at < $1 RETURNING *
),
rolled AS (
  INSERT INTO {{schema}}.metrics_hours AS t (
    at, queue, method, succeeded, failed, retried, run_ms, wait_ms
  )
  SELECT date_bin('1 hour', at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), queue, method,
    sum(succeeded), sum(failed), sum(retried),
    {{schema}}.sum_histograms(run_ms), {{schema}}.sum_histograms(wait_ms)
  FROM moved
  WHERE at >= $2
  GROUP BY 1, 2, 3
  ON CONFLICT (at, queue, method) DO UPDATE
  SET succeeded = t.succeeded + EXCLUDED.succeeded,
      failed = t.failed + EXCLUDED.failed,
      retried = t.retried + EXCLUDED.retried,
      run_ms = {{schema}}.add_histograms(t.run_ms, EXCLUDED.run_ms),
      wait_ms = {{schema}}.add_histograms(t.wait_ms, EXCLUDED.wait_ms)
  RETURNING 1
),
dropped AS (
  DELETE FROM {{schema}}.metrics_hours WHERE at < $2 RETURNING 1
)
SELECT ((SELECT count(*) FROM moved) + (SELECT count(*) FROM dropped))::integer AS gone,
  (SELECT count(*) FROM rolled)::integer AS rolled
