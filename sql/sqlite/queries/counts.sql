-- counts: jobs per queue and state (the caller fills in zeros and totals).
-- No parameters. Returns rows (queue, state, n).
-- Everything but Processing is counted from jobs_queue_state_id_idx alone (the IN term
-- matches that partial index); the few Processing jobs through jobs_locked_until_idx.
SELECT queue, state, count(*) AS n
FROM jobs INDEXED BY jobs_queue_state_id_idx
WHERE state IN ('Enqueued', 'Scheduled', 'Succeeded', 'Failed', 'AwaitingRetry', 'Deleted')
GROUP BY queue, state
UNION ALL
SELECT queue, state, count(*) AS n
FROM jobs INDEXED BY jobs_locked_until_idx
WHERE state = 'Processing'
GROUP BY queue
