/**
 * Server options: the public shape, the defaults, the `QML_*` environment
 * variables, and validation. Everything is checked when the server is built,
 * so a bad value fails at construction with a {@link ConfigError} that names
 * the option and the accepted range, not minutes later in a loop.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { storageClockOf } from "../storage_clock.ts";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "../json.ts";
import { ConfigError } from "../errors.ts";
import { checkQueueName } from "../job_options.ts";
import { consoleLogger, isLogLevel, type Logger, type LogLevel } from "../logger.ts";
import type { Storage } from "../storage/storage.ts";
import { isWorkerRegistry, type WorkerRegistry } from "../worker.ts";
import { defaultServerName } from "./server_name.ts";

/**
 * How handlers run: on a pool of Web Workers, in the server's own isolate, or in child
 * processes (stoppable for real, see process_pool.ts).
 */
export type ExecutionMode = "workers" | "inline" | "process";

/** Options of a `BackgroundJobServer` (see the defaults in {@link SERVER_DEFAULTS}). */
export interface BackgroundJobServerOptions {
  /** Where jobs live. */
  storage: Storage;
  /**
   * The workers module (URL or path; its default export is a `WorkerRegistry`), or, with
   * `execution: "inline"` only, the registry itself.
   */
  workers: URL | string | WorkerRegistry;
  /** This server's name in locks and history (default: `host:pid:random`). */
  serverName?: string;
  /**
   * Jobs running at once on this server, over all threads (default 200). As many finished
   * jobs again may wait for their result to be written. Env: `QML_CONCURRENCY`.
   */
  concurrency?: number;
  /**
   * Web Workers in the pool, and child processes per permission group for process
   * isolation (default: one per core but one, at least one — see {@link defaultThreads}).
   * Env: `QML_WORKERS`.
   */
  threads?: number;
  /**
   * `"workers"` (default), `"inline"`, or `"process"` (every job in a child process; workers
   * marked `isolation: "process"` run there in any mode that has a module URL).
   */
  execution?: ExecutionMode;
  /** Queues served, in strict priority order. Env: `QML_QUEUES` (comma list). */
  queues?: string[];
  /** Poll storage this often when no wake-up signal comes; also the scheduler's period. */
  pollIntervalMs?: number;
  /** Timeout of a job whose worker and job give none. */
  jobTimeoutMs?: number;
  /** Most jobs taken from storage in one call (default: `concurrency`, at most 100; see {@link defaultFetchBatchSize}). */
  fetchBatchSize?: number;
  /** Lock duration of a running job; the heartbeat renews it every third of it. */
  lockTtlMs?: number;
  /** How long `stop()` lets running jobs finish before handing them back. */
  shutdownTimeoutMs?: number;
  /** Run the scheduler (promote due jobs) and the rescuer (expired locks). */
  enableScheduler?: boolean;
  /** Run the cron plugin (recurring templates). */
  enableRecurring?: boolean;
  /** Run retention (purge expired final jobs). */
  enableCleanup?: boolean;
  /**
   * How long Succeeded jobs are kept (default 1 day). 0: a job is deleted as its result is
   * written (nothing left to read back; the cheapest result write on every backend).
   */
  succeededTtlMs?: number;
  /** How long Failed (and Deleted) jobs are kept (default 7 days; 0 as for `succeededTtlMs`). */
  failedTtlMs?: number;
  /** Period of retention sweeps. */
  cleanupIntervalMs?: number;
  /** Period of the cron plugin. */
  recurringPollIntervalMs?: number;
  /**
   * Time source for storage calls and decisions (inject a `ManualClock` in tests).
   * Default: the storage's own clock (`storageClockOf(storage)`), so a server whose
   * clock is skewed neither steals live jobs nor runs anything early.
   */
  clock?: Clock;
  /** Where log lines go (default: the console at `logLevel`). */
  logger?: Logger;
  /** Console log level when no `logger` is given (default `info`). Env: `QML_LOG`. */
  logLevel?: LogLevel;
  /**
   * After a timeout aborts `ctx.signal`, how long a handler gets to return before its Web
   * Worker is terminated (default 1 s). Advanced.
   */
  timeoutGraceMs?: number;
  /**
   * Largest job arguments (enqueued through `server.client`) and largest handler result, in
   * bytes of UTF-8 JSON (default 1 MiB). A bigger result fails its job with a ValidationError.
   */
  maxPayloadBytes?: number;
  /** Environment to read `QML_*` from (default: `Deno.env` when env access is granted). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Defaults of every optional numeric and boolean option. */
export const SERVER_DEFAULTS = {
  /**
   * 200 jobs running (and up to as many finished ones waiting for their result write: see
   * `slots.ts`), fetched 100 at a time so each durable round trip carries 100 jobs. Handlers
   * that share a small database pool or an API quota, or CPU-bound handlers on a few threads
   * (jobs queue in a thread with their timeout running), want a lower value.
   */
  concurrency: 200,
  pollIntervalMs: 1_000,
  jobTimeoutMs: 300_000,
  lockTtlMs: 30_000,
  shutdownTimeoutMs: 10_000,
  succeededTtlMs: 86_400_000,
  failedTtlMs: 604_800_000,
  cleanupIntervalMs: 60_000,
  recurringPollIntervalMs: 5_000,
  timeoutGraceMs: 1_000,
  maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  queues: ["default"] as readonly string[],
} as const;

/**
 * Default `threads`: one Web Worker per core but one, and at least one. The main isolate
 * is busy too — it fetches, decides, writes results and (de)serializes every message to
 * and from the threads — and so is the database on a small machine: a thread per core
 * leaves them fighting for the same cores. On 2 cores that is one thread.
 */
export function defaultThreads(cores: number = navigator.hardwareConcurrency || 1): number {
  return Math.max(1, cores - 1);
}

/**
 * Default `fetchBatchSize`: `concurrency`, at most 100. A finished job's result waits in the
 * write-back (`slots.ts`), not in its run slot, so one fetch can refill every run slot while
 * the last results are written; fewer, larger fetches cost fewer round trips. Past 100 a
 * second fetch goes out while the first is in flight (see `fetch_loop.ts`) rather than one
 * large statement.
 */
export function defaultFetchBatchSize(concurrency: number): number {
  return Math.max(1, Math.min(concurrency, 100));
}

/** Fully resolved, validated configuration: every option set, the environment applied. */
export type ServerConfig =
  & Required<Omit<BackgroundJobServerOptions, "workers" | "queues" | "env" | "logLevel">>
  & {
    /** The workers module URL, or (inline) the registry itself. */
    workers: URL | WorkerRegistry;
    /** Queues served, in strict priority order. */
    queues: readonly string[];
  };

const DAY = 86_400_000;

function readEnv(env: BackgroundJobServerOptions["env"], name: string): string | undefined {
  if (env) return env[name];
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function int(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(option, `expected an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

function envInt(option: string, raw: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      option,
      `expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new ConfigError(option, `expected true or false, got ${String(value)}`);
  }
  return value;
}

function queuesOf(option: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    throw new ConfigError(option, "expected a list of 1..100 queue names");
  }
  for (const q of value) checkQueueName(option, q);
  if (new Set(value).size !== value.length) {
    throw new ConfigError(option, "a queue is listed twice");
  }
  return [...value];
}

function workersOf(value: unknown, execution: ExecutionMode): URL | WorkerRegistry {
  if (isWorkerRegistry(value)) {
    if (execution !== "inline") {
      throw new ConfigError(
        "workers",
        'a WorkerRegistry object only works with execution "inline"; give the URL of its module ' +
          `for execution "${execution}" (each Web Worker or child process imports it)`,
      );
    }
    return value;
  }
  if (value instanceof URL) return value;
  if (typeof value === "string" && value.length > 0) {
    try {
      // A bare path is read relative to the working directory, like `deno run` does.
      return /^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)
        ? new URL(value)
        : new URL(value, `file://${Deno.cwd()}/`);
    } catch {
      throw new ConfigError(
        "workers",
        `expected a module URL or path, got ${JSON.stringify(value)}`,
      );
    }
  }
  throw new ConfigError("workers", "expected a module URL, a path, or (inline) a WorkerRegistry");
}

