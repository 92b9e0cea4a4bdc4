/**
 * {@link SqliteStorage}: the embedded durable backend, on `node:sqlite` (nothing to install).
 * Every write verb is one `BEGIN IMMEDIATE` transaction of prepared statements, so two or
 * three processes can share one file (WAL mode; writers queue on the busy timeout).
 * `DatabaseSync` is synchronous: statements are short, and a bulk enqueue is cut into
 * transactions with a turn of the event loop between them.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import type { ServerInfo } from "../../server_info.ts";
import type { TransitionItem } from "../../transitions.ts";
import { oldestReady } from "./oldest_ready.ts";
import { txRefusal } from "../contract_rules.ts";
import type {
  ActivityRecord,
  EnqueueResult,
  JobCounts,
  JobPage,
  ListParams,
  Storage,
  StorageSignal,
} from "../storage.ts";
import { resolveConfig, type ResolvedSqliteConfig, type SqliteConfig } from "./config.ts";
import { Connection, readSettings, type SqliteSettings } from "./connection.ts";
import { SqliteDashboard } from "./dashboard.ts";
import { EnqueueGroup } from "./group_commit.ts";
import * as verbs from "./job_verbs.ts";
import { countJobs, getJob, listJobs } from "./list.ts";
import * as maintenance from "./maintenance.ts";
import {
  checkHealth,
  migrate,
  pendingMigrations,
  type SqliteHealth,
  type SqliteMigrateResult,
} from "./migrate.ts";
import * as recurring from "./recurring.ts";
import { SignalHub } from "./signals.ts";
import { type CommitSync, NO_SYNC, WalSync } from "./wal_sync.ts";

export type { SqliteConfig, SqliteDurability } from "./config.ts";
export type { SqliteHealth, SqliteMigrateResult } from "./migrate.ts";
export type { SqliteSettings } from "./connection.ts";
export { ENQUEUE_CHUNK } from "./group_commit.ts";

/**
 * Writes of at most this many jobs sync the WAL on the calling thread (durability "full"): a
 * few jobs' sync is shorter than handing it to the blocking-I/O thread and being woken after
 * (`deno run -A bench/sqlite_sync_cost.ts`: 0.35–0.40 vs 0.53–0.54 ms per one-row commit on
 * the project's machine); larger writes — a default fetch or result batch, a bulk enqueue's
 * chunk — sync off the thread, sharing their syncs.
 */
export const SMALL_WRITE = 32;

/**
 * Job storage in one SQLite file (or `:memory:`), shared safely by a few processes on one
 * machine.
 *
 * @example Open a file, enqueue, close
 * ```ts ignore
 * import { JobClient, SqliteStorage } from "@qml/qml";
 * const storage = await SqliteStorage.open({ path: "./jobs.db" });
 * await new JobClient(storage).enqueue("send_email", { to: "a@b.c" });
 * await storage.close();
 * ```
 */
export class SqliteStorage implements Storage {
  /** Backend name. */
  readonly kind = "sqlite";
  /** Each result write is a transaction with its own commit (see {@link Storage.commitPerWrite}). */
  readonly commitPerWrite = true;
  readonly #conn: Connection;
  readonly #cfg: ResolvedSqliteConfig;
  readonly #signals: SignalHub;
  readonly #group: EnqueueGroup;
  readonly #dash: SqliteDashboard;
  readonly #sync: CommitSync;
  #closed = false;

