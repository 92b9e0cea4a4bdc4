-- read_signals: signals published since a sequence number, oldest first.
-- ?1 integer last sequence number seen
-- Returns rows (seq, origin, payload).
SELECT seq, origin, payload FROM signals WHERE seq > ?1 ORDER BY seq
