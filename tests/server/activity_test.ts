/** Activity: the pure aggregation, and the server sending it once per written batch. */
import assert from "node:assert/strict";
import type { Job } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { METRIC_BUCKETS_MS } from "../../src/metrics.ts";
import {
  ActivityAggregate,
  CHANGES_PER_CALL_MAX,
  histogramIndex,
} from "../../src/server/activity.ts";
import { decideItem } from "../../src/server/outcome.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { DEFAULT_TTLS, type Outcome } from "../../src/transitions.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { withServer } from "./_server.ts";
import { fetchedJobs, refusing, SERVER } from "./_storage_wrappers.ts";

const T = Date.parse("2026-03-01T10:00:00Z");

function at(job: Job, f: { createdAt: number; runAt: number; startedAt: number }): Job {
  return {
    ...job,
    createdAt: new Date(f.createdAt),
    runAt: new Date(f.runAt),
    startedAt: new Date(f.startedAt),
  };
}

function next(job: Job, outcome: Outcome, now: number) {
  return decideItem(job, outcome, new Date(now), { backoff: "none" }, {
    serverName: SERVER,
    ttls: DEFAULT_TTLS,
  }).next;
}

Deno.test("histogram buckets: inclusive upper bounds, one open bucket above the last", () => {
  assert.equal(histogramIndex(0), 0);
  assert.equal(histogramIndex(1), 0);
  assert.equal(histogramIndex(1.5), 1);
  assert.equal(histogramIndex(2), 1);
  assert.equal(histogramIndex(20), 4);
  assert.equal(histogramIndex(METRIC_BUCKETS_MS.at(-1)!), METRIC_BUCKETS_MS.length - 1);
  assert.equal(histogramIndex(METRIC_BUCKETS_MS.at(-1)! + 1), METRIC_BUCKETS_MS.length);
});

Deno.test("finished attempts become per-minute buckets by queue and method, with run and wait times", async () => {
  const { jobs } = await fetchedJobs(4);
  const agg = new ActivityAggregate();
  // Scheduled for T+1000, started at T+1500: waited 500 ms; ran 20 ms.
  const a = at(jobs[0], { createdAt: T, runAt: T + 1_000, startedAt: T + 1_500 });
  agg.transitioned(a, next(a, { type: "succeeded", result: 1 }, T + 1_520));
  // Created after its runAt (enqueued now): waited 3 ms from creation; ran 2 s, failed and retried.
  const b = at(jobs[1], { createdAt: T + 10, runAt: T, startedAt: T + 13 });
  agg.transitioned(b, next(b, { type: "failed", error: { name: "E", message: "x" } }, T + 2_013));
  // Another method, same minute: its own bucket. Failed for good.
  const c = { ...at(jobs[2], { createdAt: T, runAt: T, startedAt: T }), method: "other" };
  agg.transitioned(
    c,
    next(c, { type: "failed", error: { name: "E", message: "x" }, retryable: false }, T + 1),
  );
  // Released (shutdown): a change, no metrics.
  agg.transitioned(jobs[3], next(jobs[3], { type: "released", reason: "bye" }, T + 5));
  const { metrics, changes } = agg.take();
  assert.deepEqual(changes.map((c) => [c.type, c.state]), [
    ["succeeded", JobState.Succeeded],
    ["retried", JobState.AwaitingRetry],
    ["failed", JobState.Failed],
    ["released", JobState.Enqueued],
  ]);
  assert.equal(metrics.length, 2);
  const noop = metrics.find((m) => m.method === "noop")!;
  const other = metrics.find((m) => m.method === "other")!;
  assert.deepEqual(noop.at, new Date(T));
  assert.equal(noop.queue, "default");
  assert.deepEqual([noop.succeeded, noop.failed, noop.retried], [1, 0, 1]);
  assert.deepEqual([other.succeeded, other.failed, other.retried], [0, 1, 0]);
  const n = METRIC_BUCKETS_MS.length + 1;
  const hist = (entries: [number, number][]) => {
    const h = new Array(n).fill(0);
    for (const [i, v] of entries) h[i] += v;
    return h;
  };
  assert.deepEqual(noop.runMs, hist([[histogramIndex(20), 1], [histogramIndex(2_000), 1]]));
  assert.deepEqual(noop.waitMs, hist([[histogramIndex(500), 1], [histogramIndex(3), 1]]));
  assert.deepEqual(other.runMs, hist([[0, 1]]));
  // Taken: the next take starts empty.
  assert.equal(agg.empty, true);
  assert.deepEqual(agg.take(), { metrics: [], changes: [], omitted: 0 });
});

Deno.test("attempts finishing in different minutes go to different buckets; started jobs are changes only", async () => {
  const { jobs } = await fetchedJobs(2);
  const agg = new ActivityAggregate();
  agg.started(jobs);
  for (const [i, end] of [[0, T + 59_999], [1, T + 60_000]] as const) {
    const j = at(jobs[i], { createdAt: T, runAt: T, startedAt: T });
    agg.transitioned(j, next(j, { type: "succeeded", result: null }, end));
  }
  const { metrics, changes } = agg.take();
  assert.deepEqual(changes.map((c) => c.type), ["started", "started", "succeeded", "succeeded"]);
  assert.equal(changes[0].state, JobState.Processing);
  assert.deepEqual(metrics.map((m) => m.at.getTime()), [T, T + 60_000]);
});

