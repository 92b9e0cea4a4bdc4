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
