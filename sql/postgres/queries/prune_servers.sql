-- prune_servers: forget servers whose last heartbeat is before $1.
-- $1 timestamptz cut
-- Returns how many went.
WITH gone AS (
  DELETE FROM {{schema}}.servers WHERE heartbeat_at < $1 RETURNING 1
)
SELECT count(*)::integer AS pruned FROM gone
