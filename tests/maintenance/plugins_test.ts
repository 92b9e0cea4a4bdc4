import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { StorageError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { consoleLogger, type Logger } from "../../src/logger.ts";
import type { MaintenancePlugin } from "../../src/maintenance/plugin.ts";
import { rescuerPlugin } from "../../src/maintenance/rescuer.ts";
import { retentionPlugin } from "../../src/maintenance/retention.ts";
import { MaintenanceRunner } from "../../src/maintenance/runner.ts";
import { schedulerPlugin } from "../../src/maintenance/scheduler.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { decide } from "../../src/transitions.ts";
import { waitUntil } from "../_helpers/poll.ts";

const T0 = new Date("2026-01-01T00:00:00Z");
const silent = consoleLogger("silent");

function setup(serverName = "s1") {
  const storage = new MemoryStorage();
  const clock = new ManualClock(T0);
  return { storage, clock, ctx: { storage, clock, serverName, logger: silent } };
}

Deno.test("rescuer: a dead server's jobs go back to Enqueued, or Failed when spent", async () => {
  const { storage, clock, ctx } = setup("rescuer");
  const fresh = createJob({ method: "m", args: null, now: T0, maxAttempts: 3 });
  const spent = createJob({ method: "m", args: null, now: T0, maxAttempts: 1 });
  await storage.enqueue({ jobs: [fresh, spent], now: T0 });
  await storage.fetchAndLock({
    queues: ["default"],
    limit: 2,
    serverName: "dead",
    lockTtlMs: 1_000,
    now: T0,
  });
  const plugin = rescuerPlugin(ctx, { intervalMs: 500 });
  assert.equal(await plugin.tick(clock.now()), 0, "locks still valid");
  clock.advance(1_000);
  assert.equal(await plugin.tick(clock.now()), 2);
  const a = (await storage.get({ id: fresh.id }))!;
  assert.equal(a.state, JobState.Enqueued);
  assert.equal(a.attempts, 1);
  assert.equal(a.history.at(-1)?.server, "rescuer");
  assert.equal((await storage.get({ id: spent.id }))!.state, JobState.Failed);
  assert.equal(await plugin.tick(clock.now()), 0, "nothing left to rescue");
});

Deno.test("scheduler promotes due jobs in batches; retention purges expired ones", async () => {
  const { storage, clock, ctx } = setup();
  const jobs = Array.from(
    { length: 25 },
    (_, i) => createJob({ method: "m", args: i, now: T0, runAt: new Date(T0.getTime() + 100 + i) }),
  );
  await storage.enqueue({ jobs, now: T0 });
  const scheduler = schedulerPlugin(ctx, { intervalMs: 100, batchSize: 10 });
  assert.equal(await scheduler.tick(clock.now()), 0);
  clock.advance(1_000);
  assert.equal(await scheduler.tick(clock.now()), 25);
  const running = await storage.fetchAndLock({
    queues: ["default"],
    limit: 25,
    serverName: "s1",
    lockTtlMs: 1_000,
    now: clock.now(),
  });
  const ttls = { succeededMs: 60_000, failedMs: 60_000, deletedMs: 60_000 };
  await storage.transition({
    items: running.map((j) => ({
      id: j.id,
      guard: { state: j.state },
      next: decide(j, { type: "succeeded", result: null }, { now: clock.now(), ttls }),
    })),
    now: clock.now(),
  });
  const retention = retentionPlugin(ctx, { intervalMs: 1_000, batchSize: 7 });
  assert.equal(await retention.tick(clock.now()), 0);
  clock.advance(60_000);
  assert.equal(await retention.tick(clock.now()), 25);
  assert.equal((await storage.list({ limit: 100 })).jobs.length, 0);
});

Deno.test("runner: a leased plugin runs on one server; a failing plugin is retried", async () => {
  const { storage, clock } = setup();
  const ran: string[] = [];
  let failures = 0;
  const leased = (server: string): MaintenancePlugin => ({
    name: "sweep",
    intervalMs: 10,
    leased: true,
    tick: () => {
      ran.push(server);
      return Promise.resolve(1);
    },
  });
  const flaky: MaintenancePlugin = {
    name: "flaky",
    intervalMs: 5,
    leased: false,
    tick: () => {
      failures++;
      return failures < 3 ? Promise.reject(new Error("database went away")) : Promise.resolve(0);
    },
  };
  const warnings: string[] = [];
  const logger: Logger = { ...silent, warn: (m) => warnings.push(m) };
  const a = new MaintenanceRunner({ storage, clock, serverName: "a", logger }, [
    leased("a"),
    flaky,
  ]);
  const b = new MaintenanceRunner({ storage, clock, serverName: "b", logger }, [leased("b")]);
  a.start();
  await waitUntil(() => ran.length > 0 && failures >= 3, { what: "ticks" });
  b.start();
  await waitUntil(() => ran.filter((s) => s === "a").length >= 3, { what: "more ticks of a" });
  await b.stop();
  await a.stop();
  assert.ok(!ran.includes("b"), "b never held the lease while a renewed it");
  assert.ok(warnings.some((w) => w.includes("flaky failed")), "failures are logged, not thrown");
  // After a stops and releases its lease, b takes over at once.
  assert.equal(await b.runOnce("sweep"), 1);
  assert.equal(ran.at(-1), "b");
});

Deno.test("rescuer: a job whose rescue the storage refuses fails alone; the rest are rescued", async () => {
  const { storage, clock } = setup("rescuer");
  const jobs = Array.from({ length: 7 }, () => createJob({ method: "m", args: null, now: T0 }));
  await storage.enqueue({ jobs, now: T0 });
  await storage.fetchAndLock({
    queues: ["default"],
    limit: 7,
    serverName: "dead",
    lockTtlMs: 1_000,
    now: T0,
  });
  // The storage refuses the rescue (back to Enqueued) of two jobs; one of them also refuses
  // being failed instead.
  const [failsAlone, stuck] = [jobs[2].id, jobs[5].id];
  const refusing = new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop !== "transition") {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      }
      return (params: Parameters<MemoryStorage["transition"]>[0]) => {
        const bad = params.items.find((i) =>
          (i.id === failsAlone && i.next.state === JobState.Enqueued) || i.id === stuck
        );
        if (bad) return Promise.reject(new StorageError(`value refused in job ${bad.id}`));
        return target.transition(params);
      };
    },
  });
  const lines: string[] = [];
  const logger: Logger = {
    ...silent,
    warn: (msg) => void lines.push(msg),
    error: (msg) => void lines.push(msg),
  };
  const plugin = rescuerPlugin({ storage: refusing, clock, serverName: "rescuer", logger }, {
    intervalMs: 500,
  });
  clock.advance(1_000);
  assert.equal(await plugin.tick(clock.now()), 6);
  for (const j of jobs) {
    const got = (await storage.get({ id: j.id }))!;
    if (j.id === failsAlone) {
      assert.equal(got.state, JobState.Failed);
      assert.match(got.error!.message, /its rescue could not be recorded: value refused/);
    } else if (j.id === stuck) assert.equal(got.state, JobState.Processing);
    else assert.equal(got.state, JobState.Enqueued, "rescued");
  }
  // The stuck job comes back each tick; it is logged once.
  assert.equal(await plugin.tick(clock.now()), 0);
  assert.equal(lines.filter((l) => l.includes(stuck)).length, 1, lines.join("\n"));
  assert.equal(lines.filter((l) => l.includes(failsAlone)).length, 1, lines.join("\n"));
});

