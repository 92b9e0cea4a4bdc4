/**
 * What the dashboard reads, at 1,000,000 jobs: `counts()`, list pages and searches, on
 * Postgres (rows written by one INSERT … SELECT, then VACUUM ANALYZE), SQLite (likewise, in
 * `$TMPDIR/qml_bench_reads.db`) and Redis (jobs enqueued through the storage). Prints p50 /
 * p95 per read. Noisy on a shared machine: take the figures from a quiet one.
 *
 *   deno run -A bench/storage_reads_bench.ts [postgres|redis|sqlite] [jobs] [--keep]
 *
 * The data is dropped at the end unless `--keep` is given (a rerun then reuses it).
 *
 * @module
 */
import { createJob } from "../src/job.ts";
import { JobState } from "../src/job_state.ts";
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";
import { RedisStorage } from "../src/storage/redis/redis_storage.ts";
import type { Storage } from "../src/storage/storage.ts";
import { SqliteStorage } from "../src/storage/sqlite/sqlite_storage.ts";
import { DatabaseSync } from "node:sqlite";

const backend = Deno.args[0] ?? "postgres";
const N = Number(Deno.args.filter((a) => !a.startsWith("--"))[1] ?? 1_000_000);
const KEEP = Deno.args.includes("--keep");
const SCHEMA = "qml_bench_reads";
const PREFIX = "qml-bench-reads";
const STATES = [
  JobState.Enqueued,
  JobState.Succeeded,
  JobState.Succeeded,
  JobState.Succeeded,
  JobState.Failed,
  JobState.Scheduled,
  JobState.Deleted,
  JobState.AwaitingRetry,
];

async function postgres(): Promise<Storage> {
  const schema = SCHEMA;
  const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
  const s = await PostgresStorage.connect({ url, schema });
  const [{ n }] = await s.sql.unsafe(`select count(*)::int as n from ${schema}.jobs`);
  for (let done = n; done < N; done += 200_000) {
    const states = STATES.map((x) => `'${x}'`).join(",");
    await s.sql.unsafe(`
      insert into ${schema}.jobs
        (id, method, args, queue, state, max_attempts, run_at, created_at, history)
      select lpad(to_hex(g), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g), 12, '0'),
        'method_' || (g % 5),
        jsonb_build_object('user', 'user' || g, 'n', g, 'to', 'someone' || g || '@example.com'),
        'queue_' || (g % 4), (array[${states}])[1 + g % 8]::${schema}.job_state, 3, now(),
        now() - (${N} - g) * interval '1 ms', '[]'
      from generate_series(${done + 1}, ${Math.min(N, done + 200_000)}) g`);
  }
  if (n < N) await s.sql.unsafe(`vacuum analyze ${schema}.jobs`);
  return s;
}

async function redis(): Promise<Storage> {
  const s = await RedisStorage.connect({
    url: Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379",
    keyPrefix: PREFIX,
  });
  const have = Object.values((await s.counts()).byState).reduce((a, b) => a + b, 0);
  const now = new Date();
  for (let done = have; done < N; done += 5_000) {
    const jobs = Array.from({ length: Math.min(5_000, N - done) }, (_, i) => {
      const g = done + i + 1;
      return createJob({
        method: `method_${g % 5}`,
        args: { user: `user${g}`, n: g, to: `someone${g}@example.com` },
        queue: `queue_${g % 4}`,
        now,
      });
    });
    await s.enqueue({ jobs, now });
  }
  return s;
}

async function sqlite(): Promise<Storage> {
  const path = `${Deno.env.get("TMPDIR") ?? "/tmp"}/qml_bench_reads.db`;
  const s = await SqliteStorage.open({ path });
  const have = Object.values((await s.counts()).byState).reduce((a, b) => a + b, 0);
  if (have < N) {
    const db = new DatabaseSync(path);
    const states = JSON.stringify(STATES);
    db.exec(`
      WITH RECURSIVE g(i) AS (SELECT ${have + 1} UNION ALL SELECT i + 1 FROM g WHERE i < ${N})
      INSERT INTO jobs (id, method, args, queue, state, max_attempts, run_at, created_at, history)
      SELECT printf('%08x-0000-7000-8000-%012x', i, i), 'method_' || (i % 5),
        json_object('user', 'user' || i, 'n', i, 'to', 'someone' || i || '@example.com'),
        'queue_' || (i % 4), '${states}' ->> (i % 8), 3, 0, ${Date.now()} - (${N} - i), '[]'
      FROM g;
      DELETE FROM job_counts;
      INSERT INTO job_counts SELECT queue, state, count(*) FROM jobs GROUP BY queue, state;
      ANALYZE;`);
    db.close();
  }
  return s;
}

async function measure(name: string, fn: () => Promise<unknown>, runs = 30): Promise<void> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  const p = (q: number) => ts[Math.min(runs - 1, Math.floor(runs * q))].toFixed(1);
  console.log(`${backend} ${name}: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms`);
}

const s = backend === "redis"
  ? await redis()
  : backend === "sqlite"
  ? await sqlite()
  : await postgres();
try {
  await measure("counts()", () => s.counts());
  if (s instanceof PostgresStorage) {
    // What counts() cost before the counters: for comparison only.
    await measure(
      "GROUP BY over jobs",
      () => s.sql.unsafe(`select queue, state, count(*) from ${SCHEMA}.jobs group by 1, 2`),
      10,
    );
  }
  await measure("list newest 50", () => s.list({ limit: 50 }));
  await measure("list state=Failed, 50", () => s.list({ limit: 50, state: JobState.Failed }));
  await measure(
    "search, many hits (example.com)",
    () => s.list({ limit: 50, search: "example.com" }),
  );
  await measure(
    "search, no hit (scans the bound)",
    () => s.list({ limit: 50, search: "nobody-here" }),
    10,
  );
  await measure("search key:value, no hit", () => s.list({ limit: 50, search: "user:nobody" }), 10);
} finally {
  if (!KEEP) await drop(s);
  await s.close();
}

async function drop(s: Storage): Promise<void> {
  if (s instanceof SqliteStorage) {
    await s.close();
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(s.path + suffix).catch(() => {});
    return;
  }
  if (s instanceof PostgresStorage) {
    await s.sql.unsafe(`drop schema ${SCHEMA} cascade`);
    return;
  }
  // The bench's keys only; UNLINK frees them in the background.
  const { Redis } = await import("ioredis");
  const r = new Redis(Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379");
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", `{${PREFIX}}:*`, "COUNT", 5_000);
    if (keys.length) await r.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
  await r.quit();
}
