/**
 * Memory of a Web Worker pool: a server on MemoryStorage with 4 threads runs 1,000 no-op jobs
 * from a workers module that imports `mod.ts` (`--entry=mod`, the default) or only the
 * `./worker` entry (`--entry=worker`, `app_workers_entry.ts`). Run it under `/usr/bin/time -v`
 * and read "Maximum resident set size":
 *
 *   /usr/bin/time -v deno run -A bench/worker_rss.ts [--entry=mod|worker]
 *
 * @module
 */
import { BackgroundJobServer, JobClient, MemoryStorage } from "../mod.ts";

const storage = new MemoryStorage();
const server = new BackgroundJobServer({
  storage,
  workers: new URL(
    Deno.args.includes("--entry=worker") ? "./app_workers_entry.ts" : "./app_workers.ts",
    import.meta.url,
  ),
  threads: 4,
  concurrency: 8,
  logLevel: "silent",
});
await server.start();
const client = new JobClient(storage);
const jobs = await client.enqueueMany(
  Array.from({ length: 1000 }, (_, i) => ({ worker: "noop", args: { i } })),
);
await client.waitFor(jobs.at(-1)!.id, { timeoutMs: 60_000 });
await server.stop();
