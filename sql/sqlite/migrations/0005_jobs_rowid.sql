-- qml schema for SQLite, version 5: the jobs table rebuilt as a rowid table, its state CHECK
-- as comparisons. Runs inside migrate()'s BEGIN IMMEDIATE transaction: every row is copied
-- once (bench/sqlite_migrate_time.ts: 8 s for 1,000,000 jobs), nothing changes for a reader.
--
-- Why: a job's row is written three times (enqueue, fetch, finish) and each write touches up
-- to four indexes. In a WITHOUT ROWID table every secondary index entry carries the
-- 36-character text id and the row lives in a B-tree keyed by it; in a rowid table the entries
-- carry an integer and the id has one index of its own. And like the dashboard indexes' old
-- term (migration 0004), `state IN (…seven states…)` was evaluated on every insert and update;
-- seven comparisons allow the same values for less. `deno run -A bench/sqlite_job_life.ts`
-- measures a job's life in these statements.

CREATE TABLE jobs_v5 (
  id            TEXT    NOT NULL PRIMARY KEY, -- UUIDv7 (time-ordered): newest first = id descending
  method        TEXT    NOT NULL CHECK (method <> ''),
  args          TEXT    NOT NULL,      -- JSON
  queue         TEXT    NOT NULL CHECK (queue <> ''),
  priority      INTEGER NOT NULL DEFAULT 0,
  state         TEXT    NOT NULL CHECK (
    state = 'Enqueued' OR state = 'Scheduled' OR state = 'Processing' OR state = 'Succeeded'
    OR state = 'Failed' OR state = 'AwaitingRetry' OR state = 'Deleted'
  ),
  attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
  backoff       TEXT,                  -- JSON
  timeout_ms    INTEGER,
  run_at        INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  started_at    INTEGER,
  finished_at   INTEGER,
  expires_at    INTEGER,               -- retention may purge the job then (final states)
  locked_by     TEXT,                  -- server holding the job while Processing
  locked_until  INTEGER,               -- the lock lapses then unless extended
  result        TEXT,                  -- JSON
  error         TEXT,                  -- JSON
  unique_key    TEXT,                  -- at most one live (not final) job per key
  progress      REAL    NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
  history       TEXT    NOT NULL DEFAULT '[]', -- JSON array of state changes, oldest first
  trace_context TEXT,                  -- W3C trace context of the enqueuing span (0003)
  CHECK (state = 'Processing' OR (locked_by IS NULL AND locked_until IS NULL))
);

INSERT INTO jobs_v5 (
  id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
  run_at, created_at, started_at, finished_at, expires_at, locked_by, locked_until, result,
  error, unique_key, progress, history, trace_context
)
SELECT
  id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
  run_at, created_at, started_at, finished_at, expires_at, locked_by, locked_until, result,
  error, unique_key, progress, history, trace_context
FROM jobs
ORDER BY id;

DROP TABLE jobs;
ALTER TABLE jobs_v5 RENAME TO jobs;

-- The indexes of 0001 and 0004, unchanged.
CREATE INDEX jobs_fetch_idx ON jobs (queue, priority DESC, run_at, id)
  WHERE state = 'Enqueued';
CREATE INDEX jobs_due_idx ON jobs (run_at, id)
  WHERE state IN ('Scheduled', 'AwaitingRetry');
CREATE INDEX jobs_locked_until_idx ON jobs (locked_until, id)
  WHERE state = 'Processing';
CREATE INDEX jobs_expires_at_idx ON jobs (expires_at)
  WHERE expires_at IS NOT NULL;
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key)
  WHERE unique_key IS NOT NULL
    AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry');
CREATE INDEX jobs_state_id_idx ON jobs (state, id)
  WHERE state <> 'Processing';
CREATE INDEX jobs_queue_state_id_idx ON jobs (queue, state, id)
  WHERE state <> 'Processing';
