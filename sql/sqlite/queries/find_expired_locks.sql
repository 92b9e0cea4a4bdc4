-- find_expired_locks: Processing jobs whose lock lapsed, oldest lock first.
-- ?1 integer now (ms)
-- ?2 integer limit
-- Returns full job rows.
SELECT * FROM jobs
WHERE state = 'Processing' AND locked_until <= ?1
ORDER BY locked_until, id
LIMIT ?2
