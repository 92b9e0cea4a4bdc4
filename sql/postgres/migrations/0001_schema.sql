-- qml schema, version 1.
-- {{schema}} is replaced by the validated, quoted schema name before this runs.
-- Runs inside migrate()'s transaction, under its advisory lock.

CREATE TYPE {{schema}}.job_state AS ENUM (
  'Enqueued', 'Scheduled', 'Processing', 'Succeeded', 'Failed', 'AwaitingRetry', 'Deleted'
);

-- A queue table is an update-heavy table: every job is inserted, updated twice or more
-- (fetch, finish) and deleted by retention. fillfactor leaves room on each page so new row
-- versions stay on the page of the old one; the aggressive autovacuum settings keep dead
-- versions (and the partial fetch index) from piling up under churn. See docs/postgres.md.
CREATE TABLE {{schema}}.jobs (
  id            text COLLATE "C" PRIMARY KEY,
  method        text        NOT NULL,
  args          jsonb,
  queue         text        NOT NULL,
  priority      integer     NOT NULL DEFAULT 0,
  state         {{schema}}.job_state NOT NULL,
  attempts      integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL,
  backoff       jsonb,
  timeout_ms    integer,
  run_at        timestamptz NOT NULL,
  created_at    timestamptz NOT NULL,
  started_at    timestamptz,
  finished_at   timestamptz,
  expires_at    timestamptz,
  locked_by     text,
  locked_until  timestamptz,
  result        jsonb,
  error         jsonb,
  unique_key    text,
  progress      double precision NOT NULL DEFAULT 0,
  history       jsonb       NOT NULL DEFAULT '[]',
  CONSTRAINT jobs_method_not_empty CHECK (method <> ''),
  CONSTRAINT jobs_queue_not_empty CHECK (queue <> ''),
  CONSTRAINT jobs_attempts_range CHECK (attempts >= 0),
  CONSTRAINT jobs_max_attempts_range CHECK (max_attempts >= 1),
  CONSTRAINT jobs_progress_range CHECK (progress >= 0 AND progress <= 100),
  CONSTRAINT jobs_history_array CHECK (jsonb_typeof(history) = 'array'),
  CONSTRAINT jobs_lock_only_processing CHECK (
    state = 'Processing' OR (locked_by IS NULL AND locked_until IS NULL)
  )
) WITH (
  fillfactor = 70,
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.05,
  autovacuum_vacuum_cost_delay = 0
);

COMMENT ON TABLE {{schema}}.jobs IS 'qml background jobs: one row per job, history included';
COMMENT ON COLUMN {{schema}}.jobs.id IS 'UUIDv7 (time-ordered): newest first = id descending';
COMMENT ON COLUMN {{schema}}.jobs.method IS 'name of the worker that runs the job';
COMMENT ON COLUMN {{schema}}.jobs.args IS 'JSON arguments passed to the worker';
COMMENT ON COLUMN {{schema}}.jobs.priority IS 'higher runs first within a queue';
COMMENT ON COLUMN {{schema}}.jobs.attempts IS 'attempts started so far';
COMMENT ON COLUMN {{schema}}.jobs.backoff IS 'per-job backoff overriding the worker''s';
COMMENT ON COLUMN {{schema}}.jobs.run_at IS 'earliest run time; Scheduled/AwaitingRetry become Enqueued then';
COMMENT ON COLUMN {{schema}}.jobs.expires_at IS 'when retention may purge the job (final states only)';
COMMENT ON COLUMN {{schema}}.jobs.locked_by IS 'server holding the job while Processing';
COMMENT ON COLUMN {{schema}}.jobs.locked_until IS 'lock lapses then unless extended (heartbeat)';
COMMENT ON COLUMN {{schema}}.jobs.unique_key IS 'at most one live (not final) job per key';
COMMENT ON COLUMN {{schema}}.jobs.history IS 'JSON array of state changes, oldest first';

-- The fetch path: ready jobs of one queue in the order they must run.
CREATE INDEX jobs_fetch_idx ON {{schema}}.jobs (queue, priority DESC, run_at, id)
  WHERE state = 'Enqueued';
-- The scheduler: Scheduled / AwaitingRetry jobs coming due.
CREATE INDEX jobs_due_idx ON {{schema}}.jobs (run_at)
  WHERE state IN ('Scheduled', 'AwaitingRetry');
-- The rescuer: Processing jobs whose lock lapsed.
CREATE INDEX jobs_locked_until_idx ON {{schema}}.jobs (locked_until)
  WHERE state = 'Processing';
-- Retention.
CREATE INDEX jobs_expires_at_idx ON {{schema}}.jobs (expires_at)
  WHERE expires_at IS NOT NULL;
-- Unique keys bind live jobs only: a finished job frees its key.
CREATE UNIQUE INDEX jobs_unique_key_idx ON {{schema}}.jobs (unique_key)
  WHERE unique_key IS NOT NULL
    AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry');
-- Dashboard filters, newest first. Processing rows are left out: every job passes through
-- Processing, so indexing it would cost two index inserts per job on the hot path, while
-- the few Processing jobs are found through jobs_locked_until_idx.
CREATE INDEX jobs_state_id_idx ON {{schema}}.jobs (state, id)
  WHERE state <> 'Processing';
CREATE INDEX jobs_queue_state_id_idx ON {{schema}}.jobs (queue, state, id)
  WHERE state <> 'Processing';

CREATE TABLE {{schema}}.recurring (
  name          text PRIMARY KEY,
  cron          text        NOT NULL,
  timezone      text,
  method        text        NOT NULL,
  args          jsonb,
  queue         text        NOT NULL,
  priority      integer     NOT NULL DEFAULT 0,
  max_attempts  integer,
  missed_ticks  text        NOT NULL DEFAULT 'skip',
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  last_tick_at  timestamptz,
  CONSTRAINT recurring_missed_ticks CHECK (missed_ticks IN ('skip', 'once', 'all'))
);
COMMENT ON TABLE {{schema}}.recurring IS 'qml recurring (cron) job templates';
COMMENT ON COLUMN {{schema}}.recurring.last_tick_at IS
  'last claimed tick: claiming compares-and-sets it so one server enqueues each tick';

CREATE TABLE {{schema}}.leases (
  name        text PRIMARY KEY,
  holder      text        NOT NULL,
  expires_at  timestamptz NOT NULL
);
COMMENT ON TABLE {{schema}}.leases IS 'named leases: leader election for maintenance plugins';
