/**
 * The benchmark workloads the issues define, run against any storage: each
 * backend's bench file only says how to open and drop an isolated storage.
 *
 * 1a     10,000 sequential awaited enqueues
 * 1b     one bulk enqueue of 10,000 jobs
 * drain  storage-only drain: fetchAndLock batches + transition batches
 * 2      drain 10,000 no-op jobs with BackgroundJobServer's default config
 *        (`--execution=inline` (default) or `workers`), first job started → last result
 * 3      enqueue → handler-start latency, 200 jobs 20 ms apart (p50/p95/p99), from the
 *        moment `enqueue` resolves and, for reference, from the call
 *
 * Flags: --only=1a,1b,drain,2,3  --runs=3  --n=10000  --execution=inline|workers
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { createJob, type Job } from "../src/job.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import type { Storage } from "../src/storage/storage.ts";
import { decide } from "../src/transitions.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";
import { noop } from "./bench_workers.ts";

/** How a bench file opens a fresh isolated storage and drops it afterwards. */
export interface BenchBackend {
  name: string;
  open(): Promise<{ storage: Storage; drop(): Promise<void> }>;
  /** Resolves once the storage's wake-up subscription is live (default: a short settle). */
  listening?(storage: Storage): Promise<void>;
}

const args = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(args.runs ?? 3);
const ONLY = args.only ? new Set(String(args.only).split(",")) : null;
const N = Number(args.n ?? 10_000);
const EXECUTION = args.execution === "workers" ? "workers" : "inline";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const jobs = (n: number, now = new Date()): Job[] =>
  Array.from({ length: n }, (_, i) => createJob({ method: "noop", args: { i }, now }));

async function withStorage<T>(b: BenchBackend, fn: (s: Storage) => Promise<T>): Promise<T> {
  const { storage, drop } = await b.open();
  try {
    return await fn(storage);
  } finally {
    await drop();
  }
}

const rate = (t0: number, t1: number) => N / ((t1 - t0) / 1000);

function sequential(b: BenchBackend): Promise<number> {
  return withStorage(b, async (s) => {
    const all = jobs(N);
    const t = performance.now();
    for (const j of all) await s.enqueue({ jobs: [j], now: new Date() });
    return rate(t, performance.now());
  });
}

function bulk(b: BenchBackend): Promise<number> {
  return withStorage(b, async (s) => {
    const all = jobs(N);
    const t = performance.now();
    await s.enqueue({ jobs: all, now: new Date() });
    return rate(t, performance.now());
  });
}

function storageDrain(b: BenchBackend, loops: number, batch: number): Promise<number> {
  return withStorage(b, async (s) => {
    await s.enqueue({ jobs: jobs(N), now: new Date() });
    let done = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: loops }, async (_, w) => {
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
        // Await first: `done += await …` would read `done` before the await and lose the
        // other loops' updates.
        const applied = await s.transition({ items, now });
        done += applied.filter(Boolean).length;
      }
    }));
    if (done !== N) throw new Error(`drained ${done} of ${N}`);
    return rate(t, performance.now());
  });
}

function serverDrain(b: BenchBackend): Promise<number> {
  return withStorage(b, async (s) => {
    await s.enqueue({ jobs: jobs(N), now: new Date() });
    // The default configuration; only where handlers run is chosen.
    const server = new BackgroundJobServer({
      storage: s,
      workers: EXECUTION === "workers"
        ? new URL("./bench_workers.ts", import.meta.url)
        : new WorkerRegistry().register(noop),
      execution: EXECUTION,
      logLevel: "error",
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
    const succeeded = (await s.counts()).byState.Succeeded;
    if (succeeded !== N) throw new Error(`only ${succeeded} of ${N} succeeded`);
    return rate(first, end);
  });
}

interface Latencies {
  fromReturn: number[];
  fromCall: number[];
}

// The handler wakes the loop directly (no polling timers keep the process busy), so the
// server really is idle between jobs: its poll interval is 1 s.
function latency(b: BenchBackend): Promise<Latencies> {
  return withStorage(b, async (s) => {
    const started = new Map<number, number>();
    let waiting: { i: number; resolve: () => void } | null = null;
    const probe = defineWorker({
      name: "probe",
      execute: (a: { i: number }) => {
        started.set(a.i, performance.now());
        if (waiting?.i === a.i) waiting.resolve();
        return null;
      },
    });
    const client = new JobClient(s);
    const server = new BackgroundJobServer({
      storage: s,
      workers: new WorkerRegistry().register(probe),
      execution: "inline",
      logLevel: "error",
    });
    await server.start();
    await (b.listening?.(s) ?? new Promise((r) => setTimeout(r, 100)));
    const called = new Map<number, number>();
    const returned = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const next = performance.now() + 20;
      const done = Promise.withResolvers<void>();
      waiting = { i, resolve: done.resolve };
      called.set(i, performance.now());
      await client.enqueue(probe, { i });
      returned.set(i, performance.now());
      if (!started.has(i)) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([done.promise, new Promise((r) => timer = setTimeout(r, 5_000))]);
        clearTimeout(timer);
      }
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await server.stop();
    if (started.size !== 200) throw new Error(`only ${started.size} of 200 started`);
    const from = (t: Map<number, number>) =>
      [...t].map(([i, at]) => started.get(i)! - at).sort((x, y) => x - y);
    return { fromReturn: from(returned), fromCall: from(called) };
  });
}

async function report(name: string, fn: () => Promise<number>): Promise<void> {
  if (ONLY && !ONLY.has(name.split(" ")[0])) return;
  const results: number[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await fn());
  console.log(
    `${name.padEnd(48)} median ${median(results).toFixed(0).padStart(7)} jobs/s  (runs: ${
      results.map((r) => r.toFixed(0)).join(", ")
    })`,
  );
}

async function reportLatency(b: BenchBackend): Promise<void> {
  if (ONLY && !ONLY.has("3")) return;
  const runs: Latencies[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await latency(b));
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const line = (key: keyof Latencies) =>
    [0.5, 0.95, 0.99].map((p) => {
      const each = runs.map((r) => pct(r[key], p));
      return `p${Math.round(p * 100)} ${median(each).toFixed(2)} ms`;
    }).join(", ");
  console.log(`3 enqueue resolved → handler start (200 × 20 ms)  median ${line("fromReturn")}`);
  console.log(`  from the enqueue call (adds its round trip)     median ${line("fromCall")}`);
}

/** Run every selected workload against `backend`, printing medians of `--runs` runs. */
export async function runWorkloads(backend: BenchBackend): Promise<void> {
  console.log(`${backend.name}: ${N} jobs, median of ${RUNS} runs`);
  await report("1a sequential enqueue (awaited, one at a time)", () => sequential(backend));
  await report("1b bulk enqueue (one call)", () => bulk(backend));
  await report("drain storage-only (4 loops × batch 100)", () => storageDrain(backend, 4, 100));
  await report("drain storage-only (1 loop × batch 100)", () => storageDrain(backend, 1, 100));
  await report(`2 server drain (default config, ${EXECUTION})`, () => serverDrain(backend));
  await reportLatency(backend);
}
