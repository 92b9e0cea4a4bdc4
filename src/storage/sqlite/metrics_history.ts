/**
 * The metrics history in SQLite: deltas summed into minute rows (histograms element-wise,
 * in JavaScript, inside the writer's transaction), queried and compacted by the rules of
 * `src/metrics.ts` that every backend shares.
 *
 * @module
 */
import {
  addBucket,
  ALL_KEYS,
  emptyBucket,
  floorTo,
  HOUR_RETENTION_MS,
  type MetricsBucket,
  type MetricsResolution,
  MINUTE_RETENTION_MS,
} from "../../metrics.ts";
import type { Connection } from "./connection.ts";
import { QUERIES } from "./queries.ts";
import type { Row } from "./rows.ts";

function rowToBucket(r: Row): MetricsBucket {
  return {
    at: new Date(r.at as number),
    queue: r.queue as string,
    method: r.method as string,
    succeeded: r.succeeded as number,
    failed: r.failed as number,
    retried: r.retried as number,
    runMs: JSON.parse(r.run_ms as string),
    waitMs: JSON.parse(r.wait_ms as string),
  };
}

/** Add `delta` into its bucket at `resolution`; call inside a write transaction. */
export function addMetrics(
  conn: Connection,
  resolution: MetricsResolution,
  delta: MetricsBucket,
): void {
  const at = floorTo(delta.at, resolution);
  const old = conn.stmt(QUERIES.getMetricsBucket).get(
    resolution,
    at.getTime(),
    delta.queue,
    delta.method,
  );
  const sum = addBucket(
    old ? rowToBucket(old) : emptyBucket(at, delta.queue, delta.method),
    delta,
  );
  conn.stmt(QUERIES.putMetricsBucket).run(
    resolution,
    at.getTime(),
    sum.queue,
    sum.method,
    sum.succeeded,
    sum.failed,
    sum.retried,
    JSON.stringify(sum.runMs),
    JSON.stringify(sum.waitMs),
  );
}

/** Buckets in `[from, to)` summed per bucket at `resolution`, oldest first. */
export function queryMetrics(conn: Connection, p: {
  from: Date;
  to: Date;
  resolution: MetricsResolution;
  queue?: string;
  method?: string;
}): MetricsBucket[] {
  const out = new Map<number, MetricsBucket>();
  // Compacted hours count too at minute resolution (shown at the start of their hour).
  for (const res of ["hour", "minute"] as const) {
    const rows = conn.stmt(QUERIES.queryMetrics).all(
      res,
      p.from.getTime(),
      p.to.getTime(),
      p.queue ?? null,
      p.method ?? null,
    );
    for (const r of rows) {
      const at = floorTo(r.at as number, p.resolution);
      let sum = out.get(at.getTime());
      if (!sum) {
        out.set(at.getTime(), sum = emptyBucket(at, p.queue ?? ALL_KEYS, p.method ?? ALL_KEYS));
      }
      addBucket(sum, rowToBucket(r));
    }
  }
  return [...out.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * Roll minute rows older than 7 days into hour rows, drop hour rows older than 90 days;
 * call inside a write transaction. Returns how many rows went.
 */
export function compactMetrics(conn: Connection, now: Date): number {
  const minuteCut = now.getTime() - MINUTE_RETENTION_MS;
  const old = conn.stmt(QUERIES.oldMinuteMetrics).all(minuteCut);
  for (const r of old) addMetrics(conn, "hour", rowToBucket(r));
  const minutes = conn.stmt(QUERIES.deleteMetricsBefore).run("minute", minuteCut).changes;
  const hours = conn.stmt(QUERIES.deleteMetricsBefore).run(
    "hour",
    now.getTime() - HOUR_RETENTION_MS,
  ).changes;
  return Number(minutes) + Number(hours);
}
