-- purge_expired: hard-delete jobs whose retention ran out.
-- $1 timestamptz now
-- $2 integer     limit
-- Returns one row: how many were deleted. Rows are deleted by their locked rows' addresses (see
-- fetch_and_lock.sql).
WITH doomed AS (
  SELECT ctid
  FROM {{schema}}.jobs
  WHERE expires_at <= $1
  ORDER BY expires_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
),
del AS (
  DELETE FROM {{schema}}.jobs AS t WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM doomed)) RETURNING 1
)
SELECT count(*)::integer AS purged FROM del
