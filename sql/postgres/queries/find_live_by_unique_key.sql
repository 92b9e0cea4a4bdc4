-- find_live_by_unique_key: the live jobs holding some unique keys.
-- $1 text[] unique keys
-- Returns full job rows.
SELECT *
FROM {{schema}}.jobs
WHERE unique_key = ANY($1::text[])
  AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