  private constructor(conn: Connection, cfg: ResolvedSqliteConfig) {
    this.#conn = conn;
    this.#cfg = cfg;
    this.#sync = conn.walFile === null ? NO_SYNC : new WalSync(conn.walFile, () => conn.commits);
    const file = cfg.memory ? null : Deno.realPathSync(cfg.path);
    this.#signals = new SignalHub(conn, file, cfg.signalPollMs);
    this.#group = new EnqueueGroup(
      conn,
      (op, fn) => this.#writeNow(op, fn),
      (jobs) => this.#durable(jobs),
    );
    this.#dash = new SqliteDashboard(
      conn,
      (op, fn) => this.#read(op, fn),
      (op, fn) => this.#write(op, fn),
    );
  }

  /**
   * Open (or create) the database and, unless `autoMigrate` is false, apply pending
   * migrations.
   *
   * @throws {ConfigError} for an invalid option; `StorageError` for a missing directory, a
   * read-only file or a file that is not a SQLite database (left untouched);
   * `MigrationError` when a migration fails or the database is of a newer schema version.
   */
  static async open(config: SqliteConfig): Promise<SqliteStorage> {
    const cfg = resolveConfig(config);
    const conn = await Connection.open(cfg);
    let storage: SqliteStorage;
    try {
      if (cfg.autoMigrate) migrate(conn);
      else pendingMigrations(conn); // still refuses a newer schema
      storage = new SqliteStorage(conn, cfg);
    } catch (err) {
      conn.close();
      throw err;
    }
    try {
      await storage.#durable(1); // the migrations, if any
    } catch (err) {
      await storage.close();
      throw err;
    }
    return storage;
  }

  /** The database file (`:memory:` for a private in-memory database). */
  get path(): string {
    return this.#cfg.path;
  }

  /** The durability, busy timeout and journal mode in force on this connection. */
  settings(): SqliteSettings {
    return readSettings(this.#conn);
  }

  /** Apply every pending migration (idempotent; safe from several processes at once). */
  async migrate(): Promise<SqliteMigrateResult> {
    const result = migrate(this.#conn);
    await this.#durable(1);
    return result;
  }

  /** Migrations not yet applied. */
  pendingMigrations(): Promise<string[]> {
    return this.#async(() => pendingMigrations(this.#conn));
  }

  /** Query the database and check the schema version; never throws. */
  healthCheck(): Promise<SqliteHealth> {
    return Promise.resolve(checkHealth(this.#conn));
  }

  // The verbs are synchronous underneath; errors become rejections, as on other backends.
  #async<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // One write transaction; the signals `fn` emits are published inside it and delivered in
  // this process once it committed. The caller acknowledges the write after `#durable`. (A
  // signal is a wake-up: whatever a woken server then does is a write of its own, whose
  // sync covers this commit too, so it need not wait for this one's.)
  #writeNow<T>(op: string, fn: (emit: verbs.Emit) => T): T {
    const pending: StorageSignal[] = [];
    const out = this.#conn.write(op, () => {
      const result = fn((s) => pending.push(s));
      this.#signals.publish(pending, Date.now());
      return result;
    });
    this.#signals.deliver(pending);
    return out;
  }

  // Resolves once what was committed so far is durable: a write of at most SMALL_WRITE jobs
  // syncs on this thread, a larger one off it (`wal_sync.ts`).
  #durable(jobs: number): Promise<void> {
    if (jobs > SMALL_WRITE) return this.#sync.flushed();
    try {
      this.#sync.flushedNow();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // One write transaction, acknowledged once it is durable; `jobs` says how many jobs it
  // wrote (by default one).
  async #write<T>(
    op: string,
    fn: (emit: verbs.Emit) => T,
    jobs: (out: T) => number = () => 1,
  ): Promise<T> {
    const out = this.#writeNow(op, fn);
    await this.#durable(jobs(out));
    return out;
  }

  #read<T>(op: string, fn: () => T): Promise<T> {
    return this.#async(() => this.#conn.read(op, fn));
  }

  /**
   * See {@link Storage.enqueue}. Calls of one event-loop turn share a transaction (group
   * commit); a bulk enqueue commits every `ENQUEUE_CHUNK` jobs. SQLite has no caller
   * transactions: `tx` is refused.
   */
  async enqueue(
    params: { jobs: readonly Job[]; now: Date; tx?: unknown },
  ): Promise<EnqueueResult[]> {
    const refusal = txRefusal("SqliteStorage", params.tx);
    if (refusal) throw refusal;
    return await this.#group.store(params.jobs);
  }

  /** See {@link Storage.get}. */
  get(params: { id: string }): Promise<Job | null> {
    return this.#read("get", () => getJob(this.#conn, params.id));
  }

  /** See {@link Storage.list}. */
  list(params: ListParams): Promise<JobPage> {
    return this.#read("list", () => listJobs(this.#conn, params));
  }

  /** See {@link Storage.oldestReady}. */
  oldestReady(): Promise<Record<string, Date>> {
    return this.#read("oldestReady", () => oldestReady(this.#conn));
  }

  /** See {@link Storage.counts}. */
  counts(): Promise<JobCounts> {
    return this.#read("counts", () => countJobs(this.#conn));
  }

  /** See {@link Storage.fetchAndLock}. */
  fetchAndLock(params: {
    queues: readonly string[];
    limit: number;
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<Job[]> {
    const limit = Math.trunc(params.limit);
    if (params.queues.length === 0 || limit <= 0) return Promise.resolve([]);
    return this.#write(
      "fetchAndLock",
      () => verbs.fetchAndLock(this.#conn, { ...params, limit }),
      (jobs) => jobs.length,
    );
  }

  /** See {@link Storage.transition}. */
  transition(params: { items: readonly TransitionItem[]; now: Date }): Promise<boolean[]> {
    if (params.items.length === 0) return Promise.resolve([]);
    return this.#write(
      "transition",
      (emit) => verbs.transition(this.#conn, params, emit),
      (applied) => applied.length,
    );
  }

  /** See {@link Storage.extendLocks}. */
  extendLocks(params: {
    ids: readonly string[];
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<string[]> {
    if (params.ids.length === 0) return Promise.resolve([]);
    return this.#write(
      "extendLocks",
      () => verbs.extendLocks(this.#conn, params),
      () => params.ids.length,
    );
  }

  /** See {@link Storage.findExpiredLocks}. */
  findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    if (params.limit <= 0) return Promise.resolve([]);
    return this.#read("findExpiredLocks", () => maintenance.findExpiredLocks(this.#conn, params));
  }

  /** See {@link Storage.promoteDue}. */
  promoteDue(params: { now: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return Promise.resolve(0);
    return this.#write(
      "promoteDue",
      (emit) => maintenance.promoteDue(this.#conn, params, emit),
      (n) => n,
    );
  }

  /** See {@link Storage.purgeExpired}. */
  purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return Promise.resolve(0);
    return this.#write(
      "purgeExpired",
      () => maintenance.purgeExpired(this.#conn, params),
      (n) => n,
    );
  }

  /** See {@link Storage.purgeFinished}. */
  purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return Promise.resolve(0);
    return this.#write(
      "purgeFinished",
      () => maintenance.purgeFinished(this.#conn, params),
      (n) => n,
    );
  }

  /** See {@link Storage.setProgress}. */
  setProgress(params: { id: string; serverName: string; progress: number }): Promise<boolean> {
    return this.#write("setProgress", () => verbs.setProgress(this.#conn, params));
  }

  /** See {@link Storage.upsertRecurring}. */
  upsertRecurring(params: {
    template: RecurringTemplateInput;
    now: Date;
  }): Promise<RecurringTemplate> {
    return this.#write(
      "upsertRecurring",
      () => recurring.upsertRecurring(this.#conn, params.template, params.now),
    );
  }

  /** See {@link Storage.getRecurring}. */
  getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    return this.#read("getRecurring", () => recurring.getRecurring(this.#conn, params.name));
  }

  /** See {@link Storage.listRecurring}. */
  listRecurring(): Promise<RecurringTemplate[]> {
    return this.#read("listRecurring", () => recurring.listRecurring(this.#conn));
  }

  /** See {@link Storage.removeRecurring}. */
  removeRecurring(params: { name: string }): Promise<boolean> {
    return this.#write("removeRecurring", () => recurring.removeRecurring(this.#conn, params.name));
  }

  /** See {@link Storage.setRecurringPaused}. */
  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    return this.#write(
      "setRecurringPaused",
      () => recurring.setRecurringPaused(this.#conn, params),
    );
  }

  /** See {@link Storage.claimCronTick}: the claim and the job commit together. */
  claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    return this.#write(
      "claimCronTick",
      (emit) => recurring.claimCronTick(this.#conn, params, emit),
    );
  }

  /** See {@link Storage.acquireLease}. */
  acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    return this.#write("acquireLease", () => maintenance.acquireLease(this.#conn, params));
  }

  /** See {@link Storage.releaseLease}. */
  releaseLease(params: { name: string; holder: string }): Promise<void> {
    return this.#write("releaseLease", () => maintenance.releaseLease(this.#conn, params));
  }

  /** The process clock: every process sharing the file runs on this machine's clock. */
  time(): Promise<Date> {
    return Promise.resolve(new Date());
  }

  /** See {@link Storage.recordServer}. */
  recordServer(params: { server: ServerInfo }): Promise<void> {
    return this.#dash.recordServer(params);
  }

  /** See {@link Storage.removeServer}. */
  removeServer(params: { name: string }): Promise<void> {
    return this.#dash.removeServer(params);
  }

  /** See {@link Storage.listServers}. */
  listServers(): Promise<ServerInfo[]> {
    return this.#dash.listServers();
  }

  /** See {@link Storage.pruneServers}. */
  pruneServers(params: { before: Date }): Promise<number> {
    return this.#dash.pruneServers(params);
  }

  /** See {@link Storage.recordActivity}: one transaction for the metrics and the signal. */
  recordActivity(
    params: ActivityRecord,
  ): Promise<void> {
    return this.#dash.recordActivity(params);
  }

  /** See {@link Storage.queryMetrics}. */
  queryMetrics(params: {
    from: Date;
    to: Date;
    resolution: MetricsResolution;
    queue?: string;
    method?: string;
  }): Promise<MetricsBucket[]> {
    return this.#dash.queryMetrics(params);
  }

  /** See {@link Storage.compactMetrics}. */
  compactMetrics(params: { now: Date }): Promise<number> {
    return this.#dash.compactMetrics(params);
  }

  /**
   * See {@link Storage.subscribe}: in this process at once; from other processes on the
   * same file within `signalPollMs`.
   */
  subscribe(listener: (signal: StorageSignal) => void): () => void {
    return this.#signals.subscribe(listener);
  }

  /** See {@link Storage.close}: waits for a WAL sync in flight. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signals.close();
    await this.#sync.close();
    this.#conn.close();
  }
}
