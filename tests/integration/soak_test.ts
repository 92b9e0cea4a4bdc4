/**
 * The fault soak, short (bench/soak.ts runs the full one): three server processes,
 * one SIGKILLed and restarted every 3 s, one with its clock 5 s ahead (3.3 lock
 * TTLs), jobs that fail, retry and wait, a per-second cron template. Nothing is
 * lost, nothing runs twice unless its server was killed holding it, every tick
 * fires once, nothing runs early.
 */
import assert from "node:assert/strict";
import { runSoak } from "../../bench/soak.ts";

// The soak's servers share one database over the network; SQLite is a file per machine.
for (const kind of ["postgres", "redis"] as const) {
  Deno.test(`[${kind}] short fault soak: kills, a skewed clock, retries, cron`, async () => {
    const r = await runSoak({
      kind,
      durationS: 12,
      jobs: 400,
      killEveryS: 3,
      skewS: 5,
      lockTtlMs: 1_500,
    });
    assert.equal(r.violations.length, 0, r.violations.join("\n"));
    assert.equal(r.jobs, 400);
    assert.equal(r.succeeded + r.failed, 400);
    assert.ok(r.failed > 0, "some jobs were planned to fail for good");
    assert.ok(r.kills >= 1, `${r.kills} kills`);
    assert.ok(r.reRuns <= r.inFlightAtKills, `${r.reRuns} re-runs, ${r.inFlightAtKills} in flight`);
    assert.ok(r.ticks >= 8, `${r.ticks} cron ticks`);
  });
}
