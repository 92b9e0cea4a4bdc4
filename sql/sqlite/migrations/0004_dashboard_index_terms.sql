-- qml schema for SQLite, version 4: the dashboard indexes select their rows with one
-- comparison instead of an IN list. Runs inside migrate()'s BEGIN IMMEDIATE transaction.
--
-- SQLite evaluates a partial index's WHERE for the old and the new row of every write, and an
-- IN list of six constants costs far more there than one comparison: with the WHERE below
-- (the same rows: the table's CHECK allows seven states) a job's enqueue, fetch and finish
-- took a fifth less time in SQLite (bench/sqlite_job_life.ts, its rows "before 0005" and
-- "before 0004 too": 505 vs 621 ms for 10,000 jobs on the project's machine).
-- A list query must still repeat this term verbatim to use them (src/storage/sqlite/list.ts).

DROP INDEX jobs_state_id_idx;
DROP INDEX jobs_queue_state_id_idx;
CREATE INDEX jobs_state_id_idx ON jobs (state, id)
  WHERE state <> 'Processing';
CREATE INDEX jobs_queue_state_id_idx ON jobs (queue, state, id)
  WHERE state <> 'Processing';
