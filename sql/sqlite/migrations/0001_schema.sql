-- qml schema for SQLite, version 1.
-- Runs inside migrate()'s BEGIN IMMEDIATE transaction, so concurrent openers apply it once.
-- Times are INTEGER milliseconds since the Unix epoch (exact, compact, cheap to compare);
-- JSON values (args, result, error, backoff, history) are TEXT.

CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,      -- UUIDv7 (time-ordered): newest first = id descending
  method        TEXT    NOT NULL CHECK (method <> ''),
  args          TEXT    NOT NULL,      -- JSON
  queue         TEXT    NOT NULL CHECK (queue <> ''),
  priority      INTEGER NOT NULL DEFAULT 0,
  state         TEXT    NOT NULL CHECK (state IN (
    'Enqueued', 'Scheduled', 'Processing', 'Succeeded', 'Failed', 'AwaitingRetry', 'Deleted'
  )),
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
  CHECK (state = 'Processing' OR (locked_by IS NULL AND locked_until IS NULL))
) WITHOUT ROWID;

-- The fetch path: ready jobs of one queue in the order they must run.
CREATE INDEX jobs_fetch_idx ON jobs (queue, priority DESC, run_at, id)
  WHERE state = 'Enqueued';
-- The scheduler: Scheduled / AwaitingRetry jobs coming due.
CREATE INDEX jobs_due_idx ON jobs (run_at, id)
  WHERE state IN ('Scheduled', 'AwaitingRetry');
-- The rescuer: Processing jobs whose lock lapsed.
CREATE INDEX jobs_locked_until_idx ON jobs (locked_until, id)
  WHERE state = 'Processing';
-- Retention.
CREATE INDEX jobs_expires_at_idx ON jobs (expires_at)
  WHERE expires_at IS NOT NULL;
-- Unique keys bind live jobs only: a finished job frees its key.
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key)
  WHERE unique_key IS NOT NULL
    AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry');
-- Dashboard filters and counts, newest first. Processing rows are left out: every job
-- passes through Processing, so indexing it would cost four more index writes per job on
-- the hot path (measured: fetch three times slower), while the few Processing jobs are
-- found through jobs_locked_until_idx. A query uses these indexes only when its WHERE holds
-- this same IN term (src/storage/sqlite/list.ts and counts.sql add it).
CREATE INDEX jobs_state_id_idx ON jobs (state, id)
  WHERE state IN ('Enqueued', 'Scheduled', 'Succeeded', 'Failed', 'AwaitingRetry', 'Deleted');
CREATE INDEX jobs_queue_state_id_idx ON jobs (queue, state, id)
  WHERE state IN ('Enqueued', 'Scheduled', 'Succeeded', 'Failed', 'AwaitingRetry', 'Deleted');

CREATE TABLE recurring (
  name          TEXT PRIMARY KEY,
  cron          TEXT    NOT NULL,
  timezone      TEXT,
  method        TEXT    NOT NULL,
  args          TEXT    NOT NULL,      -- JSON
  queue         TEXT    NOT NULL,
  priority      INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER,
  missed_ticks  TEXT    NOT NULL DEFAULT 'skip' CHECK (missed_ticks IN ('skip', 'once', 'all')),
  paused        INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  last_tick_at  INTEGER                -- last claimed tick: compare-and-set, one winner per tick
);

-- Named leases: leader election for maintenance plugins.
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL
);

-- Running servers, refreshed with each heartbeat.
CREATE TABLE servers (
  name          TEXT PRIMARY KEY,
  heartbeat_at  INTEGER NOT NULL,
  info          TEXT    NOT NULL       -- JSON of the ServerInfo
);

-- Metrics history: one row per (resolution, bucket start, queue, method).
-- Histograms are JSON arrays of counts, summed element-wise by the writer.
CREATE TABLE metrics (
  resolution  TEXT    NOT NULL CHECK (resolution IN ('minute', 'hour')),
  at          INTEGER NOT NULL,
  queue       TEXT    NOT NULL,
  method      TEXT    NOT NULL,
  succeeded   INTEGER NOT NULL,
  failed      INTEGER NOT NULL,
  retried     INTEGER NOT NULL,
  run_ms      TEXT    NOT NULL,
  wait_ms     TEXT    NOT NULL,
  PRIMARY KEY (resolution, at, queue, method)
) WITHOUT ROWID;

-- Signals for other processes on the same file (SQLite has no NOTIFY): written in the
-- transaction of the change they announce, read by every process whose `PRAGMA
-- data_version` moved, pruned after a minute.
CREATE TABLE signals (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  origin   TEXT    NOT NULL,           -- the writing process, which delivered it in-process
  at       INTEGER NOT NULL,
  payload  TEXT    NOT NULL            -- JSON of the StorageSignal
);
