-- insert_jobs: store new jobs, skipping any whose unique key a live job holds.
-- The values placeholder below is filled in by src/storage/sqlite/enqueue.ts with one "(?, …, ?)" tuple of
-- JOB_COLUMNS.length parameters per job (rows.ts jobParams gives their values, in order).
-- Returns nothing; the statement's `changes` is how many rows were stored. A batch with unique
-- keys is inserted one row per statement so that each row's `changes` says whether it stored.
INSERT INTO jobs (
  id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
  run_at, created_at, started_at, finished_at, expires_at, locked_by, locked_until, result,
  error, unique_key, progress, history, trace_context
)
VALUES {{values}}
ON CONFLICT (unique_key)
  WHERE unique_key IS NOT NULL
    AND state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
  DO NOTHING
