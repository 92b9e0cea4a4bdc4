/**
 * RedisStorage: the high-throughput backend. Every state change is one atomic
 * Lua script (`lua/*.lua`); the key layout is in `keys.ts`, the job encoding in
 * `codec.ts`, wake-ups in `subscriber.ts`.
 *
 * @module
 */
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import type { ServerInfo } from "../../server_info.ts";
import { QmlError, StorageError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import { isTransientRedisError } from "../transient.ts";
import { fetchedEntry, type TransitionItem } from "../../transitions.ts";
import type {
  ActivityRecord,
  EnqueueResult,
  JobCounts,
  JobPage,
  ListParams,
  Storage,
  StorageSignal,
} from "../storage.ts";
import { type RedisConfig, resolveRedisConfig } from "./config.ts";
import { checkMaxmemoryPolicy, createConnection, openConnection } from "./connection.ts";
import { decodeJobs, encodeEntry, encodeTransition } from "./codec.ts";
import { txRefusal } from "../contract_rules.ts";
import type { RedisClient } from "./client.ts";
import { enqueueJobs } from "./enqueue.ts";
import { RedisKeys } from "./keys.ts";
import { defineScripts, runScript, type Script, type ScriptName } from "./scripts.ts";
import { quietQuit, SignalSubscriber } from "./subscriber.ts";
import { Deadlines } from "./deadlines.ts";
import { RedisDashboard } from "./dashboard.ts";
import { countJobs, getJobs, listJobs } from "./list.ts";
import * as maintenance from "./maintenance.ts";
import * as recurring from "./recurring.ts";

export type { RedisConfig } from "./config.ts";

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
  readonly #client: RedisClient;
  readonly #subscriber: SignalSubscriber;
  readonly #ttl: string;
  readonly #deadlines: Deadlines;
  readonly #dash: RedisDashboard;
  #closing: Promise<void> | null = null;

  private constructor(
    client: RedisClient,
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
    this.#dash = new RedisDashboard(
      this.#run,
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
  get redis(): RedisClient {
    return this.#client;
  }

  #script<T>(name: ScriptName, keys: string[], args: (string | number)[]): Promise<T> {
    return this.#deadlines.track(
      name,
      runScript<T>(this.#client, name, keys, args),
      (err) => wrap(name, err),
    );
  }

  // The runner handed to the verb modules.
  #run: Script = (name, keys, args) => this.#script(name, keys, args);

  /** {@inheritDoc Storage.enqueue} */
  enqueue(params: { jobs: readonly Job[]; now: Date; tx?: unknown }): Promise<EnqueueResult[]> {
    const refused = txRefusal("RedisStorage", params.tx);
    if (refused) return Promise.reject(refused);
    return enqueueJobs(this.#run, this.keys, params.jobs);
  }

  /** {@inheritDoc Storage.get} */
  async get(params: { id: string }): Promise<Job | null> {
    return (await getJobs(this.#run, this.keys, [params.id]))[0];
  }

  /** {@inheritDoc Storage.list} */
  list(params: ListParams): Promise<JobPage> {
    return listJobs(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.oldestReady} */
  oldestReady(): Promise<Record<string, Date>> {
    return this.#dash.oldestReady();
  }

  /** {@inheritDoc Storage.counts} */
  counts(): Promise<JobCounts> {
    return countJobs(this.#run, this.keys);
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
      params.items.map(({ id, guard, next }) => encodeTransition(id, guard, next, params.now)),
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
  findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    return maintenance.findExpiredLocks(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.promoteDue} */
  promoteDue(params: { now: Date; limit: number }): Promise<number> {
    return maintenance.promoteDue(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.purgeExpired} */
  purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    return maintenance.purgeExpired(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.purgeFinished} */
  purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    return maintenance.purgeFinished(this.#run, this.keys, params);
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
  upsertRecurring(params: {
    template: RecurringTemplateInput;
    now: Date;
  }): Promise<RecurringTemplate> {
    return recurring.upsertRecurring(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.getRecurring} */
  getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    return recurring.getRecurring(this.#run, this.keys, params.name);
  }

  /** {@inheritDoc Storage.listRecurring} */
  listRecurring(): Promise<RecurringTemplate[]> {
    return recurring.listRecurring(this.#run, this.keys);
  }

  /** {@inheritDoc Storage.removeRecurring} */
  removeRecurring(params: { name: string }): Promise<boolean> {
    return recurring.removeRecurring(this.#run, this.keys, params.name);
  }

  /** {@inheritDoc Storage.setRecurringPaused} */
  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    return recurring.setRecurringPaused(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.claimCronTick} */
  claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    return recurring.claimCronTick(this.#run, this.keys, params, (id) => this.get({ id }));
  }

  /** {@inheritDoc Storage.acquireLease} */
  acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    return maintenance.acquireLease(this.#run, this.keys, params);
  }

  /** {@inheritDoc Storage.releaseLease} */
  releaseLease(params: { name: string; holder: string }): Promise<void> {
    return maintenance.releaseLease(this.#run, this.keys, params);
  }

  /** The Redis server's clock (`TIME`). */
  async time(): Promise<Date> {
    const [s, us] = await this.redis.time();
    return new Date(Number(s) * 1000 + Math.floor(Number(us) / 1000));
  }

  /** {@inheritDoc Storage.recordServer} */
  recordServer(params: { server: ServerInfo }): Promise<void> {
    return this.#dash.recordServer(params);
  }

  /** {@inheritDoc Storage.removeServer} */
  removeServer(params: { name: string }): Promise<void> {
    return this.#dash.removeServer(params);
  }

  /** {@inheritDoc Storage.listServers} */
  listServers(): Promise<ServerInfo[]> {
    return this.#dash.listServers();
  }

  /** {@inheritDoc Storage.pruneServers} */
  pruneServers(params: { before: Date }): Promise<number> {
    return this.#dash.pruneServers(params);
  }

  /** {@inheritDoc Storage.recordActivity} */
  recordActivity(
    params: ActivityRecord,
  ): Promise<void> {
    return this.#dash.recordActivity(params);
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
    return this.#dash.compactMetrics(params);
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
