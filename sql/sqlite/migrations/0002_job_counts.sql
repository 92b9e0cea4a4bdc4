-- qml schema for SQLite, version 2: job counts by queue and state, so counts() (the
-- dashboard reads it every second) costs the number of queues, not a scan of every job.
-- Runs inside migrate()'s BEGIN IMMEDIATE transaction.
--
-- The write verbs keep it, one upsert per (queue, state) a batch changed, in the batch's
-- transaction (src/storage/sqlite/job_counts.ts). Row triggers would do the same per job and
-- were measured to cost a fifth of the drain's throughput.

CREATE TABLE job_counts (
  queue  TEXT    NOT NULL,
  state  TEXT    NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (queue, state)
) WITHOUT ROWID;

INSERT INTO job_counts (queue, state, n)
SELECT queue, state, count(*) FROM jobs GROUP BY queue, state;
