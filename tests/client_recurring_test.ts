/**
 * Recurring management on JobClient: schedule, list, trigger, pause, resume, remove — with
 * only a storage (what a dashboard or CLI holds).
 *
 * `setRecurringPaused` is a new storage verb; where the MemoryStorage at hand does not
 * implement it yet, the pause cases run on a small in-test storage that adds it on top of
 * MemoryStorage (and stop needing it once the verb lands).
 */
import assert from "node:assert/strict";
import { JobClient } from "../src/client.ts";
import { ManualClock } from "../src/clock.ts";
import { ConfigError, NotFoundError, ValidationError } from "../src/errors.ts";
import type { Job } from "../src/job.ts";
import { consoleLogger } from "../src/logger.ts";
import { cronPlugin } from "../src/maintenance/cron_scheduler.ts";
import type { RecurringTemplate } from "../src/recurring.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";
import { assertEnqueued } from "../testing.ts";

const T0 = new Date("2026-03-01T00:00:00.000Z");
const report = defineWorker({
  name: "generate_report",
  retry: { maxAttempts: 3 },
  execute: (_args: { kind: string }) => null,
});
const registry = new WorkerRegistry().register(report);

/** MemoryStorage plus `setRecurringPaused`, for as long as MemoryStorage lacks it. */
class PausableMemoryStorage extends MemoryStorage {
  readonly #paused = new Set<string>();
  override async setRecurringPaused(
    p: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    const t = await super.getRecurring({ name: p.name });
    if (!t) return null;
    if (p.paused) this.#paused.add(p.name);
    else this.#paused.delete(p.name);
    return { ...t, paused: p.paused };
  }
  override async getRecurring(p: { name: string }): Promise<RecurringTemplate | null> {
    const t = await super.getRecurring(p);
    return t && { ...t, paused: this.#paused.has(t.name) };
  }
  override async listRecurring(): Promise<RecurringTemplate[]> {
    return (await super.listRecurring()).map((t) => ({ ...t, paused: this.#paused.has(t.name) }));
  }
  override claimCronTick(
    p: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    return this.#paused.has(p.name) ? Promise.resolve(null) : super.claimCronTick(p);
  }
  override async removeRecurring(p: { name: string }): Promise<boolean> {
    this.#paused.delete(p.name);
    return await super.removeRecurring(p);
  }
}

async function storageWithPause(): Promise<MemoryStorage> {
  const probe = new MemoryStorage();
  try {
    await probe.setRecurringPaused({ name: "probe", paused: true, now: T0 });
    return new MemoryStorage();
  } catch {
    return new PausableMemoryStorage();
  } finally {
    await probe.close();
  }
}

function setup(storage: MemoryStorage = new MemoryStorage()) {
  const clock = new ManualClock(T0);
  const client = new JobClient(storage, { clock, registry });
  const cron = cronPlugin(
    { storage, clock, serverName: "s1", logger: consoleLogger("silent") },
    { intervalMs: 1_000, registry },
  );
  return { storage, clock, client, cron };
}

Deno.test("schedule, list, trigger and remove recurring jobs on the client", async () => {
  const { storage, client } = setup();
  const t = await client.scheduleRecurring("daily-report", "0 0 9 * * *", report, {
    kind: "daily",
  }, { timezone: "UTC", queue: "reports", priority: 7 });
  assert.equal(t.method, "generate_report");
  assert.deepEqual((await client.listRecurring()).map((x) => x.name), ["daily-report"]);

  const job = await client.triggerRecurring("daily-report");
  assert.equal(job.state, "Enqueued");
  assert.deepEqual(
    [job.method, job.args, job.queue, job.priority, job.maxAttempts],
    ["generate_report", { kind: "daily" }, "reports", 7, 3], // attempts: the worker's
  );
  await assertEnqueued(client, { method: "generate_report", args: { kind: "daily" } });
  // Triggering is outside the schedule: the template's last tick is untouched.
  assert.equal((await storage.getRecurring({ name: "daily-report" }))?.lastTickAt, null);

  assert.equal(await client.removeRecurring("daily-report"), true);
  assert.equal(await client.removeRecurring("daily-report"), false);
  assert.deepEqual(await client.listRecurring(), []);
  await storage.close();
});

Deno.test("trigger, pause and resume of an unknown template are NotFoundErrors", async () => {
  const { storage, client } = setup(await storageWithPause());
  await assert.rejects(client.triggerRecurring("nope"), NotFoundError);
  await assert.rejects(client.pauseRecurring("nope"), NotFoundError);
  await assert.rejects(client.resumeRecurring("nope"), NotFoundError);
  await storage.close();
});

Deno.test("a paused template enqueues nothing at its ticks until resumed", async () => {
  const { storage, clock, client, cron } = setup(await storageWithPause());
  await client.scheduleRecurring("every5s", "*/5 * * * * *", "generate_report", { kind: "x" });
  clock.advance(5_000);
  assert.equal(await cron.tick(clock.now()), 1);

  assert.equal((await client.pauseRecurring("every5s")).paused, true);
  assert.equal((await client.listRecurring())[0].paused, true);
  clock.advance(5_000);
  assert.equal(await cron.tick(clock.now()), 0);
  // A manual trigger still works while paused.
  await client.triggerRecurring("every5s");

  assert.equal((await client.resumeRecurring("every5s")).paused, false);
  clock.advance(5_000);
  assert.equal(await cron.tick(clock.now()), 1);
  assert.equal((await client.counts()).byState.Enqueued, 3);
  await storage.close();
});

Deno.test("the client checks the method against its registry, and template fields", async () => {
  const { storage, client } = setup();
  await assert.rejects(
    client.scheduleRecurring("r", "* * * * *", "no_such_worker"),
    ValidationError,
  );
  await assert.rejects(
    client.scheduleRecurring("r", "not cron", report, { kind: "x" }),
    ValidationError,
  );
  assert.deepEqual(await client.listRecurring(), []);
  await storage.close();
});

Deno.test("a bad queue or priority is the same ConfigError at enqueue and in a template", async () => {
  const { storage, client } = setup();
  const cases: [string, { queue?: string; priority?: number; maxAttempts?: number }][] = [
    ["queue", { queue: "a b" }],
    ["queue", { queue: "q".repeat(101) }],
    ["priority", { priority: 2_000_000 }],
    ["priority", { priority: 1.5 }],
    ["maxAttempts", { maxAttempts: 0 }],
  ];
  for (const [option, options] of cases) {
    for (
      const attempt of [
        () => client.enqueue(report, { kind: "x" }, options),
        () => client.scheduleRecurring("r", "* * * * *", report, { kind: "x" }, options),
      ]
    ) {
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(err instanceof ConfigError, `${JSON.stringify(options)}: got ${err}`);
        assert.match(err.message, new RegExp(`^invalid ${option}:`));
        return true;
      });
    }
  }
  assert.deepEqual(await client.listRecurring(), []);
  assert.equal((await client.counts()).byState.Enqueued, 0);
  await storage.close();
});
