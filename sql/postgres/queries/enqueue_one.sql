-- enqueue_one: one job without a unique key (`JobClient.enqueue`, the commonest call), as one
-- VALUES row of scalar parameters. The batch statement (enqueue_plain.sql) unnests 21 arrays:
-- for a single row Postgres spends more on them than on the insert (`deno run -A
-- bench/pg_floors.ts`: the bare one-row insert commits ~1.4× as often).
-- $1…$21 the job's columns in enqueue_plain.sql's order (src/storage/postgres/columns.ts,
--        jobRow), null where the job has none. JSON and times are declared text and cast
--        here: a parameter typed `json` would have the driver JSON-encode the text again.
-- $22 text the queue to signal (`r:<queue>`), or null when the job is not Enqueued
-- $23 text NOTIFY channel
-- Returns one row.
WITH ins AS (
  INSERT INTO {{schema}}.jobs (
    id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
    run_at, created_at, started_at, finished_at, expires_at, result, error, unique_key,
    progress, history, trace_context
  )
  VALUES (
    $1::text, $2::text, $3::text::json, $4::text, $5::integer, $6::text::{{schema}}.job_state,
    $7::integer, $8::integer, $9::text::jsonb, $10::integer, $11::text::timestamptz,
    $12::text::timestamptz, $13::text::timestamptz, $14::text::timestamptz,
    $15::text::timestamptz, $16::text::json, $17::text::json, $18::text, $19::float8,
    $20::text::json, $21::text
  )
)
SELECT count(pg_notify($23, 'r:' || q))::integer AS notified
FROM (SELECT $22::text AS q) AS s
WHERE q IS NOT NULL
