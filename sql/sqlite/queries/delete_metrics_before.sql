-- delete_metrics_before: drop rows of one resolution older than a time.
-- ?1 text resolution  ?2 integer before (ms)
-- Returns nothing; `changes` is how many went.
DELETE FROM metrics WHERE resolution = ?1 AND at < ?2
