/**
 * {@link PostgresStorage}: the durable backend. Every verb is one prepared statement (a
 * batch verb included), hot paths use `FOR UPDATE SKIP LOCKED`, wake-ups travel by
 * LISTEN/NOTIFY, and enqueue can join the caller's own transaction.
 *
 * @module
 */
import { countsFromRows, sortFetched } from "../contract_rules.ts";
import type { JobChange } from "../../activity.ts";
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import type postgres from "postgres";
import type { Sql } from "postgres";
import { ConfigError, QmlError, StorageError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type { RecurringTemplate } from "../../recurring.ts";
import { isTransientPostgresError } from "../transient.ts";
import { fetchedEntry, promotedEntry, type TransitionItem } from "../../transitions.ts";
import type {
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
import { copyJob } from "../job_copy.ts";
import { listLimit } from "../contract_rules.ts";
import { enqueueJobs } from "./enqueue.ts";
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
import { buildListQuery } from "./list.ts";
import { errorMessage, isUniqueViolation, runQuery } from "./run.ts";
import { buildQueries, type Queries } from "./queries.ts";
import { jobColumns, transitionColumns } from "./columns.ts";
import {
  fetchedRowToJob,
  pageFromRows,
  recurringParams,
  rowToJob,
  rowToRecurring,
} from "./rows.ts";

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
  #sql: postgres.Sql;
  #cfg: ResolvedPostgresConfig;
  #q: Queries;
  #channel: string;
  #signals: SignalHub;
  #dash: PostgresDashboard;
  #closing: Promise<void> | null = null;

  private constructor(sql: postgres.Sql, cfg: ResolvedPostgresConfig, driver: typeof postgres) {
    this.#sql = sql;
    this.#cfg = cfg;
    this.#q = buildQueries(cfg.schemaIdent);
    this.#channel = channelName(cfg.schema);
    this.#dash = new PostgresDashboard(
      (op, text, params) => this.#run(op, text, params),
      this.#q,
      this.#channel,
    );
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
    let runner: postgres.Sql | undefined;
    if (params.tx !== undefined && params.tx !== null) {
      if (typeof (params.tx as { unsafe?: unknown }).unsafe !== "function") {
        throw new ConfigError("tx", "expected a postgres.js transaction (from sql.begin)");
      }
      runner = params.tx as postgres.Sql;
    }
    return await enqueueJobs(
      this.#runner,
      this.#q,
      this.#channel,
      runner ?? this.#sql,
      params.jobs,
    );
  }

  /** See {@link Storage.get}. */
  async get(params: { id: string }): Promise<Job | null> {
    const rows = await this.#run("get", this.#q.getJob, [params.id]);
    return rows.length ? rowToJob(rows[0]) : null;
  }

  /** See {@link Storage.list}. */
  async list(params: ListParams): Promise<JobPage> {
    const limit = listLimit(params.limit);
    const q = buildListQuery(
      { list: this.#q.listJobs, search: this.#q.searchJobs },
      params,
      limit,
      this.#cfg.schemaIdent,
    );
    if (!q) return { jobs: [], nextCursor: null };
    return pageFromRows(await this.#run("list", q.text, q.params), limit);
  }

  /** See {@link Storage.oldestReady}. */
  oldestReady(): Promise<Record<string, Date>> {
    return this.#dash.oldestReady();
  }

  /** See {@link Storage.counts}. */
  async counts(): Promise<JobCounts> {
    return countsFromRows(await this.#run("counts", this.#q.counts, []));
  }

  /** See {@link Storage.fetchAndLock}. */
  async fetchAndLock(params: {
    queues: readonly string[];
    limit: number;
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<Job[]> {
    const { queues, limit, serverName, now } = params;
    if (queues.length === 0 || limit <= 0) return [];
    const lockedUntil = new Date(now.getTime() + params.lockTtlMs);
    const rows = await this.#run("fetchAndLock", this.#q.fetchAndLock, [
      queues,
      Math.trunc(limit),
      now,
      serverName,
      lockedUntil,
      fetchedEntry(serverName, now),
    ]);
    const fields = { now, serverName, lockedUntil };
    return sortFetched(rows.map((r) => fetchedRowToJob(r, fields)), queues);
  }

  /** See {@link Storage.transition}. */
  async transition(params: { items: readonly TransitionItem[]; now: Date }): Promise<boolean[]> {
    const { items, now } = params;
    if (items.length === 0) return [];
    try {
      return await this.#transitionBatch(items, now);
    } catch (err) {
      // A requeue racing a concurrent enqueue for the same unique key breaks the unique
      // index for the whole batch: apply the items one by one so only that one fails.
      if (!isUniqueViolation(err) || items.length === 1) {
        if (isUniqueViolation(err)) return [false];
        throw err;
      }
      const out: boolean[] = [];
      for (const item of items) out.push((await this.transition({ items: [item], now }))[0]);
      return out;
    }
  }

  async #transitionBatch(items: readonly TransitionItem[], now: Date): Promise<boolean[]> {
    assertEncodable(items);
    const { columns, entries } = transitionColumns(items);
    const rows = await this.#run("transition", this.#q.transition, [
      ...columns,
      entries,
      now,
      this.#channel,
    ]);
    const applied = new Set(rows.map((r) => r.id as string));
    return items.map((i) => applied.has(i.id));
  }

  /** See {@link Storage.extendLocks}. */
  async extendLocks(params: {
    ids: readonly string[];
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<string[]> {
    if (params.ids.length === 0) return [];
    const rows = await this.#run("extendLocks", this.#q.extendLocks, [
      params.ids,
      params.serverName,
      new Date(params.now.getTime() + params.lockTtlMs),
    ]);
    const held = new Set(rows.map((r) => r.id as string));
    return params.ids.filter((id) => !held.has(id));
  }

  /** See {@link Storage.findExpiredLocks}. */
  async findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    if (params.limit <= 0) return [];
    const rows = await this.#run("findExpiredLocks", this.#q.findExpiredLocks, [
      params.now,
      Math.trunc(params.limit),
    ]);
    return rows.map(rowToJob);
  }

  /** See {@link Storage.promoteDue}. */
  async promoteDue(params: { now: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return 0;
    const rows = await this.#run("promoteDue", this.#q.promoteDue, [
      params.now,
      Math.trunc(params.limit),
      promotedEntry(params.now),
      this.#channel,
    ]);
    return rows[0].promoted as number;
  }

  /** See {@link Storage.purgeExpired}. */
  async purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return 0;
    const rows = await this.#run("purgeExpired", this.#q.purgeExpired, [
      params.now,
      Math.trunc(params.limit),
    ]);
    return rows[0].purged as number;
  }

  /** See {@link Storage.purgeFinished}. */
  async purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return 0;
    const rows = await this.#run("purgeFinished", this.#q.purgeFinished, [
      params.before,
      Math.trunc(params.limit),
    ]);
    return rows[0].purged as number;
  }

  /** See {@link Storage.setProgress}. */
  async setProgress(
    params: { id: string; serverName: string; progress: number },
  ): Promise<boolean> {
    const p = Number.isFinite(params.progress) ? Math.min(100, Math.max(0, params.progress)) : 0;
    const rows = await this.#run("setProgress", this.#q.setProgress, [
      params.id,
      params.serverName,
      p,
    ]);
    return rows.length > 0;
  }

  /** See {@link Storage.upsertRecurring}. */
  async upsertRecurring(params: {
    template: Omit<RecurringTemplate, "createdAt" | "updatedAt" | "lastTickAt" | "paused">;
    now: Date;
  }): Promise<RecurringTemplate> {
    const rows = await this.#run(
      "upsertRecurring",
      this.#q.upsertRecurring,
      recurringParams(params.template, params.now),
    );
    return rowToRecurring(rows[0]);
  }

  /** See {@link Storage.getRecurring}. */
  async getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    const rows = await this.#run("getRecurring", this.#q.getRecurring, [params.name]);
    return rows.length ? rowToRecurring(rows[0]) : null;
  }

  /** See {@link Storage.listRecurring}. */
  async listRecurring(): Promise<RecurringTemplate[]> {
    return (await this.#run("listRecurring", this.#q.listRecurring, [])).map(rowToRecurring);
  }

  /** See {@link Storage.removeRecurring}. */
  async removeRecurring(params: { name: string }): Promise<boolean> {
    return (await this.#run("removeRecurring", this.#q.removeRecurring, [params.name])).length > 0;
  }

  /** See {@link Storage.claimCronTick}. */
  async claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    const rows = await this.#run("claimCronTick", this.#q.claimCronTick, [
      ...jobColumns([params.job]),
      params.name,
      params.tickAt,
      this.#channel,
    ]);
    return rows.length ? copyJob(params.job) : null;
  }

  /** See {@link Storage.acquireLease}. */
  async acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    const rows = await this.#run("acquireLease", this.#q.acquireLease, [
      params.name,
      params.holder,
      new Date(params.now.getTime() + params.ttlMs),
      params.now,
    ]);
    return rows.length > 0;
  }

  /** See {@link Storage.releaseLease}. */
  async releaseLease(params: { name: string; holder: string }): Promise<void> {
    await this.#run("releaseLease", this.#q.releaseLease, [params.name, params.holder]);
  }

  /** The database's clock: `now()` of a fresh statement. */
  async time(): Promise<Date> {
    const rows = await this.#sql`select clock_timestamp() as now`;
    return new Date(rows[0].now as string | Date);
  }

  /** See {@link Storage.recordServer}. */
  recordServer(params: { server: ServerInfo }): Promise<void> {
    return this.#dash.recordServer(params.server);
  }

  /** See {@link Storage.removeServer}. */
  removeServer(params: { name: string }): Promise<void> {
    return this.#dash.removeServer(params.name);
  }

  /** See {@link Storage.listServers}. */
  listServers(): Promise<ServerInfo[]> {
    return this.#dash.listServers();
  }

  /** See {@link Storage.pruneServers}. */
  pruneServers(params: { before: Date }): Promise<number> {
    return this.#dash.pruneServers(params.before);
  }

  /** See {@link Storage.recordActivity}: one statement upserts the buckets and NOTIFYs. */
  recordActivity(
    params: { metrics: readonly MetricsBucket[]; changes: readonly JobChange[] },
  ): Promise<void> {
    return this.#dash.recordActivity(params.metrics, params.changes);
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
    return this.#dash.compactMetrics(params.now);
  }

  /** See {@link Storage.setRecurringPaused}. */
  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    return this.#dash.setRecurringPaused(params.name, params.paused, params.now);
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
      await this.#signals.close();
      // Bounded: a connection the server killed may never report its socket closed under
      // Deno's node compatibility layer, and end() would wait for it.
      await this.#sql.end({ timeout: 2 });
    })();
    return this.#closing;
  }
}

// A result JSON cannot encode (a BigInt) must fail before the driver sees it: postgres.js
// throws while writing it to a connection that other queries share, which leaves their
// replies misaligned (a fetch then reads another statement's rows).
function assertEncodable(items: readonly TransitionItem[]): void {
  for (const { id, next } of items) {
    const r = next.result;
    if (r === null || typeof r === "string" || typeof r === "number" || typeof r === "boolean") {
      continue;
    }
    try {
      JSON.stringify(r);
    } catch (err) {
      throw new StorageError(
        `postgres transition failed: result of job ${id}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }
}
