/**
 * `JobClient`: enqueue, inspect, wait for, delete and requeue jobs.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import { ConfigError, IllegalTransitionError, NotFoundError, WaitTimeoutError } from "./errors.ts";
import type { Job } from "./job.ts";
import {
  type BuildContext,
  buildJob,
  type EnqueueItem,
  type EnqueueOptions,
  JobBatch,
  validates,
} from "./job_builder.ts";
import { isFinalState } from "./job_state.ts";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "./json.ts";
import type { MissedTicksPolicy, RecurringTemplate } from "./recurring.ts";
import { removeRecurring, scheduleRecurring } from "./recurring_store.ts";
import type { EnqueueResult, JobCounts, JobPage, ListParams, Storage } from "./storage/storage.ts";
import { StorageClock, storageClockOf } from "./storage_clock.ts";
import { decide, DEFAULT_TTLS, type Outcome, type RetentionTtls } from "./transitions.ts";
import type { WorkerDefinition, WorkerRegistry } from "./worker.ts";
import { countEnqueued } from "./telemetry/metrics.ts";
import { withEnqueueSpan } from "./telemetry/tracing.ts";

export type { EnqueueItem, EnqueueOptions } from "./job_builder.ts";

/** Options of {@link JobClient.scheduleRecurring}: the options of each job it enqueues. */
export interface RecurringOptions {
  /** Queue of each job (default `"default"`). */
  queue?: string;
  /** Priority of each job (default 0). */
  priority?: number;
  /** IANA timezone the pattern is read in (default UTC). */
  timezone?: string;
  /** Ticks missed while no server ran: `skip` (default), `once` or `all`. */
  missedTicks?: MissedTicksPolicy;
  /** Attempts of each job (default: the worker's). */
  maxAttempts?: number;
}

/** Options of a {@link JobClient}. */
export interface JobClientOptions {
  /**
   * Time source (inject a `ManualClock` in tests). Default: the storage's clock
   * (`storageClockOf(storage)`), measured on the first enqueue and refreshed in the
   * background, so a skewed process never makes a delayed job run early.
   */
  clock?: Clock;
  /** Lets untyped enqueues use the worker's default `maxAttempts`. */
  registry?: WorkerRegistry;
  /** How long deleted jobs are kept (default 7 days). */
  deletedTtlMs?: number;
  /**
   * Largest job arguments, in bytes of UTF-8 JSON (default 1 MiB,
   * `DEFAULT_MAX_PAYLOAD_BYTES`); bigger arguments are a `ValidationError` at enqueue.
   */
  maxPayloadBytes?: number;
}

/**
 * Enqueues and manages jobs on a storage.
 *
 * @example Enqueue and wait
 * ```ts
 * import { JobClient, MemoryStorage } from "@qml/qml";
 * const client = new JobClient(new MemoryStorage());
 * const job = await client.enqueue("send_email", { to: "a@b.c" }, { queue: "default" });
 * console.log((await client.get(job.id))?.state); // "Enqueued"
 * ```
 */
export class JobClient {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #registry?: WorkerRegistry;
  readonly #ttls: RetentionTtls;
  readonly #limits: BuildContext;

