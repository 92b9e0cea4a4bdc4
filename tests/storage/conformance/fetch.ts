import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, job, must, put, take } from "./fixtures.ts";

export function fetchCases(ctx: ConformanceContext): void {
  const area = "fetch";

  conformanceCase(ctx, area, "locks the job for the server", async (s) => {
    const [j] = await put(s, job());
    const now = at(500);
    const [got] = await take(s, { server: "srv-a", now, lockTtlMs: 30_000 });
    assert.equal(got.id, j.id);
    for (const view of [got, await must(s, j.id)]) {
      assert.equal(view.state, JobState.Processing);
      assert.equal(view.attempts, 1);
      assert.equal(view.lockedBy, "srv-a");
      assert.equal(view.lockedUntil?.getTime(), now.getTime() + 30_000);
      assert.equal(view.startedAt?.getTime(), now.getTime());
      const last = view.history.at(-1)!;
      assert.equal(last.state, JobState.Processing);
      assert.equal(last.server, "srv-a");
      assert.equal(last.at.getTime(), now.getTime());
    }
  });

  conformanceCase(ctx, area, "serves queues in strict order", async (s) => {
    const low = Array.from({ length: 3 }, () => job({ queue: "low", priority: 100 }));
    const high = Array.from({ length: 2 }, () => job({ queue: "high" }));
    await put(s, ...low, ...high);
    const got = await take(s, { queues: ["high", "low"], limit: 3 });
    assert.deepEqual(got.map((j) => j.queue), ["high", "high", "low"]);
    const rest = await take(s, { queues: ["high", "low"], limit: 10 });
    assert.deepEqual(rest.map((j) => j.queue), ["low", "low"]);
  });

  conformanceCase(ctx, area, "orders by priority, then runAt, then id", async (s) => {
    const late = job({ priority: 5, now: at(20), args: { n: "late" } });
    const early = job({ priority: 5, now: at(10), args: { n: "early" } });
    const urgent = job({ priority: 9, now: at(30), args: { n: "urgent" } });
    const low = job({ priority: -1, now: at(0), args: { n: "low" } });
    const sameTimeA = job({ priority: 0, now: at(40), args: { n: "a" } });
    const sameTimeB = job({ priority: 0, now: at(40), args: { n: "b" } });
    await put(s, late, early, urgent, low, sameTimeB, sameTimeA);
    const got = await take(s, { limit: 10, now: at(100) });
    assert.deepEqual(got.map((j) => (j.args as { n: string }).n), [
      "urgent",
      "early",
      "late",
      "a",
      "b",
      "low",
    ]);
  });

  conformanceCase(ctx, area, "respects the limit and never hands a job out twice", async (s) => {
    await put(s, ...Array.from({ length: 5 }, () => job()));
    const a = await take(s, { limit: 2 });
    const b = await take(s, { limit: 2, server: "s2" });
    const c = await take(s, { limit: 2 });
    const d = await take(s, { limit: 2 });
    assert.deepEqual([a.length, b.length, c.length, d.length], [2, 2, 1, 0]);
    const ids = [...a, ...b, ...c].map((j) => j.id);
    assert.equal(new Set(ids).size, 5);
  });

  conformanceCase(ctx, area, "skips scheduled jobs and unlisted queues", async (s) => {
    await put(s, job({ runAt: at(10_000) }), job({ queue: "other" }));
    assert.deepEqual(await take(s, { now: at(9_999) }), []);
    assert.equal((await s.counts()).byState.Enqueued, 1);
  });
}
