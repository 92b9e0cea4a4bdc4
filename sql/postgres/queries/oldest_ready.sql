-- oldest_ready: per queue with Enqueued jobs, the earliest run_at among them.
-- A loose index scan of jobs_fetch_idx (queue, priority DESC, run_at, id) WHERE Enqueued:
-- the recursive part steps from one (queue, priority) present to the next (the same
-- queue's next lower priority, else the next queue's highest), and each pair's first
-- run_at is one more probe. The cost grows with the number of (queue, priority) pairs,
-- never with the number of ready jobs.
WITH RECURSIVE qp(queue, priority) AS (
  (SELECT queue, priority FROM {{schema}}.jobs
   WHERE state = 'Enqueued'
   ORDER BY queue, priority DESC
   LIMIT 1)
  UNION ALL
  SELECT nxt.queue, nxt.priority
  FROM qp CROSS JOIN LATERAL (
    (SELECT j.queue, j.priority FROM {{schema}}.jobs j
     WHERE j.state = 'Enqueued' AND j.queue = qp.queue AND j.priority < qp.priority
     ORDER BY j.priority DESC
     LIMIT 1)
    UNION ALL
    (SELECT j.queue, j.priority FROM {{schema}}.jobs j
     WHERE j.state = 'Enqueued' AND j.queue > qp.queue
     ORDER BY j.queue, j.priority DESC
     LIMIT 1)
    LIMIT 1
  ) AS nxt
)
SELECT qp.queue, min(first.run_at) AS run_at
FROM qp CROSS JOIN LATERAL (
  SELECT j.run_at FROM {{schema}}.jobs j
  WHERE j.state = 'Enqueued' AND j.queue = qp.queue AND j.priority = qp.priority
  ORDER BY j.run_at
  LIMIT 1
) AS first
GROUP BY qp.queue
