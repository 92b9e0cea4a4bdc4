/**
 * Several servers on one Postgres database or one Redis: every job runs exactly
 * once, and every cron tick becomes exactly one job.
 */
import assert from "node:assert/strict";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import { JobClient } from "../../src/client.ts";
import { scheduleRecurring } from "../../src/recurring_store.ts";
import { systemClock } from "../../src/clock.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { DURABLE_KINDS, sharedBackend } from "../_helpers/shared_backends.ts";

for (const kind of DURABLE_KINDS) {
  Deno.test(`[${kind}] 3 servers drain 5,000 jobs, each executed exactly once`, async () => {
    const backend = sharedBackend(kind);
    const servers: BackgroundJobServer[] = [];
    try {
      const runs = new Map<string, number>();
      const byServer = new Map<string, number>();
      const count = defineWorker({
        name: "count",
        execute(_args: { i: number }, ctx) {
          runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
          return null;
        },
      });
      const registry = new WorkerRegistry().register(count);
      const client = new JobClient(await backend.open(), { registry });
      for (let i = 0; i < 5_000; i += 1_000) {
        await client.enqueueMany(
          Array.from({ length: 1_000 }, (_, k) => ({ worker: count, args: { i: i + k } })),
        );
      }
      for (let s = 0; s < 3; s++) {
        const server = new BackgroundJobServer({
          storage: await backend.open(),
          workers: registry,
          execution: "inline",
          serverName: `${kind}-server-${s}`,
          concurrency: 20,
          pollIntervalMs: 100,
          enableRecurring: false,
          enableCleanup: false,
          logLevel: "warn",
        });
        server.events.on(
          "job.succeeded",
          () => byServer.set(server.serverName, (byServer.get(server.serverName) ?? 0) + 1),
        );
        servers.push(server);
      }
      await Promise.all(servers.map((s) => s.start()));
      await waitUntil(async () => (await client.counts()).byState.Succeeded === 5_000, {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: "5,000 Succeeded",
      });
      await Promise.all(servers.map((s) => s.stop()));
      assert.equal(runs.size, 5_000);
      assert.deepEqual([...new Set(runs.values())], [1], "no job ran twice");
      const counts = await client.counts();
      assert.equal(counts.byState.Succeeded, 5_000);
      assert.equal(counts.byState.Processing + counts.byState.Enqueued, 0);
      assert.equal(byServer.size, 3, `every server took part: ${JSON.stringify([...byServer])}`);
    } finally {
      await Promise.allSettled(servers.map((s) => s.stop()));
      await backend.cleanup();
    }
  });

  Deno.test(`[${kind}] 3 servers with a per-second cron: one job per tick`, async () => {
    const backend = sharedBackend(kind);
    const servers: BackgroundJobServer[] = [];
    try {
      const tick = defineWorker({ name: "tick", execute: () => null });
      const registry = new WorkerRegistry().register(tick);
      const storage = await backend.open();
      await scheduleRecurring(storage, systemClock, {
        name: "every-second",
        cron: "* * * * * *",
        method: "tick",
        args: null,
      });
      for (let s = 0; s < 3; s++) {
        servers.push(
          new BackgroundJobServer({
            storage: await backend.open(),
            workers: registry,
            execution: "inline",
            serverName: `${kind}-cron-${s}`,
            recurringPollIntervalMs: 150,
            pollIntervalMs: 100,
            enableCleanup: false,
            logLevel: "warn",
          }),
        );
      }
      const started = Date.now();
      await Promise.all(servers.map((s) => s.start()));
      await waitUntil(() => Date.now() - started >= 5_500, { intervalMs: 100, timeoutMs: 20_000 });
      await Promise.all(servers.map((s) => s.stop()));
      const jobs = (await storage.list({ limit: 1_000, method: "tick" })).jobs;
      const ticks = jobs.map((j) => /tick (\S+)$/.exec(j.history[0].reason ?? "")?.[1]).sort();
      assert.ok(ticks.length >= 5, `at least 5 ticks in 5.5 s, got ${ticks.length}`);
      assert.equal(new Set(ticks).size, ticks.length, `a tick ran twice: ${ticks}`);
      const times = ticks.map((t) => Date.parse(t!));
      for (let i = 1; i < times.length; i++) {
        assert.equal(times[i] - times[i - 1], 1_000, `no tick skipped: ${ticks}`);
      }
    } finally {
      await Promise.allSettled(servers.map((s) => s.stop()));
      await backend.cleanup();
    }
  });
}