Deno.test("runner: first ticks run one after another, in order; a plugin with firstTickMs waits for its timer", async () => {
  const { storage, clock } = setup();
  const log: string[] = [];
  const gates = new Map<string, PromiseWithResolvers<void>>();
  let running = 0, most = 0;
  const gated = (name: string, extra: Partial<MaintenancePlugin> = {}): MaintenancePlugin => ({
    name,
    intervalMs: 60_000,
    leased: false,
    ...extra,
    async tick() {
      most = Math.max(most, ++running);
      log.push(`${name} start`);
      const gate = Promise.withResolvers<void>();
      gates.set(name, gate);
      await gate.promise;
      log.push(`${name} end`);
      running--;
      return 0;
    },
  });
  const runner = new MaintenanceRunner({ storage, clock, serverName: "s1", logger: silent }, [
    gated("a"),
    gated("later", { firstTickMs: 60_000 }),
    gated("b"),
    gated("c"),
  ]);
  runner.start();
  for (const name of ["a", "b", "c"]) {
    await waitUntil(() => gates.has(name), { what: `first tick of ${name}` });
    gates.get(name)!.resolve();
  }
  await waitUntil(() => log.includes("c end"), { what: "the last first tick" });
  await runner.stop();
  assert.deepEqual(log, ["a start", "a end", "b start", "b end", "c start", "c end"]);
  assert.equal(most, 1, "no two first ticks at once");
});

Deno.test("runner: a long first tick holds the next plugin's back for firstTickWaitMs at most, and never runs twice at once", async () => {
  const { storage, clock } = setup();
  const slow = Promise.withResolvers<void>();
  let slowTicks = 0, slowRunning = 0, slowMost = 0, fastTicks = 0;
  const runner = new MaintenanceRunner(
    { storage, clock, serverName: "s1", logger: silent },
    [
      {
        name: "sweep",
        intervalMs: 5,
        leased: false,
        async tick() {
          slowTicks++;
          slowMost = Math.max(slowMost, ++slowRunning);
          if (slowTicks === 1) await slow.promise;
          slowRunning--;
          return 0;
        },
      },
      {
        name: "next",
        intervalMs: 60_000,
        leased: false,
        tick: () => Promise.resolve(++fastTicks),
      },
    ],
    { firstTickWaitMs: 20 },
  );
  runner.start();
  await waitUntil(() => fastTicks === 1, { what: "the next plugin's first tick" });
  assert.equal(slowTicks, 1, "the slow first tick is still running, alone");
  slow.resolve();
  await waitUntil(() => slowTicks >= 3, { what: "the slow plugin back on its timer" });
  await runner.stop();
  assert.equal(slowMost, 1, "one tick of a plugin at a time");
});
