-- put_metrics_bucket: write a metrics row (the caller already summed any old one into it).
-- ?1 text resolution  ?2 integer bucket start (ms)  ?3 text queue  ?4 text method
-- ?5 integer succeeded  ?6 integer failed  ?7 integer retried
-- ?8 text run-time histogram (JSON array)  ?9 text wait-time histogram (JSON array)
-- Returns nothing.
INSERT OR REPLACE INTO metrics (
  resolution, at, queue, method, succeeded, failed, retried, run_ms, wait_ms
)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
