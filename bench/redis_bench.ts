/**
 * RedisStorage benchmarks (not tests). Each workload runs 3 times on a fresh key
 * prefix (deleted afterwards) and reports the median.
 *
 *   deno run -A bench/redis_bench.ts [--only=1a,1b,drain,2,3] [--runs=3] [--n=10000]
 *
 * 1a     10,000 sequential awaited enqueues (one EVALSHA round trip each)
 * 1b     one bulk enqueue of 10,000 jobs
 * drain  storage-only drain of 10,000 jobs: fetchAndLock batches + transition batches
 * 2      drain 10,000 no-op jobs with BackgroundJobServer (default config, inline execution)
 * 3      enqueue resolved → handler-start latency, 200 jobs 20 ms apart (p50/p95/p99;
 *        also from the enqueue call)
 *
 * Uses REDIS_URL (default redis://127.0.0.1:6379); only touches keys of its own prefix.
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { createJob, type Job } from "../src/job.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { RedisStorage } from "../src/storage/redis/redis_storage.ts";
import { decide } from "../src/transitions.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";

const URL = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
const args = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(args.runs ?? 3);
const ONLY = args.only ? new Set(String(args.only).split(",")) : null;
const N = Number(args.n ?? 10_000);

async function withStorage<T>(fn: (s: RedisStorage) => Promise<T>): Promise<T> {
  const prefix = `qml_bench_${crypto.randomUUID().slice(0, 8)}`;
  const s = await RedisStorage.connect({ url: URL, keyPrefix: prefix });
  try {
    return await fn(s);
  } finally {
    await dropPrefix(s);
    await s.close();
  }
}

async function dropPrefix(s: RedisStorage): Promise<void> {
  const redis = s.redis as import("ioredis").Redis;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", s.keys.pattern, "COUNT", 5000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
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

async function storageDrain(workers: number, batch: number): Promise<number> {
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

/** Workload 2: the server with its default config, inline execution, drains N no-op jobs. */
async function serverDrain(): Promise<number> {
  return await withStorage(async (s) => {
    const noop = defineWorker({ name: "noop", execute: () => null });
    const client = new JobClient(s);
    await s.enqueue({ jobs: jobs(N), now: new Date() });
    const server = new BackgroundJobServer({
      storage: s,
      workers: new WorkerRegistry().register(noop),
      execution: "inline",
      logLevel: "warn",
    });
    let first = 0, done = 0;
    const finished = Promise.withResolvers<number>();
    server.events.once("job.started", () => first = performance.now());
    server.events.on("job.succeeded", () => {
      if (++done === N) finished.resolve(performance.now());
    });
    await server.start();
    const end = await finished.promise;
    await server.stop();
    const succeeded = (await client.counts()).byState.Succeeded;
    if (succeeded !== N) throw new Error(`only ${succeeded} of ${N} succeeded`);
    return N / ((end - first) / 1000);
  });
}

/**
 * Workload 3: enqueue → handler start on an idle server, 200 jobs 20 ms apart.
 * Each latency is measured from the moment `enqueue` resolves (the caller's job
 * is durably queued; the workload's definition, and what `postgres_bench.ts`
 * measures) to the first line of the handler. The same runs also give the
 * latency from the `enqueue` call, which adds the enqueue round trip itself.
 * The handler wakes the loop directly (no polling timers keep the process busy),
 * so the server really is idle between jobs: its poll interval is 1 s.
 */
async function latency(): Promise<{ fromReturn: number[]; fromCall: number[] }> {
  return await withStorage(async (s) => {
    const started = new Map<number, number>();
    let waiting: { i: number; resolve: () => void } | null = null;
    const probe = defineWorker({
      name: "probe",
      execute: (args: { i: number }) => {
        started.set(args.i, performance.now());
        if (waiting?.i === args.i) waiting.resolve();
        return null;
      },
    });
    const client = new JobClient(s);
    const server = new BackgroundJobServer({
      storage: s,
      workers: new WorkerRegistry().register(probe),
      execution: "inline",
      logLevel: "warn",
    });
    await server.start();
    // Let the subscription and the first (empty) fetch settle.
    await new Promise((r) => setTimeout(r, 100));
    const called = new Map<number, number>();
    const returned = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const until = performance.now() + 20;
      const done = Promise.withResolvers<void>();
      waiting = { i, resolve: done.resolve };
      called.set(i, performance.now());
      await client.enqueue(probe, { i });
      returned.set(i, performance.now());
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (!started.has(i)) {
        await Promise.race([
          done.promise,
          new Promise((r) => timer = setTimeout(r, 5_000)),
        ]);
        clearTimeout(timer);
      }
      const wait = until - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await server.stop();
    if (started.size !== 200) throw new Error(`only ${started.size} of 200 started`);
    const from = (t: Map<number, number>) =>
      [...t].map(([i, at]) => started.get(i)! - at).sort((a, b) => a - b);
    return { fromReturn: from(returned), fromCall: from(called) };
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

async function reportLatency() {
  if (ONLY && !ONLY.has("3")) return;
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const runs: { fromReturn: number[]; fromCall: number[] }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await latency());
  const fmt = (key: "fromReturn" | "fromCall", p: number) => {
    const each = runs.map((r) => pct(r[key], p));
    return `${median(each).toFixed(2)} ms (runs: ${each.map((x) => x.toFixed(2)).join(", ")})`;
  };
  console.log(`3 latency enqueue resolved → handler start (200 × 20 ms)`);
  console.log(
    `    p50 ${fmt("fromReturn", 0.5)}\n    p95 ${fmt("fromReturn", 0.95)}\n    p99 ${
      fmt("fromReturn", 0.99)
    }`,
  );
  console.log(`  from the enqueue call (adds the enqueue round trip)`);
  console.log(
    `    p50 ${fmt("fromCall", 0.5)}\n    p95 ${fmt("fromCall", 0.95)}\n    p99 ${
      fmt("fromCall", 0.99)
    }`,
  );
}

await report("1a sequential enqueue (10,000 awaited)", sequential);
await report("1b bulk enqueue (1 × 10,000)", bulk);
await report("drain storage-only (1 loop × batch 100)", () => storageDrain(1, 100));
await report("drain storage-only (4 loops × batch 100)", () => storageDrain(4, 100));
await report("drain storage-only (4 loops × batch 10)", () => storageDrain(4, 10));
await report("2 server drain (default config, inline)", serverDrain);
await reportLatency();
