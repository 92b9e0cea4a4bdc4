/**
 * Typed workers: `defineWorker` and the `WorkerRegistry` a server loads.
 *
 * @module
 */
import { ConfigError, UnknownWorkerError, ValidationError } from "./errors.ts";
import { checkMethodName, checkTimeoutMs } from "./job_options.ts";
import { permissionFlags, type WorkerPermissions } from "./permissions.ts";
import { type RetryPolicy, validateRetryPolicy } from "./retry_policy.ts";
import { formatIssue, isStandardSchema, type StandardSchemaV1 } from "./standard_schema.ts";

/** What a running job knows about itself. */
export interface JobInfo {
  /** The job id. */
  id: string;
  /** The worker name. */
  method: string;
  /** The queue. */
  queue: string;
  /** The priority. */
  priority: number;
  /** This attempt's number, 1-based. */
  attempt: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  /** When the job was enqueued. */
  createdAt: Date;
}

/** The second argument of `execute`. */
export interface JobContext {
  /** The job being run. */
  job: JobInfo;
  /** Aborts on timeout, server shutdown or job deletion: stop work when it fires. */
  signal: AbortSignal;
  /** Report progress, 0..100 (stored on the job and streamed to the dashboard). */
  progress(percent: number): void;
  /** Log a line tagged with the job id. */
  log(...data: unknown[]): void;
}

/** An argument validator: a Standard Schema or a parse function that throws on bad input. */
export type ArgsValidator<In, Out> = StandardSchemaV1<In, Out> | ((raw: unknown) => Out);

/** What `defineWorker` takes. */
export interface WorkerOptions<In, Out, R> {
  /** The job method name; unique within a registry. */
  name: string;
  /** Optional validator of the arguments, run before `execute`. */
  args?: ArgsValidator<In, Out>;
  /** Retry policy (default: 5 attempts, exponential backoff from 1 s to 1 h). */
  retry?: RetryPolicy;
  /** Per-attempt timeout; the server's `jobTimeoutMs` applies when absent. */
  timeoutMs?: number;
  /**
   * `"process"`: run this worker's jobs in child processes, which the server can really
   * stop (SIGKILL) at timeout + grace. For CPU-bound handlers: on Deno 2.9 a Web Worker
   * stuck in synchronous code cannot be terminated. Default: the server's `execution`.
   */
  isolation?: "process";
  /** Deno permissions of those child processes (default `"inherit"`); needs `isolation`. */
  permissions?: WorkerPermissions;
  /** The handler. Its JSON-serialisable return value is stored as the job result. */
  execute(args: Out, ctx: JobContext): R | Promise<R>;
}

/** A defined worker; `In` is what enqueue accepts, `Out` what `execute` receives. */
export interface WorkerDefinition<In = unknown, Out = In, R = unknown> {
  /** The method name. */
  readonly name: string;
  /** The argument validator. */
  readonly args?: ArgsValidator<In, Out>;
  /** The retry policy. */
  readonly retry?: RetryPolicy;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  /** `"process"` when its jobs run in child processes. */
  readonly isolation?: "process";
  /** Deno permissions of its child processes. */
  readonly permissions?: WorkerPermissions;
  /** The handler. */
  execute(args: Out, ctx: JobContext): R | Promise<R>;
}

/** The enqueue-side argument type of a validator `V` (else `Fallback`). */
export type InOf<V, Fallback> = V extends StandardSchemaV1<infer I, unknown> ? I
  : V extends (raw: unknown) => infer O ? O
  : Fallback;
/** The handler-side argument type of a validator `V` (else `Fallback`). */
export type OutOf<V, Fallback> = V extends StandardSchemaV1<unknown, infer O> ? O
  : V extends (raw: unknown) => infer O ? O
  : Fallback;

/**
 * Define a typed worker.
 *
 * @example Define and register a worker
 * ```ts
 * import { defineWorker, WorkerRegistry } from "@qml/qml";
 *
 * export const sendEmail = defineWorker({
 *   name: "send_email",
 *   retry: { maxAttempts: 5, backoff: "exponential", baseMs: 1_000 },
 *   async execute(args: { to: string; subject: string }, ctx) {
 *     ctx.progress(50);
 *     return { messageId: `m-${args.to}` };
 *   },
 * });
 * export default new WorkerRegistry().register(sendEmail);
 * ```
 */
