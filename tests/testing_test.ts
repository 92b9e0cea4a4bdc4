/** `@qml/qml/testing`: drainQueue, assertEnqueued / refuteEnqueued, performJob. */
import assert from "node:assert/strict";
import { JobClient } from "../src/client.ts";
import { ManualClock } from "../src/clock.ts";
import { ValidationError } from "../src/errors.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";
import type { Storage } from "../src/storage/storage.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";
import {
  assertEnqueued,
  DRAIN_SERVER,
  drainQueue,
  performJob,
  refuteEnqueued,
} from "../testing.ts";
import { DURABLE_KINDS, sharedBackend } from "./_helpers/shared_backends.ts";

const T0 = new Date("2026-03-01T00:00:00.000Z");

const double = defineWorker({
  name: "double",
  args: (raw: unknown) => {
    const n = (raw as { n?: unknown })?.n;
    if (typeof n !== "number") throw new Error("n must be a number");
    return { n };
  },
  execute: (a: { n: number }) => a.n * 2,
});
const flaky = defineWorker({
  name: "flaky",
  retry: { maxAttempts: 2, backoff: "none" },
  execute: (_a: null, ctx) => {
    if (ctx.job.attempt === 1) throw new Error("first attempt fails");
    return "second time lucky";
  },
});
const doomed = defineWorker({
  name: "doomed",
  retry: { maxAttempts: 3, backoff: "fixed", baseMs: 60_000 },
  execute: () => {
    throw new Error("always");
  },
});

async function onEveryBackend(fn: (storage: Storage) => Promise<void>): Promise<void> {
  const memory = new MemoryStorage();
  try {
    await fn(memory);
  } finally {
    await memory.close();
  }
  for (const kind of DURABLE_KINDS) {
    const backend = sharedBackend(kind);
    try {
      await fn(await backend.open());
    } finally {
      await backend.cleanup();
    }
  }
}

Deno.test("drainQueue runs ready jobs and those they enqueue, with retries, on every backend", async () => {
  await onEveryBackend(async (storage) => {
    const clock = new ManualClock(T0);
    const client = new JobClient(storage, { clock });
    const spawner = defineWorker({
      name: "spawner",
      execute: async () => (await client.enqueue(double, { n: 21 }, { queue: "other" })).id,
    });
    const registry = new WorkerRegistry().register(double).register(flaky).register(doomed)
      .register(spawner);
    await client.enqueue(double, { n: 2 });
    await client.enqueue(flaky, null);
    await client.enqueue(doomed, null);
    await client.enqueue("double", { n: "x" }); // fails validation: no retry
    await client.enqueue(double, { n: 5 }, { delayMs: 10_000 }); // not ready

    const ran = await drainQueue(client, registry);
    const byMethod = (m: string) => ran.filter((j) => j.method === m);
    assert.deepEqual(
      byMethod("double").map((j) => [j.state, j.result]).sort(),
      [["Failed", null], ["Succeeded", 4]],
    );
    // The flaky job ran twice (backoff none: due at once), the doomed one once (backoff 60 s).
    assert.deepEqual(byMethod("flaky").map((j) => j.state), ["AwaitingRetry", "Succeeded"]);
    assert.deepEqual(byMethod("doomed").map((j) => [j.state, j.attempts]), [["AwaitingRetry", 1]]);
    assert.equal(ran.every((j) => j.history.some((h) => h.server === DRAIN_SERVER)), true);
    assert.equal((await client.counts()).byState.Scheduled, 1);

    // A handler's enqueue runs in the same drain; `queue` limits the drain.
    await client.enqueue(spawner, null);
    assert.deepEqual(await drainQueue(client, registry, { queue: "nope" }), []);
    const spawned = await drainQueue(client, registry);
    assert.deepEqual(spawned.map((j) => [j.method, j.queue, j.state]), [
      ["spawner", "default", "Succeeded"],
      ["double", "other", "Succeeded"],
    ]);

    // Time passes: the scheduled job and the doomed retry become ready.
    clock.advance(60_000);
    const later = await drainQueue(client, registry);
    assert.deepEqual(later.map((j) => j.method).sort(), ["doomed", "double"]);
  });
});

Deno.test("drainQueue stops at maxJobs", async () => {
  const storage = new MemoryStorage();
  const client = new JobClient(storage);
  for (let i = 0; i < 5; i++) await client.enqueue(double, { n: i });
  const ran = await drainQueue(storage, new WorkerRegistry().register(double), { maxJobs: 3 });
  assert.equal(ran.length, 3);
  assert.equal((await storage.counts()).byState.Enqueued, 2);
  await storage.close();
});

Deno.test("assertEnqueued matches method, queue and a subset of args; refuteEnqueued", async () => {
  const storage = new MemoryStorage();
  const client = new JobClient(storage);
  await client.enqueue("send_email", { to: "a@b.c", subject: "hi", tags: ["x"] }, {
    queue: "mail",
  });
  await client.enqueue("send_email", { to: "d@e.f" }, { delayMs: 60_000 }); // Scheduled

  const job = await assertEnqueued(client, { method: "send_email", args: { to: "a@b.c" } });
  assert.equal(job.queue, "mail");
  await assertEnqueued(storage, { method: "send_email", args: { to: "d@e.f" }, queue: "default" });
  await assertEnqueued(storage, { method: "send_email", args: { tags: ["x"] } });

  await assert.rejects(
    assertEnqueued(client, { method: "send_email", args: { to: "nobody" } }),
    (err: Error) => err.name === "AssertionError" && /a@b\.c/.test(err.message),
  );
  await assert.rejects(
    assertEnqueued(client, { method: "send_email", queue: "other" }),
    /no send_email job is waiting/,
  );
  await refuteEnqueued(client, { method: "other" });
  await assert.rejects(refuteEnqueued(client, { method: "send_email" }), /found/);

  // A job that ran is no longer enqueued.
  await drainQueue(
    client,
    new WorkerRegistry().register(defineWorker({ name: "send_email", execute: () => null })),
  );
  await refuteEnqueued(client, { method: "send_email", args: { to: "a@b.c" } });
  await storage.close();
});

Deno.test("performJob runs a handler with a real ctx and no storage", async () => {
  const progress: number[] = [];
  const lines: string[] = [];
  const worker = defineWorker({
    name: "report",
    retry: { maxAttempts: 7 },
    execute: (a: { n: number }, ctx) => {
      ctx.progress(50);
      ctx.progress(150);
      ctx.log("working on", { n: a.n });
      return { job: ctx.job, aborted: ctx.signal.aborted };
    },
  });
  const out = await performJob(worker, { n: 3 }, {
    attempt: 2,
    queue: "q",
    onProgress: (p) => progress.push(p),
    onLog: (l) => lines.push(l),
  });
  assert.equal(out.job.method, "report");
  assert.equal(out.job.queue, "q");
  assert.equal(out.job.attempt, 2);
  assert.equal(out.job.maxAttempts, 7);
  assert.equal(out.aborted, false);
  assert.deepEqual(progress, [50, 100]);
  assert.deepEqual(lines, ["working on { n: 3 }"]);

  await assert.rejects(performJob(double, { n: "x" } as never), ValidationError);
  await assert.rejects(performJob(doomed, null), /always/);
  assert.equal(await performJob(double, { n: 4 }), 8);
});
