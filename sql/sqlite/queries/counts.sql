-- counts: jobs per queue and state (the caller fills in zeros and totals).
-- No parameters. Returns rows (queue, state, n); read from jobs_queue_state_id_idx alone.
SELECT queue, state, count(*) AS n FROM jobs GROUP BY queue, state
