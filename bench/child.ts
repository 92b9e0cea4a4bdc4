/**
 * One process of a benchmark run, started by `bench/bench.ts` with `deno run`. It loads the
 * library under test from `--lib=DIR` (this checkout or another one, for A/B) and uses its
 * public API only. It prints one JSON line with its measurement on stdout.
 *
 *   --role=produce  --case=seq|concurrent|many|growth|fill|latency|transition  --n=N
 *                                                                            (the producer)
 *   --role=serve    --case=drain|idle  --n=N  --options=JSON      (the server)
 *
 * A `memory` server has no one to share its storage with, so it enqueues its own backlog
 * before `t0` (not timed); the durable backends' backlog comes from a producer process.
 * With `QML_BENCH_LATENCIES=FILE` in its environment, the latency producer appends one line
 * per run to FILE: each job's latency in ms, in enqueue order (where the slow ones fall).
 *
 * @module
 */
import process from "node:process";
import { type BackendName, openObserver, storageUrl } from "./backends.ts";
import { nearestRank } from "./table.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const backend = flags.backend as BackendName;
const ns = flags.ns as string;
const n = Number(flags.n ?? 10_000);
// deno-lint-ignore no-explicit-any
const lib: any = await import(new URL(`file://${flags.lib}/mod.ts`).href);
const wallNow = () => performance.timeOrigin + performance.now();

function report(value: Record<string, unknown>): void {
  console.log(JSON.stringify(value));
}

/** Peak resident set of this process (VmHWM), in MiB. */
/** CPU time this process has used, every thread (Web Workers included), start-up too. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** `count` jobs for the no-op worker, `{ i }` each, in chunks of 10,000 (not timed). */
// deno-lint-ignore no-explicit-any
async function fill(client: any, count: number): Promise<void> {
  for (let k = 0; k < count; k += 10_000) {
    const size = Math.min(10_000, count - k);
    await client.enqueueMany(
      Array.from({ length: size }, (_, i) => ({ worker: "noop", args: { i: k + i } })),
    );
  }
}

/** `enqueue` calls in flight at once in the `concurrent` case. */
const IN_FLIGHT = 50;

async function produce(): Promise<void> {
  const storage = await lib.openStorage(storageUrl(backend, ns));
  const client = new lib.JobClient(storage);
  try {
    const t = performance.now();
    if (flags.case === "seq") {
      for (let i = 0; i < n; i++) await client.enqueue("noop", { i });
    } else if (flags.case === "concurrent") {
      // An app's request handlers: IN_FLIGHT `enqueue` calls at a time, one job each.
      let next = 0;
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < n; i = next++) await client.enqueue("noop", { i });
      }));
    } else if (flags.case === "many") {
      await client.enqueueMany(
        Array.from({ length: n }, (_, i) => ({ worker: "noop", args: { i } })),
      );
    } else if (flags.case === "growth") {
      await client.enqueueMany(Array.from({ length: n }, (_, i) => ({
        worker: "noop",
        args: { i },
        options: { delayMs: 60_000 + i, priority: i % 1_000 },
      })));
    } else if (flags.case === "fill") {
      await fill(client, n);
    } else if (flags.case === "transition") {
      await transitionVerb(storage, client);
      return;
    } else if (flags.case === "latency") {
      await latency(client);
      return;
    }
    const ms = performance.now() - t;
    report({ ms, rate: (n / ms) * 1000 });
  } finally {
    await storage.close?.();
  }
}

/**
 * The storage verb itself, not the public API: one `transition` call finishing `n` running
 * jobs, each with its own finish time (the bound for Postgres: 4,000 in ≤ 50 ms).
 */
