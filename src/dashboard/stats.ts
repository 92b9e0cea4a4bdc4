/**
 * What the overview shows, read from storage with a fixed number of calls
 * whatever the number of jobs: counts (from indexes or counters), servers,
 * and throughput from the metrics history.
 *
 * @module
 */
import type { JobState } from "../job_state.ts";
import { METRIC_BUCKETS_MS, type MetricsBucket } from "../metrics.ts";
import { type ServerInfo, serverStatus } from "../server_info.ts";
import type { Storage } from "../storage/storage.ts";

/** A server as the dashboard shows it. */
export interface ServerView extends ServerInfo {
  /** `gone` once it missed three heartbeats (see `serverStatus`). */
  status: "alive" | "gone";
}

/** The answer of `GET /api/stats` and of the socket's `stats` message. */
export interface Stats {
  /** Storage time the figures were read at. */
  at: Date;
  /** Jobs per state, every state present. */
  byState: Record<JobState, number>;
  /** Jobs per queue and state. */
  byQueue: Record<string, Record<JobState, number>>;
  /** Servers that heartbeat recently, and those that stopped. */
  servers: { alive: number; gone: number };
  /** Finished attempts (succeeded + failed + retried) per second over the last minute. */
  jobsPerSecond: number;
  /** Failed attempts (failed + retried) per second over the last minute. */
  failuresPerSecond: number;
}

/** Tuning shared by the stats readers. */
export interface StatsOptions {
  /** The servers' heartbeat period (a server silent for 3 periods is shown as gone). */
  serverHeartbeatMs: number;
}

const MINUTE = 60_000;

/** Servers with their alive/gone status judged by storage time `now`. */
export async function readServers(
  storage: Storage,
  now: Date,
  opts: StatsOptions,
): Promise<ServerView[]> {
  const servers = await storage.listServers();
  return servers.map((s) => ({
    ...s,
    status: serverStatus(s, now, opts.serverHeartbeatMs),
  }));
}

/** Everything of `GET /api/stats`, in parallel calls. */
export async function readStats(storage: Storage, opts: StatsOptions): Promise<Stats> {
  const now = await storage.time();
  const since = new Date(Math.floor(now.getTime() / MINUTE) * MINUTE - MINUTE);
  const [counts, servers, buckets] = await Promise.all([
    storage.counts(),
    readServers(storage, now, opts),
    storage.queryMetrics({ from: since, to: new Date(now.getTime() + 1), resolution: "minute" }),
  ]);
  const seconds = Math.max(1, (now.getTime() - since.getTime()) / 1000);
  const total = sumBuckets(buckets);
  return {
    at: now,
    byState: counts.byState,
    byQueue: counts.byQueue,
    servers: {
      alive: servers.filter((s) => s.status === "alive").length,
      gone: servers.filter((s) => s.status === "gone").length,
    },
    jobsPerSecond: round2((total.succeeded + total.failed + total.retried) / seconds),
    failuresPerSecond: round2((total.failed + total.retried) / seconds),
  };
}

/** Totals of a set of buckets. */
export function sumBuckets(
  buckets: readonly MetricsBucket[],
): { succeeded: number; failed: number; retried: number; runMs: number[]; waitMs: number[] } {
  const out = {
    succeeded: 0,
    failed: 0,
    retried: 0,
    runMs: new Array(METRIC_BUCKETS_MS.length + 1).fill(0),
    waitMs: new Array(METRIC_BUCKETS_MS.length + 1).fill(0),
  };
  for (const b of buckets) {
    out.succeeded += b.succeeded;
    out.failed += b.failed;
    out.retried += b.retried;
    addInto(out.runMs, b.runMs);
    addInto(out.waitMs, b.waitMs);
  }
  return out;
}

/**
 * The `q` quantile (0..1) of a histogram over {@link METRIC_BUCKETS_MS}, as the upper bound
 * of the bucket it falls in (the last, open bucket reports the last bound); `null` if empty.
 */
export function percentile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= rank) return METRIC_BUCKETS_MS[Math.min(i, METRIC_BUCKETS_MS.length - 1)];
  }
  return METRIC_BUCKETS_MS[METRIC_BUCKETS_MS.length - 1];
}

function addInto(into: number[], from: readonly number[]): void {
  for (let i = 0; i < into.length && i < from.length; i++) into[i] += from[i] ?? 0;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
