/**
 * {@link PostgresStorage}: the durable backend. Every verb is one prepared statement (a
 * batch verb included), hot paths use `FOR UPDATE SKIP LOCKED`, wake-ups travel by
 * LISTEN/NOTIFY, and enqueue can join the caller's own transaction.
 *
 * @module
 */
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import type postgres from "postgres";
import type { Sql } from "postgres";
import { QmlError, StorageError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import { isTransientPostgresError } from "../transient.ts";
import type { TransitionItem } from "../../transitions.ts";
import type {
  ActivityRecord,
  EnqueueResult,
  JobCounts,
  JobPage,
  ListParams,
  Storage,
  StorageSignal,
} from "../storage.ts";
import {
  driverOptions,
  type PostgresConfig,
  resolveConfig,
  type ResolvedPostgresConfig,
} from "./config.ts";
import { enqueuedQueues, enqueueJobs, transactionOf } from "./enqueue.ts";
import { ReadyNotifier } from "./ready_notifier.ts";
import { channelName } from "./identifiers.ts";
import { SignalHub } from "./signals.ts";
import { PostgresDashboard } from "./dashboard.ts";
import {
  appliedVersions,
  checkHealth,
  migrate,
  type MigrateResult,
  pendingMigrations as pendingOf,
  type PostgresHealth,
} from "./migrate.ts";
import { countJobs, getJob, listJobs } from "./list.ts";
import { errorMessage, runQuery } from "./run.ts";
import * as locks from "./locks.ts";
import * as maintenance from "./maintenance.ts";
import * as recurring from "./recurring.ts";
import { transitionJobs } from "./transition.ts";
import { FetchVacuum } from "./vacuum.ts";
import { buildQueries, type Queries } from "./queries.ts";

export type { PostgresConfig } from "./config.ts";
export type { MigrateResult, PostgresHealth } from "./migrate.ts";

/**
 * Job storage in PostgreSQL (via postgres.js), in its own schema.
 *
 * @example Connect, enqueue, and enqueue inside your own transaction
 * ```ts ignore
 * import { JobClient, PostgresStorage } from "@qml/qml";
 * const storage = await PostgresStorage.connect({ url: "postgres://localhost/app" });
 * const client = new JobClient(storage);
 * await client.enqueue("send_email", { to: "a@b.c" });
 * await storage.sql.begin(async (tx) => {
 *   await tx`insert into orders (id) values (1)`;
 *   await client.enqueue("ship", { id: 1 }, { tx }); // stored iff the transaction commits
 * });
 * await storage.close();
 * ```
 */
export class PostgresStorage implements Storage {
  /** Backend name. */
  readonly kind = "postgres";
  /** Each result write is a transaction with its own commit (see {@link Storage.commitPerWrite}). */
  readonly commitPerWrite = true;
  #sql: postgres.Sql;
  #cfg: ResolvedPostgresConfig;
  #q: Queries;
  #channel: string;
  #signals: SignalHub;
  #dash: PostgresDashboard;
  #closing: Promise<void> | null = null;
  #vacuum: FetchVacuum;
  #ready: ReadyNotifier;
  #enqueuing = 0;

  private constructor(sql: postgres.Sql, cfg: ResolvedPostgresConfig, driver: typeof postgres) {
    this.#sql = sql;
    this.#cfg = cfg;
    // A pass holds a connection for its whole length: a pool of one would stall every query.
    this.#vacuum = new FetchVacuum(
      () => this.#vacuumJobs(),
      cfg.maxConnections > 1 ? cfg.vacuumEveryFetched : 0,
    );
    this.#q = buildQueries(cfg.schemaIdent);
    this.#channel = channelName(cfg.schema);
    this.#ready = new ReadyNotifier((queue) =>
      this.#run("notify", "SELECT pg_notify($1, $2)", [this.#channel, `r:${queue}`])
    );
    this.#dash = new PostgresDashboard(this.#runner, this.#q, this.#channel);
    this.#signals = new SignalHub({
      driver,
      url: cfg.url,
      channel: this.#channel,
      connectTimeoutMs: cfg.connectTimeoutMs,
      applicationName: cfg.applicationName,
    });
  }

  /**
   * Open a pool (pre-warming `minConnections`) and, unless `autoMigrate` is false, apply
   * pending migrations.
   *
   * @throws {ConfigError} for an invalid option; {@link StorageError} when the database
   * cannot be reached; `MigrationError` when a migration fails.
   */
  static async connect(config: PostgresConfig = {}): Promise<PostgresStorage> {
    const cfg = resolveConfig(config);
    // Loaded here, not at module level: an app on another backend never loads postgres.js.
    const { default: postgres } = await import("postgres");
    const sql = postgres(cfg.url, driverOptions(cfg));
    const storage = new PostgresStorage(sql, cfg, postgres);
    try {
      // Concurrent queries make postgres.js open one connection each: that is the pre-warm.
      await Promise.all(
        Array.from(
          { length: Math.max(1, cfg.minConnections) },
          () => storage.#run("connect", "SELECT 1", []),
        ),
      );
      // The first connection has now fetched the array type oids into the pool's shared
      // options. postgres.js would fetch them again on every reconnect, and if a
      // connection is killed during that fetch (a database restart) it rejects a promise
      // nobody holds: the process dies of an unhandled rejection. Stop refetching.
      (sql.options as { fetch_types: boolean }).fetch_types = false;
      if (cfg.autoMigrate) await storage.migrateIfNeeded();
    } catch (err) {
      await sql.end({ timeout: 0 });
      if (err instanceof QmlError) throw err;
      throw new StorageError(`could not connect to Postgres: ${errorMessage(err)}`, {
        cause: err,
        transient: isTransientPostgresError(err),
      });
    }
    return storage;
  }

  /** The underlying postgres.js pool, e.g. for `sql.begin` around a transactional enqueue. */
  get sql(): Sql {
    return this.#sql;
  }

  /** The schema holding qml's tables. */
  get schema(): string {
    return this.#cfg.schema;
  }

  /** The NOTIFY channel carrying this schema's wake-up and cancel signals. */
  get channel(): string {
    return this.#channel;
  }

  /** Apply every pending migration (idempotent; safe to call from many servers at once). */
  migrate(): Promise<MigrateResult> {
    return migrate(this.#sql, this.#cfg.schema, this.#cfg.schemaIdent);
  }

  /** Whether the schema exists with qml's tables in it (at any version). */
  async schemaExists(): Promise<boolean> {
    return (await appliedVersions(this.#sql, this.#cfg.schemaIdent)).length > 0;
  }

  /** Migrations not yet applied to this schema. */
  pendingMigrations(): Promise<string[]> {
    return pendingOf(this.#sql, this.#cfg.schemaIdent);
  }

  /** Apply pending migrations, if any. Returns whether anything was applied. */
  async migrateIfNeeded(): Promise<boolean> {
    if ((await this.pendingMigrations()).length === 0) return false;
    return (await this.migrate()).applied.length > 0;
  }

  /** Ping the database and check the schema version; never throws. */
  healthCheck(): Promise<PostgresHealth> {
    return checkHealth(this.#sql, this.#cfg.schemaIdent);
  }

  #run(op: string, text: string, params: unknown[], runner?: postgres.Sql) {
    return runQuery(runner ?? this.#sql, op, text, params);
  }

  #runner = this.#run.bind(this);

  /** See {@link Storage.enqueue}; `tx` is a postgres.js transaction (`sql.begin` callback argument). */
  async enqueue(
    params: { jobs: readonly Job[]; now: Date; tx?: unknown },
  ): Promise<EnqueueResult[]> {
    const tx = transactionOf(params.tx);
    // In the caller's transaction the statement NOTIFYs (delivered at that commit). On its own,
    // an enqueue with no other of this storage in flight NOTIFYs in its statement too (no
    // extra statement, no later wake-up); beside others, its wake-up follows its commit, so
    // concurrent enqueues do not commit one at a time (see ready_notifier.ts).
    if (tx) return await enqueueJobs(this.#runner, this.#q, this.#channel, tx, params.jobs);
    const alone = this.#enqueuing === 0;
    this.#enqueuing++;
    try {
      const channel = alone ? this.#channel : null;
      const results = await enqueueJobs(this.#runner, this.#q, channel, this.#sql, params.jobs);
      if (!alone) {
        this.#ready.notify(enqueuedQueues(results.filter((r) => r.created).map((r) => r.job)));
      }
      return results;
    } finally {
      this.#enqueuing--;
    }
  }

  /** See {@link Storage.get}. */
  get(params: { id: string }): Promise<Job | null> {
    return getJob(this.#runner, this.#q, params.id);
  }

  /** See {@link Storage.list}. */
  list(params: ListParams): Promise<JobPage> {
    return listJobs(this.#runner, this.#q, this.#cfg.schemaIdent, params);
  }

  /** See {@link Storage.oldestReady}. */
  oldestReady(): Promise<Record<string, Date>> {
    return this.#dash.oldestReady();
  }

  /** See {@link Storage.counts}. */
  counts(): Promise<JobCounts> {
    return countJobs(this.#runner, this.#q);
  }

  /** See {@link Storage.fetchAndLock}. */
  async fetchAndLock(params: {
    queues: readonly string[];
    limit: number;
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<Job[]> {
    const jobs = await locks.fetchAndLock(this.#runner, this.#q, params);
    this.#vacuum.fetched(jobs.length);
    return jobs;
  }

  // On a connection of its own, without the statement timeout: a pass over a large table may
  // take longer than any query should (VACUUM cannot run in a transaction, so no SET LOCAL).
  async #vacuumJobs(): Promise<void> {
    const conn = await this.#sql.reserve();
    try {
      await conn.unsafe("SET statement_timeout = 0");
      await conn.unsafe(`VACUUM (SKIP_LOCKED) ${this.#cfg.schemaIdent}.jobs`);
    } finally {
      // Back to the pool's own timeout (its startup setting) before anyone else uses it.
      await conn.unsafe("RESET statement_timeout").catch(() => {});
      conn.release();
    }
  }

  /** See {@link Storage.transition}. */
  transition(params: { items: readonly TransitionItem[]; now: Date }): Promise<boolean[]> {
    return transitionJobs(this.#runner, this.#q, this.#channel, params.items, params.now);
  }

  /** See {@link Storage.extendLocks}. */
  extendLocks(params: {
    ids: readonly string[];
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<string[]> {
    return locks.extendLocks(this.#runner, this.#q, params);
  }

  /** See {@link Storage.findExpiredLocks}. */
  findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    return maintenance.findExpiredLocks(this.#runner, this.#q, params);
  }

  /** See {@link Storage.promoteDue}. */
  promoteDue(params: { now: Date; limit: number }): Promise<number> {
    return maintenance.promoteDue(this.#runner, this.#q, this.#channel, params);
  }

  /** See {@link Storage.purgeExpired}. */
  purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    return maintenance.purgeExpired(this.#runner, this.#q, params);
  }

  /** See {@link Storage.purgeFinished}. */
  purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    return maintenance.purgeFinished(this.#runner, this.#q, params);
  }

  /** See {@link Storage.setProgress}. */
  setProgress(params: { id: string; serverName: string; progress: number }): Promise<boolean> {
    return locks.setProgress(this.#runner, this.#q, params);
  }

  /** See {@link Storage.upsertRecurring}. */
  upsertRecurring(params: {
    template: RecurringTemplateInput;
    now: Date;
  }): Promise<RecurringTemplate> {
    return recurring.upsertRecurring(this.#runner, this.#q, params);
  }

  /** See {@link Storage.getRecurring}. */
  getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    return recurring.getRecurring(this.#runner, this.#q, params.name);
  }

  /** See {@link Storage.listRecurring}. */
  listRecurring(): Promise<RecurringTemplate[]> {
    return recurring.listRecurring(this.#runner, this.#q);
  }

  /** See {@link Storage.removeRecurring}. */
  removeRecurring(params: { name: string }): Promise<boolean> {
    return recurring.removeRecurring(this.#runner, this.#q, params.name);
  }

  /** See {@link Storage.setRecurringPaused}. */
  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    return recurring.setRecurringPaused(this.#runner, this.#q, params);
  }

  /** See {@link Storage.claimCronTick}. */
  claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    return recurring.claimCronTick(this.#runner, this.#q, this.#channel, params);
  }

  /** See {@link Storage.acquireLease}. */
  acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    return maintenance.acquireLease(this.#runner, this.#q, params);
  }

  /** See {@link Storage.releaseLease}. */
  releaseLease(params: { name: string; holder: string }): Promise<void> {
    return maintenance.releaseLease(this.#runner, this.#q, params);
  }

  /** The database's clock: `now()` of a fresh statement. */
  async time(): Promise<Date> {
    const rows = await this.#sql`select clock_timestamp() as now`;
    return new Date(rows[0].now as string | Date);
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

  /** See {@link Storage.recordActivity}: one statement upserts the buckets and NOTIFYs. */
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

  /** See {@link Storage.subscribe}: signals arrive by LISTEN on {@link channel}. */
  subscribe(listener: (signal: StorageSignal) => void): () => void {
    return this.#signals.subscribe(listener);
  }

  /** Resolves once the LISTEN connection is up (tests and benchmarks wait on it). */
  listening(): Promise<void> {
    return this.#signals.ready();
  }

  /** See {@link Storage.close}. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#ready.flush();
      await this.#signals.close();
      this.#vacuum.close();
      // Bounded: a connection the server killed may never report its socket closed under
      // Deno's node compatibility layer, and end() would wait for it.
      await this.#sql.end({ timeout: 2 });
    })();
    return this.#closing;
  }
}
