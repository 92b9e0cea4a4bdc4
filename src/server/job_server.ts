/**
 * `BackgroundJobServer`: fetches jobs from storage and runs them on a pool of
 * Deno Web Workers (or inline), with retries, scheduling, timeouts that really
 * stop a job, lock heartbeats, cancellation, maintenance plugins and a
 * graceful stop. The main isolate owns storage: it fetches, decides every
 * state change with `decide` and persists it; workers only run handlers.
 *
 * @module
 */
import type { JobClient, RecurringOptions } from "../client.ts";
import { ConfigError, QmlError } from "../errors.ts";
import { EventBus } from "../events.ts";
import { syncClock } from "../maintenance/clock_sync.ts";
import type { ServerDescription } from "../maintenance/server_registry.ts";
import { retentionTtls } from "../transitions.ts";
import { QML_VERSION } from "../version.ts";
import { hostName } from "./server_name.ts";
import { MaintenanceRunner } from "../maintenance/runner.ts";
import type { RecurringTemplate } from "../recurring.ts";
import type { StorageSignal } from "../storage/storage.ts";
import { StorageClock } from "../storage_clock.ts";
import { metricsOn, observeQueueDepth, recordStorageTime } from "../telemetry/metrics.ts";
import type { WorkerDefinition, WorkerRegistry } from "../worker.ts";
import { type BackgroundJobServerOptions, resolveConfig, type ServerConfig } from "./config.ts";
import { FetchLoop } from "./fetch_loop.ts";
import { Heartbeat } from "./heartbeat.ts";
import { buildPipeline, type Pipeline } from "./pipeline.ts";
import { loadRegistry } from "./registry_loader.ts";
import type { StuckWorker } from "./routed_executor.ts";
import { ServerJobClient } from "./server_client.ts";
import { heartbeatMs, pluginContext, serverPlugins } from "./server_plugins.ts";

export type { RecurringOptions } from "../client.ts";

/** What `server.health` reports. */
export interface ServerHealth {
  /** False while some terminated Web Worker thread still runs (see `stuck`). */
  ok: boolean;
  /** Where the server is in its life cycle. */
  state: ServerState;
  /**
   * Workers whose terminated Web Worker threads did not stop (a handler stuck in
   * synchronous code, on a Deno whose `terminate()` cannot stop it). Their later jobs run
   * in child processes.
   */
  stuck: StuckWorker[];
}

/** The server's life cycle. */
export type ServerState = "new" | "starting" | "running" | "stopping" | "stopped";

/**
 * Runs background jobs from a storage.
 *
 * @example Run workers from a module
 * ```ts ignore
 * import { BackgroundJobServer, MemoryStorage } from "@qml/qml";
 * const server = new BackgroundJobServer({
 *   storage: new MemoryStorage(),
 *   workers: new URL("./workers.ts", import.meta.url),
 *   concurrency: 20,
 * });
 * await server.start();
 * await server.client.enqueue("send_email", { to: "a@b.c" });
 * await server.stop();
 * ```
 */
export class BackgroundJobServer {
  /** Typed events: jobs started, succeeded, failed…; server started, stopped. */
  readonly events: EventBus;
  readonly #cfg: ServerConfig;
  #client: JobClient;
  #state: ServerState = "new";
  #registry: WorkerRegistry | undefined;
  #pipe: Pipeline | undefined;
  #fetch: FetchLoop | undefined;
  #heartbeat: Heartbeat | undefined;
  #runner: MaintenanceRunner | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopDepth: (() => void) | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  readonly #cancelReported = new Set<string>();

  /**
   * Create a server; every option is validated now.
   *
   * @throws {ConfigError} naming the first invalid option and its accepted range.
   */
  constructor(options: BackgroundJobServerOptions) {
    this.#cfg = resolveConfig(options);
    const cfg = this.#cfg;
    this.events = new EventBus((err, type) =>
      cfg.logger.error(`an event listener of ${type} threw`, { error: String(err) })
    );
    this.#registry = cfg.workers instanceof URL ? undefined : cfg.workers;
    this.#client = this.#makeClient();
  }

  /** A JobClient on the server's storage (knows the registry once loaded). */
  get client(): JobClient {
    return this.#client;
  }

  /** This server's name, as written in locks and job histories. */
  get serverName(): string {
    return this.#cfg.serverName;
  }

  /** Where the server is in its life cycle. */
  get state(): ServerState {
    return this.#state;
  }

