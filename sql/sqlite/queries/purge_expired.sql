-- purge_expired: hard-delete jobs whose retention ended.
-- ?1 integer now (ms)
-- ?2 integer limit
-- Returns nothing; `changes` is how many went.
DELETE FROM jobs
WHERE id IN (
  SELECT id FROM jobs WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2
)
