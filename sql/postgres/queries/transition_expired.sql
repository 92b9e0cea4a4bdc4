-- transition_expired: apply transitions that end their jobs already expired (a retention of
-- 0; expiredOnWrite in src/transitions.ts) by deleting the jobs, as the cleanup would next:
-- a DELETE writes no new row version, no index entry and no history append.
-- $1…$5 the items as column arrays (src/storage/postgres/columns.ts, expiredColumns): id,
--       guard state, guard locked by, guard lock expired ('true' or null), next state
-- $6 timestamptz now (for the lock-expired guard)
-- $7 text        NOTIFY channel
-- Returns the ids of the items that applied; emits `c:<id>` for a Processing job deleted.
--
-- The guard is transition.sql's, checked the same way on the locked, current row version;
-- its unique-key clause cannot matter here (a final state takes no key, and the row that
-- held one goes). Rows are joined by id as there: linear in the batch.
WITH input AS (
  SELECT x.i AS id, x.gs::{{schema}}.job_state AS g_state, x.gl AS g_locked_by,
    x.ge::boolean AS g_lock_expired, x.s::{{schema}}.job_state AS state
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    AS x(i, gs, gl, ge, s)
),
del AS (
  DELETE FROM {{schema}}.jobs AS t
  USING input AS i
  WHERE t.id = i.id
    AND t.state = i.g_state
    AND (i.g_locked_by IS NULL OR t.locked_by = i.g_locked_by)
    AND (i.g_lock_expired IS NOT TRUE OR t.locked_until <= $6)
  RETURNING t.id, i.state, i.g_state
),
notified AS (
  SELECT count(pg_notify($7, 'c:' || id)) AS n
  FROM del
  WHERE state = 'Deleted' AND g_state = 'Processing'
)
SELECT del.id FROM del, notified WHERE notified.n >= 0
