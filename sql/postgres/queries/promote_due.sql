-- promote_due: Scheduled / AwaitingRetry jobs that came due become Enqueued.
-- $1 timestamptz now
-- $2 integer     limit
-- $3 json        history entry to append (promotedEntry)
-- $4 text        NOTIFY channel
-- Returns one row: how many were promoted. Emits `r:<queue>` per queue touched.
-- The due rows are updated by their locked rows' addresses (see fetch_and_lock.sql).
WITH due AS (
  SELECT ctid
  FROM {{schema}}.jobs
  WHERE state IN ('Scheduled', 'AwaitingRetry') AND run_at <= $1
  ORDER BY run_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
),
upd AS (
  UPDATE {{schema}}.jobs AS t
  SET state = 'Enqueued', history = {{schema}}.history_append(t.history, $3::json)
  WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM due))
  RETURNING t.queue
),
notified AS (
  SELECT count(pg_notify($4, 'r:' || q.queue)) AS n FROM (SELECT DISTINCT queue FROM upd) q
)
SELECT (SELECT count(*) FROM upd)::integer AS promoted, notified.n::integer AS notified
FROM notified
