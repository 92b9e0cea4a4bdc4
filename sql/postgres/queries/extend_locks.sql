-- extend_locks: heartbeat for the jobs a server runs.
-- $1 text[]      job ids
-- $2 text        server name
-- $3 timestamptz new lock expiry
-- Returns the ids whose lock the server still held (and now extended).
UPDATE {{schema}}.jobs
SET locked_until = $3
WHERE id = ANY($1::text[]) AND state = 'Processing' AND locked_by = $2
RETURNING id
