-- qml schema for PostgreSQL, version 7: vacuum the jobs table early and at full speed.
-- Every fetch updates an Enqueued row to Processing, which leaves its entry in the partial
-- fetch index (`WHERE state = 'Enqueued'`) pointing at a dead row version until VACUUM
-- removes it; the fetch's index scan starts at the front, where those entries pile up. With
-- the defaults (vacuum once 20 % of the table is dead, throttled by the cost delay), a server
-- draining a large backlog walks over all of them on every fetch: measured 600,000 consumed
-- jobs into a 1,000,000-job backlog, one fetch of 100 read 6,223 index pages (18 ms); after a
-- VACUUM (2.1 s unthrottled on that table), 203 pages (0.2 ms). So the table is vacuumed
-- after a fixed number of changes, whatever its size, and without the cost delay. These are
-- per-table settings: a DBA can set others (ALTER TABLE … SET / RESET).
ALTER TABLE {{schema}}.jobs SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 20000,
  autovacuum_vacuum_cost_delay = 0
);
