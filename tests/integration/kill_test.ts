/** A server killed with SIGKILL mid-batch loses nothing: another server rescues its jobs. */
import assert from "node:assert/strict";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import { JobClient } from "../../src/client.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { DURABLE_KINDS, sharedBackend } from "../_helpers/shared_backends.ts";

for (const kind of DURABLE_KINDS) {
  Deno.test(`[${kind}] SIGKILL mid-batch: a second server rescues and finishes every job`, async () => {
    const backend = sharedBackend(kind);
    let rescuer: BackgroundJobServer | undefined;
    try {
      const work = defineWorker({ name: "work", execute: (args: { i: number }) => args.i });
      const registry = new WorkerRegistry().register(work);
      const client = new JobClient(await backend.open(), { registry });
      const jobs = await client.enqueueMany(
        Array.from({ length: 50 }, (_, i) => ({ worker: work, args: { i } })),
      );
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tests/fixtures/doomed_server.ts"],
        env: backend.env,
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      await waitUntil(async () => (await client.counts()).byState.Processing >= 10, {
        timeoutMs: 30_000,
        what: "the doomed server to take a batch",
      });
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      const taken = (await client.list({ limit: 100, state: "Processing" })).jobs;
      assert.ok(taken.length >= 10 && taken.every((j) => j.lockedBy === "doomed"));

      rescuer = new BackgroundJobServer({
        storage: await backend.open(),
        workers: registry,
        execution: "inline",
        serverName: "rescuer",
        lockTtlMs: 1_500,
        pollIntervalMs: 50,
        enableRecurring: false,
        enableCleanup: false,
        logLevel: "silent",
      });
      await rescuer.start();
      await waitUntil(async () => (await client.counts()).byState.Succeeded === 50, {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: "all 50 Succeeded",
      });
      for (const j of jobs) {
        const done = (await client.get(j.id))!;
        assert.equal(done.result, (j.args as { i: number }).i);
      }
      for (const t of taken) {
        const done = (await client.get(t.id))!;
        assert.ok(
          done.history.some((h) => h.reason?.startsWith("rescued")),
          `job ${t.id} was rescued: ${JSON.stringify(done.history)}`,
        );
      }
    } finally {
      await rescuer?.stop();
      await backend.cleanup();
    }
  });
}
