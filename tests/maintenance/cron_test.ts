import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { ValidationError } from "../../src/errors.ts";
import { consoleLogger } from "../../src/logger.ts";
import { cronPlugin, ticksToClaim } from "../../src/maintenance/cron_scheduler.ts";
import { scheduleRecurring } from "../../src/recurring_store.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";

const T0 = new Date("2026-03-01T00:00:00.000Z");

function setup(intervalMs = 1_000) {
  const storage = new MemoryStorage();
  const clock = new ManualClock(T0);
  const ctx = { storage, clock, serverName: "s1", logger: consoleLogger("silent") };
  return { storage, clock, plugin: cronPlugin(ctx, { intervalMs }) };
}

async function jobTicks(storage: Storage): Promise<string[]> {
  const page = await storage.list({ limit: 1000 });
  return page.jobs.map((j) => /tick (\S+)/.exec(j.history[0].reason!)![1]).sort();
}

Deno.test("each due tick becomes one job, in order, and only once", async () => {
  const { storage, clock, plugin } = setup(10_000); // grace: 20 s
  await scheduleRecurring(storage, clock, {
    name: "every5s",
    cron: "*/5 * * * * *",
    method: "m",
    args: { a: 1 },
  });
  clock.advance(12_000);
  assert.equal(await plugin.tick(clock.now()), 2); // :05 and :10
  assert.equal(await plugin.tick(clock.now()), 0); // nothing new
  clock.advance(3_000);
  assert.equal(await plugin.tick(clock.now()), 1); // :15
  assert.deepEqual(await jobTicks(storage), [
    "2026-03-01T00:00:05.000Z",
    "2026-03-01T00:00:10.000Z",
    "2026-03-01T00:00:15.000Z",
  ]);
  const job = (await storage.list({ limit: 1 })).jobs[0];
  assert.deepEqual(job.args, { a: 1 });
  assert.equal(job.method, "m");
});

Deno.test("missed ticks: skip drops them, once runs one, all backfills", async () => {
  const results: Record<string, number> = {};
  for (const policy of ["skip", "once", "all"] as const) {
    const { storage, clock, plugin } = setup(1_000);
    await scheduleRecurring(storage, clock, {
      name: "minutely",
      cron: "* * * * *",
      method: "m",
      args: null,
      missedTicks: policy,
    });
    // Every server was down for 10 minutes and comes back 30 s after a tick.
    clock.advance(10 * 60_000 + 30_000);
    results[policy] = await plugin.tick(clock.now());
    // The next tick after the outage runs under every policy.
    clock.advance(30_000);
    assert.equal(await plugin.tick(clock.now()), 1, `${policy}: the next tick runs`);
  }
  assert.deepEqual(results, { skip: 0, once: 1, all: 10 });
});

Deno.test("ticksToClaim keeps on-time ticks inside the grace window", async () => {
  const t = {
    name: "x",
    cron: "* * * * * *",
    timezone: null,
    method: "m",
    args: null,
    queue: "default",
    priority: 0,
    maxAttempts: null,
    missedTicks: "skip" as const,
    createdAt: T0,
    updatedAt: T0,
    lastTickAt: new Date(T0.getTime() + 1_000),
    paused: false,
  };
  const now = new Date(T0.getTime() + 4_500);
  assert.equal((await ticksToClaim(t, now, 10_000)).length, 3); // :02 :03 :04
  assert.equal((await ticksToClaim(t, now, 1_000)).length, 1, "older ones are missed and skipped");
});

Deno.test("timezones move the tick", async () => {
  const { storage, clock, plugin } = setup(1_000);
  await scheduleRecurring(storage, clock, {
    name: "paris-9am",
    cron: "0 0 9 * * *",
    timezone: "Europe/Paris",
    method: "m",
    args: null,
  });
  clock.set(new Date("2026-03-01T08:00:00.500Z")); // 09:00:00.5 in Paris (UTC+1 in March)
  assert.equal(await plugin.tick(clock.now()), 1);
  assert.deepEqual(await jobTicks(storage), ["2026-03-01T08:00:00.000Z"]);
});

Deno.test("bad patterns, timezones, policies and methods are ValidationErrors", async () => {
  const storage = new MemoryStorage();
  const clock = new ManualClock(T0);
  const registry = new WorkerRegistry().register(defineWorker({ name: "known", execute: () => 1 }));
  const bad = [
    { cron: "not a cron" },
    { cron: "61 * * * *" },
    { cron: "* * * * *", timezone: "Mars/Olympus" },
    { cron: "* * * * *", missedTicks: "sometimes" as never },
    { cron: "* * * * *", method: "unknown" },
    { cron: "* * * * *", name: "bad name!" },
  ];
  for (const over of bad) {
    await assert.rejects(
      () =>
        scheduleRecurring(
          storage,
          clock,
          { name: "r", method: "known", args: null, ...over },
          registry,
        ),
      ValidationError,
      JSON.stringify(over),
    );
  }
  assert.deepEqual(await storage.listRecurring(), []);
});

Deno.test("scheduling a name again updates it (upsert) and keeps its last tick", async () => {
  const { storage, clock, plugin } = setup();
  await scheduleRecurring(storage, clock, {
    name: "r",
    cron: "*/5 * * * * *",
    method: "a",
    args: null,
  });
  clock.advance(5_000);
  assert.equal(await plugin.tick(clock.now()), 1);
  await scheduleRecurring(storage, clock, {
    name: "r",
    cron: "*/5 * * * * *",
    method: "b",
    args: { v: 2 },
    queue: "q",
  });
  const [t] = await storage.listRecurring();
  assert.equal(t.method, "b");
  assert.equal(t.queue, "q");
  assert.equal(t.lastTickAt?.toISOString(), "2026-03-01T00:00:05.000Z");
  clock.advance(5_000);
  assert.equal(await plugin.tick(clock.now()), 1);
  const newest = (await storage.list({ limit: 1 })).jobs[0];
  assert.equal(newest.method, "b");
  assert.equal(newest.queue, "q");
});

Deno.test("three cron plugins on one storage: every tick exactly once", async () => {
  const storage = new MemoryStorage();
  const clock = new ManualClock(T0);
  const plugins = ["a", "b", "c"].map((serverName) =>
    cronPlugin({ storage, clock, serverName, logger: consoleLogger("silent") }, { intervalMs: 300 })
  );
  await scheduleRecurring(storage, clock, {
    name: "every-second",
    cron: "* * * * * *",
    method: "m",
    args: null,
  });
  for (let step = 0; step < 20; step++) {
    clock.advance(300);
    await Promise.all(plugins.map((p) => p.tick(clock.now())));
  }
  const ticks = await jobTicks(storage);
  assert.equal(ticks.length, 6); // T0+1 s … T0+6 s
  assert.equal(new Set(ticks).size, ticks.length);
});
