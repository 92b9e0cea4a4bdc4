/**
 * Where a job's latency goes, stage by stage: the latency benchmark's set-up (an idle server in
 * its own process, settled 1.5 s; this process enqueues 200 probe jobs on a fixed 20 ms
 * schedule), with the server's storage noting when each ready signal arrived and when each
 * `fetchAndLock` that came back with a job was sent and resolved. Every time is taken from the
 * moment `enqueue` returned here, in wall-clock milliseconds:
 *
 * - signal: the ready signal reaches the server (negative: before `enqueue` returned here);
 * - fetch sent / fetch back: the server's `fetchAndLock` for the job goes out / resolves;
 * - handler: the probe's handler starts (the latency benchmark's figure);
 *
 * and two stage lengths: the fetch's round trip, and from the fetch back to the handler (the
 * hand-off to a Web Worker thread, or inline the dispatch alone). Beside them, the floor of one
 * round trip from an idle process: the backend's cheapest call after 20 ms idle (Postgres
 * `SELECT 1` and a one-row `UPDATE`, each committed; Redis `PING`), p50 of 200, and the same
 * call back to back.
 *
 *   deno run -A bench/latency_stages.ts [--backend=postgres,redis] [--runs=3]
 *
 * Cells are the median (min–max) over runs of each run's p50. A diagnosis, not a benchmark: the
 * server's storage is observed below the public API (its calls are unchanged).
 *
 * @module
 */
import postgres from "postgres";
import { Redis } from "ioredis";
import { BackgroundJobServer, JobClient, openStorage, type Storage } from "../mod.ts";
import {
  type BackendName,
  dropNamespace,
  freshNamespace,
  PG_URL,
  REDIS_URL,
  storageUrl,
} from "./backends.ts";
import { lineReader } from "./qml_runs.ts";
import { median } from "./table.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const wallNow = () => performance.timeOrigin + performance.now();
const JOBS = 200;

/** What the server child noted: signal arrivals, and each fetch with a job: [sent, back, ids]. */
interface ServerLog {
  signals: number[];
  fetches: [number, number, string[]][];
}

if (flags.role === "serve") await serve();
else await main();

async function serve(): Promise<void> {
  const storage = await openStorage(storageUrl(flags.backend as BackendName, flags.ns));
  const log: ServerLog = { signals: [], fetches: [] };
  // A subscriber of the same storage hears each signal when the server's own does.
  storage.subscribe((s) => {
    if (s.kind === "ready") log.signals.push(wallNow());
  });
  const fetchAndLock = storage.fetchAndLock.bind(storage);
  storage.fetchAndLock = async (params) => {
    const sent = wallNow();
    const jobs = await fetchAndLock(params);
    if (jobs.length > 0) log.fetches.push([sent, wallNow(), jobs.map((j) => j.id)]);
    return jobs;
  };
  const workers = new URL("./bench_workers.ts", import.meta.url);
  const options = JSON.parse(flags.options ?? "{}");
  const server = new BackgroundJobServer({
    storage,
    workers: options.execution === "inline" ? (await import(workers.href)).default : workers,
    logLevel: "error",
    ...options,
  });
  await server.start();
  console.log("ready");
  for await (const _ of Deno.stdin.readable) { /* serve until the harness closes stdin */ }
  await server.stop();
  await storage.close?.();
  console.log(JSON.stringify(log));
}

/** One run: each stage's p50 in ms from `enqueue` returned. */
async function stagesRun(backend: BackendName, options: object): Promise<number[]> {
  const ns = freshNamespace();
  const storage: Storage = await openStorage(storageUrl(backend, ns));
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--role=serve",
      `--backend=${backend}`,
      `--ns=${ns}`,
      `--options=${JSON.stringify(options)}`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const line = lineReader(server.stdout, "the server child");
  try {
    await line(); // ready
    await new Promise((r) => setTimeout(r, 1_500));
    const client = new JobClient(storage);
    const returned = new Map<string, number>();
    const start = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const job = await client.enqueue("probe", { i });
      returned.set(job.id, wallNow());
      const wait = start + (i + 1) * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const started = new Map<string, number>();
    const deadline = performance.now() + 30_000;
    for (const id of returned.keys()) {
      let job = await client.get(id);
      while (job?.state !== "Succeeded" && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
        job = await client.get(id);
      }
      if (job?.state !== "Succeeded") throw new Error(`probe ${id} did not finish`);
      started.set(id, (job.result as { t: number }).t);
    }
    await server.stdin.close();
    const log: ServerLog = JSON.parse(await line());
    const fetchOf = new Map(log.fetches.flatMap(([s, b, ids]) => ids.map((id) => [id, [s, b]])));
    const stages: number[][] = [[], [], [], [], [], []];
    for (const [id, t] of returned) {
      const f = fetchOf.get(id);
      // The signal of this job: the first to arrive after the previous job's (20 ms before).
      const signal = log.signals.find((s) => s > t - 10);
      const handler = started.get(id)!;
      if (signal !== undefined) stages[0].push(signal - t);
      if (f) {
        stages[1].push(f[0] - t);
        stages[2].push(f[1] - t);
        stages[4].push(f[1] - f[0]);
        stages[5].push(handler - f[1]);
      }
      stages[3].push(handler - t);
    }
    return stages.map((s) => s.length ? median(s) : NaN);
  } finally {
    await server.status;
    await storage.close?.();
    await dropNamespace(backend, ns);
  }
}

