/**
 * Exactly-once counted where it happens: every run appends its job id to a
 * file, so runs are counted across Web Workers and child processes (a counter
 * in module state would see only one isolate's share). And jobs that shared a
 * killed thread are handed back with their attempt not counted.
 */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { allJobs, withServer } from "./_server.ts";

const WORKERS = new URL("../fixtures/workers/isolation_workers.ts", import.meta.url);

function runsPerJob(log: string): Map<string, number> {
  const runs = new Map<string, number>();
  for (const id of Deno.readTextFileSync(log).split("\n").filter(Boolean)) {
    runs.set(id, (runs.get(id) ?? 0) + 1);
  }
  return runs;
}

for (const execution of ["workers", "process", "inline"] as const) {
  Deno.test(`[${execution}] 300 jobs on 2 threads: each executed exactly once, counted in the handler`, async () => {
    const log = await Deno.makeTempFile({ prefix: "qml-runs-" });
    try {
      await withServer(
        { workers: WORKERS, execution, threads: 2, concurrency: 40 },
        async (server, storage) => {
          const jobs = await server.client.enqueueMany(
            Array.from({ length: 300 }, (_, i) => ({
              worker: "counted",
              args: { log, ms: i % 3 },
            })),
          );
          for (const j of jobs) {
            const done = await server.client.waitFor(j.id, { timeoutMs: 30_000 });
            assert.equal(done.state, JobState.Succeeded);
          }
          const runs = runsPerJob(log);
          assert.equal(runs.size, 300);
          for (const j of jobs) {
            assert.equal(runs.get(j.id), 1, `job ${j.id} ran ${runs.get(j.id)}×`);
          }
          assert.equal((await allJobs(storage)).length, 300);
        },
      );
    } finally {
      await Deno.remove(log);
    }
  });
}

Deno.test("[workers] jobs sharing a killed thread are handed back, attempt not counted", async () => {
  await withServer(
    { workers: WORKERS, execution: "workers", threads: 1, concurrency: 10, timeoutGraceMs: 100 },
    async (server) => {
      const released: string[] = [];
      server.events.on("job.released", (e) => released.push(e.id));
      const log = await Deno.makeTempFile({ prefix: "qml-runs-" });
      // Fetched in one batch onto the single thread: the sleepers are mid-sleep when the
      // blocking job's thread is terminated at 200 ms + 100 ms grace.
      const sleepers = await server.client.enqueueMany(
        Array.from({ length: 4 }, () => ({ worker: "counted", args: { log, ms: 1_000 } })),
      );
      const spin = await server.client.enqueue("block", { ms: 1_000 }, { priority: -1 });
      const dead = await server.client.waitFor(spin.id, { timeoutMs: 10_000 });
      assert.equal(dead.state, JobState.Failed);
      assert.equal(dead.error?.name, "JobTimeoutError");
      for (const j of sleepers) {
        const done = await server.client.waitFor(j.id, { timeoutMs: 15_000 });
        assert.equal(done.state, JobState.Succeeded);
        assert.equal(done.attempts, 1, "a hand-back does not count as an attempt");
        assert.ok(
          done.history.some((h) => h.reason === "released: its worker thread was replaced"),
          "handed back when the thread was replaced",
        );
      }
      assert.deepEqual(released.sort(), sleepers.map((j) => j.id).sort());
      await Deno.remove(log);
    },
  );
});
