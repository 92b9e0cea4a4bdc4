-- find_expired_locks: Processing jobs whose lock lapsed, oldest lock first.
-- $1 timestamptz now
-- $2 integer     limit
SELECT *
FROM {{schema}}.jobs
WHERE state = 'Processing' AND locked_until <= $1
ORDER BY locked_until, id
LIMIT $2
