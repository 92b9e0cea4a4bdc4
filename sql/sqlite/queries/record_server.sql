-- record_server: record or refresh a running server.
-- ?1 text name  ?2 integer heartbeat (ms)  ?3 text the ServerInfo as JSON
-- Returns nothing.
INSERT INTO servers (name, heartbeat_at, info) VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO UPDATE
SET heartbeat_at = excluded.heartbeat_at, info = excluded.info
