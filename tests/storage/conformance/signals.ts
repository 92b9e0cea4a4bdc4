import assert from "node:assert/strict";
import type { StorageSignal } from "../../../src/storage/storage.ts";
import { waitUntil } from "../../_helpers/poll.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { JobState } from "../../../src/job_state.ts";
import type { Storage } from "../../../src/storage/storage.ts";
import { decide } from "../../../src/transitions.ts";
import { at, finish, job, put, subscribed, take } from "./fixtures.ts";

export function signalCases(ctx: ConformanceContext): void {
  const area = "signals";

  conformanceCase(ctx, area, "ready on enqueue and promotion, cancelled on delete", async (s) => {
    const { got, off } = await subscribed(s, "alpha");
    try {
      await put(s, job({ queue: "beta", runAt: at(1_000) }));
      await s.promoteDue({ now: at(1_000), limit: 10 });
      await waitUntil(() => got.some((g) => g.kind === "ready" && g.queue === "beta"), {
        what: "ready signal after promotion",
      });
      const [running] = await take(s, { queues: ["beta"], now: at(1_000) });
      assert.ok(await finish(s, running, { type: "deleted" }, { now: at(1_001) }));
      await waitUntil(() => got.some((g) => g.kind === "cancelled" && g.id === running.id), {
        what: "cancelled signal",
      });
    } finally {
      off();
    }
  });

  // A job becomes Enqueued again by `move`: its queue must hear `ready`, or idle servers sleep
  // a whole poll interval (or forever, with long polls) while it waits.
  const readyAfter = (name: string, move: (s: Storage, queue: string) => Promise<void>) =>
    conformanceCase(ctx, area, `ready on ${name}`, async (s) => {
      const got: StorageSignal[] = [];
      const off = s.subscribe((sig) => got.push(sig));
      const queue = `q-${name}`;
      const readies = () => got.filter((g) => g.kind === "ready" && g.queue === queue).length;
      try {
        // Subscriptions become live asynchronously: probe another queue until heard, so the
        // one job of `queue` is enqueued once and its own signal is counted before the move.
        const probe = `probe-${name}`;
        await waitUntil(async () => {
          await put(s, job({ queue: probe }));
          return got.some((g) => g.kind === "ready" && g.queue === probe);
        }, { intervalMs: 50, what: `ready signal for ${probe}` });
        await put(s, job({ queue }));
        await waitUntil(() => readies() === 1, { what: `ready signal for ${queue}` });
        const before = readies();
        await move(s, queue);
        await waitUntil(() => readies() > before, { what: `ready signal after ${name}` });
      } finally {
        off();
      }
    });

  readyAfter("release", async (s, queue) => {
    const [running] = await take(s, { queues: [queue], limit: 1 });
    assert.ok(await finish(s, running, { type: "released", reason: "test" }, { now: at(1) }));
  });

  readyAfter("rescue", async (s, queue) => {
    const [running] = await take(s, { queues: [queue], limit: 1, server: "dead", lockTtlMs: 100 });
    const now = at(1_000);
    const next = decide(running, { type: "lock_expired" }, { now, server: "rescuer" });
    const guard = { state: JobState.Processing, lockedBy: "dead", lockExpired: true };
    assert.deepEqual(await s.transition({ items: [{ id: running.id, guard, next }], now }), [
      true,
    ]);
  });

  readyAfter("requeue", async (s, queue) => {
    const [running] = await take(s, { queues: [queue], limit: 1 });
    assert.ok(await finish(s, running, { type: "succeeded", result: null }, { now: at(1) }));
    const done = (await s.get({ id: running.id }))!;
    const now = at(2);
    const next = decide(done, { type: "requeued" }, { now });
    const guard = { state: JobState.Succeeded };
    assert.deepEqual(await s.transition({ items: [{ id: done.id, guard, next }], now }), [true]);
  });

  conformanceCase(ctx, area, "unsubscribe stops delivery", async (s) => {
    const heard: StorageSignal[] = [];
    const probe: StorageSignal[] = [];
    const off = s.subscribe((sig) => heard.push(sig));
    const offProbe = s.subscribe((sig) => probe.push(sig));
    try {
      off();
      await waitUntil(async () => {
        await put(s, job({ queue: "gamma" }));
        return probe.length > 0;
      }, { intervalMs: 50, what: "probe signal" });
      assert.equal(heard.length, 0);
    } finally {
      offProbe();
    }
  });
}
