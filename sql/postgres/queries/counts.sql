-- counts: jobs per queue and state (the caller fills in zeros and totals).
-- Reads the folded counters plus the deltas not yet folded (see 0003_dashboard.sql), in
-- one snapshot: it costs the number of (queue, state) pairs, not the number of jobs.
SELECT queue, state, sum(n)::integer AS n
FROM (
  SELECT queue, state, n FROM {{schema}}.job_counts
  UNION ALL
  SELECT queue, state, n FROM {{schema}}.job_count_deltas
) AS c
GROUP BY queue, state
HAVING sum(n) <> 0
