-- old_minute_metrics: minute rows older than a time, to be rolled into hour rows.
-- ?1 integer before (ms)
-- Returns metrics rows.
SELECT * FROM metrics WHERE resolution = 'minute' AND at < ?1