  /** The resolved configuration (defaults and environment applied). */
  get config(): Readonly<Omit<ServerConfig, "storage" | "clock" | "logger">> {
    const { storage: _s, clock: _c, logger: _l, ...rest } = this.#cfg;
    return rest;
  }

  /** Jobs running on this server now. */
  get runningJobs(): number {
    return this.#pipe?.dispatcher.size ?? 0;
  }

  #makeClient(): JobClient {
    return new ServerJobClient(this.#cfg.storage, {
      clock: this.#cfg.clock,
      registry: this.#registry,
      deletedTtlMs: retentionTtls(this.#cfg.succeededTtlMs, this.#cfg.failedTtlMs).deletedMs,
      maxPayloadBytes: this.#cfg.maxPayloadBytes,
      events: this.events,
      alreadyReported: (id) => this.#cancelReported.delete(id),
    });
  }

  /**
   * Load the workers module (here and in every Web Worker), then start fetching,
   * heartbeats and maintenance.
   *
   * @throws {ConfigError} when the workers module cannot be loaded or has no registry.
   */
  start(): Promise<void> {
    if (this.#starting) return this.#starting;
    if (this.#state !== "new") {
      return Promise.reject(
        new QmlError("a stopped server cannot start again; create a new BackgroundJobServer"),
      );
    }
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#state = "starting";
    const cfg = this.#cfg;
    try {
      if (cfg.workers instanceof URL) {
        this.#registry = await loadRegistry(cfg.workers);
        this.#client = this.#makeClient();
      }
      const registry = this.#registry!;
      this.#pipe = buildPipeline(cfg, registry, this.events);
      const executor = this.#pipe.executor;
      await executor.start();
      // Time is the storage's from the first fetch on (see src/storage_clock.ts).
      if (cfg.clock instanceof StorageClock) await syncClock(pluginContext(this.#cfg), cfg.clock);
    } catch (err) {
      this.#state = "stopped";
      throw err instanceof QmlError ? err : new ConfigError("workers", String(err));
    }
    this.#wire();
    this.#state = "running";
    cfg.logger.info(`server ${cfg.serverName} started`, {
      execution: cfg.execution,
      threads: cfg.execution === "workers" ? cfg.threads : 0,
      concurrency: cfg.concurrency,
      queues: cfg.queues,
    });
    if (this.events.wants("server.started")) {
      this.events.emit("server.started", {
        serverName: cfg.serverName,
        at: cfg.clock.now(),
        execution: cfg.execution,
        threads: cfg.execution === "workers" ? cfg.threads : 0,
      });
    }
  }

  /** Whether the server runs as configured; `ok: false` while a stuck thread burns a core. */
  get health(): ServerHealth {
    const stuck = this.#pipe?.executor.stuck ?? [];
    return { ok: stuck.length === 0, state: this.#state, stuck };
  }

  // Connect fetching, signals, heartbeat and maintenance once the executor is up.
  #wire(): void {
    const cfg = this.#cfg;
    const pipe = this.#pipe!;
    const dispatcher = pipe.dispatcher;
    const fetch = new FetchLoop({
      batchSize: cfg.fetchBatchSize,
      pollIntervalMs: cfg.pollIntervalMs,
      logger: cfg.logger,
      capacity: () => pipe.slots.free,
      idle: () => pipe.batcher.flush(),
      fetch: async (limit) => {
        const t0 = metricsOn ? performance.now() : 0;
        const jobs = await cfg.storage.fetchAndLock({
          queues: cfg.queues,
          limit,
          serverName: cfg.serverName,
          lockTtlMs: cfg.lockTtlMs,
          now: cfg.clock.now(),
        });
        if (metricsOn) recordStorageTime("fetchAndLock", performance.now() - t0);
        if (jobs.length === 0) return 0;
        pipe.accept(jobs, this.#state === "running");
        return jobs.length;
      },
    });
    this.#fetch = fetch;
    pipe.watchFetch(() => fetch.busy);
    pipe.slots.onFreed(() => fetch.capacityFreed());
    const queues = new Set(cfg.queues);
    this.#stopDepth = observeQueueDepth(async () => {
      const { byQueue } = await cfg.storage.counts();
      return Object.fromEntries(cfg.queues.map((q) => [q, byQueue[q]?.Enqueued ?? 0]));
    });
    this.#unsubscribe = cfg.storage.subscribe((s: StorageSignal) => {
      if (s.kind === "ready") {
        if (queues.has(s.queue)) fetch.signal();
      } else if (s.kind === "cancelled" && dispatcher.cancel(s.id)) {
        this.#reportCancel(s.id);
      }
    });
    this.#heartbeat = new Heartbeat({
      storage: cfg.storage,
      clock: cfg.clock,
      logger: cfg.logger,
      serverName: cfg.serverName,
      lockTtlMs: cfg.lockTtlMs,
      intervalMs: heartbeatMs(this.#cfg),
      held: () => pipe.held(),
      onLost: (ids) => dispatcher.lost(ids),
    });
    this.#runner = new MaintenanceRunner(
      pluginContext(this.#cfg),
      serverPlugins(this.#cfg, this.#registry, this.#describe),
    );
    this.#runner.start();
    this.#heartbeat.start();
    fetch.start();
  }

  #reportCancel(id: string): void {
    this.#cfg.logger.info(`job ${id} was deleted while running; aborting it`);
    if (!this.events.wants("job.deleted")) return;
    // The client that deleted it may be ours: it must not report the delete twice.
    if (this.#cancelReported.size > 1_000) this.#cancelReported.clear();
    this.#cancelReported.add(id);
    this.events.emit("job.deleted", {
      id,
      at: this.#cfg.clock.now(),
      reason: "cancelled while running",
    });
  }

  readonly #startedAt = new Date();
  #describe = (): ServerDescription => ({
    name: this.#cfg.serverName,
    host: hostName(),
    pid: Deno.pid,
    startedAt: this.#startedAt,
    queues: [...this.#cfg.queues],
    concurrency: this.#cfg.concurrency,
    inFlight: this.runningJobs,
    execution: this.#cfg.execution,
    version: QML_VERSION,
  });

  /**
   * Stop gracefully: stop fetching, let running jobs finish for up to
   * `shutdownTimeoutMs`, then abort them and hand the unfinished ones back to
   * their queue (Enqueued, attempt not counted), write every result, stop
   * timers and terminate the workers. Idempotent.
   */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#state === "new") {
      this.#state = "stopped";
      return Promise.resolve();
    }
    this.#stopping = this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const cfg = this.#cfg;
    await this.#starting?.catch(() => {});
    if (this.#state !== "running") return;
    this.#state = "stopping";
    const dispatcher = this.#pipe!.dispatcher;
    const runnerStopped = this.#runner!.stop();
    await this.#fetch!.stop();
    if (!(await dispatcher.waitIdle(cfg.shutdownTimeoutMs))) {
      cfg.logger.warn(`${dispatcher.size} job(s) still running at shutdown; aborting them`);
      dispatcher.abortAll();
      // Handlers that honour their signal return now; the rest are handed back.
      await dispatcher.waitIdle(Math.min(cfg.timeoutGraceMs, 1_000));
      dispatcher.releaseRemaining();
    }
    const left = await this.#pipe!.batcher.drain(
      Date.now() + Math.max(cfg.shutdownTimeoutMs, 1_000),
    );
    if (left > 0) {
      cfg.logger.error(
        `could not record ${left} job result(s) at shutdown; the rescuer will requeue them`,
      );
    }
    this.#pipe!.batcher.close();
    await this.#heartbeat!.stop();
    dispatcher.close();
    await this.#pipe!.progress.close();
    await this.#pipe!.activity.close();
    await runnerStopped;
    await cfg.storage.removeServer({ name: cfg.serverName }).catch(() => {});
    this.#unsubscribe?.();
    this.#stopDepth?.();
    await this.#pipe!.executor.stop();
    this.#state = "stopped";
    cfg.logger.info(`server ${cfg.serverName} stopped`);
    if (this.events.wants("server.stopped")) {
      this.events.emit("server.stopped", { serverName: cfg.serverName, at: cfg.clock.now() });
    }
  }

  /**
   * Create or update a recurring job: {@link JobClient.scheduleRecurring} on this
   * server's client (which checks the method against the server's workers once loaded).
   */
  scheduleRecurring(
    name: string,
    cron: string,
    worker: WorkerDefinition<any, any, any> | string,
    args: unknown = null,
    options: RecurringOptions = {},
  ): Promise<RecurringTemplate> {
    return this.#client.scheduleRecurring(name, cron, worker, args, options);
  }

  /** Remove a recurring job: {@link JobClient.removeRecurring}. Returns whether it existed. */
  removeRecurring(name: string): Promise<boolean> {
    return this.#client.removeRecurring(name);
  }
}