  /**
   * Create a client on `storage`.
   *
   * @throws {ConfigError} when `maxPayloadBytes` is not a positive integer.
   */
  constructor(storage: Storage, options: JobClientOptions = {}) {
    this.#storage = storage;
    const max = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ConfigError("maxPayloadBytes", `expected an integer ≥ 1, got ${max}`);
    }
    this.#clock = options.clock ?? storageClockOf(storage);
    this.#registry = options.registry;
    this.#limits = { registry: options.registry, maxPayloadBytes: max };
    this.#ttls = { ...DEFAULT_TTLS, deletedMs: options.deletedTtlMs ?? DEFAULT_TTLS.deletedMs };
  }

  /** The storage this client writes to. */
  get storage(): Storage {
    return this.#storage;
  }

  /** The clock this client stamps jobs with. */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * Enqueue a job for a defined worker (arguments type-checked and validated now)
   * or by method name. With a `uniqueKey` held by a live job, returns that job.
   *
   * @throws {ValidationError} when the arguments are not JSON, are over `maxPayloadBytes`, or
   *   fail the worker's validator.
   */
  enqueue<In>(
    worker: WorkerDefinition<In, any, any>,
    args: In,
    options?: EnqueueOptions,
  ): Promise<Job>;
  /** Enqueue by method name (arguments validated by the worker when it runs). */
  enqueue(method: string, args?: unknown, options?: EnqueueOptions): Promise<Job>;
  async enqueue(
    worker: WorkerDefinition<any, any, any> | string,
    args?: unknown,
    options: EnqueueOptions = {},
  ): Promise<Job> {
    const method = typeof worker === "string" ? worker : worker?.name;
    return await withEnqueueSpan({ queue: options.queue, method, count: 1 }, async () => {
      const job = await buildJob(
        { worker, args, options },
        await this.#now(options.tx),
        this.#limits,
      );
      const [res] = await this.#storage.enqueue({
        jobs: [job],
        now: job.createdAt,
        tx: options.tx,
      });
      countEnqueued([res.job]);
      this.enqueued([res]);
      return res.job;
    });
  }

  /** Enqueue many jobs in one storage call (one round trip where the backend allows). */
  async enqueueMany(items: readonly EnqueueItem[], options: { tx?: unknown } = {}): Promise<Job[]> {
    if (items.length === 0) return [];
    return await withEnqueueSpan({ count: items.length }, async () => {
      const now = await this.#now(options.tx);
      // Most items need no validator: they are built synchronously, without a promise each
      // (that was a good part of the client's cost per job). An item whose worker validates
      // its arguments is built as `enqueue` builds it; the first failure found rejects the
      // batch, as with `Promise.all` over every item.
      const built: (Job | Promise<Job>)[] = new Array(items.length);
      let pending = false;
      const batch = new JobBatch(now, this.#limits);
      for (let k = 0; k < items.length; k++) {
        const item = items[k];
        if (validates(item.worker)) {
          built[k] = buildJob(item, now, this.#limits);
          pending = true;
          continue;
        }
        try {
          built[k] = batch.build(item);
        } catch (err) {
          if (!pending) throw err;
          built[k] = Promise.reject(err);
        }
      }
      const jobs = pending ? await Promise.all(built) : built as Job[];
      const res = await this.#storage.enqueue({ jobs, now, tx: options.tx });
      const out = res.map((r) => r.job);
      countEnqueued(out);
      this.enqueued(res);
      return out;
    });
  }

  /**
   * Called as soon as the storage has stored an enqueue's jobs, before the call returns
   * (a server in this process may already be starting them). Subclasses report it; the
   * base client does nothing.
   */
  protected enqueued(_results: readonly EnqueueResult[]): void {}

  // The storage's time without a round trip per call (one, once, for a new clock).
  // Inside the caller's transaction the first measurement is not awaited: with a
  // one-connection pool it would wait for that very transaction.
  async #now(tx?: unknown): Promise<Date> {
    const clock = this.#clock;
    if (!(clock instanceof StorageClock)) return clock.now();
    if (tx !== undefined && !clock.synced) {
      clock.sync().catch(() => {});
      return clock.now();
    }
    return await clock.fresh();
  }

  /** The job with `id`, or `null`. */
  get(id: string): Promise<Job | null> {
    return this.#storage.get({ id });
  }

  /** Jobs newest first, filtered and paged. */
  list(params: ListParams): Promise<JobPage> {
    return this.#storage.list(params);
  }

  /** Job counts by state and by queue. */
  counts(): Promise<JobCounts> {
    return this.#storage.counts();
  }

  /**
   * Create or update a recurring job: at each tick of `cron` (5 fields, or 6 with seconds
   * first) one job of `worker` with `args` is enqueued, once across all servers. Scheduling
   * a name again updates it and keeps its last tick and paused state.
   *
   * @example Manage a recurring job
   * ```ts
   * import { JobClient, MemoryStorage } from "@qml/qml";
   * const client = new JobClient(new MemoryStorage());
   * await client.scheduleRecurring("daily-report", "0 0 9 * * *", "generate_report", {
   *   kind: "daily",
   * }, { timezone: "UTC" });
   * const job = await client.triggerRecurring("daily-report"); // one job now
   * console.log(job.method); // "generate_report"
   * await client.removeRecurring("daily-report");
   * ```
   *
   * @throws {ValidationError} for a bad name, pattern, timezone, policy or arguments, or a
   *   method the client's registry (when it has one) does not know.
   * @throws {ConfigError} for a bad queue, priority or `maxAttempts` (as at enqueue).
   */
  async scheduleRecurring(
    name: string,
    cron: string,
    worker: WorkerDefinition<any, any, any> | string,
    args: unknown = null,
    options: RecurringOptions = {},
  ): Promise<RecurringTemplate> {
    const method = typeof worker === "string" ? worker : worker.name;
    // A template's creation time is the baseline of its ticks: take it by the storage's clock.
    await this.#now();
    return await scheduleRecurring(
      this.#storage,
      this.#clock,
      { name, cron, method, args, ...options },
      this.#registry,
    );
  }

  /** Remove a recurring job. Returns whether it existed. */
  removeRecurring(name: string): Promise<boolean> {
    return removeRecurring(this.#storage, name);
  }

  /**
   * Pause a recurring job: its ticks enqueue nothing until {@link resumeRecurring}.
   *
   * @throws {NotFoundError} if there is no template `name`.
   */
  pauseRecurring(name: string): Promise<RecurringTemplate> {
    return this.#setPaused(name, true);
  }

  /**
   * Resume a paused recurring job. Ticks missed while paused follow its `missedTicks` policy.
   *
   * @throws {NotFoundError} if there is no template `name`.
   */
  resumeRecurring(name: string): Promise<RecurringTemplate> {
    return this.#setPaused(name, false);
  }

  async #setPaused(name: string, paused: boolean): Promise<RecurringTemplate> {
    const t = await this.#storage.setRecurringPaused({ name, paused, now: await this.#now() });
    if (!t) throw new NotFoundError(`recurring template "${name}"`);
    return t;
  }

  /**
   * Enqueue one job of a recurring template now, outside its schedule (paused or not):
   * its method, arguments, queue, priority and attempts. The schedule is not changed.
   *
   * @throws {NotFoundError} if there is no template `name`.
   */
  async triggerRecurring(name: string): Promise<Job> {
    const t = await this.#storage.getRecurring({ name });
    if (!t) throw new NotFoundError(`recurring template "${name}"`);
    return await this.enqueue(t.method, t.args, {
      queue: t.queue,
      priority: t.priority,
      maxAttempts: t.maxAttempts ?? undefined,
    });
  }

  /** Recurring templates stored on this storage, by name. */
  listRecurring(): Promise<RecurringTemplate[]> {
    return this.#storage.listRecurring();
  }

  /**
   * Resolve with the job once it is final (Succeeded, Failed or Deleted).
   *
   * @throws {WaitTimeoutError} after `timeoutMs` (default 30 s).
   * @throws {NotFoundError} if the job does not exist.
   */
  async waitFor(id: string, options: { timeoutMs?: number } = {}): Promise<Job> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    let pause = 5;
    while (true) {
      const job = await this.get(id);
      if (!job) throw new NotFoundError(`job ${id}`);
      if (isFinalState(job.state)) return job;
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimeoutError(id, job.state, timeoutMs);
      await new Promise((r) => setTimeout(r, Math.min(pause, left)));
      pause = Math.min(pause * 2, 200);
    }
  }

  /**
   * Soft-delete: the job becomes Deleted (kept with its history until retention purges
   * it). A running job's `ctx.signal` is aborted. Returns false if it was already deleted.
   *
   * @throws {NotFoundError} if the job does not exist.
   */
  delete(id: string, reason?: string): Promise<boolean> {
    return this.#apply(id, { type: "deleted", reason });
  }

  /**
   * Run a Succeeded, Failed or Deleted job again (attempts start over).
   * Returns false if it is not in one of those states.
   *
   * @throws {NotFoundError} if the job does not exist.
   */
  requeue(id: string, reason?: string): Promise<boolean> {
    return this.#apply(id, { type: "requeued", reason });
  }

  // Compare-and-set loop: decide on the state we read, apply only if it still holds.
  async #apply(id: string, outcome: Outcome): Promise<boolean> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const job = await this.get(id);
      if (!job) throw new NotFoundError(`job ${id}`);
      const now = await this.#now();
      let next;
      try {
        next = decide(job, outcome, { now, ttls: this.#ttls });
      } catch (err) {
        if (err instanceof IllegalTransitionError) return false;
        throw err;
      }
      const [ok] = await this.#storage.transition({
        items: [{ id, guard: { state: job.state }, next }],
        now,
      });
      if (ok) return true;
    }
    return false;
  }
}