// deno-lint-ignore no-explicit-any
async function transitionVerb(storage: any, client: any): Promise<void> {
  // `decide` moved from mod.ts to the backend entry; either checkout works.
  const backendEntry = `file://${flags.lib}/backend.ts`;
  const decide = lib.decide ??
    (await import(backendEntry).then((m) => m.decide, () => undefined));
  await fill(client, n);
  const t0 = Date.now() + 1_000;
  const running = await storage.fetchAndLock({
    queues: ["default"],
    limit: n,
    serverName: "bench",
    lockTtlMs: 600_000,
    now: new Date(t0),
  });
  // deno-lint-ignore no-explicit-any
  const items = running.map((job: any, i: number) => ({
    id: job.id,
    guard: { state: job.state, lockedBy: "bench" },
    next: decide(job, { type: "succeeded", result: { i } }, {
      now: new Date(t0 + 1 + i),
      server: "bench",
    }),
  }));
  const t = performance.now();
  const applied = await storage.transition({ items, now: new Date(t0 + n + 2) });
  const ms = performance.now() - t;
  if (applied.filter(Boolean).length !== n) throw new Error("not every transition applied");
  report({ ms, rate: (n / ms) * 1000 });
}

/** 200 jobs on a fixed 20 ms schedule; latency = handler start − enqueue returned. */
// deno-lint-ignore no-explicit-any
async function latency(client: any): Promise<void> {
  const returned = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const job = await client.enqueue("probe", { i });
    returned.set(job.id, wallNow());
    const wait = start + (i + 1) * 20 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const latencies: number[] = [];
  const deadline = performance.now() + 30_000;
  for (const [id, t] of returned) {
    let job = await client.get(id);
    while (job?.state !== "Succeeded" && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
      job = await client.get(id);
    }
    if (job?.state !== "Succeeded") throw new Error(`probe ${id} did not finish`);
    latencies.push((job.result as { t: number }).t - t);
  }
  const trace = Deno.env.get("QML_BENCH_LATENCIES");
  if (trace) {
    await Deno.writeTextFile(trace, latencies.map((l) => l.toFixed(1)).join(" ") + "\n", {
      append: true,
    });
  }
  latencies.sort((a, b) => a - b);
  const rank = (p: number) => nearestRank(latencies, p);
  report({ p50: rank(0.5), p95: rank(0.95), p99: rank(0.99) });
}

async function serve(): Promise<void> {
  const storage = await lib.openStorage(storageUrl(backend, ns));
  const workersUrl = new URL(flags.workers);
  const options = JSON.parse(flags.options ?? "{}");
  const workers = options.execution === "inline"
    ? (await import(workersUrl.href)).default
    : workersUrl;
  if (backend === "memory" && flags.case === "drain") await fill(new lib.JobClient(storage), n);
  const server = new lib.BackgroundJobServer({ storage, workers, logLevel: "error", ...options });
  if (flags.case === "idle") {
    await server.start();
    report({ ready: true });
    // Serve until the harness closes stdin, then report the peak RSS.
    for await (const _ of Deno.stdin.readable) { /* wait for EOF */ }
    await server.stop();
    report({ rssMiB: peakRssMiB() });
    await storage.close?.();
    return;
  }
  let handled = 0;
  const enough = Promise.withResolvers<void>();
  const count = () => {
    if (++handled === n) enough.resolve();
  };
  server.events.on("job.succeeded", count);
  server.events.on("job.failed", count);
  const observer = backend === "memory" ? null : await openObserver(lib, backend, ns);
  const t0 = performance.now();
  await server.start();
  await enough.promise;
  if (observer) {
    while (await observer.unfinished()) await new Promise((r) => setTimeout(r, 5));
  } else {
    while (
      Object.entries((await storage.counts()).byState).some(([s, c]) =>
        s !== "Succeeded" && s !== "Failed" && s !== "Deleted" && (c as number) > 0
      )
    ) await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  await server.stop();
  await observer?.close();
  report({ ms, rate: (n / ms) * 1000, rssMiB: peakRssMiB(), cpuMs: cpuMs() });
  await storage.close?.();
}

if (flags.role === "produce") await produce();
else await serve();
// A driver's sockets must not keep the process alive after its report.
Deno.exit(0);