/** p50 of `call` after 20 ms idle, and back to back: [idle, hot] in ms. */
async function floor(call: () => Promise<unknown>): Promise<[number, number]> {
  const idle: number[] = [], hot: number[] = [];
  await call();
  for (let i = 0; i < JOBS; i++) {
    await new Promise((r) => setTimeout(r, 20));
    let t = performance.now();
    await call();
    idle.push(performance.now() - t);
    t = performance.now();
    await call();
    hot.push(performance.now() - t);
  }
  return [median(idle), median(hot)];
}

async function floors(backend: BackendName): Promise<[string, [number, number]][]> {
  if (backend === "postgres") {
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    const table = `qml_latency_floor_${crypto.randomUUID().slice(0, 8)}`;
    try {
      await sql.unsafe(`CREATE TABLE ${table} (id integer PRIMARY KEY, n integer)`);
      await sql.unsafe(`INSERT INTO ${table} VALUES (1, 0)`);
      return [
        ["`SELECT 1`", await floor(() => sql`SELECT 1`)],
        [
          "one-row `UPDATE`, committed",
          await floor(() => sql.unsafe(`UPDATE ${table} SET n = n + 1 WHERE id = 1`)),
        ],
      ];
    } finally {
      await sql.unsafe(`DROP TABLE IF EXISTS ${table}`);
      await sql.end();
    }
  }
  if (backend === "redis") {
    const redis = new Redis(REDIS_URL);
    try {
      return [["`PING`", await floor(() => redis.ping())]];
    } finally {
      redis.disconnect();
    }
  }
  return [];
}

async function main(): Promise<void> {
  const backends = (flags.backend ?? "postgres,redis").split(",") as BackendName[];
  const runs = Number(flags.runs ?? 3);
  const setups: [string, object][] = [["Web Workers (defaults)", {}], ["inline", {
    execution: "inline",
  }]];
  const columns = backends.flatMap((b) => setups.map(([label, o]) => ({ b, label, o })));
  const results = columns.map(() => [] as number[][]);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of columns.entries()) {
      results[i].push(await stagesRun(c.b, c.o));
      console.error(`round ${r + 1}/${runs}: ${c.b}, ${c.label} done`);
    }
  }
  const labels = [
    "signal at the server",
    "fetch sent",
    "fetch back",
    "**handler starts** (the latency figure)",
    "stage: fetch round trip",
    "stage: fetch back → handler",
  ];
  const cell = (xs: number[]) => {
    const s = xs.filter((x) => !Number.isNaN(x));
    if (s.length === 0) return "–";
    const f = (x: number) => x.toFixed(2);
    return s.length === 1 ? f(s[0]) : `${f(median(s))} (${f(Math.min(...s))}–${f(Math.max(...s))})`;
  };
  console.log(
    `\nLatency by stage, ms from \`enqueue\` returned (p50 of ${JOBS} jobs; median (min–max) of ${runs} runs); \`deno run -A bench/latency_stages.ts ${
      Deno.args.join(" ")
    }\`\n`,
  );
  console.log(`| stage | ${columns.map((c) => `${c.b}, ${c.label}`).join(" | ")} |`);
  console.log(`|---|${columns.map(() => "---:").join("|")}|`);
  for (const [k, label] of labels.entries()) {
    console.log(`| ${label} | ${results.map((rs) => cell(rs.map((r) => r[k]))).join(" | ")} |`);
  }
  console.log(`\nOne round trip from an idle process (p50 of ${JOBS}, ms):\n`);
  console.log("| backend | call | after 20 ms idle | back to back |");
  console.log("|---|---|---:|---:|");
  for (const b of backends) {
    for (const [call, [idle, hot]] of await floors(b)) {
      console.log(`| ${b} | ${call} | ${idle.toFixed(2)} | ${hot.toFixed(2)} |`);
    }
  }
}
