import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { decide } from "../../../src/transitions.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, must, put, take } from "./fixtures.ts";

export function lockCases(ctx: ConformanceContext): void {
  const area = "locks";

  conformanceCase(ctx, area, "extendLocks pushes own locks and reports lost ones", async (s) => {
    await put(s, job(), job(), job());
    const [mine, alsoMine] = await take(s, { server: "a", limit: 2, lockTtlMs: 1_000 });
    const [theirs] = await take(s, { server: "b", limit: 1, lockTtlMs: 1_000 });
    assert.ok(await finish(s, alsoMine, { type: "deleted" }));
    const lost = await s.extendLocks({
      ids: [mine.id, alsoMine.id, theirs.id],
      serverName: "a",
      lockTtlMs: 5_000,
      now: at(900),
    });
    assert.deepEqual(lost.sort(), [alsoMine.id, theirs.id].sort());
    assert.equal((await must(s, mine.id)).lockedUntil?.getTime(), at(5_900).getTime());
    assert.equal((await must(s, theirs.id)).lockedUntil?.getTime(), at(1_000).getTime());
  });

  conformanceCase(ctx, area, "findExpiredLocks lists lapsed locks, oldest first", async (s) => {
    await put(s, job(), job(), job());
    const [a] = await take(s, { limit: 1, lockTtlMs: 2_000 });
    const [b] = await take(s, { limit: 1, lockTtlMs: 1_000 });
    const [c] = await take(s, { limit: 1, lockTtlMs: 9_000 });
    assert.deepEqual(await s.findExpiredLocks({ now: at(999), limit: 10 }), []);
    const expired = await s.findExpiredLocks({ now: at(2_000), limit: 10 });
    assert.deepEqual(expired.map((j) => j.id), [b.id, a.id]);
    assert.deepEqual((await s.findExpiredLocks({ now: at(2_000), limit: 1 })).map((j) => j.id), [
      b.id,
    ]);
    assert.ok(!expired.some((j) => j.id === c.id));
    // Listing does not change anything.
    assert.equal((await must(s, a.id)).state, JobState.Processing);
  });

  conformanceCase(
    ctx,
    area,
    "an extended lock is not listed as expired, nor fills the limit",
    async (s) => {
      await put(s, job(), job(), job(), job());
      // Live jobs whose first lock lapses earliest: only the heartbeat keeps them alive.
      const live = await take(s, { server: "a", limit: 2, lockTtlMs: 500 });
      const dead = await take(s, { server: "b", limit: 2, lockTtlMs: 1_000 });
      const lost = await s.extendLocks({
        ids: live.map((j) => j.id),
        serverName: "a",
        lockTtlMs: 5_000,
        now: at(400),
      });
      assert.deepEqual(lost, []);
      const ids = (jobs: { id: string }[]) => jobs.map((j) => j.id).sort();
      assert.deepEqual(ids(await s.findExpiredLocks({ now: at(2_000), limit: 2 })), ids(dead));
      assert.deepEqual(ids(await s.findExpiredLocks({ now: at(2_000), limit: 10 })), ids(dead));
      assert.deepEqual(
        ids(await s.findExpiredLocks({ now: at(5_400), limit: 10 })),
        ids([...live, ...dead]),
        "the extended locks lapse at their new expiry",
      );
    },
  );

  conformanceCase(ctx, area, "a rescue applies once, and only to a lapsed lock", async (s) => {
    await put(s, job());
    const [running] = await take(s, { server: "dead", lockTtlMs: 1_000 });
    const now = at(1_000);
    const next = decide(running, { type: "lock_expired" }, { now, server: "rescuer" });
    const item = {
      id: running.id,
      guard: { state: JobState.Processing, lockedBy: "dead", lockExpired: true },
      next,
    };
    assert.deepEqual(await s.transition({ items: [item], now: at(999) }), [false]);
    assert.deepEqual(await s.transition({ items: [item], now }), [true]);
    assert.deepEqual(await s.transition({ items: [item], now }), [false], "a second rescuer loses");
    const j = await must(s, running.id);
    assert.equal(j.state, JobState.Enqueued);
    assert.equal(j.attempts, 1);
    assert.match(j.history.at(-1)!.reason!, /rescued/);
    // The dead server's late success must not apply.
    assert.equal(
      await finish(s, running, { type: "succeeded", result: 1 }, { server: "dead" }),
      false,
    );
  });

  conformanceCase(ctx, area, "setProgress only for the lock holder", async (s) => {
    await put(s, job());
    const [running] = await take(s, { server: "a" });
    assert.equal(await s.setProgress({ id: running.id, serverName: "b", progress: 10 }), false);
    assert.equal(await s.setProgress({ id: running.id, serverName: "a", progress: 42 }), true);
    assert.equal((await must(s, running.id)).progress, 42);
  });
}
