/**
 * What `deno task bench` cannot measure for SQLite, because it needs the producer and the
 * server in one process (`deno task bench --backend=sqlite,sqlite-normal,postgres` measures
 * workloads 1a, 1b, 2 and 3 across processes, by the method of every backend):
 *
 * 3i  workload 3 in one process: an idle inline server (settled 1.5 s) and 200 jobs enqueued
 *     on a fixed 20 ms schedule; handler start − `enqueue` returned (the method's latency;
 *     below zero when the handler started before the call resolved) and − `enqueue` called
 *     (adds the enqueue's own commit)
 * 4b  the same probes every 5 ms while one `enqueueMany` of 10,000 runs in the process
 *     (latency from the call), and the event loop's worst stall meanwhile (a 1 ms interval's
 *     lateness): `DatabaseSync` is synchronous, so this is what a bulk enqueue costs a server
 *     beside it
 * 1c  10,000 `enqueue` calls, 100 in flight at a time (the requests of a busy HTTP server):
 *     the calls of one event-loop turn share a transaction and its fsync (group commit)
 *
 *   deno run -A bench/sqlite_bench.ts [--only=3i,4b,1c] [--runs=3] [--durability=full,normal]
 *
 * Public API only (`openStorage`, `JobClient`, `BackgroundJobServer`); a fresh file in TMPDIR
 * per run, deleted after; the durabilities given run in interleaved rounds, one column each.
 * Prints one markdown table of median (min–max).
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { openStorage } from "../src/storage/open.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";
import { type BackendName, dropNamespace, freshNamespace, storageUrl } from "./backends.ts";
import { type Cell, nearestRank, renderTable, type Row } from "./table.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(flags.runs ?? 3);
const only = flags.only ? new Set(flags.only.split(",")) : null;
const durabilities = (flags.durability ?? "full").split(",");
for (const d of durabilities) {
  if (d !== "full" && d !== "normal") throw new Error(`durability ${d}`);
}
const backendOf = (d: string): BackendName => d === "full" ? "sqlite" : "sqlite-normal";

type Result = Record<string, number>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh file for one run, dropped afterwards. */
async function withStorage<T>(
  durability: string,
  fn: (storage: Awaited<ReturnType<typeof openStorage>>) => Promise<T>,
): Promise<T> {
  const ns = freshNamespace();
  const storage = await openStorage(storageUrl(backendOf(durability), ns));
  try {
    return await fn(storage);
  } finally {
    await storage.close();
    await dropNamespace(backendOf(durability), ns);
  }
}

/** An idle inline server whose `probe` worker records when each `{ i }` started. */
async function probeServer(storage: Awaited<ReturnType<typeof openStorage>>) {
  const started = new Map<number, number>();
  const probe = defineWorker({
    name: "probe",
    execute: (a: { i: number }) => void started.set(a.i, performance.now()),
  });
  const server = new BackgroundJobServer({
    storage,
    workers: new WorkerRegistry().register(probe),
    execution: "inline",
    queues: ["probe"],
    logLevel: "error",
  });
  await server.start();
  // Waits (polling, no fixed sleep) until every probe of `from` has started.
  const allStarted = async (from: Map<number, number>) => {
    const deadline = performance.now() + 30_000;
    while (started.size < from.size && performance.now() < deadline) await sleep(5);
    if (started.size < from.size) throw new Error(`${started.size} of ${from.size} started`);
  };
  const latencies = (from: Map<number, number>) =>
    [...from].map(([i, t]) => started.get(i)! - t).sort((a, b) => a - b);
  return { probe, server, allStarted, latencies };
}

const percentiles = (sorted: number[], prefix = ""): Result => ({
  [`${prefix}p50`]: nearestRank(sorted, 0.5),
  [`${prefix}p95`]: nearestRank(sorted, 0.95),
  [`${prefix}p99`]: nearestRank(sorted, 0.99),
});

/** 3i: 200 jobs 20 ms apart through an idle server in the same process. */
function latencyOneProcess(durability: string): Promise<Result> {
  return withStorage(durability, async (storage) => {
    const { probe, server, allStarted, latencies } = await probeServer(storage);
    await sleep(1_500);
    const client = new JobClient(storage);
    const called = new Map<number, number>(), returned = new Map<number, number>();
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      called.set(i, performance.now());
      await client.enqueue(probe, { i }, { queue: "probe" });
      returned.set(i, performance.now());
      const wait = t0 + (i + 1) * 20 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await allStarted(called);
    await server.stop();
    return { ...percentiles(latencies(returned)), ...percentiles(latencies(called), "call_") };
  });
}

