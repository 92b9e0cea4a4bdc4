/**
 * The server process of the cross-process latency workload of bench/sqlite_bench.ts: an
 * idle inline server on the given file whose `probe` worker prints `<i> <start time>` (epoch
 * ms with sub-ms precision, comparable across processes) for each job.
 *
 * @module
 */
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { SqliteStorage } from "../src/storage/sqlite/sqlite_storage.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";

const storage = await SqliteStorage.open({ path: Deno.args[0] });
const probe = defineWorker({
  name: "probe",
  execute: (a: { i: number }) => {
    console.log(`${a.i} ${performance.timeOrigin + performance.now()}`);
    return null;
  },
});
const server = new BackgroundJobServer({
  storage,
  workers: new WorkerRegistry().register(probe),
  execution: "inline",
  logLevel: "error",
});
await server.start();
console.log("started");
const stop = Promise.withResolvers<void>();
Deno.addSignalListener("SIGTERM", () => stop.resolve());
await stop.promise;
await server.stop();
await storage.close();
Deno.exit(0);
