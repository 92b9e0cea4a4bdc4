import assert from "node:assert/strict";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, put, take } from "./fixtures.ts";
import { decide } from "../../../src/transitions.ts";
import { JobState } from "../../../src/job_state.ts";

export function retentionCases(ctx: ConformanceContext): void {
  const area = "retention";

  conformanceCase(ctx, area, "purgeExpired removes expired final jobs only", async (s) => {
    await put(s, job(), job(), job(), job());
    const [a, b, c] = await take(s, { limit: 3 });
    const ttls = { succeededMs: 1_000, failedMs: 5_000, deletedMs: 5_000 };
    const items = [
      { j: a, o: { type: "succeeded" as const, result: 1 } },
      {
        j: b,
        o: { type: "failed" as const, error: { name: "E", message: "x" }, retryable: false },
      },
    ].map(({ j, o }) => ({
      id: j.id,
      guard: { state: JobState.Processing },
      next: decide(j, o, { now: at(0), ttls }),
    }));
    assert.deepEqual(await s.transition({ items, now: at(0) }), [true, true]);
    assert.equal(await s.purgeExpired({ now: at(999), limit: 100 }), 0);
    assert.equal(await s.purgeExpired({ now: at(1_000), limit: 100 }), 1);
    assert.equal(await s.get({ id: a.id }), null);
    assert.ok(await s.get({ id: b.id }));
    assert.ok(await s.get({ id: c.id }), "running jobs are never purged");
    assert.equal(await s.purgeExpired({ now: at(5_000), limit: 100 }), 1);
    assert.equal(await s.get({ id: b.id }), null);
    const counts = await s.counts();
    assert.equal(counts.byState.Succeeded + counts.byState.Failed, 0);
    assert.equal(counts.byState.Enqueued + counts.byState.Processing, 2);
    assert.equal((await s.list({ limit: 10 })).jobs.length, 2);
  });

  conformanceCase(ctx, area, "purgeExpired honours its limit", async (s) => {
    await put(s, ...Array.from({ length: 5 }, () => job()));
    for (const j of await take(s, { limit: 5 })) {
      assert.ok(await finish(s, j, { type: "succeeded", result: null }, { now: at(0) }));
    }
    const far = at(10 * 86_400_000);
    assert.equal(await s.purgeExpired({ now: far, limit: 2 }), 2);
    assert.equal(await s.purgeExpired({ now: far, limit: 10 }), 3);
    assert.equal(await s.purgeExpired({ now: far, limit: 10 }), 0);
  });

  conformanceCase(
    ctx,
    area,
    "purgeFinished removes final jobs finished before a time",
    async (s) => {
      await put(s, ...Array.from({ length: 6 }, () => job()));
      const [a, b, c, d, e] = await take(s, { limit: 5 });
      const error = { name: "E", message: "x" };
      assert.ok(await finish(s, a, { type: "succeeded", result: 1 }, { now: at(0) }));
      assert.ok(await finish(s, b, { type: "failed", error, retryable: false }, { now: at(0) }));
      assert.ok(await finish(s, c, { type: "deleted" }, { now: at(0) }));
      assert.ok(await finish(s, d, { type: "succeeded", result: 2 }, { now: at(10_000) }));
      assert.equal(await s.purgeFinished({ before: at(0), limit: 100 }), 0, "before is exclusive");
      assert.equal(await s.purgeFinished({ before: at(10_000), limit: 100 }), 3);
      for (const gone of [a, b, c]) assert.equal(await s.get({ id: gone.id }), null);
      assert.equal((await s.get({ id: d.id }))?.state, JobState.Succeeded, "newer jobs stay");
      assert.equal((await s.get({ id: e.id }))?.state, JobState.Processing, "live jobs stay");
      const counts = await s.counts();
      assert.deepEqual(
        [counts.byState.Succeeded, counts.byState.Failed, counts.byState.Deleted],
        [1, 0, 0],
      );
      assert.equal(counts.byState.Enqueued + counts.byState.Processing, 2);
      assert.equal((await s.list({ limit: 10 })).jobs.length, 3);
      const far = at(10 * 86_400_000);
      assert.equal(await s.purgeFinished({ before: far, limit: 100 }), 1, "live jobs never go");
      assert.equal((await s.list({ limit: 10 })).jobs.length, 2);
    },
  );

  conformanceCase(ctx, area, "purgeFinished honours its limit", async (s) => {
    await put(s, ...Array.from({ length: 5 }, () => job()));
    for (const j of await take(s, { limit: 5 })) {
      assert.ok(await finish(s, j, { type: "succeeded", result: null }, { now: at(0) }));
    }
    assert.equal(await s.purgeFinished({ before: at(1), limit: 0 }), 0);
    assert.equal(await s.purgeFinished({ before: at(1), limit: 2 }), 2);
    assert.equal((await s.counts()).byState.Succeeded, 3);
    assert.equal(await s.purgeFinished({ before: at(1), limit: 10 }), 3);
    assert.equal(await s.purgeFinished({ before: at(1), limit: 10 }), 0);
    assert.equal((await s.counts()).byState.Succeeded, 0);
  });
}
