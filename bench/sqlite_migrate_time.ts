/**
 * How long migration 0005 (the jobs table rebuilt) takes on a database of many jobs: a file of
 * schema 4 holding N job rows (copies of one, made in SQL), then the last migration, timed, in
 * its `BEGIN IMMEDIATE` transaction as `migrate()` runs it. Default 1,000,000 jobs, one run.
 *
 *   deno run -A bench/sqlite_migrate_time.ts [jobs]
 *
 * @module
 */
import { SQLITE_MIGRATIONS } from "../src/storage/sqlite/migrate.ts";
import { freshDatabase, JOB_COLUMNS, jobRows } from "./sqlite_job_rows.ts";

const N = Number(Deno.args[0] ?? 1_000_000);
const last = SQLITE_MIGRATIONS.at(-1)!;
const { db, done } = freshDatabase(SQLITE_MIGRATIONS.length - 1);
try {
  const insert = Deno.readTextFileSync(
    new URL("../sql/sqlite/queries/insert_jobs.sql", import.meta.url),
  ).replace("{{values}}", `(${Array(JOB_COLUMNS).fill("?").join(", ")})`);
  db.prepare(insert).run(...jobRows(1, Date.now())[0]);
  // Copies of that row with distinct ids; every tenth one finished, as a live database has them.
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO jobs SELECT id || printf('%08d', i), method, args, queue, priority,
       CASE WHEN i % 10 = 0 THEN 'Succeeded' ELSE state END, attempts, max_attempts, backoff,
       timeout_ms, run_at, created_at, started_at, finished_at,
       CASE WHEN i % 10 = 0 THEN run_at + 86400000 END, locked_by, locked_until, result, error,
       unique_key, progress, history, trace_context
     FROM jobs, n`,
  ).run(N);
  const t = performance.now();
  db.exec("BEGIN IMMEDIATE");
  db.exec(last.sql);
  db.exec("COMMIT");
  const ms = performance.now() - t;
  const rows = Number(db.prepare("SELECT count(*) AS n FROM jobs").get()!.n);
  console.log(`${last.name} on ${rows.toLocaleString("en")} jobs: ${Math.round(ms)} ms`);
} finally {
  done();
}
