-- enqueue_plain: the fast path of enqueue, for batches without unique keys.
-- $1…$21 the batch as column arrays (src/storage/postgres/columns.ts, jobColumns):
--        id, method, args (JSON text), queue, priority, state, attempts, max attempts,
--        backoff (JSON text), timeout, run at, created at, started at, finished at,
--        expires at, result (JSON text), error (JSON text), unique key, progress, history
--        (JSON text), trace context; a column null in every row comes as an empty array
--        (unnest pads it)
-- $22 text[] the queues that receive Enqueued jobs, each once (empty: no wake-up, the caller
--        sends it after the commit: see src/storage/postgres/ready_notifier.ts)
-- $23 text   NOTIFY channel
-- Returns one row. Every row is stored (an id clash is an error), so the caller knows the
-- queues to signal: a `r:<queue>` notification each. (Taking them from RETURNING would
-- keep every row and sort them for a DISTINCT: ~5 % of the statement.)
--
-- Each value is parsed once, as its column's type: the statement is linear in the batch.
-- A data-modifying WITH runs to completion whether or not the outer query reads it.
WITH ins AS (
  INSERT INTO {{schema}}.jobs (
    id, method, args, queue, priority, state, attempts, max_attempts, backoff, timeout_ms,
    run_at, created_at, started_at, finished_at, expires_at, result, error, unique_key,
    progress, history, trace_context
  )
  SELECT i, m, a::json, q, p, s::{{schema}}.job_state, n, x, b::jsonb, t, r, c, sa, fa, ea,
    rs::json, er::json, u, g, h::json, tc
  FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::integer[],
    $8::integer[], $9::text[], $10::integer[], $11::timestamptz[], $12::timestamptz[],
    $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::text[], $17::text[],
    $18::text[], $19::float8[], $20::text[], $21::text[]
  ) AS j(i, m, a, q, p, s, n, x, b, t, r, c, sa, fa, ea, rs, er, u, g, h, tc)
)
SELECT count(pg_notify($23, 'r:' || q))::integer AS notified
FROM unnest($22::text[]) AS q
