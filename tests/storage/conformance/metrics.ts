import assert from "node:assert/strict";
import {
  durationBucket,
  emptyHistogram,
  HOUR_MS,
  type MetricsBucket,
  MINUTE_MS,
} from "../../../src/metrics.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, job, put, take } from "./fixtures.ts";
import { decide } from "../../../src/transitions.ts";
import { JobState } from "../../../src/job_state.ts";

const DAY_MS = 24 * HOUR_MS;

/** A delta: `runs` run times and `waits` wait times (ms) recorded into histograms. */
function delta(
  atMs: number,
  queue: string,
  method: string,
  c: { succeeded?: number; failed?: number; retried?: number; runs?: number[]; waits?: number[] },
): MetricsBucket {
  const runMs = emptyHistogram(), waitMs = emptyHistogram();
  for (const r of c.runs ?? []) runMs[durationBucket(r)]++;
  for (const w of c.waits ?? []) waitMs[durationBucket(w)]++;
  return {
    at: at(atMs),
    queue,
    method,
    succeeded: c.succeeded ?? 0,
    failed: c.failed ?? 0,
    retried: c.retried ?? 0,
    runMs,
    waitMs,
  };
}

const hist = (...ms: number[]) => {
  const h = emptyHistogram();
  for (const m of ms) h[durationBucket(m)]++;
  return h;
};

export function metricsCases(ctx: ConformanceContext): void {
  const area = "metrics";

  conformanceCase(ctx, area, "deltas are summed per minute, queue and method", async (s) => {
    // Two batches in the same minute for the same (queue, method), from two "servers".
    await s.recordActivity({
      metrics: [
        delta(5_000, "mail", "send", { succeeded: 2, runs: [3, 40], waits: [1, 1] }),
        delta(6_000, "media", "resize", { failed: 1, runs: [900] }),
      ],
      changes: [],
    });
    await s.recordActivity({
      metrics: [delta(59_999, "mail", "send", { succeeded: 1, retried: 1, runs: [40, 70_000] })],
      changes: [],
    });
    await s.recordActivity({
      metrics: [delta(MINUTE_MS + 1, "mail", "send", { succeeded: 5 })],
      changes: [],
    });
    const mail = await s.queryMetrics({
      from: at(0),
      to: at(HOUR_MS),
      resolution: "minute",
      queue: "mail",
    });
    assert.deepEqual(mail.map((b) => [b.at.getTime(), b.succeeded, b.retried]), [
      [at(0).getTime(), 3, 1],
      [at(MINUTE_MS).getTime(), 5, 0],
    ]);
    assert.deepEqual(mail[0].runMs, hist(3, 40, 40, 70_000));
    assert.deepEqual(mail[0].waitMs, hist(1, 1));
    assert.equal(mail[0].queue, "mail");

    const all = await s.queryMetrics({ from: at(0), to: at(HOUR_MS), resolution: "minute" });
    assert.deepEqual(all.map((b) => [b.succeeded, b.failed, b.retried]), [[3, 1, 1], [5, 0, 0]]);
    assert.deepEqual(all[0].runMs, hist(3, 40, 40, 70_000, 900));

    const byMethod = await s.queryMetrics({
      from: at(0),
      to: at(HOUR_MS),
      resolution: "minute",
      method: "resize",
    });
    assert.deepEqual(byMethod.map((b) => [b.at.getTime(), b.failed]), [[at(0).getTime(), 1]]);

    const hourly = await s.queryMetrics({ from: at(0), to: at(HOUR_MS), resolution: "hour" });
    assert.equal(hourly.length, 1);
    assert.equal(hourly[0].at.getTime(), at(0).getTime());
    assert.equal(hourly[0].succeeded, 8);

    // `to` is exclusive, `from` inclusive.
    const second = await s.queryMetrics({
      from: at(MINUTE_MS),
      to: at(2 * MINUTE_MS),
      resolution: "minute",
    });
    assert.deepEqual(second.map((b) => b.succeeded), [5]);
    assert.deepEqual(
      await s.queryMetrics({ from: at(0), to: at(MINUTE_MS), resolution: "minute", queue: "nope" }),
      [],
    );
  });

  conformanceCase(
    ctx,
    area,
    "compaction: minutes roll into hours after 7 days, hours go after 90",
    async (s) => {
      await s.recordActivity({
        metrics: [
          delta(1 * MINUTE_MS, "q", "m", { succeeded: 1, runs: [5] }),
          delta(2 * MINUTE_MS, "q", "m", { succeeded: 2, runs: [5, 5000] }),
          delta(HOUR_MS + MINUTE_MS, "q", "m", { failed: 4 }),
        ],
        changes: [],
      });
      // Nothing is old enough yet.
      assert.equal(await s.compactMetrics({ now: at(7 * DAY_MS) }), 0);
      // 7 days and an hour later, the first hour's minutes are older than 7 days.
      const rolled = await s.compactMetrics({ now: at(7 * DAY_MS + HOUR_MS) });
      assert.equal(rolled, 2);
      const range = { from: at(0), to: at(2 * HOUR_MS) };
      const minutes = await s.queryMetrics({ ...range, resolution: "minute" });
      // The compacted hour shows at its start; the younger minute keeps its own bucket.
      assert.deepEqual(minutes.map((b) => [b.at.getTime(), b.succeeded, b.failed]), [
        [at(0).getTime(), 3, 0],
        [at(HOUR_MS + MINUTE_MS).getTime(), 0, 4],
      ]);
      assert.deepEqual(minutes[0].runMs, hist(5, 5, 5000));
      const hours = await s.queryMetrics({ ...range, resolution: "hour" });
      assert.deepEqual(hours.map((b) => [b.succeeded, b.failed]), [[3, 0], [0, 4]]);
      // Compacting again rolls the second hour; the totals do not change.
      assert.equal(await s.compactMetrics({ now: at(8 * DAY_MS) }), 1);
      const again = await s.queryMetrics({ ...range, resolution: "hour" });
      assert.deepEqual(again.map((b) => [b.succeeded, b.failed]), [[3, 0], [0, 4]]);
      // After 90 days the hours are dropped.
      assert.equal(await s.compactMetrics({ now: at(90 * DAY_MS + 2 * HOUR_MS) }), 2);
      assert.deepEqual(await s.queryMetrics({ ...range, resolution: "hour" }), []);
    },
  );

  conformanceCase(ctx, area, "history outlives the jobs it counted (purge)", async (s) => {
    await put(s, job());
    const [running] = await take(s);
    const next = decide(running, { type: "succeeded", result: null }, {
      now: at(10),
      ttls: { succeededMs: 1, failedMs: 1, deletedMs: 1 },
    });
    assert.deepEqual(
      await s.transition({
        items: [{ id: running.id, guard: { state: JobState.Processing }, next }],
        now: at(10),
      }),
      [true],
    );
    await s.recordActivity({
      metrics: [delta(10, "default", "test_method", { succeeded: 1, runs: [10] })],
      changes: [],
    });
    assert.equal(await s.purgeExpired({ now: at(1_000), limit: 10 }), 1);
    const got = await s.queryMetrics({ from: at(0), to: at(MINUTE_MS), resolution: "minute" });
    assert.deepEqual(got.map((b) => b.succeeded), [1]);
  });
}
