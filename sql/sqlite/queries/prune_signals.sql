-- prune_signals: drop signals every process has had time to read (at most 1,000 a call;
-- they are in seq order, which is time order, so the scan stops at the first young one).
-- ?1 integer before (ms)
-- Returns nothing.
DELETE FROM signals
WHERE seq IN (SELECT seq FROM signals WHERE at < ?1 ORDER BY seq LIMIT 1000)
