-- get_metrics_bucket: one metrics row, to add a delta to (inside the writer's transaction).
-- ?1 text resolution  ?2 integer bucket start (ms)  ?3 text queue  ?4 text method
-- Returns the row, or none.
SELECT * FROM metrics WHERE resolution = ?1 AND at = ?2 AND queue = ?3 AND method = ?4
