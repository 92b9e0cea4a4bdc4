/** Timeouts that stop jobs, crash isolation, cancellation and lost locks. */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { stubbornDone } from "../fixtures/workers/test_workers.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { MODES, withServer } from "./_server.ts";

Deno.test("[workers] a CPU-bound while(true) is killed at its timeout; other jobs keep succeeding", async () => {
  await withServer(
    { execution: "workers", threads: 2, concurrency: 8, timeoutGraceMs: 100 },
    async (server) => {
      const released: string[] = [];
      server.events.on("job.released", (e) => released.push(e.id));
      const spin = await server.client.enqueue("busy_loop", {});
      const others = await server.client.enqueueMany(
        Array.from({ length: 50 }, (_, i) => ({ worker: "sleep", args: { ms: 5 + (i % 5) } })),
      );
      const t0 = Date.now();
      const dead = await server.client.waitFor(spin.id, { timeoutMs: 10_000 });
      assert.equal(dead.state, JobState.Failed);
      assert.equal(dead.error?.name, "JobTimeoutError");
      assert.match(dead.error!.message, /timed out after 200 ms/);
      assert.ok(Date.now() - t0 < 5_000);
      for (const j of others) {
        assert.equal(
          (await server.client.waitFor(j.id, { timeoutMs: 10_000 })).state,
          JobState.Succeeded,
        );
      }
      // The server is still fully working after the thread was replaced.
      const after = await server.client.enqueueMany(
        Array.from({ length: 20 }, () => ({ worker: "noop" })),
      );
      for (const j of after) {
        assert.equal(
          (await server.client.waitFor(j.id, { timeoutMs: 10_000 })).state,
          JobState.Succeeded,
        );
      }
      // Jobs that shared the killed thread were handed back, not failed: attempts not counted.
      for (const id of released) {
        const j = await server.client.get(id);
        assert.equal(j!.state, JobState.Succeeded);
      }
    },
  );
});

Deno.test("[inline] a handler that ignores its signal is failed with JobTimeoutError", async () => {
  const before = stubbornDone.count;
  await withServer({ execution: "inline", timeoutGraceMs: 50 }, async (server) => {
    const job = await server.client.enqueue("stubborn", { ms: 600 });
    const sibling = await server.client.enqueue("noop", {});
    const done = await server.client.waitFor(job.id, { timeoutMs: 5_000 });
    assert.equal(done.state, JobState.Failed);
    assert.equal(done.error?.name, "JobTimeoutError");
    assert.ok(
      done.finishedAt!.getTime() - done.startedAt!.getTime() < 550,
      "waited for the handler",
    );
    assert.equal((await server.client.waitFor(sibling.id)).state, JobState.Succeeded);
    // The abandoned handler still finishes on its own; its late result changed nothing.
    await waitUntil(() => stubbornDone.count === before + 1, { what: "the abandoned handler" });
    assert.equal((await server.client.get(job.id))!.state, JobState.Failed);
  });
});

for (const mode of MODES) {
  Deno.test(`[${mode}] a handler honouring its signal times out at the job's timeoutMs`, async () => {
    await withServer({ execution: mode }, async (server) => {
      const job = await server.client.enqueue("sleep", { ms: 10_000 }, {
        timeoutMs: 100,
        maxAttempts: 2,
        backoff: { type: "none" },
      });
      const done = await server.client.waitFor(job.id, { timeoutMs: 5_000 });
      assert.equal(done.state, JobState.Failed);
      assert.equal(done.attempts, 2, "a timeout is retried per the policy");
      assert.equal(done.error?.name, "JobTimeoutError");
    });
  });

  Deno.test(`[${mode}] client.delete of a running job aborts its signal`, async () => {
    await withServer({ execution: mode }, async (server) => {
      const deleted: string[] = [];
      server.events.on("job.deleted", (e) => deleted.push(e.id));
      const job = await server.client.enqueue("wait_for_abort", {});
      await waitUntil(() => server.runningJobs === 1, { what: "job running" });
      assert.equal(await server.client.delete(job.id), true);
      await waitUntil(() => server.runningJobs === 0, { what: "job aborted", timeoutMs: 3_000 });
      const j = await server.client.get(job.id);
      assert.equal(j!.state, JobState.Deleted);
      assert.deepEqual(deleted, [job.id], "one deleted event");
      // The server goes on.
      const next = await server.client.enqueue("noop", {});
      assert.equal((await server.client.waitFor(next.id)).state, JobState.Succeeded);
    });
  });
}

Deno.test("[workers] an uncaught error in a Web Worker does not kill the process", async () => {
  await withServer({ execution: "workers", threads: 1 }, async (server) => {
    const crash = await server.client.enqueue("crash", {});
    const done = await server.client.waitFor(crash.id, { timeoutMs: 10_000 });
    assert.equal(done.state, JobState.Failed);
    assert.equal(done.error?.name, "WorkerCrashedError");
    assert.match(done.error!.message, /boom from a timer/);
    // The replacement thread runs jobs.
    const jobs = await server.client.enqueueMany(
      Array.from({ length: 10 }, () => ({ worker: "noop" })),
    );
    for (const j of jobs) {
      assert.equal((await server.client.waitFor(j.id)).state, JobState.Succeeded);
    }
  });
});

Deno.test("[workers] a crash is retried per policy with WorkerCrashedError in history", async () => {
  await withServer({ execution: "workers", threads: 1 }, async (server) => {
    const crash = await server.client.enqueue("crash", {}, {
      maxAttempts: 2,
      backoff: { type: "none" },
    });
    const done = await server.client.waitFor(crash.id, { timeoutMs: 10_000 });
    assert.equal(done.attempts, 2);
    const crashes = done.history.filter((h) => h.error?.name === "WorkerCrashedError");
    assert.equal(crashes.length, 2);
  });
});

/** A storage that never delivers `cancelled` signals: only the heartbeat can notice a loss. */
function deaf(storage: MemoryStorage): Storage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === "subscribe") {
        return (l: Parameters<Storage["subscribe"]>[0]) =>
          target.subscribe((s) => s.kind === "ready" && l(s));
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

for (const mode of MODES) {
  Deno.test(`[${mode}] the heartbeat extends locks, and aborts a job whose lock was lost`, async () => {
    const storage = deaf(new MemoryStorage());
    await withServer({ execution: mode, lockTtlMs: 150, storage }, async (server) => {
      const keep = await server.client.enqueue("sleep", { ms: 400 });
      const lose = await server.client.enqueue("wait_for_abort", {});
      await waitUntil(() => server.runningJobs === 2);
      assert.equal(await server.client.delete(lose.id), true);
      await waitUntil(() => server.runningJobs === 1, {
        timeoutMs: 3_000,
        what: "abort on lost lock",
      });
      assert.equal((await storage.get({ id: lose.id }))!.state, JobState.Deleted);
      // 400 ms > lockTtlMs: only the heartbeat kept the lock of this one.
      const done = await server.client.waitFor(keep.id, { timeoutMs: 5_000 });
      assert.equal(done.state, JobState.Succeeded);
      assert.equal(done.attempts, 1);
    });
  });
}
