/**
 * The Redis side of what the dashboard reads: servers, and the metrics history with its
 * activity messages. Each write is one Lua script
 * (`lua/record_server.lua`, `lua/record_activity.lua`, …); the bucket layout is described
 * in `lua/record_activity.lua`.
 *
 * @module
 */
import {
  ALL_KEYS,
  floorTo,
  HOUR_MS,
  HOUR_RETENTION_MS,
  METRIC_BUCKETS_MS,
  type MetricsBucket,
  MINUTE_RETENTION_MS,
  sumByBucket,
} from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import { encodeChanges } from "../activity_codec.ts";
import type { DashboardVerbs, MetricsQuery } from "../dashboard_verbs.ts";
import type { ActivityRecord } from "../storage.ts";
import type { RedisKeys } from "./keys.ts";
import type { Script } from "./scripts.ts";

// Redis has no small payload limit; chunks keep single messages moderate for subscribers.
const MESSAGE_MAX_BYTES = 64 * 1024;

/** The server record as stored (times in epoch ms). */
type StoredServer = Omit<ServerInfo, "startedAt" | "heartbeatAt"> & {
  startedAt: number;
  heartbeatAt: number;
};

/** The dashboard verbs of `RedisStorage`, bound to its script runner and keys. */
export class RedisDashboard implements DashboardVerbs {
  #script: Script;
  #keys: RedisKeys;
  #hvals: (key: string) => Promise<string[]>;

  /** Bind to a storage's script runner, keys, and an HVALS of its client. */
  constructor(script: Script, keys: RedisKeys, hvals: (key: string) => Promise<string[]>) {
    this.#script = script;
    this.#keys = keys;
    this.#hvals = hvals;
  }

  /** See `Storage.oldestReady` (`lua/oldest_ready.lua`). */
  async oldestReady(): Promise<Record<string, Date>> {
    const rows = await this.#script<[string, number][]>("oldestReady", [this.#keys.base], []);
    return Object.fromEntries(rows.map(([q, at]) => [q, new Date(at)]));
  }

  /** See `Storage.recordServer`. */
  async recordServer({ server: s }: { server: ServerInfo }): Promise<void> {
    const stored: StoredServer = {
      ...s,
      startedAt: s.startedAt.getTime(),
      heartbeatAt: s.heartbeatAt.getTime(),
    };
    await this.#script("recordServer", [this.#keys.base], [
      s.name,
      JSON.stringify(stored),
      stored.heartbeatAt,
    ]);
  }

  /** See `Storage.removeServer`. */
  async removeServer({ name }: { name: string }): Promise<void> {
    if (name === "") return;
    await this.#script("removeServers", [this.#keys.base], [name, 0]);
  }

  /** See `Storage.listServers`. */
  async listServers(): Promise<ServerInfo[]> {
    const all = (await this.#hvals(`${this.#keys.base}srv`)).map((json) => {
      const s = JSON.parse(json) as StoredServer;
      return { ...s, startedAt: new Date(s.startedAt), heartbeatAt: new Date(s.heartbeatAt) };
    });
    return all.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** See `Storage.pruneServers`. */
  pruneServers({ before }: { before: Date }): Promise<number> {
    return this.#script<number>("removeServers", [this.#keys.base], ["", before.getTime()]);
  }

  /** See `Storage.recordActivity`: one script adds the buckets and publishes. */
  async recordActivity(
    { metrics, changes, omitted = 0 }: ActivityRecord,
  ): Promise<void> {
    if (metrics.length === 0 && changes.length === 0 && omitted === 0) return;
    const rows = sumByBucket(metrics).map((b) => [
      String(b.at.getTime()),
      String(floorTo(b.at, "hour").getTime()),
      b.queue,
      b.method,
      b.succeeded,
      b.failed,
      b.retried,
      b.runMs,
      b.waitMs,
    ]);
    await this.#script("recordActivity", [this.#keys.base], [
      rows.length ? JSON.stringify(rows) : "[]",
      ...encodeChanges(changes, MESSAGE_MAX_BYTES, "a", omitted),
    ]);
  }

  /** See `Storage.queryMetrics`. */
  async queryMetrics(p: MetricsQuery): Promise<MetricsBucket[]> {
    const json = await this.#script<string>("queryMetrics", [this.#keys.base], [
      p.from.getTime(),
      p.to.getTime(),
      p.resolution,
      p.queue ?? "",
      p.method ?? "",
      METRIC_BUCKETS_MS.length + 1,
    ]);
    const rows = JSON.parse(json) as [string, number, number, number, number[], number[]][];
    return rows.map(([at, succeeded, failed, retried, runMs, waitMs]) => ({
      at: new Date(Number(at)),
      queue: p.queue ?? ALL_KEYS,
      method: p.method ?? ALL_KEYS,
      succeeded,
      failed,
      retried,
      runMs,
      waitMs,
    }));
  }

  /**
   * See `Storage.compactMetrics`. Hour buckets are written along with minutes, so
   * compaction drops the minutes of every hour that lies wholly before the 7-day cut.
   */
  compactMetrics({ now }: { now: Date }): Promise<number> {
    const minuteCut = Math.floor((now.getTime() - MINUTE_RETENTION_MS) / HOUR_MS) * HOUR_MS;
    return this.#script<number>("compactMetrics", [this.#keys.base], [
      minuteCut,
      now.getTime() - HOUR_RETENTION_MS,
    ]);
  }
}
