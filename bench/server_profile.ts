/**
 * Where a draining server's time and memory go: one server (default config unless
 * `--options`) drains a backlog of no-op jobs in this process, and the run prints
 *
 * - each storage verb the server called: calls, mean batch, round trip p50 / p90 and the sum
 *   (the drain is bound by these when the main isolate is mostly idle);
 * - the main isolate's CPU profile by category: idle, the driver, qml's code, GC;
 * - with `--top=N`, the N functions with the most self time;
 * - with `--heap`, what the main isolate allocated per job and where (V8's sampling heap
 *   profiler, counting collected objects too), and peak heap and RSS.
 *
 *   deno run -A bench/server_profile.ts [--backend=postgres|redis] [--n=10000]
 *                                       [--options=JSON] [--heap] [--top=N]
 *
 * A diagnosis, not a benchmark (the profilers cost time): the producer fills the backlog in
 * this process before the server starts, untimed. Web Workers profile themselves with
 * `deno run --cpu-prof`.
 *
 * @module
 */
import { Session } from "node:inspector";
import { BackgroundJobServer, JobClient, openStorage, type Storage } from "../mod.ts";
import { type BackendName, dropNamespace, freshNamespace, storageUrl } from "./backends.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const backend = (flags.backend ?? "postgres") as BackendName;
const n = Number(flags.n ?? 10_000);
const options = JSON.parse(flags.options ?? "{}");
const heap = flags.heap === "true";
const top = Number(flags.top ?? 0);
const ns = freshNamespace();

const session = new Session();
session.connect();
// deno-lint-ignore no-explicit-any
const post = (method: string, params?: object): Promise<any> =>
  new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => err ? reject(err) : resolve(res))
  );

/** Round trips of each storage verb the server calls: [ms, batch size]. */
const calls = new Map<string, [number, number][]>();
function timed(storage: Storage): void {
  const verbs = [
    "fetchAndLock",
    "transition",
    "recordActivity",
    "extendLocks",
    "promoteDue",
    "recordServer",
  ] as const;
  for (const verb of verbs) {
    // deno-lint-ignore no-explicit-any
    const s = storage as any;
    const call = s[verb].bind(storage);
    s[verb] = async (p: { items?: unknown[]; changes?: unknown[] }) => {
      const t = performance.now();
      const r = await call(p);
      const size = p?.items?.length ?? p?.changes?.length ?? (Array.isArray(r) ? r.length : 0);
      (calls.get(verb) ?? calls.set(verb, []).get(verb)!).push([performance.now() - t, size]);
      return r;
    };
  }
}

// deno-lint-ignore no-explicit-any
type Node = { id: number; callFrame: any; children?: number[] };
const site = (f: { functionName: string; url: string; lineNumber: number }) =>
  `${f.functionName || "(anonymous)"} ${
    f.url.replace(/^.*\/(src|node_modules|ext|registry\.npmjs\.org)\//, "$1/")
  }:${f.lineNumber + 1}`;

/** Share of the main isolate's samples: idle, GC, the driver, qml's own code, other. */
// deno-lint-ignore no-explicit-any
function cpuCategories(profile: any): Record<string, number> {
  const nodes = new Map<number, Node>(profile.nodes.map((x: Node) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of nodes.values()) for (const c of x.children ?? []) parent.set(c, x.id);
  const out: Record<string, number> = {};
  for (const id of profile.samples as number[]) {
    let cat = nodes.get(id)!.callFrame.functionName as string;
    if (!["(idle)", "(garbage collector)", "(program)"].includes(cat)) {
      cat = "other";
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const url = nodes.get(x)!.callFrame.url as string;
        if (/postgres|ioredis/.test(url)) cat = "driver";
        else if (url.includes("/src/") && cat === "other") cat = "qml";
      }
    }
    out[cat] = (out[cat] ?? 0) + 1;
  }
  const total = profile.samples.length;
  for (const k of Object.keys(out)) out[k] = out[k] / total;
  return out;
}

const storage = await openStorage(storageUrl(backend, ns));
try {
  const client = new JobClient(storage);
  for (let k = 0; k < n; k += 10_000) {
    const size = Math.min(10_000, n - k);
    await client.enqueueMany(
      Array.from({ length: size }, (_, i) => ({ worker: "noop", args: { i } })),
    );
  }
  timed(storage);
  const server = new BackgroundJobServer({
    storage,
    workers: new URL("./app_workers.ts", import.meta.url),
    logLevel: "error",
    ...options,
  });
  let done = 0;
  const drained = Promise.withResolvers<void>();
  const count = () => ++done === n && drained.resolve();
  server.events.on("job.succeeded", count);
  server.events.on("job.failed", count);
  const peak = { rss: 0, heapTotal: 0 };
  const poll = setInterval(() => {
    const m = Deno.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
  }, 10);
  await post("Profiler.enable");
  await post("Profiler.start");
  if (heap) {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", {
      samplingInterval: 8192,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const t0 = performance.now();
  await server.start();
  await drained.promise;
  const ms = performance.now() - t0;
  clearInterval(poll);
  const { profile } = await post("Profiler.stop");
  const sampled = heap ? (await post("HeapProfiler.stopSampling")).profile : null;
  await server.stop();

  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `${backend}, ${n} jobs, options ${JSON.stringify(options)}: ${ms.toFixed(0)} ms, ` +
      `${Math.round(n / ms * 1000)} jobs/s (profilers on)`,
  );
  console.log(
    "\n| storage verb | calls | mean batch | p50 ms | p90 ms | sum ms |\n|---|--:|--:|--:|--:|--:|",
  );
  for (const [verb, xs] of calls) {
    const d = xs.map((x) => x[0]).sort((a, b) => a - b);
    const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * d.length))].toFixed(2);
    const mean = xs.reduce((a, x) => a + x[1], 0) / xs.length;
    const sum = d.reduce((a, b) => a + b, 0);
    console.log(
      `| ${verb} | ${xs.length} | ${mean.toFixed(1)} | ${q(0.5)} | ${q(0.9)} | ${sum.toFixed(0)} |`,
    );
  }
  const cpu = cpuCategories(profile);
  console.log(
    "\nmain isolate CPU: " +
      Object.entries(cpu).sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)} %`).join(", "),
  );
  if (top > 0) {
    const self = new Map<string, number>();
    const nodes = new Map<number, Node>(profile.nodes.map((x: Node) => [x.id, x]));
    for (const id of profile.samples as number[]) {
      const k = site(nodes.get(id)!.callFrame);
      self.set(k, (self.get(k) ?? 0) + 1);
    }
    console.log("\n| function (self time) | share |\n|---|--:|");
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${k} | ${(100 * v / profile.samples.length).toFixed(1)} % |`);
    }
  }
  if (sampled) {
    const bySite = new Map<string, number>();
    let total = 0;
    // deno-lint-ignore no-explicit-any
    const walk = (x: { callFrame: any; selfSize: number; children: any[] }) => {
      total += x.selfSize;
      const k = site(x.callFrame);
      bySite.set(k, (bySite.get(k) ?? 0) + x.selfSize);
      for (const c of x.children) walk(c);
    };
    walk(sampled.head);
    console.log(
      `main isolate allocated ${Math.round(total / n)} bytes per job; ` +
        `peak heap ${mib(peak.heapTotal)} MiB, peak RSS of the process ${mib(peak.rss)} MiB`,
    );
    console.log("\n| allocation site (self) | bytes per job |\n|---|--:|");
    for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`| ${k} | ${Math.round(v / n)} |`);
    }
  }
} finally {
  await storage.close?.();
  await dropNamespace(backend, ns);
}
Deno.exit(0);
