import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { applyTransition, decide, DEFAULT_TTLS } from "../../../src/transitions.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, must, put, subscribed, T0, take } from "./fixtures.ts";
import type { Outcome } from "../../../src/transitions.ts";
import { waitUntil } from "../../_helpers/poll.ts";

export function transitionCases(ctx: ConformanceContext): void {
  const area = "transition";

  conformanceCase(ctx, area, "success stores result, clears lock, stamps expiry", async (s) => {
    await put(s, job());
    const [running] = await take(s);
    const now = at(2_000);
    assert.ok(await finish(s, running, { type: "succeeded", result: { ok: [1, "two"] } }, { now }));
    const done = await must(s, running.id);
    assert.equal(done.state, JobState.Succeeded);
    assert.deepEqual(done.result, { ok: [1, "two"] });
    assert.equal(done.lockedBy, null);
    assert.equal(done.lockedUntil, null);
    assert.equal(done.finishedAt?.getTime(), now.getTime());
    assert.equal(done.expiresAt?.getTime(), now.getTime() + DEFAULT_TTLS.succeededMs);
    assert.deepEqual(done.history.map((h) => h.state), ["Enqueued", "Processing", "Succeeded"]);
  });

  conformanceCase(ctx, area, "a failed attempt awaits retry with its error", async (s) => {
    await put(s, job({ maxAttempts: 3 }));
    const [running] = await take(s);
    const error = { name: "TypeError", message: "boom", stack: "at x" };
    assert.ok(await finish(s, running, { type: "failed", error }, { now: at(100) }));
    const j = await must(s, running.id);
    assert.equal(j.state, JobState.AwaitingRetry);
    assert.equal(j.runAt.getTime(), at(100).getTime() + 1_000);
    assert.deepEqual(j.error, error);
    assert.deepEqual(j.history.at(-1)?.error, error);
    assert.equal(j.lockedBy, null);
  });

  conformanceCase(ctx, area, "the last attempt fails for good", async (s) => {
    await put(s, job({ maxAttempts: 1 }));
    const [running] = await take(s);
    assert.ok(await finish(s, running, { type: "failed", error: { name: "E", message: "x" } }));
    const j = await must(s, running.id);
    assert.equal(j.state, JobState.Failed);
    assert.ok(j.expiresAt);
  });

  conformanceCase(ctx, area, "guards: wrong server or state changes nothing", async (s) => {
    await put(s, job());
    const [running] = await take(s, { server: "owner" });
    const next = decide(running, { type: "succeeded", result: 1 }, { now: T0 });
    const res = await s.transition({
      items: [
        { id: running.id, guard: { state: JobState.Processing, lockedBy: "intruder" }, next },
        { id: running.id, guard: { state: JobState.Enqueued }, next },
        { id: running.id, guard: { state: JobState.Processing, lockExpired: true }, next },
      ],
      now: T0,
    });
    assert.deepEqual(res, [false, false, false]);
    const j = await must(s, running.id);
    assert.equal(j.state, JobState.Processing);
    assert.equal(j.lockedBy, "owner");
    assert.equal(j.history.length, 2);
  });

  conformanceCase(ctx, area, "a batch reports each item in order", async (s) => {
    await put(s, job(), job(), job());
    const [a, b, c] = await take(s, { limit: 3 });
    const ok = (j: typeof a) => ({
      id: j.id,
      guard: { state: JobState.Processing, lockedBy: "s1" },
      next: decide(j, { type: "succeeded", result: j.id }, { now: T0 }),
    });
    const res = await s.transition({
      items: [ok(a), { ...ok(b), guard: { state: JobState.Processing, lockedBy: "other" } }, ok(c)],
      now: T0,
    });
    assert.deepEqual(res, [true, false, true]);
    assert.equal((await must(s, a.id)).result, a.id);
    assert.equal((await must(s, b.id)).state, JobState.Processing);
  });

  conformanceCase(ctx, area, "released jobs are Enqueued again, attempt not counted", async (s) => {
    await put(s, job());
    const [running] = await take(s);
    assert.ok(await finish(s, running, { type: "released", reason: "shutdown" }));
    const j = await must(s, running.id);
    assert.equal(j.state, JobState.Enqueued);
    assert.equal(j.attempts, 0);
    assert.equal(j.lockedBy, null);
    const [again] = await take(s, { server: "s2" });
    assert.equal(again.id, running.id);
    assert.equal(again.attempts, 1);
  });

  conformanceCase(ctx, area, "delete and requeue keep the history", async (s) => {
    await put(s, job());
    const [running] = await take(s);
    assert.ok(await finish(s, running, { type: "deleted", reason: "by test" }, { now: at(5) }));
    const deleted = await must(s, running.id);
    assert.equal(deleted.state, JobState.Deleted);
    assert.ok(deleted.expiresAt);
    assert.ok(await finish(s, deleted, { type: "requeued" }, { now: at(6) }));
    const back = await must(s, running.id);
    assert.equal(back.state, JobState.Enqueued);
    assert.equal(back.attempts, 0);
    assert.equal(back.expiresAt, null);
    assert.deepEqual(back.history.map((h) => h.state), [
      "Enqueued",
      "Processing",
      "Deleted",
      "Enqueued",
    ]);
    assert.equal((await take(s, { now: at(7) }))[0]?.id, running.id);
  });

  conformanceCase(ctx, area, "one batch moving a job twice applies both, in order", async (s) => {
    await put(s, job(), job());
    const [running, other] = await take(s, { limit: 2 });
    const deletedNext = decide(running, { type: "deleted", reason: "by test" }, {
      now: at(5),
      server: "s1",
    });
    const deleted = applyTransition(structuredClone(running), deletedNext);
    const requeuedNext = decide(deleted, { type: "requeued" }, { now: at(6), server: "s1" });
    const guard = { state: JobState.Processing, lockedBy: "s1" };
    const res = await s.transition({
      items: [
        { id: running.id, guard, next: deletedNext },
        {
          id: other.id,
          guard,
          next: decide(other, { type: "succeeded", result: 1 }, { now: at(5) }),
        },
        { id: running.id, guard: { state: JobState.Deleted }, next: requeuedNext },
      ],
      now: at(6),
    });
    assert.deepEqual(res, [true, true, true]);
    const back = await must(s, running.id);
    assert.equal(back.state, JobState.Enqueued);
    assert.deepEqual(back.history.map((h) => h.state), [
      "Enqueued",
      "Processing",
      "Deleted",
      "Enqueued",
    ]);
    // Every index agrees: counted once, as Enqueued, and fetchable.
    const { byState } = await s.counts();
    assert.deepEqual([byState.Enqueued, byState.Succeeded, byState.Deleted, byState.Processing], [
      1,
      1,
      0,
      0,
    ]);
    assert.equal((await take(s, { now: at(7) }))[0]?.id, running.id);
  });

  conformanceCase(
    ctx,
    area,
    "requeue is refused while another live job holds the key",
    async (s) => {
      await put(s, job({ uniqueKey: "k" }));
      const [first] = await take(s);
      assert.ok(await finish(s, first, { type: "succeeded", result: null }));
      const [second] = await put(s, job({ uniqueKey: "k" }));
      assert.notEqual(second.id, first.id);
      const done = await must(s, first.id);
      assert.equal(await finish(s, done, { type: "requeued" }), false);
      assert.equal((await must(s, first.id)).state, JobState.Succeeded);
    },
  );

  conformanceCase(ctx, area, "a job that ends already expired is deleted, guarded", async (s) => {
    const zero = { succeededMs: 0, failedMs: 0, deletedMs: 0 };
    const [a, b, c, d, k] = await put(
      s,
      job(),
      job(),
      job({ uniqueKey: "gone-at-once" }),
      job(),
      job({ maxAttempts: 3 }),
    );
    const running = await take(s, { limit: 5, server: "s1" });
    const byId = new Map(running.map((j) => [j.id, j]));
    const { got, off } = await subscribed(s, "probe");
    try {
      const now = at(100);
      const item = (id: string, outcome: Outcome, lockedBy = "s1") => ({
        id,
        guard: { state: JobState.Processing, lockedBy },
        next: decide(byId.get(id)!, outcome, { now, server: "s1", ttls: zero }),
      });
      const res = await s.transition({
        items: [
          item(a.id, { type: "succeeded", result: 1 }),
          item(b.id, { type: "succeeded", result: 2 }, "intruder"),
          item(c.id, { type: "failed", error: { name: "E", message: "x" }, retryable: false }),
          item(d.id, { type: "deleted" }),
          // Not final: written as usual in the same batch.
          item(k.id, { type: "failed", error: { name: "E", message: "again" } }),
        ],
        now,
      });
      assert.deepEqual(res, [true, false, true, true, true]);
      assert.equal((await must(s, k.id)).state, JobState.AwaitingRetry);
      assert.equal(await s.get({ id: a.id }), null, "expired at once: gone");
      assert.equal((await must(s, b.id)).state, JobState.Processing, "guard failed: untouched");
      assert.equal(await s.get({ id: c.id }), null);
      assert.equal(await s.get({ id: d.id }), null);
      const counts = await s.counts();
      assert.equal(counts.byState.Processing, 1);
      assert.equal(counts.byState.Succeeded + counts.byState.Failed + counts.byState.Deleted, 0);
      // Its unique key is free again, and a running job deleted this way is still cancelled.
      const [again] = await put(s, job({ uniqueKey: "gone-at-once" }));
      assert.equal((await must(s, again.id)).state, JobState.Enqueued);
      await waitUntil(() => got.some((g) => g.kind === "cancelled" && g.id === d.id), {
        what: "cancelled signal of the deleted job",
      });
      // A retention that has not run out yet keeps the job.
      const [late] = await take(s, { server: "s1", now: at(200) });
      assert.equal(late.id, again.id);
      assert.ok(await finish(s, late, { type: "succeeded", result: 3 }, { now: at(300) }));
      assert.equal((await must(s, again.id)).state, JobState.Succeeded);
    } finally {
      off();
    }
  });
}
