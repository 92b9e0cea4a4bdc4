/**
 * SqliteStorage benchmarks (not tests): the workloads of bench/workloads.ts on a fresh
 * database file per run, plus one of its own:
 *
 * 4  the server's enqueue → start latency (p50/p95/p99/max) and the event loop's worst
 *    stall while a bulk enqueue of 10,000 jobs runs in the same process: `DatabaseSync`
 *    is synchronous, so this is what a long statement would cost everything else.
 *
 *   deno run -A bench/sqlite_bench.ts [--only=1a,1b,drain,2,3,4] [--runs=3]
 *     [--execution=workers] [--durability=normal]
 *
 * Files go to a temporary directory (TMPDIR) on the machine's disk; durability "full"
 * (the default) fsyncs at every commit.
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import type { SqliteDurability } from "../src/storage/sqlite/config.ts";
import { SqliteStorage } from "../src/storage/sqlite/sqlite_storage.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";
import { type BenchBackend, runWorkloads } from "./workloads.ts";

const args = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]),
);
const durability: SqliteDurability = args.durability === "normal" ? "normal" : "full";
const RUNS = Number(args.runs ?? 3);
const ONLY = args.only ? new Set(String(args.only).split(",")) : null;

const backend: BenchBackend = {
  name: `SQLite (durability ${durability})`,
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "qml_bench_" });
    const storage = await SqliteStorage.open({ path: `${dir}/jobs.db`, durability });
    return {
      storage,
      async drop() {
        await storage.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
  listening: () => Promise.resolve(), // in-process signals are live at once
};

await runWorkloads(backend);

interface UnderLoad {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  stall: number;
}

// Probe jobs every 5 ms through an idle inline server while one enqueueMany of 10,000 runs.
async function latencyUnderBulk(): Promise<UnderLoad> {
  const { storage, drop } = await backend.open();
  try {
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
    const client = new JobClient(storage);
    let stall = 0, last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last - 1);
      last = now;
    }, 1);
    const returned = new Map<number, number>();
    let bulkDone = false;
    const bulk = client.enqueueMany(
      Array.from({ length: 10_000 }, (_, i) => ({ worker: "noop", args: { i } })),
    ).then(() => bulkDone = true);
    for (let i = 0; !bulkDone || i < 20; i++) {
      await client.enqueue(probe, { i }, { queue: "probe" });
      returned.set(i, performance.now());
      await new Promise((r) => setTimeout(r, 5));
    }
    await bulk;
    const deadline = performance.now() + 5_000;
    while (started.size < returned.size && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    clearInterval(ticker);
    await server.stop();
    const lat = [...returned].map(([i, t]) => (started.get(i) ?? Infinity) - t)
      .sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
    return { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: lat[lat.length - 1], stall };
  } finally {
    await drop();
  }
}

if (!ONLY || ONLY.has("4")) {
  const runs: UnderLoad[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await latencyUnderBulk());
  const med = (k: keyof UnderLoad) =>
    [...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)].toFixed(2);
  console.log(
    `4 latency while enqueueMany(10,000) runs          median p50 ${med("p50")} ms, p95 ${
      med("p95")
    } ms, p99 ${med("p99")} ms, max ${med("max")} ms; worst event-loop stall ${med("stall")} ms`,
  );
}
