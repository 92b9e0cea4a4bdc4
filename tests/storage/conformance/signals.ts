import assert from "node:assert/strict";
import type { StorageSignal } from "../../../src/storage/storage.ts";
import { waitUntil } from "../../_helpers/poll.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, put, take } from "./fixtures.ts";

export function signalCases(ctx: ConformanceContext): void {
  const area = "signals";

  conformanceCase(ctx, area, "ready on enqueue and promotion, cancelled on delete", async (s) => {
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      // Subscriptions on a real server become active asynchronously: enqueue until heard.
      await waitUntil(async () => {
        await put(s, job({ queue: "alpha" }));
        return got.some((g) => g.kind === "ready" && g.queue === "alpha");
      }, { intervalMs: 50, what: "ready signal for alpha" });
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
