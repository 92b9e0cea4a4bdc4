/**
 * The Postgres side of what the dashboard reads: servers, and the metrics history with its
 * activity notifications. Each verb is one statement of `sql/postgres/queries/`.
 *
 * @module
 */
import {
  ALL_KEYS,
  HOUR_RETENTION_MS,
  type MetricsBucket,
  MINUTE_RETENTION_MS,
  sumByBucket,
} from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import { encodeChanges } from "../activity_codec.ts";
import type { DashboardVerbs, MetricsQuery } from "../dashboard_verbs.ts";
import type { ActivityRecord } from "../storage.ts";
import type { Queries } from "./queries.ts";
import { arrayLiteral } from "./array_literal.ts";
import type { Run } from "./run.ts";
import { ACTIVITY_PREFIX } from "./signals.ts";

/** NOTIFY payloads must stay under 8,000 bytes; keep a margin. */
const NOTIFY_MAX_BYTES = 7_900;

const num = (v: unknown) => Number(v ?? 0);

/** The dashboard verbs of {@link PostgresStorage}, bound to its runner, queries and channel. */
export class PostgresDashboard implements DashboardVerbs {
  #run: Run;
  #q: Queries;
  #channel: string;

  /** Bind to a storage's runner, queries and NOTIFY channel. */
  constructor(run: Run, q: Queries, channel: string) {
    this.#run = run;
    this.#q = q;
    this.#channel = channel;
  }

  /** See `Storage.oldestReady` (`oldest_ready.sql`). */
  async oldestReady(): Promise<Record<string, Date>> {
    const rows = await this.#run("oldestReady", this.#q.oldestReady, []);
    return Object.fromEntries(rows.map((r) => [r.queue as string, r.run_at as Date]));
  }

  /** See `Storage.recordServer`. */
  async recordServer({ server: s }: { server: ServerInfo }): Promise<void> {
    await this.#run("recordServer", this.#q.recordServer, [
      s.name,
      s.host,
      s.pid,
      s.startedAt,
      s.heartbeatAt,
      s.queues,
      s.concurrency,
      s.inFlight,
      s.execution,
      s.version,
    ]);
  }

  /** See `Storage.removeServer`. */
  async removeServer({ name }: { name: string }): Promise<void> {
    await this.#run("removeServer", this.#q.removeServer, [name]);
  }

  /** See `Storage.listServers`. */
  async listServers(): Promise<ServerInfo[]> {
    const rows = await this.#run("listServers", this.#q.listServers, []);
    return rows.map((r) => ({
      name: r.name as string,
      host: r.host as string,
      pid: r.pid as number,
      startedAt: r.started_at as Date,
      heartbeatAt: r.heartbeat_at as Date,
      queues: r.queues as string[],
      concurrency: r.concurrency as number,
      inFlight: r.in_flight as number,
      execution: r.execution as string,
      version: r.version as string,
    }));
  }

  /** See `Storage.pruneServers`. */
  async pruneServers({ before }: { before: Date }): Promise<number> {
    return (await this.#run("pruneServers", this.#q.pruneServers, [before]))[0].pruned as number;
  }

  /** See `Storage.recordActivity`: one statement upserting buckets and notifying. */
  async recordActivity(
    { metrics, changes, omitted = 0 }: ActivityRecord,
  ): Promise<void> {
    if (metrics.length === 0 && changes.length === 0 && omitted === 0) return;
    const rows = sumByBucket(metrics).map((b) => ({
      at: b.at.toISOString(),
      q: b.queue,
      m: b.method,
      s: b.succeeded,
      f: b.failed,
      r: b.retried,
      rm: b.runMs,
      wm: b.waitMs,
    }));
    await this.#run("recordActivity", this.#q.recordActivity, [
      rows,
      arrayLiteral(encodeChanges(changes, NOTIFY_MAX_BYTES, ACTIVITY_PREFIX, omitted)),
      this.#channel,
    ]);
  }

  /** See `Storage.queryMetrics`. */
  async queryMetrics(p: MetricsQuery): Promise<MetricsBucket[]> {
    const rows = await this.#run("queryMetrics", this.#q.queryMetrics, [
      p.from,
      p.to,
      p.resolution === "hour" ? "1 hour" : "1 minute",
      p.queue ?? null,
      p.method ?? null,
    ]);
    return rows.map((r) => ({
      at: r.at as Date,
      queue: p.queue ?? ALL_KEYS,
      method: p.method ?? ALL_KEYS,
      succeeded: num(r.succeeded),
      failed: num(r.failed),
      retried: num(r.retried),
      runMs: (r.run_ms as unknown[]).map(num),
      waitMs: (r.wait_ms as unknown[]).map(num),
    }));
  }

  /** See `Storage.compactMetrics`. */
  async compactMetrics({ now }: { now: Date }): Promise<number> {
    const rows = await this.#run("compactMetrics", this.#q.compactMetrics, [
      new Date(now.getTime() - MINUTE_RETENTION_MS),
      new Date(now.getTime() - HOUR_RETENTION_MS),
    ]);
    return rows[0].gone as number;
  }
}
