-- purge_expired: hard-delete jobs whose retention ran out.
-- $1 timestamptz now
-- $2 integer     limit
-- Returns one row: how many were deleted.
WITH doomed AS (
  SELECT id
  FROM {{schema}}.jobs
  WHERE expires_at <= $1
  ORDER BY expires_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
),
del AS (
  DELETE FROM {{schema}}.jobs AS t USING doomed WHERE t.id = doomed.id RETURNING 1
)
SELECT count(*)::integer AS purged FROM del
