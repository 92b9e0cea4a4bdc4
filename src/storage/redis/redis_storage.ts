/**
 * RedisStorage: the high-throughput backend. Every state change is one atomic
 * Lua script (`lua/*.lua`); the key layout is in `keys.ts`, the job encoding in
 * `codec.ts`, wake-ups in `subscriber.ts`.
 *
 * @module
 */
import type { JobChange } from "../../activity.ts";
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import type { Cluster, Redis } from "ioredis";
import { QmlError, StorageError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import { ALL_STATES } from "../../job_state.ts";
import type { RecurringTemplate } from "../../recurring.ts";
import { isTransientRedisError } from "../transient.ts";
import { fetchedEntry, promotedEntry, type TransitionItem } from "../../transitions.ts";
import type {
  EnqueueResult,
  JobCounts,
  JobPage,
  ListParams,
  Storage,
  StorageSignal,
} from "../storage.ts";
import { listIds } from "./search.ts";
import { type RedisConfig, resolveRedisConfig } from "./config.ts";
import { checkMaxmemoryPolicy, createConnection, openConnection } from "./connection.ts";
import {
  decodeJob,
  decodeJobs,
  encodeEntry,
  encodeJob,
  encodeTransition,
  type RawJob,
} from "./codec.ts";
import { addCount, emptyJobCounts, listLimit, txRefusal } from "../contract_rules.ts";
import { RedisKeys } from "./keys.ts";
import { decodeTemplate, encodeTemplate } from "./recurring_codec.ts";
import { defineScripts, runScript, type ScriptName, type ScriptRunner } from "./scripts.ts";
import { quietQuit, SignalSubscriber } from "./subscriber.ts";
import { Deadlines } from "./deadlines.ts";
import { RedisDashboard } from "./dashboard.ts";

export type { RedisConfig } from "./config.ts";

// Jobs per enqueue script call. Chunks are sent back to back (pipelined), so a
// bulk enqueue is still about one round trip, while no single script holds
// Redis for long: ~500 jobs run in a few milliseconds.
const ENQUEUE_CHUNK = 500;
// Ids purgeFinished inspects per (queue, final state) set, per job it may delete: leaves
// room for recently finished jobs among old ids while keeping one call short.
const PURGE_SCAN_FACTOR = 4;

/**
 * Storage on Redis (single node or Cluster) through ioredis.
 *
 * @example Connect and enqueue
 * ```ts ignore
 * import { createJob, RedisStorage } from "@qml/qml";
 * const storage = await RedisStorage.connect({ url: "redis://127.0.0.1:6379", keyPrefix: "myapp:jobs" });
 * const now = new Date();
 * await storage.enqueue({ jobs: [createJob({ method: "ping", args: {}, now })], now });
 * await storage.close();
 * ```
 */
export class RedisStorage implements Storage {
  /** Backend name. */
  readonly kind = "redis";
  /**
   * The key layout of this storage's prefix (for tooling and tests).
   *
   * @internal
   */
  readonly keys: RedisKeys;
  readonly #client: Redis | Cluster;
  readonly #subscriber: SignalSubscriber;
  readonly #ttl: string;
  readonly #deadlines: Deadlines;
  readonly #dash: RedisDashboard;
  readonly #scriptFn: ScriptRunner;
  #closing: Promise<void> | null = null;

  private constructor(
    client: Redis | Cluster,
    subscriber: SignalSubscriber,
    keys: RedisKeys,
    completedJobTtlMs: number | null,
    commandTimeoutMs: number,
  ) {
    this.#deadlines = new Deadlines(commandTimeoutMs);
    this.#client = client;
    this.#subscriber = subscriber;
    this.keys = keys;
    this.#ttl = String(completedJobTtlMs ?? 0);
    this.#scriptFn = <T>(name: ScriptName, keys: string[], args: (string | number)[]) =>
      this.#script<T>(name, keys, args);
    this.#dash = new RedisDashboard(
      this.#scriptFn,
      keys,
      (key) => this.#client.hvals(key),
    );
  }

  /**
   * Connect and check `maxmemory-policy`. The signal connection opens on the first `subscribe`.
   *
   * @throws {ConfigError} for an invalid option, or an evicting `maxmemory-policy`
   *   when `maxmemoryPolicy` is `"fail"`.
   * @throws {StorageError} when Redis cannot be reached.
   */
  static async connect(config: RedisConfig = {}): Promise<RedisStorage> {
    const cfg = resolveRedisConfig(config);
    const keys = new RedisKeys(cfg.keyPrefix);
    const client = await createConnection(cfg, "commands");
    defineScripts(client);
    try {
      await openConnection(client, cfg);
      await checkMaxmemoryPolicy(client, cfg);
    } catch (err) {
      await quietQuit(client);
      throw wrap("connect", err);
    }
    const subscriber = new SignalSubscriber(
      async () => {
        const conn = await createConnection(cfg, "subscriber");
        await openConnection(conn, cfg);
        return conn;
      },
      keys.channel,
      (err) => cfg.onWarning(`qml: Redis signal subscription failed (${(err as Error).message})`),
    );
    return new RedisStorage(
      client,
      subscriber,
      keys,
      cfg.completedJobTtlMs,
      cfg.commandTimeoutMs,
    );
  }

  /**
   * The ioredis command connection (for tooling and tests; keys are in {@link keys}).
   *
   * @internal
   */
  get redis(): Redis | Cluster {
    return this.#client;
  }

  #script<T>(name: Parameters<typeof runScript>[1], keys: string[], args: (string | number)[]) {
    return this.#deadlines.track(
      name,
      runScript<T>(this.#client, name, keys, args),
      (err) => wrap(name, err),
    );
  }

  async #getMany(ids: readonly string[]): Promise<(Job | null)[]> {
    if (ids.length === 0) return [];
    const reply = await this.#script<string>("getJobs", [this.keys.base], [...ids]);
    const raw = JSON.parse(reply) as (RawJob | false)[] | Record<string, never>;
    return Array.isArray(raw) ? raw.map(decodeJob) : [];
  }

  /** {@inheritDoc Storage.enqueue} */
  async enqueue(
    params: { jobs: readonly Job[]; now: Date; tx?: unknown },
  ): Promise<EnqueueResult[]> {
    const refused = txRefusal("RedisStorage", params.tx);
    if (refused) throw refused;
    const { jobs } = params;
    if (jobs.length === 0) return [];
    const calls: Promise<string[]>[] = [];
    for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
      const batch = JSON.stringify(jobs.slice(i, i + ENQUEUE_CHUNK).map(encodeJob));
      calls.push(this.#script<string[]>("enqueue", [this.keys.base], [batch]));
    }
    const holders = calls.length === 1 ? await calls[0] : (await Promise.all(calls)).flat();
    if (holders.every((h) => h === "")) return jobs.map((job) => ({ job, created: true }));
    // Unique-key hits: the holder is an earlier job of this batch or an older live job.
    const inBatch = new Map(jobs.map((j) => [j.id, j]));
    const missing = [...new Set(holders.filter((h) => h !== "" && !inBatch.has(h)))];
    const loaded = await this.#getMany(missing);
    missing.forEach((id, i) => loaded[i] && inBatch.set(id, loaded[i]!));
    return jobs.map((job, i) => {
      const h = holders[i];
      if (h === "") return { job, created: true };
      const holder = inBatch.get(h);
      if (!holder) throw new StorageError(`unique key holder ${h} of job ${job.id} vanished`);
      return { job: holder, created: false };
    });
  }

  /** {@inheritDoc Storage.get} */
  async get(params: { id: string }): Promise<Job | null> {
    return (await this.#getMany([params.id]))[0];
  }

  /** {@inheritDoc Storage.list} */
  async list(params: ListParams): Promise<JobPage> {
    const { ids, nextCursor } = await listIds(
      this.#scriptFn,
      this.keys.base,
      params,
      listLimit(params.limit),
    );
    return { jobs: (await this.#getMany(ids)).filter((j): j is Job => j !== null), nextCursor };
  }

  /** {@inheritDoc Storage.oldestReady} */
  oldestReady(): Promise<Record<string, Date>> {
    return this.#dash.oldestReady();
  }

  /** {@inheritDoc Storage.counts} */
  async counts(): Promise<JobCounts> {
    const rows = await this.#script<[string, ...number[]][]>("counts", [this.keys.base], [
      ...ALL_STATES,
    ]);
    const out = emptyJobCounts();
    for (const [queue, ...n] of rows) {
      if (n.every((c) => c === 0)) continue;
      ALL_STATES.forEach((s, i) => addCount(out, queue, s, n[i]));
    }
    return out;
  }

  /** {@inheritDoc Storage.fetchAndLock} */
  async fetchAndLock(params: {
    queues: readonly string[];
    limit: number;
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<Job[]> {
    const { queues, now, serverName } = params;
    if (queues.length === 0 || params.limit <= 0) return [];
    const nowMs = now.getTime();
    const reply = await this.#script<string>(
      "fetchAndLock",
      [this.keys.base, ...queues.map((q) => this.keys.ready(q))],
      [
        nowMs,
        params.limit,
        serverName,
        nowMs + params.lockTtlMs,
        encodeEntry(fetchedEntry(serverName, now)),
        ...queues,
      ],
    );
    return decodeJobs(reply);
  }

  /** {@inheritDoc Storage.transition} */
  async transition(params: { items: readonly TransitionItem[]; now: Date }): Promise<boolean[]> {
    if (params.items.length === 0) return [];
    const items = JSON.stringify(
      params.items.map(({ id, guard, next }) => encodeTransition(id, guard, next)),
    );
    const res = await this.#script<number[]>("transition", [this.keys.base], [
      params.now.getTime(),
      this.#ttl,
      items,
    ]);
    return res.map((r) => r === 1);
  }

  /** {@inheritDoc Storage.extendLocks} */
  extendLocks(params: {
    ids: readonly string[];
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<string[]> {
    if (params.ids.length === 0) return Promise.resolve([]);
    const until = params.now.getTime() + params.lockTtlMs;
    return this.#script<string[]>("extendLocks", [this.keys.base], [
      params.serverName,
      until,
      ...params.ids,
    ]);
  }

  /** {@inheritDoc Storage.findExpiredLocks} */
  async findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    if (params.limit <= 0) return [];
    const reply = await this.#script<string>("findExpired", [this.keys.base], [
      params.now.getTime(),
      params.limit,
    ]);
    return decodeJobs(reply);
  }

  /** {@inheritDoc Storage.promoteDue} */
  promoteDue(params: { now: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return Promise.resolve(0);
    return this.#script<number>("promoteDue", [this.keys.base], [
      params.now.getTime(),
      params.limit,
      encodeEntry(promotedEntry(params.now)),
    ]);
  }

  /** {@inheritDoc Storage.purgeExpired} */
  purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return Promise.resolve(0);
    return this.#script<number>("purgeExpired", [this.keys.base], [
      params.now.getTime(),
      params.limit,
    ]);
  }

  /** {@inheritDoc Storage.purgeFinished} */
  purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    if (params.limit <= 0) return Promise.resolve(0);
    const limit = Math.trunc(params.limit);
    return this.#script<number>("purgeFinished", [this.keys.base], [
      params.before.getTime(),
      limit,
      limit * PURGE_SCAN_FACTOR,
    ]);
  }

  /** {@inheritDoc Storage.setProgress} */
  async setProgress(
    params: { id: string; serverName: string; progress: number },
  ): Promise<boolean> {
    const res = await this.#script<number>("setProgress", [this.keys.job(params.id)], [
      params.serverName,
      params.progress,
    ]);
    return res === 1;
  }

  /** {@inheritDoc Storage.upsertRecurring} */
  async upsertRecurring(params: {
    template: Omit<RecurringTemplate, "createdAt" | "updatedAt" | "lastTickAt" | "paused">;
    now: Date;
  }): Promise<RecurringTemplate> {
    const { template, now } = params;
    const [createdAt, lastTickAt, paused] = await this.#script<
      [string, string | null, string | null]
    >(
      "upsertRecurring",
      [this.keys.base, this.keys.recurring(template.name)],
      [template.name, encodeTemplate(template), now.getTime()],
    );
    return decodeTemplate([
      encodeTemplate(template),
      createdAt,
      String(now.getTime()),
      lastTickAt,
      paused,
    ])!;
  }

  /** {@inheritDoc Storage.getRecurring} */
  async getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    if (params.name === "") return null;
    const [row] = await this.#script<string[][]>("getRecurring", [this.keys.base], [params.name]);
    return row ? decodeTemplate(row) : null;
  }

  /** {@inheritDoc Storage.listRecurring} */
  async listRecurring(): Promise<RecurringTemplate[]> {
    const rows = await this.#script<string[][]>("getRecurring", [this.keys.base], [""]);
    return rows.map(decodeTemplate).filter((t): t is RecurringTemplate => t !== null);
  }

  /** {@inheritDoc Storage.removeRecurring} */
  async removeRecurring(params: { name: string }): Promise<boolean> {
    const n = await this.#script<number>(
      "removeRecurring",
      [this.keys.base, this.keys.recurring(params.name)],
      [params.name],
    );
    return n === 1;
  }

  /** {@inheritDoc Storage.claimCronTick} */
  async claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    const holder = await this.#script<string | null>(
      "claimCronTick",
      [this.keys.base, this.keys.recurring(params.name)],
      [params.tickAt.getTime(), JSON.stringify(encodeJob(params.job))],
    );
    if (holder === null) return null;
    return holder === "" ? params.job : await this.get({ id: holder });
  }

  /** {@inheritDoc Storage.acquireLease} */
  async acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    const now = params.now.getTime();
    const res = await this.#script<number>("acquireLease", [this.keys.lease(params.name)], [
      params.holder,
      now,
      now + params.ttlMs,
    ]);
    return res === 1;
  }

  /** {@inheritDoc Storage.releaseLease} */
  async releaseLease(params: { name: string; holder: string }): Promise<void> {
    await this.#script<number>("releaseLease", [this.keys.lease(params.name)], [params.holder]);
  }

  /** The Redis server's clock (`TIME`). */
  async time(): Promise<Date> {
    const [s, us] = await this.redis.time();
    return new Date(Number(s) * 1000 + Math.floor(Number(us) / 1000));
  }

  /** {@inheritDoc Storage.recordServer} */
  recordServer(params: { server: ServerInfo }): Promise<void> {
    return this.#dash.recordServer(params.server);
  }

  /** {@inheritDoc Storage.removeServer} */
  removeServer(params: { name: string }): Promise<void> {
    return this.#dash.removeServer(params.name);
  }

  /** {@inheritDoc Storage.listServers} */
  listServers(): Promise<ServerInfo[]> {
    return this.#dash.listServers();
  }

  /** {@inheritDoc Storage.pruneServers} */
  pruneServers(params: { before: Date }): Promise<number> {
    return this.#dash.pruneServers(params.before);
  }

  /** {@inheritDoc Storage.recordActivity} */
  recordActivity(
    params: { metrics: readonly MetricsBucket[]; changes: readonly JobChange[] },
  ): Promise<void> {
    return this.#dash.recordActivity(params.metrics, params.changes);
  }

  /** {@inheritDoc Storage.queryMetrics} */
  queryMetrics(params: {
    from: Date;
    to: Date;
    resolution: MetricsResolution;
    queue?: string;
    method?: string;
  }): Promise<MetricsBucket[]> {
    return this.#dash.queryMetrics(params);
  }

  /** {@inheritDoc Storage.compactMetrics} */
  compactMetrics(params: { now: Date }): Promise<number> {
    return this.#dash.compactMetrics(params.now);
  }

  /** {@inheritDoc Storage.setRecurringPaused} */
  async setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    const row = await this.#script<(string | null)[] | null>(
      "setRecurringPaused",
      [this.keys.recurring(params.name)],
      [params.paused ? "1" : "0", params.now.getTime()],
    );
    return row ? decodeTemplate(row) : null;
  }

  /** {@inheritDoc Storage.subscribe} */
  subscribe(listener: (signal: StorageSignal) => void): () => void {
    return this.#subscriber.add(listener);
  }

  /** {@inheritDoc Storage.close} */
  close(): Promise<void> {
    this.#deadlines.close();
    this.#closing ??= Promise.all([
      quietQuit(this.#client),
      this.#subscriber.close(),
    ]).then(() => {});
    return this.#closing;
  }
}

function wrap(op: string, err: unknown): QmlError {
  if (err instanceof QmlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError(`redis ${op} failed: ${message}`, {
    cause: err,
    transient: isTransientRedisError(err),
  });
}