export function defineWorker<
  A = unknown,
  R = unknown,
  V extends ArgsValidator<any, any> | undefined = undefined,
>(
  options: WorkerOptions<InOf<V, A>, OutOf<V, A>, R> & { args?: V },
): WorkerDefinition<InOf<V, A>, OutOf<V, A>, R> {
  checkMethodName("worker name", options.name);
  if (typeof options.execute !== "function") {
    throw new ConfigError(`worker "${options.name}" execute`, "expected a function");
  }
  if (options.retry) validateRetryPolicy(options.retry, `worker "${options.name}" retry`);
  if (options.timeoutMs !== undefined) {
    checkTimeoutMs(`worker "${options.name}" timeoutMs`, options.timeoutMs);
  }
  if (options.isolation !== undefined && options.isolation !== "process") {
    throw new ConfigError(
      `worker "${options.name}" isolation`,
      `expected "process" or nothing, got ${JSON.stringify(options.isolation)}`,
    );
  }
  if (options.permissions !== undefined) {
    if (options.isolation !== "process") {
      throw new ConfigError(
        `worker "${options.name}" permissions`,
        'permissions apply to child processes: set isolation: "process" too',
      );
    }
    permissionFlags(options.permissions);
  }
  return Object.freeze({ ...options });
}

/**
 * Validate raw job arguments with the worker's validator.
 *
 * @throws {ValidationError} listing every issue.
 */
export async function parseArgs<In, Out>(
  worker: WorkerDefinition<In, Out, unknown>,
  raw: unknown,
): Promise<Out> {
  const v = worker.args;
  if (v === undefined) return raw as Out;
  if (isStandardSchema(v)) {
    const res = await v["~standard"].validate(raw);
    if (res.issues) {
      const issues = res.issues.map(formatIssue);
      throw new ValidationError(
        `invalid arguments for "${worker.name}": ${issues.join("; ")}`,
        issues,
      );
    }
    return res.value as Out;
  }
  try {
    return await (v as (raw: unknown) => Out)(raw);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`invalid arguments for "${worker.name}": ${msg}`, [msg], {
      cause: err,
    });
  }
}

/**
 * The set of workers a server can run, by name. A workers module's default export.
 *
 * @example
 * ```ts
 * import { defineWorker, WorkerRegistry } from "@qml/qml";
 * const ping = defineWorker({ name: "ping", execute: () => "pong" });
 * const registry = new WorkerRegistry().register(ping);
 * console.log(registry.names()); // ["ping"]
 * ```
 */
export class WorkerRegistry {
  #workers = new Map<string, WorkerDefinition<any, any, unknown>>();

  /** Add workers; a name registered twice is a `ConfigError`. Returns the registry. */
  register(...workers: WorkerDefinition<any, any, any>[]): this {
    for (const w of workers) {
      if (this.#workers.has(w.name)) {
        throw new ConfigError("worker name", `"${w.name}" is registered twice`);
      }
      this.#workers.set(w.name, w);
    }
    return this;
  }

  /** The worker for `method`, or `undefined`. */
  get(method: string): WorkerDefinition<any, any, unknown> | undefined {
    return this.#workers.get(method);
  }

  /**
   * The worker for `method`.
   *
   * @throws {UnknownWorkerError} when none is registered.
   */
  require(method: string): WorkerDefinition<any, any, unknown> {
    const w = this.#workers.get(method);
    if (!w) throw new UnknownWorkerError(method, this.names());
    return w;
  }

  /** Whether a worker is registered for `method`. */
  has(method: string): boolean {
    return this.#workers.has(method);
  }

  /** Registered method names, in registration order. */
  names(): string[] {
    return [...this.#workers.keys()];
  }
}

/** Whether `value` is a {@link WorkerRegistry} (also across module copies). */
export function isWorkerRegistry(value: unknown): value is WorkerRegistry {
  return value instanceof WorkerRegistry ||
    (typeof value === "object" && value !== null &&
      typeof (value as WorkerRegistry).require === "function" &&
      typeof (value as WorkerRegistry).names === "function");
}
