-- prune_servers: forget servers whose last heartbeat is older than a time.
-- ?1 integer before (ms)
-- Returns nothing; `changes` is how many went.
DELETE FROM servers WHERE heartbeat_at < ?1
