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
import { DatabaseSync } from "node:sqlite";

const root = new URL("../sql/sqlite/", import.meta.url);
const migrations = [
  "0001_schema.sql",
  "0002_job_counts.sql",
  "0003_trace_context.sql",
  "0004_dashboard_index_terms.sql",
].map((f) => Deno.readTextFileSync(new URL(`migrations/${f}`, root)));
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
const N = 10_000, ROWS = 64, TX = 500, COLUMNS = 23;

// Rows as qml writes them for `enqueueMany` of no-op jobs: time-ordered ids, one history entry.
const now = Date.now();
const rows = Array.from({ length: N }, (_, i) => [
  `0190${now.toString(16).padStart(8, "0")}-7000-8000-${String(i).padStart(12, "0")}`,
  "noop",
  JSON.stringify({ i }),
  "default",
  0,
  "Enqueued",
  0,
  3,
  null,
  null,
  now,
  now,
  null,
  null,
  null,
  null,
  null,
  null,
  null,
  null,
  0,
  `[{"state":"Enqueued","at":${now},"server":null,"reason":null}]`,
  null,
]);

function run(drop: string[]): number {
  const dir = Deno.makeTempDirSync({ prefix: "qml_sqlite_floor_" });
  const db = new DatabaseSync(`${dir}/jobs.db`);
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -32000");
    for (const m of migrations) db.exec(m);
    for (const name of drop) db.exec(`DROP INDEX ${name}`);
    const tuple = `(${Array(COLUMNS).fill("?").join(", ")})`;
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
    db.close();
    Deno.removeSync(dir, { recursive: true });
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