/** 4b: probes every 5 ms while one `enqueueMany` of 10,000 runs; the event loop's worst stall. */
function latencyUnderBulk(durability: string): Promise<Result> {
  return withStorage(durability, async (storage) => {
    const { probe, server, allStarted, latencies } = await probeServer(storage);
    const client = new JobClient(storage);
    let stall = 0, last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last - 1);
      last = now;
    }, 1);
    const called = new Map<number, number>();
    let bulkEnd = 0;
    const t0 = performance.now();
    const bulk = client.enqueueMany(
      Array.from({ length: 10_000 }, (_, i) => ({ worker: "noop", args: { i } })),
    ).then(() => bulkEnd = performance.now());
    for (let i = 0; !bulkEnd || i < 20; i++) {
      called.set(i, performance.now());
      await client.enqueue(probe, { i }, { queue: "probe" });
      await sleep(5);
    }
    await bulk;
    const bulkMs = bulkEnd - t0;
    await allStarted(called);
    clearInterval(ticker);
    await server.stop();
    const lat = latencies(called);
    return { ...percentiles(lat), max: lat[lat.length - 1], stall, bulkMs };
  });
}

/** 1c: 10,000 enqueue calls, 100 in flight at a time. */
function concurrentEnqueues(durability: string): Promise<Result> {
  return withStorage(durability, async (storage) => {
    const client = new JobClient(storage);
    const t = performance.now();
    for (let i = 0; i < 10_000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, k) => client.enqueue("noop", { i: i + k })),
      );
    }
    return { rate: 10_000 / ((performance.now() - t) / 1000) };
  });
}

interface Case {
  group: string;
  run(durability: string): Promise<Result>;
  rows: { label: string; cell(rs: Result[]): Cell }[];
}
const one = (key: string, digits?: number) => (rs: Result[]): Cell => ({
  kind: "one",
  values: rs.map((r) => r[key]),
  digits,
});
const multi = (prefix: string) => (rs: Result[]): Cell => ({
  kind: "multi",
  series: ["p50", "p95", "p99"].map((p) => rs.map((r) => r[prefix + p])),
});
const cases: Case[] = [
  {
    group: "3i",
    run: latencyOneProcess,
    rows: [
      {
        label: "3i latency in one process, from `enqueue` returned, p50 / p95 / p99 (ms)",
        cell: multi(""),
      },
      { label: "3i the same from the `enqueue` call (ms)", cell: multi("call_") },
    ],
  },
  {
    group: "4b",
    run: latencyUnderBulk,
    rows: [
      {
        label: "4b latency from the call while `enqueueMany` of 10,000 runs, p50 / p95 / p99 (ms)",
        cell: multi(""),
      },
      { label: "4b worst event-loop stall meanwhile (ms)", cell: one("stall", 1) },
      { label: "4b the `enqueueMany` of 10,000 meanwhile (ms)", cell: one("bulkMs", 0) },
    ],
  },
  {
    group: "1c",
    run: concurrentEnqueues,
    rows: [{ label: "1c `enqueue` × 10,000, 100 in flight (jobs/s)", cell: one("rate", 0) }],
  },
];
const selected = cases.filter((c) => !only || only.has(c.group));

const results = new Map<string, Result[]>();
for (let round = 1; round <= RUNS; round++) {
  for (const c of selected) {
    for (const d of durabilities) {
      const r = await c.run(d);
      const key = `${c.group}|${d}`;
      (results.get(key) ?? results.set(key, []).get(key)!).push(r);
      console.error(`round ${round}/${RUNS}: ${c.group} durability ${d}: ${JSON.stringify(r)}`);
    }
  }
}
const rows: Row[] = selected.flatMap((c) =>
  c.rows.map((row) => ({
    label: row.label,
    cells: durabilities.map((d) => row.cell(results.get(`${c.group}|${d}`) ?? [])),
  }))
);
console.log(renderTable({
  title: `SQLite in one process: median (min–max) of ${RUNS} runs in rounds; ` +
    `\`deno run -A bench/sqlite_bench.ts ${Deno.args.join(" ")}\``.replace(" `", "`"),
  columns: durabilities.map((d) => `sqlite, durability "${d}"`),
  rows,
}));
