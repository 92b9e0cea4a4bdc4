/**
 * Activity aggregation, pure: fetched jobs and written transitions become what
 * `Storage.recordActivity` takes — per-minute {@link MetricsBucket} deltas by
 * queue and method (succeeded / failed / retried counts, run-time and wait-time
 * histograms over {@link METRIC_BUCKETS_MS}) and the {@link JobChange}s a
 * dashboard shows live. The cost is per batch: a batch adds into a few buckets
 * keyed by minute, queue and method.
 *
 * Run time is the attempt's start (`startedAt`, set by the fetch) to its end (the
 * transition's time); wait time is from when the job could first run
 * (`max(createdAt, runAt)`) to that start. Both are counted once per finished
 * attempt, so each histogram holds `succeeded + failed + retried` counts.
 *
 * @module
 */
import type { JobChange, JobChangeType } from "../activity.ts";
import type { Job } from "../job.ts";
import { JobState } from "../job_state.ts";
import { METRIC_BUCKETS_MS, type MetricsBucket } from "../metrics.ts";
import { addInFlight, recordFinished } from "../telemetry/metrics.ts";
import type { Transition } from "../transitions.ts";

const MINUTE = 60_000;

/** Index of the histogram bucket (of {@link METRIC_BUCKETS_MS}, plus the open one) of `ms`. */
export function histogramIndex(ms: number): number {
  const b = METRIC_BUCKETS_MS;
  let lo = 0, hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= b[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const CHANGE_OF: Partial<Record<JobState, JobChangeType>> = {
  [JobState.Succeeded]: "succeeded",
  [JobState.Failed]: "failed",
  [JobState.AwaitingRetry]: "retried",
  [JobState.Enqueued]: "released",
};

/**
 * Most job changes one `recordActivity` call carries: the newest; the rest are counted as
 * `omitted`. A busy server finishes thousands of jobs between two calls, and publishing each
 * one (encoded, sent, run through the storage's pub/sub, received by every listener) cost
 * about a tenth of a round-trip-bound drain, for dashboards that show the latest few and
 * reload a page when told that changes were left out. Metrics count every job regardless.
 */
export const CHANGES_PER_CALL_MAX = 100;

/** What one `recordActivity` call carries. */
export interface ActivityDelta {
  /** Metrics deltas, one per minute, queue and method touched. */
  metrics: MetricsBucket[];
  /** Job changes, in the order they happened: the newest {@link CHANGES_PER_CALL_MAX}. */
  changes: JobChange[];
  /** Older changes left out. */
  omitted: number;
}

/** Accumulates activity until {@link ActivityAggregate.take} hands it out. */
export class ActivityAggregate {
  #buckets = new Map<string, MetricsBucket>();
  #changes: JobChange[] = [];
  #omitted = 0;

  /** Whether nothing was added since the last take. */
  get empty(): boolean {
    return this.#changes.length === 0 && this.#buckets.size === 0;
  }

  // Keep the newest changes: trimmed when twice the cap, so the cost per change stays constant.
  #push(change: JobChange): void {
    this.#changes.push(change);
    if (this.#changes.length >= 2 * CHANGES_PER_CALL_MAX) this.#trim();
  }

  #trim(): void {
    const over = this.#changes.length - CHANGES_PER_CALL_MAX;
    if (over <= 0) return;
    this.#changes.splice(0, over);
    this.#omitted += over;
  }

  /** Jobs fetched and started (a `started` change each; metrics count finished attempts). */
  started(jobs: readonly Job[]): void {
    addInFlight(jobs.length);
    for (const job of jobs) {
      this.#push({
        type: "started",
        id: job.id,
        queue: job.queue,
        method: job.method,
        state: JobState.Processing,
        at: job.startedAt ?? new Date(),
      });
    }
  }

  /** Job `job` (as fetched) moved to `next`, and the transition applied. */
  transitioned(job: Job, next: Transition): void {
    const type = CHANGE_OF[next.state];
    if (!type) return;
    const at = next.entry.at;
    this.#push({
      type,
      id: job.id,
      queue: job.queue,
      method: job.method,
      state: next.state,
      at,
    });
    addInFlight(-1);
    if (type === "released") return;
    const b = this.#bucket(at, job.queue, job.method);
    if (type === "succeeded") b.succeeded++;
    else if (type === "failed") b.failed++;
    else b.retried++;
    const started = job.startedAt ?? at;
    const end = next.finishedAt ?? at;
    const runMs = Math.max(0, end.getTime() - started.getTime());
    b.runMs[histogramIndex(runMs)]++;
    const ready = Math.max(job.createdAt.getTime(), job.runAt.getTime());
    const waitMs = Math.max(0, started.getTime() - ready);
    b.waitMs[histogramIndex(waitMs)]++;
    const outcome = type as "succeeded" | "failed" | "retried";
    recordFinished({ queue: job.queue, method: job.method, outcome, runMs, waitMs });
  }

  #bucket(at: Date, queue: string, method: string): MetricsBucket {
    const minute = Math.floor(at.getTime() / MINUTE) * MINUTE;
    const key = `${minute}\u0000${queue}\u0000${method}`;
    let b = this.#buckets.get(key);
    if (!b) {
      const n = METRIC_BUCKETS_MS.length + 1;
      b = {
        at: new Date(minute),
        queue,
        method,
        succeeded: 0,
        failed: 0,
        retried: 0,
        runMs: new Array(n).fill(0),
        waitMs: new Array(n).fill(0),
      };
      this.#buckets.set(key, b);
    }
    return b;
  }

  /** Everything added since the last take, and start afresh. */
  take(): ActivityDelta {
    this.#trim();
    const out = {
      metrics: [...this.#buckets.values()],
      changes: this.#changes,
      omitted: this.#omitted,
    };
    this.#buckets = new Map();
    this.#changes = [];
    this.#omitted = 0;
    return out;
  }
}
