/**
 * What SQLite itself costs for a bulk enqueue, below qml: 10,000 job rows inserted with
 * `node:sqlite` the way `SqliteStorage` does (multi-row INSERTs of 64 rows, transactions of
 * 500, the real migrations and the real `insert_jobs.sql`), with no job building, no checks and
 * `synchronous=OFF` — once with every index of the schema, once without the two dashboard
 * indexes, once with only the unique-key index (the INSERT's ON CONFLICT needs it). A floor for `enqueueMany` on SQLite: qml cannot be
 * faster than the first column. Three rounds, median (min–max) in ms.
 *
 *   deno run -A bench/sqlite_insert_floor.ts
 *
 * @module
 */
import { freshDatabase, JOB_COLUMNS, jobRows } from "./sqlite_job_rows.ts";

const root = new URL("../sql/sqlite/", import.meta.url);
const insert = Deno.readTextFileSync(new URL("queries/insert_jobs.sql", root));
const DASHBOARD = ["jobs_state_id_idx", "jobs_queue_state_id_idx"];
// Every secondary index but the unique key's, which the INSERT's ON CONFLICT names.
const SECONDARY = [
  "jobs_fetch_idx",
  "jobs_due_idx",
  "jobs_locked_until_idx",
  "jobs_expires_at_idx",
  ...DASHBOARD,
];
const N = 10_000, ROWS = 64, TX = 500;

const rows = jobRows(N, Date.now());

function run(drop: string[]): number {
  const { db, done } = freshDatabase();
  try {
    for (const name of drop) db.exec(`DROP INDEX ${name}`);
    const tuple = `(${Array(JOB_COLUMNS).fill("?").join(", ")})`;
    const stmt = (n: number) =>
      db.prepare(insert.replace("{{values}}", Array(n).fill(tuple).join(",")));
    const full = stmt(ROWS);
    const t = performance.now();
    for (let b = 0; b < N; b += TX) {
      db.exec("BEGIN IMMEDIATE");
      for (let i = b; i < b + TX; i += ROWS) {
        const n = Math.min(ROWS, b + TX - i);
        (n === ROWS ? full : stmt(n)).run(...rows.slice(i, i + n).flat());
      }
      db.exec("COMMIT");
    }
    return performance.now() - t;
  } finally {
    done();
  }
}

const cases: [string, string[]][] = [
  ["every index of the schema", []],
  ["without the two dashboard indexes", DASHBOARD],
  ["only the unique-key index", SECONDARY],
];
const times = cases.map(() => [] as number[]);
for (let round = 0; round < 3; round++) {
  cases.forEach(([, drop], i) => times[i].push(run(drop)));
}
const fmt = (ms: number) => ms.toFixed(0);
console.log(`| 10,000 job rows, synchronous=OFF (ms) | median (min–max) |\n|---|---:|`);
cases.forEach(([label], i) => {
  const t = times[i].sort((a, b) => a - b);
  console.log(`| ${label} | ${fmt(t[1])} (${fmt(t[0])}–${fmt(t[2])}) |`);
});
