/** Recurring templates live in storage: they survive reconnects, and missed ticks follow policy. */
import assert from "node:assert/strict";
import { ManualClock, systemClock } from "../../src/clock.ts";
import { consoleLogger } from "../../src/logger.ts";
import { cronPlugin } from "../../src/maintenance/cron_scheduler.ts";
import { scheduleRecurring } from "../../src/recurring_store.ts";
import { createJob } from "../../src/job.ts";
import { DURABLE_KINDS, sharedBackend } from "../_helpers/shared_backends.ts";

for (const kind of DURABLE_KINDS) {
  Deno.test(`[${kind}] templates survive a reconnect; missed ticks follow the policy`, async () => {
    const backend = sharedBackend(kind);
    try {
      const first = await backend.open();
      for (const policy of ["skip", "once", "all"] as const) {
        await scheduleRecurring(first, systemClock, {
          name: `every-minute-${policy}`,
          cron: "0 * * * * *",
          method: "report",
          args: { policy },
          timezone: "UTC",
          missedTicks: policy,
        });
      }
      // The last tick any server claimed was at 10:00; then every server went down.
      const lastRun = new Date("2026-05-01T10:00:00.000Z");
      for (const policy of ["skip", "once", "all"]) {
        const won = await first.claimCronTick({
          name: `every-minute-${policy}`,
          tickAt: lastRun,
          job: createJob({ method: "report", args: null, now: lastRun }),
          now: lastRun,
        });
        assert.ok(won);
      }
      await first.close();

      // A server starts at 10:05:30 on a fresh connection.
      const second = await backend.open();
      const names = (await second.listRecurring()).map((t) => t.name);
      assert.deepEqual(names, ["every-minute-all", "every-minute-once", "every-minute-skip"]);
      const clock = new ManualClock(new Date("2026-05-01T10:05:30.000Z"));
      const plugin = cronPlugin(
        { storage: second, clock, serverName: "restarted", logger: consoleLogger("silent") },
        { intervalMs: 1_000 },
      );
      assert.equal(await plugin.tick(clock.now()), 5 + 1); // all: 10:01…10:05; once: one catch-up
      const made: Record<string, number> = {};
      for (const j of (await second.list({ limit: 100, method: "report" })).jobs) {
        const p = (j.args as { policy?: string } | null)?.policy;
        if (p) made[p] = (made[p] ?? 0) + 1;
      }
      assert.deepEqual(made, { all: 5, once: 1 });
      // From here on every policy runs each tick.
      clock.advance(30_000);
      assert.equal(await plugin.tick(clock.now()), 3);
    } finally {
      await backend.cleanup();
    }
  });
}
