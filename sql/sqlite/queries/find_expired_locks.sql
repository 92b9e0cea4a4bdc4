-- find_expired_locks: Processing jobs whose lock lapsed, oldest lock first.
-- ?1 integer now (ms)
-- ?2 integer limit
-- Returns full job rows.
-- INDEXED BY: without statistics the planner would take jobs_state_id_idx and sort.
SELECT * FROM jobs INDEXED BY jobs_locked_until_idx
WHERE state = 'Processing' AND locked_until <= ?1
ORDER BY locked_until, id
LIMIT ?2
