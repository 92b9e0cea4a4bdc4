-- fetch_and_lock: take up to $2 ready jobs for a server, in one statement.
-- $1 text[]      queues, in strict priority order
-- $2 integer     limit
-- $3 timestamptz now
-- $4 text        server name
-- $5 timestamptz lock expiry (now + lock TTL)
-- $6 json        history entry to append (fetchedEntry)
-- Returns the locked jobs (unordered: the caller sorts them) with their full history, but
-- not the columns this statement just set from its parameters (state, started_at, locked_by,
-- locked_until): the caller fills those in rather than parsing them per row.
--
-- Each queue is read through jobs_fetch_idx in its own LATERAL branch, so the planner never
-- sorts the whole backlog; SKIP LOCKED lets concurrent fetchers pass over each other's rows.
-- The picked rows are then updated by their physical address (`ctid = ANY (ARRAY(…))`, a TID
-- scan: cost per row, whatever the plan cache believes about the table's size). They are
-- locked by this statement, so their addresses cannot change under it. A join on id would
-- let the generic plan merge-join along the whole primary key (through every finished job
-- older than the backlog) or filter a sequential scan against the whole id array.
WITH picked AS (
  SELECT j.ctid
  FROM unnest($1::text[]) WITH ORDINALITY AS q(name, ord)
  CROSS JOIN LATERAL (
    SELECT ctid, id, priority, run_at
    FROM {{schema}}.jobs
    WHERE state = 'Enqueued' AND queue = q.name AND run_at <= $3
    ORDER BY priority DESC, run_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ) j
  ORDER BY q.ord, j.priority DESC, j.run_at, j.id
  LIMIT $2
)
UPDATE {{schema}}.jobs AS t
SET state = 'Processing',
    attempts = t.attempts + 1,
    started_at = $3,
    locked_by = $4,
    locked_until = $5,
    history = {{schema}}.history_append(t.history, $6::json)
WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM picked))
RETURNING t.id, t.method, t.args, t.queue, t.priority, t.attempts, t.max_attempts, t.backoff,
  t.timeout_ms, t.run_at, t.created_at, t.finished_at, t.expires_at, t.result, t.error,
  t.unique_key, t.progress, t.history, t.trace_context
