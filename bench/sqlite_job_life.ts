/**
 * What SQLite itself costs for a job's whole life, below qml: 10,000 job rows inserted,
 * fetched and finished with the storage's own statements (`insert_jobs.sql` in transactions of
 * 500, `fetch_and_lock.sql` 100 at a time, `transition.sql` for 300 results per transaction),
 * `synchronous=OFF`, no job building — on the schema as migrated, and on the schema as it was
 * before each of the migrations that made this cheaper: before 0005 (the jobs table `WITHOUT
 * ROWID`, its state CHECK an IN list) and before 0004 as well (the dashboard indexes' WHERE an
 * IN list of six states). Three rounds, median (min–max) in ms.
 *
 *   deno run -A bench/sqlite_job_life.ts
 *
 * @module
 */
import { SQLITE_MIGRATIONS } from "../src/storage/sqlite/migrate.ts";
import { freshDatabase, JOB_COLUMNS, jobRows } from "./sqlite_job_rows.ts";

const root = new URL("../sql/sqlite/queries/", import.meta.url);
const query = (name: string) => Deno.readTextFileSync(new URL(`${name}.sql`, root));
const INSERT = query("insert_jobs"), FETCH = query("fetch_and_lock"), FINISH = query("transition");
const N = 10_000, ROWS = 50, TX = 500, FETCH_BATCH = 100, FINISH_BATCH = 300;

const now = Date.now();
const at = new Date(now).toISOString();
const rows = jobRows(N, now);
const fetched = JSON.stringify({ state: "Processing", at, reason: "fetched", server: "s" });
const finished = JSON.stringify({ state: "Succeeded", at, reason: "succeeded", server: "s" });

/** Insert, fetch and finish every job on the schema of the first `migrations`; ms of each phase. */
function life(migrations: number): [number, number, number] {
  const { db, done } = freshDatabase(migrations);
  try {
    const tuple = `(${Array(JOB_COLUMNS).fill("?").join(", ")})`;
    const insert = db.prepare(INSERT.replace("{{values}}", Array(ROWS).fill(tuple).join(",")));
    const fetch = db.prepare(FETCH), finish = db.prepare(FINISH);
    const tx = (fn: () => void) => {
      db.exec("BEGIN IMMEDIATE");
      fn();
      db.exec("COMMIT");
    };
    let t = performance.now();
    for (let b = 0; b < N; b += TX) {
      tx(() => {
        for (let i = b; i < b + TX; i += ROWS) insert.run(...rows.slice(i, i + ROWS).flat());
      });
    }
    const inserted = performance.now() - t;
    let fetching = 0, finishing = 0;
    for (let done = 0; done < N; done += FINISH_BATCH) {
      t = performance.now();
      const ids: string[] = [];
      for (let k = 0; k < FINISH_BATCH; k += FETCH_BATCH) {
        tx(() => {
          for (const r of fetch.all("default", FETCH_BATCH, now + 1, "s", now + 60_000, fetched)) {
            ids.push(r.id as string);
          }
        });
      }
      fetching += performance.now() - t;
      t = performance.now();
      tx(() => {
        for (const id of ids) {
          finish.get(
            ...[id, "Processing", "s", 0, now + 2, "Succeeded", now, 1, null, null, now + 1],
            ...[now + 2, now + 86_400_000, finished],
          );
        }
      });
      finishing += performance.now() - t;
    }
    const left = db.prepare("SELECT count(*) AS n FROM jobs WHERE state <> 'Succeeded'").get();
    if (Number(left!.n) !== 0) throw new Error(`${left!.n} jobs did not finish`);
    return [inserted, fetching, finishing];
  } finally {
    done();
  }
}

const cases: [string, number][] = [
  ["as migrated", SQLITE_MIGRATIONS.length],
  ["before 0005 (`WITHOUT ROWID`, the state CHECK an IN list)", 4],
  ["before 0004 too (the dashboard indexes' WHERE an IN list)", 3],
];
const times = cases.map(() => [] as [number, number, number][]);
for (let round = 0; round < 3; round++) cases.forEach(([, m], i) => times[i].push(life(m)));
const cell = (xs: number[]) => {
  const t = xs.toSorted((a, b) => a - b);
  return `${t[1].toFixed(0)} (${t[0].toFixed(0)}–${t[2].toFixed(0)})`;
};
console.log(
  "| schema, 10,000 jobs, synchronous=OFF (ms) | insert | fetch | finish | whole life |",
);
console.log("|---|---:|---:|---:|---:|");
cases.forEach(([label], i) => {
  const col = (k: number) => cell(times[i].map((x) => x[k]));
  console.log(
    `| ${label} | ${col(0)} | ${col(1)} | ${col(2)} | ${
      cell(times[i].map((x) => x[0] + x[1] + x[2]))
    } |`,
  );
});
