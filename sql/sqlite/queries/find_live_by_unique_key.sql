-- find_live_by_unique_key: the live job holding a unique key.
-- ?1 text unique key
-- Returns the full job row, or none.
SELECT * FROM jobs
WHERE unique_key = ?1
  AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