/** Merge options, environment and defaults; throw {@link ConfigError} on the first bad value. */
export function resolveConfig(o: BackgroundJobServerOptions): ServerConfig {
  if (!o || typeof o !== "object") throw new ConfigError("options", "expected an object");
  const s = o.storage as Partial<Storage> | undefined;
  if (!s || typeof s.fetchAndLock !== "function" || typeof s.transition !== "function") {
    throw new ConfigError("storage", "expected a Storage (e.g. new MemoryStorage())");
  }
  const env = o.env;
  const execution = o.execution ?? "workers";
  if (execution !== "workers" && execution !== "inline" && execution !== "process") {
    throw new ConfigError(
      "execution",
      `expected "workers", "inline" or "process", got ${JSON.stringify(execution)}`,
    );
  }
  const envThreads = readEnv(env, "QML_WORKERS");
  const threads = o.threads !== undefined
    ? int("threads", o.threads, 1, 256)
    : envThreads !== undefined
    ? envInt("QML_WORKERS (threads)", envThreads, 1, 256)
    : defaultThreads();
  const envConc = readEnv(env, "QML_CONCURRENCY");
  const concurrency = o.concurrency !== undefined
    ? int("concurrency", o.concurrency, 1, 100_000)
    : envConc !== undefined
    ? envInt("QML_CONCURRENCY (concurrency)", envConc, 1, 100_000)
    : SERVER_DEFAULTS.concurrency;
  const envQueues = readEnv(env, "QML_QUEUES");
  const queues = o.queues !== undefined
    ? queuesOf("queues", o.queues)
    : envQueues !== undefined
    ? queuesOf("QML_QUEUES (queues)", envQueues.split(",").map((q) => q.trim()).filter(Boolean))
    : [...SERVER_DEFAULTS.queues];
  const envLog = readEnv(env, "QML_LOG");
  let level: LogLevel = "info";
  if (o.logLevel !== undefined) {
    if (!isLogLevel(o.logLevel)) {
      throw new ConfigError(
        "logLevel",
        `expected debug, info, warn, error or silent, got ${o.logLevel}`,
      );
    }
    level = o.logLevel;
  } else if (envLog !== undefined) {
    if (!isLogLevel(envLog)) {
      throw new ConfigError(
        "QML_LOG (logLevel)",
        `expected debug, info, warn, error or silent, got ${JSON.stringify(envLog)}`,
      );
    }
    level = envLog;
  }
  const serverName = o.serverName ?? defaultServerName();
  if (typeof serverName !== "string" || !/^[\w.:\-@]{1,200}$/.test(serverName)) {
    throw new ConfigError("serverName", "expected 1..200 letters, digits, _ . : - @");
  }
  const D = SERVER_DEFAULTS;
  const lockTtlMs = int("lockTtlMs", o.lockTtlMs ?? D.lockTtlMs, 100, DAY);
  if (
    o.logger !== undefined && (typeof o.logger !== "object" || typeof o.logger.warn !== "function")
  ) {
    throw new ConfigError("logger", "expected a Logger (debug, info, warn, error)");
  }
  if (o.clock !== undefined && typeof o.clock?.now !== "function") {
    throw new ConfigError("clock", "expected a Clock with now()");
  }
  return {
    storage: o.storage,
    workers: workersOf(o.workers, execution),
    serverName,
    concurrency,
    threads: Math.min(threads, concurrency),
    execution,
    queues,
    pollIntervalMs: int("pollIntervalMs", o.pollIntervalMs ?? D.pollIntervalMs, 1, DAY),
    jobTimeoutMs: int("jobTimeoutMs", o.jobTimeoutMs ?? D.jobTimeoutMs, 1, 7 * DAY),
    fetchBatchSize: int(
      "fetchBatchSize",
      o.fetchBatchSize ?? defaultFetchBatchSize(concurrency),
      1,
      10_000,
    ),
    lockTtlMs,
    shutdownTimeoutMs: int("shutdownTimeoutMs", o.shutdownTimeoutMs ?? D.shutdownTimeoutMs, 0, DAY),
    enableScheduler: bool("enableScheduler", o.enableScheduler, true),
    enableRecurring: bool("enableRecurring", o.enableRecurring, true),
    enableCleanup: bool("enableCleanup", o.enableCleanup, true),
    succeededTtlMs: int("succeededTtlMs", o.succeededTtlMs ?? D.succeededTtlMs, 0, 3650 * DAY),
    failedTtlMs: int("failedTtlMs", o.failedTtlMs ?? D.failedTtlMs, 0, 3650 * DAY),
    cleanupIntervalMs: int(
      "cleanupIntervalMs",
      o.cleanupIntervalMs ?? D.cleanupIntervalMs,
      10,
      DAY,
    ),
    recurringPollIntervalMs: int(
      "recurringPollIntervalMs",
      o.recurringPollIntervalMs ?? D.recurringPollIntervalMs,
      10,
      DAY,
    ),
    timeoutGraceMs: int("timeoutGraceMs", o.timeoutGraceMs ?? D.timeoutGraceMs, 0, 60_000),
    maxPayloadBytes: int(
      "maxPayloadBytes",
      o.maxPayloadBytes ?? D.maxPayloadBytes,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    // Without an injected clock, time is the storage's (see src/storage_clock.ts).
    clock: o.clock ?? storageClockOf(o.storage),
    logger: o.logger ?? consoleLogger(level),
  };
}
