/**
 * Throughput of the job server on MemoryStorage: drain 10,000 pre-enqueued
 * no-op jobs with the default server configuration, for each execution mode,
 * and print jobs/s (median of 3 runs).
 *
 *     deno run -A bench/memory_bench.ts [--jobs 10000] [--runs 3]
 *
 * Two figures per run: "total" counts from `start()` (thread start-up and
 * module loading included), "drain" from the first job started to the last
 * result written.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { JobClient } from "../src/client.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import type { ExecutionMode } from "../src/server/config.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    jobs: { type: "string", default: "10000" },
    runs: { type: "string", default: "3" },
    mode: { type: "string" },
  },
});
const JOBS = Number(values.jobs);
const RUNS = Number(values.runs);
const WORKERS = new URL("./bench_workers.ts", import.meta.url);

async function once(execution: ExecutionMode): Promise<{ total: number; drain: number }> {
  const storage = new MemoryStorage();
  const client = new JobClient(storage);
  for (let i = 0; i < JOBS; i += 1_000) {
    await client.enqueueMany(
      Array.from({ length: Math.min(1_000, JOBS - i) }, () => ({ worker: "noop" })),
    );
  }
  const server = new BackgroundJobServer({
    storage,
    workers: WORKERS,
    execution,
    logLevel: "warn",
  });
  let first = 0, done = 0;
  const { promise, resolve } = Promise.withResolvers<number>();
  server.events.once("job.started", () => first = performance.now());
  server.events.on("job.succeeded", () => {
    if (++done === JOBS) resolve(performance.now());
  });
  const t0 = performance.now();
  await server.start();
  const end = await promise;
  await server.stop();
  const counts = await storage.counts();
  if (counts.byState.Succeeded !== JOBS) {
    throw new Error(`only ${counts.byState.Succeeded} succeeded`);
  }
  return { total: JOBS / ((end - t0) / 1000), drain: JOBS / ((end - first) / 1000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const modes: ExecutionMode[] = values.mode ? [values.mode as ExecutionMode] : ["workers", "inline"];
console.log(
  `${JOBS} no-op jobs, default config, ${navigator.hardwareConcurrency} cores, median of ${RUNS}`,
);
for (const mode of modes) {
  await once(mode); // warm-up: JIT and module cache
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(mode));
  const total = median(runs.map((r) => r.total)), drain = median(runs.map((r) => r.drain));
  console.log(
    `${mode.padEnd(8)} ${Math.round(drain).toLocaleString("en")} jobs/s drain, ` +
      `${Math.round(total).toLocaleString("en")} jobs/s incl. start-up ` +
      `(runs: ${runs.map((r) => Math.round(r.drain)).join(", ")})`,
  );
}
