/**
 * What SQLite itself costs for a job's whole life, below qml: 10,000 job rows inserted,
 * fetched and finished with the storage's own statements (`insert_jobs.sql` in transactions of
 * 500, `fetch_and_lock.sql` 100 at a time, `transition.sql` for 300 results per transaction),
 * `synchronous=OFF`, no job building — on the schema as migrated, and with the two dashboard
 * indexes as they were before migration 0004 (`WHERE state IN (…six states…)` instead of
 * `WHERE state <> 'Processing'`: the same rows). Three rounds, median (min–max) in ms.
 *
 *   deno run -A bench/sqlite_job_life.ts
 *
 * @module
 */
import { freshDatabase, JOB_COLUMNS, jobRows } from "./sqlite_job_rows.ts";

const root = new URL("../sql/sqlite/queries/", import.meta.url);
const query = (name: string) => Deno.readTextFileSync(new URL(`${name}.sql`, root));
const INSERT = query("insert_jobs"), FETCH = query("fetch_and_lock"), FINISH = query("transition");
const N = 10_000, ROWS = 50, TX = 500, FETCH_BATCH = 100, FINISH_BATCH = 300;

const SIX_STATES =
  "state IN ('Enqueued', 'Scheduled', 'Succeeded', 'Failed', 'AwaitingRetry', 'Deleted')";
const BEFORE_0004 = `
DROP INDEX jobs_state_id_idx;
DROP INDEX jobs_queue_state_id_idx;
CREATE INDEX jobs_state_id_idx ON jobs (state, id) WHERE ${SIX_STATES};
CREATE INDEX jobs_queue_state_id_idx ON jobs (queue, state, id) WHERE ${SIX_STATES};`;

const now = Date.now();
const at = new Date(now).toISOString();
const rows = jobRows(N, now);
const fetched = JSON.stringify({ state: "Processing", at, reason: "fetched", server: "s" });
const finished = JSON.stringify({ state: "Succeeded", at, reason: "succeeded", server: "s" });

/** Insert, fetch and finish every job; ms of each phase. */
function life(schemaAfter: string): [number, number, number] {
  const { db, done } = freshDatabase();
  try {
    db.exec(schemaAfter);
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

const cases: [string, string][] = [
  ["as migrated (`state <> 'Processing'`)", ""],
  ["before migration 0004 (`state IN (…six…)`)", BEFORE_0004],
];
const times = cases.map(() => [] as [number, number, number][]);
for (let round = 0; round < 3; round++) cases.forEach(([, sql], i) => times[i].push(life(sql)));
const cell = (xs: number[]) => {
  const t = xs.toSorted((a, b) => a - b);
  return `${t[1].toFixed(0)} (${t[0].toFixed(0)}–${t[2].toFixed(0)})`;
};
console.log(
  "| dashboard indexes, 10,000 jobs, synchronous=OFF (ms) | insert | fetch | finish | whole life |",
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
