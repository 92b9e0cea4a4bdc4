/**
 * `JobClient`: enqueue, inspect, wait for, delete and requeue jobs.
 *
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";
import { ConfigError, IllegalTransitionError, NotFoundError, WaitTimeoutError } from "./errors.ts";
import { createJob, DEFAULT_MAX_ATTEMPTS, type Job } from "./job.ts";
import { isFinalState } from "./job_state.ts";
import { checkPayload, DEFAULT_MAX_PAYLOAD_BYTES } from "./json.ts";
import type { BackoffSpec } from "./retry_policy.ts";
import type { RecurringTemplate } from "./recurring.ts";
import type { JobCounts, JobPage, ListParams, Storage } from "./storage/storage.ts";
import { decide, DEFAULT_TTLS, type Outcome, type RetentionTtls } from "./transitions.ts";
import { parseArgs, type WorkerDefinition, type WorkerRegistry } from "./worker.ts";

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Queue name (default `"default"`). */
  queue?: string;
  /** Higher runs first within a queue (default 0). */
  priority?: number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** Run no earlier than this time (wins over `delayMs`). */
  runAt?: Date;
  /** Attempts in all (default: the worker's `retry.maxAttempts`, else 5). */
  maxAttempts?: number;
  /** While a live job holds this key, enqueueing another returns that job instead. */
  uniqueKey?: string;
  /** Per-job backoff, overriding the worker's. */
  backoff?: BackoffSpec;
  /** Per-job timeout in ms, overriding the worker's and the server's. */
  timeoutMs?: number;
  /** The caller's transaction (Postgres): the job exists iff it commits. */
  tx?: unknown;
}

/** One item of {@link JobClient.enqueueMany}. */
export interface EnqueueItem {
  /** A defined worker or a method name. */
  worker: WorkerDefinition<any, any, any> | string;
  /** The job's JSON arguments. */
  args?: unknown;
  /** Enqueue options of this job. */
  options?: Omit<EnqueueOptions, "tx">;
}

/** Options of a {@link JobClient}. */
export interface JobClientOptions {
  /** Time source (inject a `ManualClock` in tests). */
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

const ENQUEUE_LIMITS = { priority: 1_000_000, queueLength: 100 } as const;

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
  readonly #maxPayloadBytes: number;

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
    this.#maxPayloadBytes = max;
    this.#clock = options.clock ?? systemClock;
    this.#registry = options.registry;
    this.#ttls = { ...DEFAULT_TTLS, deletedMs: options.deletedTtlMs ?? DEFAULT_TTLS.deletedMs };
  }

  /** The storage this client writes to. */
  get storage(): Storage {
    return this.#storage;
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
    const job = await this.#build({ worker, args, options });
    const [res] = await this.#storage.enqueue({ jobs: [job], now: job.createdAt, tx: options.tx });
    return res.job;
  }

  /** Enqueue many jobs in one storage call (one round trip where the backend allows). */
  async enqueueMany(items: readonly EnqueueItem[], options: { tx?: unknown } = {}): Promise<Job[]> {
    if (items.length === 0) return [];
    const jobs = await Promise.all(items.map((item) => this.#build(item)));
    const res = await this.#storage.enqueue({ jobs, now: this.#clock.now(), tx: options.tx });
    return res.map((r) => r.job);
  }

  async #build(item: EnqueueItem): Promise<Job> {
    const { worker, args = null, options = {} } = item;
    const method = typeof worker === "string" ? worker : worker.name;
    if (typeof method !== "string" || method.length === 0) {
      throw new ConfigError("method", "expected a worker or a non-empty method name");
    }
    checkPayload(args, "args", this.#maxPayloadBytes);
    if (typeof worker !== "string") await parseArgs(worker, args);
    const now = this.#clock.now();
    const def = typeof worker === "string" ? this.#registry?.get(worker) : worker;
    checkOptions(options);
    return createJob({
      method,
      args,
      now,
      queue: options.queue,
      priority: options.priority,
      runAt: options.runAt ??
        (options.delayMs ? new Date(now.getTime() + options.delayMs) : undefined),
      maxAttempts: options.maxAttempts ?? def?.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      uniqueKey: options.uniqueKey,
      backoff: options.backoff,
      timeoutMs: options.timeoutMs,
    });
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

  /** Recurring templates stored on this storage. */
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
      let next;
      try {
        next = decide(job, outcome, { now: this.#clock.now(), ttls: this.#ttls });
      } catch (err) {
        if (err instanceof IllegalTransitionError) return false;
        throw err;
      }
      const [ok] = await this.#storage.transition({
        items: [{ id, guard: { state: job.state }, next }],
        now: this.#clock.now(),
      });
      if (ok) return true;
    }
    return false;
  }
}

function checkOptions(o: EnqueueOptions): void {
  if (o.queue !== undefined && !/^[\w.:\-]{1,100}$/.test(o.queue)) {
    throw new ConfigError(
      "queue",
      `expected 1..${ENQUEUE_LIMITS.queueLength} of letters, digits, _ . : -, got ${
        JSON.stringify(o.queue)
      }`,
    );
  }
  if (
    o.priority !== undefined &&
    (!Number.isInteger(o.priority) || Math.abs(o.priority) > ENQUEUE_LIMITS.priority)
  ) {
    throw new ConfigError(
      "priority",
      `expected an integer in ±${ENQUEUE_LIMITS.priority}, got ${o.priority}`,
    );
  }
  if (o.maxAttempts !== undefined && (!Number.isInteger(o.maxAttempts) || o.maxAttempts < 1)) {
    throw new ConfigError("maxAttempts", `expected an integer ≥ 1, got ${o.maxAttempts}`);
  }
  if (o.delayMs !== undefined && (!Number.isFinite(o.delayMs) || o.delayMs < 0)) {
    throw new ConfigError("delayMs", `expected ms ≥ 0, got ${o.delayMs}`);
  }
  if (o.runAt !== undefined && !(o.runAt instanceof Date && Number.isFinite(o.runAt.getTime()))) {
    throw new ConfigError("runAt", "expected a valid Date");
  }
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0)) {
    throw new ConfigError("timeoutMs", `expected ms > 0, got ${o.timeoutMs}`);
  }
  if (
    o.uniqueKey !== undefined &&
    (typeof o.uniqueKey !== "string" || o.uniqueKey.length === 0 || o.uniqueKey.length > 500)
  ) {
    throw new ConfigError("uniqueKey", "expected a string of 1..500 characters");
  }
}
