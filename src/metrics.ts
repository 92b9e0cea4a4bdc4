/**
 * Metrics history: per-minute counters by queue and method, kept independent
 * of job retention. Durations are kept as histograms over fixed bucket bounds
 * so that deltas from many servers add up exactly and percentiles can be read
 * at any resolution.
 *
 * @module
 */

/**
 * Upper bounds (ms, inclusive) of the duration histogram buckets; a last,
 * open bucket holds everything above the final bound. Every backend stores
 * `METRIC_BUCKETS_MS.length + 1` counts per histogram.
 */
export const METRIC_BUCKETS_MS: readonly number[] = [
  1,
  2,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1_000,
  2_500,
  5_000,
  10_000,
  30_000,
  60_000,
  300_000,
  1_800_000,
];

/** Counters of one time bucket (a minute, or an hour once compacted) for one queue and method. */
export interface MetricsBucket {
  /** Start of the bucket (UTC, floored to the minute or the hour). */
  at: Date;
  /** Queue of the jobs counted. */
  queue: string;
  /** Method of the jobs counted. */
  method: string;
  /** Attempts that succeeded. */
  succeeded: number;
  /** Attempts that failed for good (no retry left, or not retryable). */
  failed: number;
  /** Attempts that failed and were scheduled again. */
  retried: number;
  /** Histogram of run times (start → finish), one count per bucket of {@link METRIC_BUCKETS_MS} plus one. */
  runMs: number[];
  /** Histogram of wait times (enqueue or runAt → start), same buckets. */
  waitMs: number[];
}

/** Resolution of a metrics query. */
export type MetricsResolution = "minute" | "hour";

/** Milliseconds of a minute bucket. */
export const MINUTE_MS = 60_000;
/** Milliseconds of an hour bucket. */
export const HOUR_MS = 3_600_000;
/** Minute buckets older than this are rolled into hour buckets (`compactMetrics`). */
export const MINUTE_RETENTION_MS = 7 * 24 * HOUR_MS;
/** Hour buckets older than this are dropped. */
export const HOUR_RETENTION_MS = 90 * 24 * HOUR_MS;
/**
 * The `queue` / `method` of a bucket returned by `queryMetrics` that sums over every
 * queue / method (no filter given).
 */
export const ALL_KEYS = "*";

/** Length of a bucket at `resolution`, in ms. */
export function resolutionMs(resolution: MetricsResolution): number {
  return resolution === "hour" ? HOUR_MS : MINUTE_MS;
}

/** `at` floored to the start of its minute or hour (UTC). */
export function floorTo(at: Date | number, resolution: MetricsResolution): Date {
  const ms = typeof at === "number" ? at : at.getTime();
  const step = resolutionMs(resolution);
  return new Date(Math.floor(ms / step) * step);
}

/** A histogram with every count zero. */
export function emptyHistogram(): number[] {
  return new Array(METRIC_BUCKETS_MS.length + 1).fill(0);
}

/** Index of the histogram bucket that counts a duration of `ms`. */
export function durationBucket(ms: number): number {
  for (let i = 0; i < METRIC_BUCKETS_MS.length; i++) if (ms <= METRIC_BUCKETS_MS[i]) return i;
  return METRIC_BUCKETS_MS.length;
}

/** A bucket with every counter zero. */
export function emptyBucket(at: Date, queue: string, method: string): MetricsBucket {
  return {
    at,
    queue,
    method,
    succeeded: 0,
    failed: 0,
    retried: 0,
    runMs: emptyHistogram(),
    waitMs: emptyHistogram(),
  };
}

/** Add the counters of `delta` into `into` (histograms element-wise). Returns `into`. */
export function addBucket(into: MetricsBucket, delta: MetricsBucket): MetricsBucket {
  into.succeeded += delta.succeeded;
  into.failed += delta.failed;
  into.retried += delta.retried;
  for (let i = 0; i < into.runMs.length; i++) into.runMs[i] += delta.runMs[i] ?? 0;
  for (let i = 0; i < into.waitMs.length; i++) into.waitMs[i] += delta.waitMs[i] ?? 0;
  return into;
}

/**
 * The `p`-quantile (0..1) of a histogram, as the upper bound of the bucket that holds it
 * (the last, open bucket reports the final bound). `null` when the histogram is empty.
 *
 * @example
 * ```ts
 * import { emptyHistogram, durationBucket, histogramQuantile } from "./metrics.ts";
 * const h = emptyHistogram();
 * h[durationBucket(40)] += 9;
 * h[durationBucket(900)] += 1;
 * console.log(histogramQuantile(h, 0.5), histogramQuantile(h, 0.95)); // 50 1000
 * ```
 */
export function histogramQuantile(hist: readonly number[], p: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= rank) return METRIC_BUCKETS_MS[Math.min(i, METRIC_BUCKETS_MS.length - 1)];
  }
  return METRIC_BUCKETS_MS[METRIC_BUCKETS_MS.length - 1];
}

/**
 * Deltas floored to their bucket at `resolution` and summed per (bucket, queue, method):
 * what a backend writes, one row per key, in one statement.
 */
export function sumByBucket(
  deltas: readonly MetricsBucket[],
  resolution: MetricsResolution = "minute",
): MetricsBucket[] {
  const out = new Map<string, MetricsBucket>();
  for (const d of deltas) {
    const at = floorTo(d.at, resolution);
    const key = `${at.getTime()}\u0000${d.queue}\u0000${d.method}`;
    let b = out.get(key);
    if (!b) out.set(key, b = emptyBucket(at, d.queue, d.method));
    addBucket(b, d);
  }
  return [...out.values()];
}