Deno.test("a busy call carries the newest CHANGES_PER_CALL_MAX changes and counts the rest; metrics count every job", async () => {
  const n = 2 * CHANGES_PER_CALL_MAX + 37;
  const { jobs } = await fetchedJobs(n);
  const agg = new ActivityAggregate();
  agg.started(jobs);
  for (const job of jobs) {
    const j = at(job, { createdAt: T, runAt: T, startedAt: T });
    agg.transitioned(j, next(j, { type: "succeeded", result: null }, T + 1));
  }
  const { metrics, changes, omitted } = agg.take();
  assert.equal(changes.length, CHANGES_PER_CALL_MAX);
  assert.equal(omitted, 2 * n - CHANGES_PER_CALL_MAX);
  // The newest: the last successes, in order.
  assert.deepEqual(
    changes.map((c) => c.id),
    jobs.slice(n - CHANGES_PER_CALL_MAX).map((j) => j.id),
  );
  assert.ok(changes.every((c) => c.type === "succeeded"));
  assert.equal(metrics.reduce((a, m) => a + m.succeeded, 0), n);
  // A quiet call after a busy one omits nothing.
  agg.started(jobs.slice(0, 3));
  assert.deepEqual([agg.take().changes.length, agg.take().omitted], [3, 0]);
});

Deno.test("the server records activity once per written batch, never per job (each change carried or counted), and a failing recordActivity only logs", async () => {
  for (const fails of [false, true]) {
    const inner = new MemoryStorage();
    const { storage, log } = refusing(inner, { activityFails: fails });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    await withServer({ storage, execution: "inline", logger, concurrency: 50 }, async (server) => {
      await server.client.enqueueMany(
        Array.from({ length: 200 }, (_, i) => ({ worker: "noop", args: { i } })),
      );
      await waitUntil(async () => (await inner.counts()).byState.Succeeded === 200, {
        what: "200 jobs",
      });
      // Each change is carried, or counted among the omitted (a call carries the newest).
      await waitUntil(
        () => log.activity.reduce((n, a) => n + a.changes.length + (a.omitted ?? 0), 0) === 400,
        { what: "every change recorded or counted" },
      );
    });
    // Cost per batch, not per job: far fewer calls than jobs (result writes, plus flushes of
    // `started` changes at most every 250 ms while handlers run, which a slow machine adds).
    assert.ok(log.activity.length < 200 / 10, `${log.activity.length} calls for 200 jobs`);
    const succeeded = log.activity.flatMap((a) => a.metrics).reduce((n, m) => n + m.succeeded, 0);
    assert.equal(succeeded, 200);
    const histCount = log.activity.flatMap((a) => a.metrics).reduce(
      (n, m) => n + m.runMs.reduce((x, y) => x + y, 0),
      0,
    );
    assert.equal(histCount, 200);
    const activityWarnings = warnings.filter((w) => w.includes("could not record activity"));
    assert.equal(activityWarnings.length, fails ? 1 : 0, "logged once, not per batch");
    assert.equal((await inner.counts()).byState.Succeeded, 200, "results written regardless");
  }
});

Deno.test("recorder: started jobs alone go out after the idle delay; calls never overlap, later batches merge", async () => {
  const { storage: inner, jobs } = await fetchedJobs(6);
  const calls: { changes: number; at: number }[] = [];
  let release: (() => void) | undefined;
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "recordActivity") {
        return (p: { changes: readonly unknown[] }) => {
          calls.push({ changes: p.changes.length, at: Date.now() });
          return new Promise<void>((r) => release = r);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const { ActivityRecorder } = await import("../../src/server/activity_recorder.ts");
  const rec = new ActivityRecorder({ storage, logger: quiet, idleFlushMs: 10 });
  rec.started(jobs.slice(0, 2));
  assert.equal(calls.length, 0, "waits for a result batch to ride along");
  await waitUntil(() => calls.length === 1, { what: "the idle flush" });
  assert.equal(calls[0].changes, 2);
  // While that call is out, two batches come: they go together in the next call.
  const batch = (j: Job) => ({
    items: [decideItem(j, { type: "succeeded", result: null }, new Date(), undefined, {
      serverName: SERVER,
      ttls: DEFAULT_TTLS,
    })],
    metas: [{ job: j }],
    applied: [true],
  });
  rec.written(batch(jobs[2]));
  rec.written(batch(jobs[3]));
  assert.equal(calls.length, 1, "one call at a time");
  release!();
  await waitUntil(() => calls.length === 2, { what: "the merged call" });
  assert.equal(calls[1].changes, 2);
  release!();
  await rec.close();
  assert.equal(calls.length, 2);
});

Deno.test("what the server records is what the storage's metrics history returns", async () => {
  const storage = new MemoryStorage();
  const from = new Date(Date.now() - 60_000);
  await withServer({ storage, execution: "inline" }, async (server) => {
    await server.client.enqueueMany(
      Array.from({ length: 50 }, (_, i) => ({ worker: "noop", args: { i } })),
    );
    await server.client.enqueue("always_fails", {});
    const sum = async () => {
      const rows = await storage.queryMetrics({
        from,
        to: new Date(Date.now() + 120_000),
        resolution: "minute",
      });
      return rows.reduce(
        (a, m) => ({
          succeeded: a.succeeded + m.succeeded,
          failed: a.failed + m.failed,
          retried: a.retried + m.retried,
          runs: a.runs + m.runMs.reduce((x, y) => x + y, 0),
        }),
        { succeeded: 0, failed: 0, retried: 0, runs: 0 },
      );
    };
    await waitUntil(async () => (await sum()).failed === 1, { what: "metrics of every attempt" });
    assert.deepEqual(await sum(), { succeeded: 50, failed: 1, retried: 2, runs: 53 });
  });
});
