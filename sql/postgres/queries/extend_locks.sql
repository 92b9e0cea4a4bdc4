-- extend_locks: heartbeat for the jobs a server runs.
-- $1 text[]      job ids
-- $2 text        server name
-- $3 timestamptz new lock expiry
-- Returns the ids whose lock the server still held (and now extended).
-- Joined by id (see transition.sql): linear in the ids whatever the plan.
UPDATE {{schema}}.jobs AS t
SET locked_until = $3
FROM unnest($1::text[]) AS x(id)
WHERE t.id = x.id AND t.state = 'Processing' AND t.locked_by = $2
RETURNING t.id
