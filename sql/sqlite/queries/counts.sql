-- counts: jobs per queue and state (the caller fills in zeros and totals).
-- No parameters. Returns rows (queue, state, n), from job_counts (kept by the write verbs).
SELECT queue, state, n FROM job_counts WHERE n <> 0
