/**
 * Server drain with default options, producer and server in separate processes (the method of
 * the benchmarks design): the producer enqueues `--jobs` no-op jobs into a fresh Postgres
 * schema (not timed), then a child `deno run` starts a `BackgroundJobServer` with the given
 * options (none by default); the child takes `t0` immediately before `server.start()` and
 * `t_end` when a separate connection first sees no unfinished job (polling every 5 ms).
 *
 *   deno run -A bench/server_drain.ts [--jobs=10000] [--runs=3] [--opts='{"threads":1}']
 *
 * Prints per run: jobs/s, the server process's CPU time per 1,000 jobs (user + system, all
 * threads: less sensitive than wall time to other load on a shared machine), and how many
 * result writes (`transition` calls) the server made and the largest; then the medians.
 * Uses DATABASE_URL (default local `test`).
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { JobClient } from "../src/client.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const child = Deno.env.get("QML_DRAIN_CHILD");

function arg(name: string, fallback: string): string {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

if (child) {
  const { schema, jobs, opts } = JSON.parse(child);
  const pg = await PostgresStorage.connect({ url, schema });
  let writes = 0, maxBatch = 0;
  // Observes result writes only (count and size); every call goes to the storage unchanged.
  const storage = new Proxy(pg, {
    get(target, prop, receiver) {
      if (prop === "transition") {
        return (p: Parameters<PostgresStorage["transition"]>[0]) => {
          writes++;
          maxBatch = Math.max(maxBatch, p.items.length);
          return target.transition(p);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const watch = await PostgresStorage.connect({ url, schema, maxConnections: 1 });
  const server = new BackgroundJobServer({
    storage,
    workers: new URL("./bench_workers.ts", import.meta.url),
    logLevel: "warn",
    ...opts,
  });
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  await server.start();
  for (;;) {
    const c = await watch.counts();
    const s = c.byState;
    if (s.Enqueued + s.Scheduled + s.Processing + s.AwaitingRetry === 0 && s.Succeeded >= jobs) {
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const cpu = cpuUsage(cpu0);
  await server.stop();
  await watch.close();
  await pg.close();
  const cpuPerK = Math.round((cpu.user + cpu.system) / 1000 / (jobs / 1000));
  console.log(JSON.stringify({ ms, cpuPerK, writes, maxBatch }));
} else {
  const jobs = Number(arg("jobs", "10000"));
  const runs = Number(arg("runs", "3"));
  const opts = JSON.parse(arg("opts", "{}"));
  const rates: number[] = [];
  const cpus: number[] = [];
  const writes: number[] = [];
  const maxBatches: number[] = [];
  for (let r = 0; r < runs; r++) {
    const schema = `qml_drain_${crypto.randomUUID().slice(0, 8)}`;
    const storage = await PostgresStorage.connect({ url, schema });
    const client = new JobClient(storage);
    const items = Array.from({ length: jobs }, (_, i) => ({ worker: "noop", args: { i } }));
    for (let i = 0; i < items.length; i += 1000) {
      await client.enqueueMany(items.slice(i, i + 1000));
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname],
      env: { QML_DRAIN_CHILD: JSON.stringify({ schema, jobs, opts }) },
      stderr: "inherit",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    const r = JSON.parse(text);
    rates.push(Math.round(jobs / (r.ms / 1000)));
    cpus.push(r.cpuPerK);
    writes.push(r.writes);
    maxBatches.push(r.maxBatch);
    await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await storage.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({
    opts,
    jobsPerS: rates,
    median: median(rates),
    cpuMsPer1k: cpus,
    writes,
    maxBatch: maxBatches,
  }));
}
