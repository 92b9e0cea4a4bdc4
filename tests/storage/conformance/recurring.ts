import assert from "node:assert/strict";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, job, must } from "./fixtures.ts";
import type { RecurringTemplate } from "../../../src/recurring.ts";

type Input = Omit<RecurringTemplate, "createdAt" | "updatedAt" | "lastTickAt" | "paused">;

const template = (name: string, over: Partial<Input> = {}): Input => ({
  name,
  cron: "*/5 * * * * *",
  timezone: null,
  method: "report",
  args: { kind: "daily" },
  queue: "default",
  priority: 0,
  maxAttempts: null,
  missedTicks: "skip",
  ...over,
});

export function recurringCases(ctx: ConformanceContext): void {
  const area = "recurring";

  conformanceCase(ctx, area, "upsert, get, list, remove", async (s) => {
    const created = await s.upsertRecurring({ template: template("b-report"), now: at(0) });
    assert.equal(created.createdAt.getTime(), at(0).getTime());
    assert.equal(created.lastTickAt, null);
    await s.upsertRecurring({
      template: template("a-report", { timezone: "Europe/Paris" }),
      now: at(1),
    });
    const updated = await s.upsertRecurring({
      template: template("b-report", {
        cron: "0 * * * *",
        args: { kind: "hourly" },
        missedTicks: "all",
      }),
      now: at(5),
    });
    assert.equal(updated.createdAt.getTime(), at(0).getTime());
    assert.equal(updated.updatedAt.getTime(), at(5).getTime());
    const got = await s.getRecurring({ name: "b-report" });
    assert.deepEqual(got, updated);
    assert.equal(got?.cron, "0 * * * *");
    assert.deepEqual(got?.args, { kind: "hourly" });
    assert.equal(got?.missedTicks, "all");
    assert.deepEqual((await s.listRecurring()).map((t) => t.name), ["a-report", "b-report"]);
    assert.equal((await s.getRecurring({ name: "a-report" }))?.timezone, "Europe/Paris");
    assert.equal(await s.removeRecurring({ name: "b-report" }), true);
    assert.equal(await s.removeRecurring({ name: "b-report" }), false);
    assert.equal(await s.getRecurring({ name: "b-report" }), null);
  });

  conformanceCase(ctx, area, "a tick is claimed once; later ticks move on", async (s) => {
    await s.upsertRecurring({ template: template("r"), now: at(0) });
    const tick = at(5_000);
    const first = await s.claimCronTick({ name: "r", tickAt: tick, job: job(), now: tick });
    assert.ok(first);
    assert.deepEqual(await must(s, first.id), first);
    assert.equal(await s.claimCronTick({ name: "r", tickAt: tick, job: job(), now: tick }), null);
    assert.equal(await s.claimCronTick({ name: "r", tickAt: at(0), job: job(), now: tick }), null);
    const next = await s.claimCronTick({ name: "r", tickAt: at(10_000), job: job(), now: tick });
    assert.ok(next);
    assert.equal(
      (await s.getRecurring({ name: "r" }))?.lastTickAt?.getTime(),
      at(10_000).getTime(),
    );
    assert.equal((await s.counts()).byState.Enqueued, 2);
    assert.equal(
      await s.claimCronTick({ name: "gone", tickAt: tick, job: job(), now: tick }),
      null,
    );
  });

  conformanceCase(ctx, area, "lastTickAt survives an update of the template", async (s) => {
    await s.upsertRecurring({ template: template("r"), now: at(0) });
    assert.ok(await s.claimCronTick({ name: "r", tickAt: at(5_000), job: job(), now: at(5_000) }));
    const t = await s.upsertRecurring({
      template: template("r", { queue: "other" }),
      now: at(6_000),
    });
    assert.equal(t.lastTickAt?.getTime(), at(5_000).getTime());
  });

  conformanceCase(ctx, area, "concurrent claimers of one tick: exactly one wins", async (s) => {
    await s.upsertRecurring({ template: template("r"), now: at(0) });
    const tick = at(1_000);
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        () => s.claimCronTick({ name: "r", tickAt: tick, job: job(), now: tick }),
      ),
    );
    assert.equal(results.filter((r) => r !== null).length, 1);
    assert.equal((await s.counts()).byState.Enqueued, 1);
  });

  conformanceCase(ctx, area, "a paused template claims no tick until resumed", async (s) => {
    assert.equal(await s.setRecurringPaused({ name: "gone", paused: true, now: at(0) }), null);
    await s.upsertRecurring({ template: template("r"), now: at(0) });
    assert.equal((await s.getRecurring({ name: "r" }))?.paused, false);
    const paused = await s.setRecurringPaused({ name: "r", paused: true, now: at(1_000) });
    assert.equal(paused?.paused, true);
    assert.equal(paused?.updatedAt.getTime(), at(1_000).getTime());
    assert.deepEqual(await s.getRecurring({ name: "r" }), paused);
    const tick = at(5_000);
    assert.equal(await s.claimCronTick({ name: "r", tickAt: tick, job: job(), now: tick }), null);
    assert.equal((await s.getRecurring({ name: "r" }))?.lastTickAt, null, "no tick consumed");
    assert.equal((await s.counts()).byState.Enqueued, 0);
    // Updating the template (a server re-registering it) keeps it paused.
    const updated = await s.upsertRecurring({
      template: template("r", { cron: "0 * * * *" }),
      now: at(6_000),
    });
    assert.equal(updated.paused, true);
    assert.equal((await s.listRecurring())[0].paused, true);
    assert.equal(await s.claimCronTick({ name: "r", tickAt: tick, job: job(), now: tick }), null);
    const resumed = await s.setRecurringPaused({ name: "r", paused: false, now: at(7_000) });
    assert.equal(resumed?.paused, false);
    assert.ok(await s.claimCronTick({ name: "r", tickAt: tick, job: job(), now: tick }));
    assert.equal((await s.getRecurring({ name: "r" }))?.lastTickAt?.getTime(), tick.getTime());
  });
}
