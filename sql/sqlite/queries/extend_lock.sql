-- extend_lock: heartbeat for one job a server runs (the caller loops in one transaction).
-- ?1 text    job id
-- ?2 text    server name
-- ?3 integer new lock expiry (ms)
-- Returns nothing; `changes` is 1 when the server still held the lock (now extended).
UPDATE jobs SET locked_until = ?3
WHERE id = ?1 AND state = 'Processing' AND locked_by = ?2
