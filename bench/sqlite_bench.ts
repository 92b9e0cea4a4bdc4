/**
 * SqliteStorage benchmarks (not tests): the workloads of bench/workloads.ts on a fresh
 * database file per run, plus one of its own:
 *
 * 1c 10,000 `enqueue` calls, 100 in flight at a time (as from a busy HTTP server): the calls
 *    of one event-loop turn share a transaction and its fsync (group commit)
 * 3p enqueue resolved → handler start with the server in another process (woken through
 *    the watch on the WAL file): 200 jobs 20 ms apart, after the server idled 1.5 s
 * 4  the server's enqueue call → start latency (p50/p95/p99/max) and the event loop's worst
 *    stall while a bulk enqueue of 10,000 jobs runs in the same process: `DatabaseSync`
 *    is synchronous, so this is what a long statement would cost everything else.
 *
 *   deno run -A bench/sqlite_bench.ts [--only=1a,1b,1c,drain,2,3,3p,4] [--runs=3]
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
      // From the call: in one process the handler may start before `enqueue` resolves.
      returned.set(i, performance.now());
      await client.enqueue(probe, { i }, { queue: "probe" });
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

// Workload 3 across processes: the producer here, the server in a child process.
async function crossProcessLatency(): Promise<number[]> {
  const { storage, drop } = await backend.open();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./sqlite_latency_server.ts", import.meta.url).pathname,
      (storage as SqliteStorage).path,
    ],
    stdout: "piped",
  }).spawn();
  try {
    const started = new Map<number, number>();
    const ready = Promise.withResolvers<void>();
    const reading = (async () => {
      let buf = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line === "started") ready.resolve();
          else {
            const [i, at] = line.split(" ").map(Number);
            started.set(i, at);
          }
        }
      }
    })();
    await ready.promise;
    await new Promise((r) => setTimeout(r, 1_500));
    const client = new JobClient(storage);
    const returned = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const next = performance.now() + 20;
      await client.enqueue("probe", { i });
      returned.set(i, performance.timeOrigin + performance.now());
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const deadline = performance.now() + 5_000;
    while (started.size < 200 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGTERM");
    await child.status;
    await reading;
    if (started.size !== 200) throw new Error(`only ${started.size} of 200 started`);
    return [...returned].map(([i, t]) => started.get(i)! - t).sort((a, b) => a - b);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await drop();
  }
}

if (!ONLY || ONLY.has("3p")) {
  const runs: number[][] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await crossProcessLatency());
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const med = (p: number) =>
    runs.map((r) => pct(r, p)).sort((a, b) => a - b)[Math.floor(runs.length / 2)].toFixed(2);
  console.log(
    `3p the same, server in another process            median p50 ${med(0.5)} ms, p95 ${
      med(0.95)
    } ms, p99 ${med(0.99)} ms`,
  );
}

async function concurrentEnqueues(): Promise<number> {
  const { storage, drop } = await backend.open();
  try {
    const client = new JobClient(storage);
    const t = performance.now();
    for (let i = 0; i < 10_000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, k) => client.enqueue("noop", { i: i + k })),
      );
    }
    return 10_000 / ((performance.now() - t) / 1000);
  } finally {
    await drop();
  }
}

if (!ONLY || ONLY.has("1c")) {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await concurrentEnqueues());
  runs.sort((a, b) => a - b);
  console.log(
    `1c concurrent enqueue calls (100 in flight)      median ${
      runs[Math.floor(runs.length / 2)].toFixed(0).padStart(7)
    } jobs/s  (runs: ${runs.map((r) => r.toFixed(0)).join(", ")})`,
  );
}
