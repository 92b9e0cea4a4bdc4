-- count_due: what promote_due.sql is about to promote, by queue and state (run just before
-- it, in the same transaction, over the same rows: same filter, order and limit).
-- ?1 integer now (ms)
-- ?2 integer limit
-- Returns rows (queue, state, n).
SELECT queue, state, count(*) AS n
FROM (
  SELECT queue, state FROM jobs INDEXED BY jobs_due_idx
  WHERE state IN ('Scheduled', 'AwaitingRetry') AND run_at <= ?1
  ORDER BY run_at, id
  LIMIT ?2
)
GROUP BY queue, state
