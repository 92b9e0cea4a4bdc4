/**
 * The in-memory side of what the dashboard reads: servers, and the metrics history with its
 * activity signals. Records are copied in and out.
 *
 * @module
 */
import type { MetricsBucket } from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import { activitySignalOf } from "../activity_codec.ts";
import type { DashboardVerbs, MetricsQuery } from "../dashboard_verbs.ts";
import { copyData } from "../job_copy.ts";
import type { ActivityRecord, StorageSignal } from "../storage.ts";
import { MetricsHistory } from "./metrics_history.ts";

/** The dashboard verbs of `MemoryStorage`, publishing activity through its `emit`. */
export class MemoryDashboard implements DashboardVerbs {
  readonly #servers = new Map<string, ServerInfo>();
  readonly #metrics = new MetricsHistory();
  readonly #emit: (signal: StorageSignal) => void;

  /** Publish activity signals through `emit`. */
  constructor(emit: (signal: StorageSignal) => void) {
    this.#emit = emit;
  }

  /** See `Storage.recordServer`. */
  recordServer(params: { server: ServerInfo }): Promise<void> {
    this.#servers.set(params.server.name, copyData(params.server));
    return Promise.resolve();
  }

  /** See `Storage.removeServer`. */
  removeServer(params: { name: string }): Promise<void> {
    this.#servers.delete(params.name);
    return Promise.resolve();
  }

  /** See `Storage.listServers`. */
  listServers(): Promise<ServerInfo[]> {
    const all = [...this.#servers.values()].sort((a, b) => a.name < b.name ? -1 : 1);
    return Promise.resolve(all.map(copyData));
  }

  /** See `Storage.pruneServers`. */
  pruneServers(params: { before: Date }): Promise<number> {
    let n = 0;
    for (const [name, s] of this.#servers) {
      if (s.heartbeatAt.getTime() < params.before.getTime()) {
        this.#servers.delete(name);
        n++;
      }
    }
    return Promise.resolve(n);
  }

  /** See `Storage.recordActivity`. */
  recordActivity(
    params: ActivityRecord,
  ): Promise<void> {
    this.#metrics.record(params.metrics);
    const signal = activitySignalOf(params);
    if (signal) this.#emit(signal);
    return Promise.resolve();
  }

  /** See `Storage.queryMetrics`. */
  queryMetrics(params: MetricsQuery): Promise<MetricsBucket[]> {
    return Promise.resolve(this.#metrics.query(params));
  }

  /** See `Storage.compactMetrics`. */
  compactMetrics(params: { now: Date }): Promise<number> {
    return Promise.resolve(this.#metrics.compact(params.now));
  }
}
