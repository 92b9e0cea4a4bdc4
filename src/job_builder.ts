/**
 * Building a job from an enqueue call: the enqueue options and their checks, the argument
 * checks (JSON, size, the worker's validator), and the job record itself. `JobClient`
 * builds every job it stores here.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";
import { createJob, type Job } from "./job.ts";
import {
  checkMaxAttempts,
  checkMethodName,
  checkPriority,
  checkQueueName,
  checkRunAt,
  checkTimeoutMs,
  checkUniqueKey,
} from "./job_options.ts";
import { checkPayload } from "./json.ts";
import { type BackoffSpec, resolveMaxAttempts, validateBackoffSpec } from "./retry_policy.ts";
import { currentTraceContext } from "./telemetry/tracing.ts";
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

/** One item of `JobClient.enqueueMany`. */
export interface EnqueueItem {
  /** A defined worker or a method name. */
  worker: WorkerDefinition<any, any, any> | string;
  /** The job's JSON arguments. */
  args?: unknown;
  /** Enqueue options of this job. */
  options?: Omit<EnqueueOptions, "tx">;
}

/** What building a job depends on besides the call: the client's registry and size limit. */
export interface BuildContext {
  /** Lets untyped enqueues use the worker's default `maxAttempts`. */
  registry?: WorkerRegistry;
  /** Largest job arguments, in bytes of UTF-8 JSON. */
  maxPayloadBytes: number;
}

/**
 * Build the job of `item`, running the worker's argument validator when it has one.
 *
 * @throws {ValidationError} for arguments that are not JSON, too big, or refused.
 * @throws {ConfigError} for a bad method name or option.
 */
export async function buildJob(item: EnqueueItem, now: Date, ctx: BuildContext): Promise<Job> {
  const { worker, args = null } = item;
  if (validates(worker)) {
    checkMethodName("method", worker.name);
    checkPayload(args, "args", ctx.maxPayloadBytes);
    await parseArgs(worker, args);
  }
  return new JobBatch(now, ctx).build(item, validates(worker));
}

const NO_OPTIONS: Omit<EnqueueOptions, "tx"> = Object.freeze({});

/**
 * Builds the jobs of one enqueue call. What repeats from item to item (the same method name,
 * the same options object, the trace context of the call) is checked or resolved once per
 * call rather than once per job: a bulk enqueue's cost is then the records themselves.
 */
export class JobBatch {
  readonly #now: Date;
  readonly #ctx: BuildContext;
  readonly #traceContext = currentTraceContext();
  #method: string | undefined;
  #def: WorkerDefinition<any, any, any> | undefined;
  #options: Omit<EnqueueOptions, "tx"> | undefined;

  /** Jobs created at `now`, checked against `ctx`. */
  constructor(now: Date, ctx: BuildContext) {
    this.#now = now;
    this.#ctx = ctx;
  }

  /**
   * Build the job of `item` with every check but the worker's own validator (run by
   * {@link buildJob} first when `checked`).
   *
   * @throws {ValidationError} for arguments that are not JSON or too big.
   * @throws {ConfigError} for a bad method name or option.
   */
  build(item: EnqueueItem, checked = false): Job {
    const { worker, args = null, options = NO_OPTIONS } = item;
    const now = this.#now, ctx = this.#ctx;
    let def: WorkerDefinition<any, any, any> | undefined;
    let method: string;
    if (typeof worker === "string") {
      method = worker;
      // A method name checked (and looked up) for the previous item needs neither again.
      if (method !== this.#method) {
        checkMethodName("method", method);
        this.#def = ctx.registry?.get(method);
        this.#method = method;
      }
      def = this.#def;
    } else {
      method = worker.name;
      if (!checked) checkMethodName("method", method);
      def = worker;
    }
    if (!checked) checkPayload(args, "args", ctx.maxPayloadBytes);
    if (options !== this.#options) {
      checkOptions(options);
      this.#options = options;
    }
    return createJob({
      method,
      args,
      now,
      queue: options.queue,
      priority: options.priority,
      runAt: options.delayMs && options.runAt === undefined
        ? checkRunAt("delayMs", new Date(now.getTime() + options.delayMs))
        : options.runAt,
      maxAttempts: resolveMaxAttempts(options.maxAttempts, def?.retry),
      uniqueKey: options.uniqueKey,
      backoff: options.backoff,
      timeoutMs: options.timeoutMs,
      traceContext: this.#traceContext,
    });
  }
}

/** Whether enqueueing for `worker` runs its argument validator (which may be async). */
export function validates(
  worker: WorkerDefinition<any, any, any> | string,
): worker is WorkerDefinition<any, any, any> {
  return typeof worker !== "string" && worker?.args !== undefined;
}

function checkOptions(o: EnqueueOptions): void {
  if (o.queue !== undefined) checkQueueName("queue", o.queue);
  if (o.priority !== undefined) checkPriority("priority", o.priority);
  if (o.maxAttempts !== undefined) checkMaxAttempts("maxAttempts", o.maxAttempts);
  if (o.delayMs !== undefined && (!Number.isFinite(o.delayMs) || o.delayMs < 0)) {
    throw new ConfigError("delayMs", `expected ms ≥ 0, got ${o.delayMs}`);
  }
  if (o.runAt !== undefined) checkRunAt("runAt", o.runAt);
  if (o.timeoutMs !== undefined) checkTimeoutMs("timeoutMs", o.timeoutMs);
  if (o.uniqueKey !== undefined) checkUniqueKey("uniqueKey", o.uniqueKey);
  if (o.backoff !== undefined) validateBackoffSpec(o.backoff);
}
