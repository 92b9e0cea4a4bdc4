import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, must, put, take } from "./fixtures.ts";

export function scheduleCases(ctx: ConformanceContext): void {
  const area = "schedule";

  conformanceCase(ctx, area, "promoteDue enqueues due scheduled and retrying jobs", async (s) => {
    const soon = job({ runAt: at(1_000) });
    const later = job({ runAt: at(60_000) });
    const [, , retrying] = await put(s, soon, later, job({ maxAttempts: 3 }));
    const [running] = await take(s, { now: at(0) });
    assert.equal(running.id, retrying.id);
    assert.ok(
      await finish(s, running, { type: "failed", error: { name: "E", message: "x" } }, {
        now: at(0),
      }),
    ); // retry in 1 000 ms
    assert.equal(await s.promoteDue({ now: at(999), limit: 100 }), 0);
    assert.equal(await s.promoteDue({ now: at(1_000), limit: 100 }), 2);
    for (const id of [soon.id, retrying.id]) {
      const j = await must(s, id);
      assert.equal(j.state, JobState.Enqueued);
      assert.equal(j.history.at(-1)?.reason, "due");
    }
    assert.equal((await must(s, later.id)).state, JobState.Scheduled);
    const fetched = await take(s, { now: at(1_000) });
    assert.deepEqual(fetched.map((j) => j.id).sort(), [soon.id, retrying.id].sort());
  });

  conformanceCase(ctx, area, "promoteDue honours its limit", async (s) => {
    await put(s, ...Array.from({ length: 5 }, (_, i) => job({ runAt: at(10 + i) })));
    assert.equal(await s.promoteDue({ now: at(100), limit: 3 }), 3);
    assert.equal(await s.promoteDue({ now: at(100), limit: 3 }), 2);
    assert.equal((await s.counts()).byState.Enqueued, 5);
  });
}
