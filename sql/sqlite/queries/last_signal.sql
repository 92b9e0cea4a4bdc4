-- last_signal: the newest signal's sequence number (where a new subscriber starts).
-- No parameters. Returns one row, `seq` (0 when none).
SELECT coalesce(max(seq), 0) AS seq FROM signals
