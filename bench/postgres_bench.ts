/**
 * PostgresStorage benchmarks (not tests). Each workload runs 3 times on a fresh schema and
 * reports the median. fsync and synchronous_commit stay at the server's settings (on).
 *
 *   deno run -A bench/postgres_bench.ts [--only=1a,1b,drain,2,3] [--runs=3] [--execution=workers]
 *
 * 1a  10,000 sequential awaited enqueues
 * 1b  one bulk enqueue of 10,000 jobs
 * drain  storage-only drain of 10,000 jobs: fetchAndLock batches + transition batches
 * 2   drain 10,000 no-op jobs with BackgroundJobServer (default config, inline execution; with
 *     --execution=workers on Web Workers, timed from the first job started to the last result
 *     written, thread start-up left out)
 * 3   enqueue → handler-start latency, 200 jobs 20 ms apart (p50/p95/p99)
 *
 * @module
 */
import { createJob, type Job } from "../src/job.ts";
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";
import { decide } from "../src/transitions.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";

const URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const args = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(args.runs ?? 3);
const ONLY = args.only ? new Set(String(args.only).split(",")) : null;
const N = Number(args.n ?? 10_000);
const EXECUTION = args.execution === "workers" ? "workers" : "inline";

async function withStorage<T>(fn: (s: PostgresStorage) => Promise<T>): Promise<T> {
  const schema = `qml_bench_${crypto.randomUUID().slice(0, 8)}`;
  const s = await PostgresStorage.connect({ url: URL, schema, maxConnections: 10 });
  try {
    return await fn(s);
  } finally {
    await s.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await s.close();
  }
}

function jobs(n: number, now = new Date()): Job[] {
  return Array.from({ length: n }, (_, i) => createJob({ method: "noop", args: { i }, now }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function sequential(): Promise<number> {
  return await withStorage(async (s) => {
    const all = jobs(N);
    const t = performance.now();
    for (const j of all) await s.enqueue({ jobs: [j], now: new Date() });
    return N / ((performance.now() - t) / 1000);
  });
}

async function bulk(): Promise<number> {
  return await withStorage(async (s) => {
    const all = jobs(N);
    const t = performance.now();
    await s.enqueue({ jobs: all, now: new Date() });
    return N / ((performance.now() - t) / 1000);
  });
}

async function storageDrain(workers = 4, batch = 100): Promise<number> {
  return await withStorage(async (s) => {
    await s.enqueue({ jobs: jobs(N), now: new Date() });
    let done = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      const server = `bench-${w}`;
      while (true) {
        const now = new Date();
        const got = await s.fetchAndLock({
          queues: ["default"],
          limit: batch,
          serverName: server,
          lockTtlMs: 30_000,
          now,
        });
        if (got.length === 0) return;
        const items = got.map((j) => ({
          id: j.id,
          guard: { state: j.state, lockedBy: server },
          next: decide(j, { type: "succeeded", result: null }, { now, server }),
        }));
        const applied = await s.transition({ items, now });
        done += applied.filter(Boolean).length;
      }
    }));
    if (done !== N) throw new Error(`drained ${done} of ${N}`);
    return N / ((performance.now() - t) / 1000);
  });
}

/** Wait for `check` without sleeping longer than a few ms at a time. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("benchmark timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function serverDrain(): Promise<number> {
  if (EXECUTION === "workers") return await serverDrainWorkers();
  return await withStorage(async (s) => {
    let ran = 0;
    const noop = defineWorker({
      name: "noop",
      execute() {
        ran++;
        return null;
      },
    });
    await s.enqueue({ jobs: jobs(N), now: new Date() });
    // The default server configuration, with handlers run inline in this isolate.
    const server = new BackgroundJobServer({
      storage: s,
      workers: new WorkerRegistry().register(noop),
      execution: "inline",
      logLevel: "error",
    });
    const t = performance.now();
    await server.start();
    await until(() => ran >= N);
    await until(async () => (await s.counts()).byState.Succeeded === N);
    const rate = N / ((performance.now() - t) / 1000);
    await server.stop();
    return rate;
  });
}

// The default configuration on Web Workers: handlers run in the threads, so progress is
// counted from the server's events (first job started → last result written).
async function serverDrainWorkers(): Promise<number> {
  return await withStorage(async (s) => {
    await s.enqueue({ jobs: jobs(N), now: new Date() });
    const server = new BackgroundJobServer({
      storage: s,
      workers: new globalThis.URL("./bench_workers.ts", import.meta.url),
      logLevel: "error",
    });
    let first = 0, last = 0, done = 0;
    server.events.on("job.started", () => first ||= performance.now());
    server.events.on("job.succeeded", () => {
      done++;
      last = performance.now();
    });
    await server.start();
    await until(() => done >= N);
    await server.stop();
    return N / ((last - first) / 1000);
  });
}

async function latency(): Promise<number[]> {
  return await withStorage(async (s) => {
    const startedAt = new Map<number, number>();
    const probe = defineWorker({
      name: "probe",
      execute(args: { i: number }) {
        startedAt.set(args.i, performance.now());
        return null;
      },
    });
    const server = new BackgroundJobServer({
      storage: s,
      workers: new WorkerRegistry().register(probe),
      execution: "inline",
      logLevel: "error",
    });
    await server.start();
    await s.listening();
    const enqueuedAt = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const now = new Date();
      await s.enqueue({ jobs: [createJob({ method: "probe", args: { i }, now })], now });
      enqueuedAt.set(i, performance.now());
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => startedAt.size === 200);
    await server.stop();
    const lat = [...enqueuedAt].map(([i, t]) => startedAt.get(i)! - t).sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    return [pct(0.5), pct(0.95), pct(0.99)];
  });
}

async function report(name: string, fn: () => Promise<number>, unit = "jobs/s") {
  if (ONLY && !ONLY.has(name.split(" ")[0])) return;
  const results: number[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await fn());
  console.log(
    `${name.padEnd(44)} median ${median(results).toFixed(0).padStart(7)} ${unit}  (runs: ${
      results.map((r) => r.toFixed(0)).join(", ")
    })`,
  );
}

await report("1a sequential enqueue (10,000 awaited)", sequential);
await report("1b bulk enqueue (1 × 10,000)", bulk);
await report("drain storage-only (4 loops × batch 100)", () => storageDrain(4, 100));
await report("drain storage-only (2 loops × batch 500)", () => storageDrain(2, 500));
await report("drain storage-only (4 loops × batch 10)", () => storageDrain(4, 10));
await report(`2 drain 10,000 no-op jobs (server defaults, ${EXECUTION})`, serverDrain);
if (!ONLY || ONLY.has("3")) {
  const runs: number[][] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await latency());
  const med = (k: number) => median(runs.map((r) => r[k])).toFixed(2);
  console.log(
    `${"3 enqueue → handler start, 200 jobs 20 ms apart".padEnd(44)} median p50 ${med(0)} ms, ` +
      `p95 ${med(1)} ms, p99 ${med(2)} ms`,
  );
}
