/**
 * The metrics history of MemoryStorage: minute and hour buckets by (time, queue, method),
 * with the same summing, querying and compaction rules as the durable backends.
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

const key = (atMs: number, queue: string, method: string) => `${atMs}\u0000${queue}\u0000${method}`;

function copyBucket(b: MetricsBucket): MetricsBucket {
  return { ...b, at: new Date(b.at.getTime()), runMs: [...b.runMs], waitMs: [...b.waitMs] };
}

/** Per-minute and per-hour metrics buckets held in memory. */
export class MetricsHistory {
  readonly #minutes = new Map<string, MetricsBucket>();
  readonly #hours = new Map<string, MetricsBucket>();

  /** Add deltas into their minute buckets. */
  record(deltas: readonly MetricsBucket[]): void {
    for (const d of deltas) this.#add(this.#minutes, "minute", d);
  }

  #add(into: Map<string, MetricsBucket>, res: MetricsResolution, d: MetricsBucket): void {
    const at = floorTo(d.at, res);
    const k = key(at.getTime(), d.queue, d.method);
    let b = into.get(k);
    if (!b) into.set(k, b = emptyBucket(at, d.queue, d.method));
    addBucket(b, d);
  }

  /** Buckets in `[from, to)`, summed per `resolution` bucket, oldest first. */
  query(p: {
    from: Date;
    to: Date;
    resolution: MetricsResolution;
    queue?: string;
    method?: string;
  }): MetricsBucket[] {
    const fromMs = p.from.getTime(), toMs = p.to.getTime();
    const out = new Map<number, MetricsBucket>();
    for (const map of [this.#hours, this.#minutes]) {
      for (const b of map.values()) {
        const t = b.at.getTime();
        if (t < fromMs || t >= toMs) continue;
        if (p.queue !== undefined && b.queue !== p.queue) continue;
        if (p.method !== undefined && b.method !== p.method) continue;
        const at = floorTo(t, p.resolution);
        let sum = out.get(at.getTime());
        if (!sum) {
          out.set(
            at.getTime(),
            sum = emptyBucket(at, p.queue ?? ALL_KEYS, p.method ?? ALL_KEYS),
          );
        }
        addBucket(sum, b);
      }
    }
    return [...out.values()].sort((a, b) => a.at.getTime() - b.at.getTime()).map(copyBucket);
  }

  /** Roll minute buckets older than 7 days into hours; drop hours older than 90 days. */
  compact(now: Date): number {
    const minuteCut = now.getTime() - MINUTE_RETENTION_MS;
    const hourCut = now.getTime() - HOUR_RETENTION_MS;
    let gone = 0;
    for (const [k, b] of this.#minutes) {
      if (b.at.getTime() >= minuteCut) continue;
      // Minutes already past the hours' retention are dropped, not rolled.
      if (b.at.getTime() >= hourCut) this.#add(this.#hours, "hour", b);
      this.#minutes.delete(k);
      gone++;
    }
    for (const [k, b] of this.#hours) {
      if (b.at.getTime() >= hourCut) continue;
      this.#hours.delete(k);
      gone++;
    }
    return gone;
  }
}
