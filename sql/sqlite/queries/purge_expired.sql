-- purge_expired: hard-delete jobs whose retention ended.
-- ?1 integer now (ms)
-- ?2 integer limit
-- Returns the queue and state of each job that went.
DELETE FROM jobs
WHERE id IN (
  SELECT id FROM jobs WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2
)
RETURNING queue, state
