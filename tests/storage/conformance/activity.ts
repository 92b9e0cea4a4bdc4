import assert from "node:assert/strict";
import type { JobChange } from "../../../src/activity.ts";
import { JobState } from "../../../src/job_state.ts";
import type { Storage, StorageSignal } from "../../../src/storage/storage.ts";
import { waitUntil } from "../../_helpers/poll.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at } from "./fixtures.ts";

const change = (i: number, over: Partial<JobChange> = {}): JobChange => ({
  type: "succeeded",
  id: `0190a000-0000-7000-8000-${String(i).padStart(12, "0")}`,
  queue: "default",
  method: "send_email",
  state: JobState.Succeeded,
  at: at(i),
  ...over,
});

const PROBE_ID = "0190a000-0000-7000-8000-ffffffffffff";

/** The changes heard, without the probes (late ones may arrive after the first is heard). */
const activity = (got: StorageSignal[]) =>
  got.flatMap((g) => g.kind === "activity" ? g.changes : []).filter((c) => c.id !== PROBE_ID);

const probed = (got: StorageSignal[]) =>
  got.some((g) => g.kind === "activity" && g.changes.some((c) => c.id === PROBE_ID));

/** Subscriptions on a real server become active asynchronously: publish a probe until heard. */
async function untilHeard(s: Storage, got: StorageSignal[]): Promise<void> {
  await waitUntil(async () => {
    await s.recordActivity({ metrics: [], changes: [change(0, { id: PROBE_ID })] });
    return probed(got);
  }, { intervalMs: 50, what: "activity signal" });
}

export function activityCases(ctx: ConformanceContext): void {
  const area = "activity";

  conformanceCase(ctx, area, "recordActivity publishes its changes to subscribers", async (s) => {
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      // Subscriptions on a real server become active asynchronously: publish until heard.
      const probe = change(0, {
        id: PROBE_ID,
        type: "progress",
        state: JobState.Processing,
        progress: 42.5,
      });
      await waitUntil(async () => {
        await s.recordActivity({ metrics: [], changes: [probe] });
        return probed(got);
      }, { intervalMs: 50, what: "activity signal" });
      const heardProbe = got.flatMap((g) => g.kind === "activity" ? g.changes : [])[0];
      assert.deepEqual(heardProbe, probe);
      const batch = [change(1, { type: "started", state: JobState.Processing }), change(2)];
      await s.recordActivity({ metrics: [], changes: batch });
      await waitUntil(() => activity(got).length >= 2, { what: "the batch" });
      assert.deepEqual(activity(got), batch);
      // No changes: nothing is published.
      await s.recordActivity({ metrics: [], changes: [] });
      await s.recordActivity({ metrics: [], changes: [change(3)] });
      await waitUntil(() => activity(got).length >= 3, { what: "the marker" });
      assert.deepEqual(activity(got).map((c) => c.id), batch.concat(change(3)).map((c) => c.id));
    } finally {
      off();
    }
  });

  conformanceCase(ctx, area, "the count of omitted changes travels with the changes", async (s) => {
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      await untilHeard(s, got);
      // No omission: the signal says none.
      assert.equal(got.filter((g) => g.kind === "activity").every((g) => !g.omitted), true);
      const from = got.length;
      await s.recordActivity({ metrics: [], changes: [change(1), change(2)], omitted: 1234 });
      // Only a count (every change left out) is still published.
      await s.recordActivity({ metrics: [], changes: [], omitted: 5 });
      // Late probes may still arrive: they are not what this case looks at.
      const heardNow = () =>
        got.slice(from).flatMap((g) =>
          g.kind === "activity" && !g.changes.some((c) => c.id === PROBE_ID)
            ? [{ ids: g.changes.map((c) => c.id), omitted: g.omitted }]
            : []
        );
      await waitUntil(() => heardNow().length >= 2, { what: "two activity signals" });
      const heard = heardNow();
      assert.deepEqual(heard, [
        { ids: [change(1).id, change(2).id], omitted: 1234 },
        { ids: [], omitted: 5 },
      ]);
    } finally {
      off();
    }
  });

  conformanceCase(ctx, area, "a large batch arrives whole and in order", async (s) => {
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      await untilHeard(s, got);
      // Well over Postgres's 8,000-byte NOTIFY payload limit.
      const batch = Array.from(
        { length: 500 },
        (_, i) =>
          change(i + 1, { queue: `queue-with-a-long-name-${i % 7}`, method: "m".repeat(40) }),
      );
      await s.recordActivity({ metrics: [], changes: batch });
      await waitUntil(() => activity(got).length >= batch.length, { what: "500 changes" });
      assert.deepEqual(activity(got), batch);
    } finally {
      off();
    }
  });
}
