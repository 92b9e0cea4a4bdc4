-- query_metrics: metrics rows of one resolution in [from, to), optionally of one queue and
-- one method, oldest first (the caller sums them per bucket).
-- ?1 text resolution  ?2 integer from (ms)  ?3 integer to (ms)
-- ?4 text queue or NULL  ?5 text method or NULL
-- Returns metrics rows.
SELECT * FROM metrics
WHERE resolution = ?1 AND at >= ?2 AND at < ?3
  AND (?4 IS NULL OR queue = ?4)
  AND (?5 IS NULL OR method = ?5)
ORDER BY at
