/** The server runs every job exactly once, in order, with retries and scheduling. */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { ManualClock } from "../../src/clock.ts";
import { JobClient } from "../../src/client.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { executions, order } from "../fixtures/workers/test_workers.ts";
import { allJobs, fetchCount, makeServer, MODES, withServer } from "./_server.ts";

async function runBatch(mode: "workers" | "inline", jobs: number, concurrency: number) {
  executions.clear();
  await withServer({ execution: mode, concurrency }, async (server, storage) => {
    const succeeded = new Map<string, number>();
    server.events.on("job.succeeded", (e) => succeeded.set(e.id, (succeeded.get(e.id) ?? 0) + 1));
    let peak = 0;
    server.events.on("job.started", () => peak = Math.max(peak, server.runningJobs));
    for (let i = 0; i < jobs; i += 1000) {
      await server.client.enqueueMany(
        Array.from({ length: Math.min(1000, jobs - i) }, () => ({ worker: "noop" })),
      );
    }
    await waitUntil(() => succeeded.size === jobs, {
      timeoutMs: 60_000,
      what: `${jobs} successes`,
    });
    const all = await allJobs(storage);
    assert.equal(all.length, jobs);
    for (const job of all) {
      assert.equal(job.state, JobState.Succeeded);
      assert.equal(job.attempts, 1);
      assert.equal(fetchCount(job), 1, `job ${job.id} fetched more than once`);
      assert.deepEqual(job.result, { id: job.id });
      assert.equal(succeeded.get(job.id), 1);
      if (mode === "inline") assert.equal(executions.get(job.id), 1, `job ${job.id} ran twice`);
    }
    assert.ok(peak <= concurrency, `peak in flight ${peak} > concurrency ${concurrency}`);
  });
}

for (const mode of MODES) {
  Deno.test(`[${mode}] 100 jobs × concurrency 20: each runs exactly once and succeeds`, async () => {
    await runBatch(mode, 100, 20);
  });

  Deno.test(`[${mode}] stress: 10,000 jobs each run exactly once`, async () => {
    await runBatch(mode, 10_000, 64);
  });

  Deno.test(`[${mode}] a failing job retries per its policy, each error in history`, async () => {
    await withServer({ execution: mode }, async (server) => {
      const flaky = await server.client.enqueue("flaky", { succeedOn: 3 });
      const doomed = await server.client.enqueue("always_fails", {});
      const done = await server.client.waitFor(flaky.id, { timeoutMs: 10_000 });
      assert.equal(done.state, JobState.Succeeded);
      assert.equal(done.attempts, 3);
      assert.deepEqual(done.result, { attempt: 3 });
      const states = done.history.map((h) => h.state);
      assert.deepEqual(states, [
        "Enqueued",
        "Processing",
        "AwaitingRetry",
        "Enqueued",
        "Processing",
        "AwaitingRetry",
        "Enqueued",
        "Processing",
        "Succeeded",
      ]);
      const errors = done.history.filter((h) => h.error).map((h) => h.error!.message);
      assert.deepEqual(errors, ["attempt 1 failed", "attempt 2 failed"]);

      const failed = await server.client.waitFor(doomed.id, { timeoutMs: 10_000 });
      assert.equal(failed.state, JobState.Failed);
      assert.equal(failed.attempts, 3);
      assert.equal(failed.error?.name, "TypeError");
      const retries = failed.history.filter((h) => h.state === JobState.AwaitingRetry);
      assert.equal(retries.length, 2);
      for (const r of retries) assert.match(r.reason!, /retry in 10 ms/);
      assert.match(failed.history.at(-1)!.reason!, /attempt 3 of 3 failed: no attempts left/);
    });
  });

  Deno.test(`[${mode}] unknown method and invalid args fail at once, without retry`, async () => {
    await withServer({ execution: mode }, async (server) => {
      const unknown = await server.client.enqueue("no_such_worker", {}, { maxAttempts: 5 });
      const invalid = await server.client.enqueue("validated", { n: "two" }, { maxAttempts: 5 });
      const valid = await server.client.enqueue("validated", { n: 21 });
      const u = await server.client.waitFor(unknown.id, { timeoutMs: 5_000 });
      assert.equal(u.state, JobState.Failed);
      assert.equal(u.attempts, 1);
      assert.equal(u.error?.name, "UnknownWorkerError");
      assert.match(u.error!.message, /no worker is registered for method "no_such_worker"/);
      const i = await server.client.waitFor(invalid.id, { timeoutMs: 5_000 });
      assert.equal(i.state, JobState.Failed);
      assert.equal(i.attempts, 1);
      assert.equal(i.error?.name, "ValidationError");
      assert.match(i.history.at(-1)!.reason!, /not retryable/);
      assert.equal((await server.client.waitFor(valid.id)).result, 42);
    });
  });
}

Deno.test("a Scheduled job does not run before its runAt", async () => {
  const clock = new ManualClock(new Date("2030-01-01T00:00:00Z"));
  const storage = new MemoryStorage();
  await withServer({ execution: "inline", clock, storage }, async (server) => {
    const job = await server.client.enqueue("noop", {}, { delayMs: 60_000 });
    assert.equal(job.state, JobState.Scheduled);
    // Let the scheduler and the fetch loop poll a few times at the same fake time.
    let ticks = 0;
    await waitUntil(async () => {
      ticks++;
      return ticks > 10 && (await storage.get({ id: job.id }))!.state === JobState.Scheduled;
    }, { intervalMs: 20 });
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal((await storage.get({ id: job.id }))!.state, JobState.Scheduled);
    clock.advance(1_000);
    const done = await server.client.waitFor(job.id, { timeoutMs: 5_000 });
    assert.equal(done.state, JobState.Succeeded);
    const fetched = done.history.find((h) => h.reason === "fetched")!;
    assert.ok(fetched.at.getTime() >= job.runAt.getTime(), "ran before runAt");
  });
});

for (const mode of MODES) {
  Deno.test(`[${mode}] queues are served in strict order with concurrency 1`, async () => {
    order.length = 0;
    const storage = new MemoryStorage();
    const client = new JobClient(storage);
    // Enqueued before the server starts, bulk first, so order cannot come from arrival.
    for (const [queue, n] of [["bulk", 3], ["default", 3], ["critical", 3]] as const) {
      for (let i = 0; i < n; i++) {
        await client.enqueue("record", { tag: `${queue}-${i}` }, { queue });
      }
    }
    await client.enqueue("record", { tag: "critical-hi" }, { queue: "critical", priority: 10 });
    const tagOf = new Map(
      (await allJobs(storage)).map((j) => [j.id, (j.args as { tag: string }).tag]),
    );
    const { server } = makeServer({
      execution: mode,
      concurrency: 1,
      queues: ["critical", "default", "bulk"],
      storage,
    });
    const started: string[] = [];
    server.events.on("job.started", (e) => started.push(tagOf.get(e.id)!));
    await server.start();
    try {
      await waitUntil(async () => (await storage.counts()).byState.Succeeded === 10);
    } finally {
      await server.stop();
    }
    const expected = [
      "critical-hi",
      "critical-0",
      "critical-1",
      "critical-2",
      "default-0",
      "default-1",
      "default-2",
      "bulk-0",
      "bulk-1",
      "bulk-2",
    ];
    assert.deepEqual(started, expected);
    if (mode === "inline") assert.deepEqual(order, expected);
  });
}
