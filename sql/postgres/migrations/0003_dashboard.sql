-- qml schema, version 3: what the dashboard reads.
-- {{schema}} is replaced by the validated, quoted schema name before this runs.
-- Runs inside migrate()'s transaction, under its advisory lock.

-- Recurring pause/resume: a paused template claims no ticks.
ALTER TABLE {{schema}}.recurring ADD COLUMN paused boolean NOT NULL DEFAULT false;

-- Running servers, each refreshed with its heartbeat (see src/server_info.ts).
CREATE TABLE {{schema}}.servers (
  name          text COLLATE "C" PRIMARY KEY,
  host          text        NOT NULL,
  pid           integer     NOT NULL,
  started_at    timestamptz NOT NULL,
  heartbeat_at  timestamptz NOT NULL,
  queues        text[]      NOT NULL,
  concurrency   integer     NOT NULL,
  in_flight     integer     NOT NULL,
  execution     text        NOT NULL,
  version       text        NOT NULL
);
COMMENT ON TABLE {{schema}}.servers IS 'qml job servers, refreshed with each heartbeat';

-- Metrics history (src/metrics.ts): counters and duration histograms per minute, rolled
-- into hours after 7 days, dropped after 90. Independent of the jobs table: retention
-- purging jobs never touches it.
CREATE TABLE {{schema}}.metrics_minutes (
  at         timestamptz NOT NULL,
  queue      text        NOT NULL,
  method     text        NOT NULL,
  succeeded  bigint      NOT NULL DEFAULT 0,
  failed     bigint      NOT NULL DEFAULT 0,
  retried    bigint      NOT NULL DEFAULT 0,
  run_ms     bigint[]    NOT NULL,
  wait_ms    bigint[]    NOT NULL,
  PRIMARY KEY (at, queue, method)
);
COMMENT ON TABLE {{schema}}.metrics_minutes IS 'qml metrics per minute, queue and method';
CREATE TABLE {{schema}}.metrics_hours (LIKE {{schema}}.metrics_minutes INCLUDING ALL);
COMMENT ON TABLE {{schema}}.metrics_hours IS 'qml metrics per hour (compacted minutes)';

-- Element-wise sum of two histograms (a missing element counts as 0).
CREATE FUNCTION {{schema}}.add_histograms(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
  FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)
$$;
CREATE AGGREGATE {{schema}}.sum_histograms(bigint[]) (
  SFUNC = {{schema}}.add_histograms,
  STYPE = bigint[],
  INITCOND = '{}'
);

-- Job counts by (queue, state), so counts() costs the number of queues, not of jobs.
-- Statement-level triggers append one delta row per (queue, state) a statement changed:
-- appending takes no row lock, so writers never queue behind one another on a counter.
-- Now and then (about one statement in 64) a writer folds the deltas into job_counts, one
-- folder at a time (transaction-level advisory lock); counts() reads both tables in one
-- snapshot, in which a fold is all or nothing.
CREATE TABLE {{schema}}.job_counts (
  queue  text NOT NULL,
  state  {{schema}}.job_state NOT NULL,
  n      bigint NOT NULL,
  PRIMARY KEY (queue, state)
);
COMMENT ON TABLE {{schema}}.job_counts IS 'jobs per queue and state, as of the last fold';
CREATE TABLE {{schema}}.job_count_deltas (
  queue  text NOT NULL,
  state  {{schema}}.job_state NOT NULL,
  n      bigint NOT NULL
);
COMMENT ON TABLE {{schema}}.job_count_deltas IS 'changes to job_counts not yet folded in';

CREATE FUNCTION {{schema}}.fold_job_counts() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('qml:counts:' || '{{schema}}')) THEN
    RETURN;
  END IF;
  WITH moved AS (
    DELETE FROM {{schema}}.job_count_deltas RETURNING queue, state, n
  )
  INSERT INTO {{schema}}.job_counts AS c (queue, state, n)
  SELECT queue, state, sum(n) FROM moved GROUP BY queue, state
  ON CONFLICT (queue, state) DO UPDATE SET n = c.n + EXCLUDED.n;
  DELETE FROM {{schema}}.job_counts WHERE n = 0;
END
$$;

CREATE FUNCTION {{schema}}.count_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {{schema}}.job_count_deltas (queue, state, n)
    SELECT queue, state, count(*) FROM new_rows GROUP BY queue, state;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO {{schema}}.job_count_deltas (queue, state, n)
    SELECT queue, state, -count(*) FROM old_rows GROUP BY queue, state;
  ELSE
    INSERT INTO {{schema}}.job_count_deltas (queue, state, n)
    SELECT queue, state, sum(d) FROM (
      SELECT queue, state, -1 AS d FROM old_rows
      UNION ALL
      SELECT queue, state, 1 FROM new_rows
    ) AS x
    GROUP BY queue, state
    HAVING sum(d) <> 0;
  END IF;
  IF random() < 1.0 / 64 THEN
    PERFORM {{schema}}.fold_job_counts();
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_count_insert AFTER INSERT ON {{schema}}.jobs
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_jobs();
CREATE TRIGGER jobs_count_update AFTER UPDATE ON {{schema}}.jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_jobs();
CREATE TRIGGER jobs_count_delete AFTER DELETE ON {{schema}}.jobs
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.count_jobs();

-- Jobs already stored (the triggers above hold the table's lock until this commits, so no
-- change slips between the two).
INSERT INTO {{schema}}.job_counts (queue, state, n)
SELECT queue, state, count(*) FROM {{schema}}.jobs GROUP BY queue, state;

-- The dashboard search's `key:value` (src/storage/search.ts): the text of the top-level
-- field `key` of a job's args, given as JSON text whatever the column's type. NULL when
-- the args are not an object, lack the field, or cannot be read as text (a \u0000 in
-- them): a search must never fail because of one job's data.
CREATE FUNCTION {{schema}}.args_field(args text, key text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF json_typeof(args::json) <> 'object' THEN
    RETURN NULL;
  END IF;
  RETURN args::json ->> key;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
