/**
 * The SQLite side of what the dashboard reads: servers (`servers.ts`), and the metrics
 * history (`metrics_history.ts`) with its activity signals, each verb in one transaction of
 * `SqliteStorage`.
 *
 * @module
 */
import type { MetricsBucket } from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import { activitySignalOf } from "../activity_codec.ts";
import type { DashboardVerbs, MetricsQuery } from "../dashboard_verbs.ts";
import type { ActivityRecord } from "../storage.ts";
import type { Connection } from "./connection.ts";
import type { Emit } from "./job_verbs.ts";
import * as history from "./metrics_history.ts";
import * as servers from "./servers.ts";

/** Runs `fn` in one read transaction of the storage. */
type Read = <T>(op: string, fn: () => T) => Promise<T>;
/** Runs `fn` in one write transaction of the storage, publishing what it emits. */
type Write = <T>(op: string, fn: (emit: Emit) => T) => Promise<T>;

/** The dashboard verbs of `SqliteStorage`, bound to its connection and transactions. */
export class SqliteDashboard implements DashboardVerbs {
  readonly #conn: Connection;
  readonly #read: Read;
  readonly #write: Write;

  /** Bind to a storage's connection and its read and write transactions. */
  constructor(conn: Connection, read: Read, write: Write) {
    this.#conn = conn;
    this.#read = read;
    this.#write = write;
  }

  /** See `Storage.recordServer`. */
  recordServer(params: { server: ServerInfo }): Promise<void> {
    return this.#write("recordServer", () => servers.recordServer(this.#conn, params.server));
  }

  /** See `Storage.removeServer`. */
  removeServer(params: { name: string }): Promise<void> {
    return this.#write("removeServer", () => servers.removeServer(this.#conn, params.name));
  }

  /** See `Storage.listServers`. */
  listServers(): Promise<ServerInfo[]> {
    return this.#read("listServers", () => servers.listServers(this.#conn));
  }

  /** See `Storage.pruneServers`. */
  pruneServers(params: { before: Date }): Promise<number> {
    return this.#write("pruneServers", () => servers.pruneServers(this.#conn, params.before));
  }

  /** See `Storage.recordActivity`: one transaction for the metrics and the signal. */
  recordActivity(
    params: ActivityRecord,
  ): Promise<void> {
    const signal = activitySignalOf(params);
    if (params.metrics.length === 0 && !signal) return Promise.resolve();
    return this.#write("recordActivity", (emit) => {
      for (const m of params.metrics) history.addMetrics(this.#conn, "minute", m);
      if (signal) emit(signal);
    });
  }

  /** See `Storage.queryMetrics`. */
  queryMetrics(params: MetricsQuery): Promise<MetricsBucket[]> {
    return this.#read("queryMetrics", () => history.queryMetrics(this.#conn, params));
  }

  /** See `Storage.compactMetrics`. */
  compactMetrics(params: { now: Date }): Promise<number> {
    return this.#write("compactMetrics", () => history.compactMetrics(this.#conn, params.now));
  }
}
