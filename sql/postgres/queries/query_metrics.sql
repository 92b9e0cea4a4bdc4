-- query_metrics: the history in [$1, $2), summed per bucket of $3, optionally for one queue
-- ($4) and one method ($5); oldest first. Compacted hours show at their hour's start.
-- $1 timestamptz from  $2 timestamptz to  $3 interval bucket ('1 minute' or '1 hour')
-- $4 text queue or NULL  $5 text method or NULL
SELECT date_bin($3::interval, at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS at,
  sum(succeeded)::bigint AS succeeded,
  sum(failed)::bigint AS failed,
  sum(retried)::bigint AS retried,
  {{schema}}.sum_histograms(run_ms) AS run_ms,
  {{schema}}.sum_histograms(wait_ms) AS wait_ms
FROM (
  SELECT * FROM {{schema}}.metrics_hours WHERE at >= $1 AND at < $2
  UNION ALL
  SELECT * FROM {{schema}}.metrics_minutes WHERE at >= $1 AND at < $2
) AS b
WHERE ($4::text IS NULL OR queue = $4) AND ($5::text IS NULL OR method = $5)
GROUP BY 1
ORDER BY 1
