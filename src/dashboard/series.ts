/**
 * Metrics history as chart series: a window (1h, 24h, 7d) cut into fixed steps,
 * every step present (zeros where nothing ran).
 *
 * @module
 */
import type { MetricsBucket } from "../metrics.ts";
import type { Storage } from "../storage/storage.ts";
import { percentile, sumBuckets } from "./stats.ts";

/** The windows `GET /api/metrics` serves, with their step. */
export const METRIC_WINDOWS = {
  "1h": { spanMs: 3_600_000, stepMs: 60_000, resolution: "minute" },
  "24h": { spanMs: 86_400_000, stepMs: 900_000, resolution: "minute" },
  "7d": { spanMs: 604_800_000, stepMs: 7_200_000, resolution: "hour" },
} as const;

/** One of the keys of {@link METRIC_WINDOWS}. */
export type MetricWindow = keyof typeof METRIC_WINDOWS;

/** One step of a series. */
export interface SeriesPoint {
  /** Start of the step. */
  at: Date;
  /** Attempts that succeeded. */
  succeeded: number;
  /** Attempts that failed for good. */
  failed: number;
  /** Attempts that failed and will run again. */
  retried: number;
  /** Run time p50 / p95 in ms (bucket upper bounds), `null` when nothing ran. */
  runP50: number | null;
  /** See `runP50`. */
  runP95: number | null;
  /** Wait time (enqueue or runAt → start) p50 / p95 in ms. */
  waitP50: number | null;
  /** See `waitP50`. */
  waitP95: number | null;
}

/** The answer of `GET /api/metrics`. */
export interface Series {
  /** The window asked for. */
  window: MetricWindow;
  /** Length of a step in ms. */
  stepMs: number;
  /** Steps, oldest first, ending with the current one. */
  points: SeriesPoint[];
}

/** Read the series of `window`, optionally for one queue and/or method. */
export async function readSeries(
  storage: Storage,
  p: { window: MetricWindow; queue?: string; method?: string; now: Date },
): Promise<Series> {
  const { spanMs, stepMs, resolution } = METRIC_WINDOWS[p.window];
  const end = Math.floor(p.now.getTime() / stepMs) * stepMs + stepMs;
  const start = end - spanMs;
  const buckets = await storage.queryMetrics({
    from: new Date(start),
    to: new Date(end),
    resolution,
    queue: p.queue,
    method: p.method,
  });
  const steps: MetricsBucket[][] = Array.from({ length: spanMs / stepMs }, () => []);
  for (const b of buckets) {
    const i = Math.floor((b.at.getTime() - start) / stepMs);
    if (i >= 0 && i < steps.length) steps[i].push(b);
  }
  return {
    window: p.window,
    stepMs,
    points: steps.map((bs, i) => {
      const t = sumBuckets(bs);
      return {
        at: new Date(start + i * stepMs),
        succeeded: t.succeeded,
        failed: t.failed,
        retried: t.retried,
        runP50: percentile(t.runMs, 0.5),
        runP95: percentile(t.runMs, 0.95),
        waitP50: percentile(t.waitMs, 0.5),
        waitP95: percentile(t.waitMs, 0.95),
      };
    }),
  };
}
