/**
 * What the server and its executors say to each other: the executor contract
 * (shared by the Web Worker pool and the inline executor) and the messages
 * between the main isolate and a Web Worker. Messages carry batches, because
 * one message per job caps throughput (see docs/server.md).
 *
 * @module
 */
import type { Job, JobError } from "../job.ts";

/** The part of a job a handler needs; plain data, cheap to post to a worker. */
export interface WireJob {
  /** Job id. */
  id: string;
  /** Worker name. */
  method: string;
  /** Raw JSON arguments (validated where the handler runs). */
  args: unknown;
  /** Queue name. */
  queue: string;
  /** Job priority. */
  priority: number;
  /** This attempt's number, 1-based. */
  attempt: number;
  /** Attempts allowed. */
  maxAttempts: number;
  /** When the job was created, epoch ms. */
  createdAt: number;
  /** W3C trace context of the enqueuing span; `null` or absent when none. */
  traceContext?: string | null;
}

/** The wire form of a fetched job. */
export function wireJob(job: Job): WireJob {
  return {
    id: job.id,
    method: job.method,
    args: job.args,
    queue: job.queue,
    priority: job.priority,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    createdAt: job.createdAt.getTime(),
    traceContext: job.traceContext ?? null,
  };
}

/**
 * How one run ended, as the executor saw it.
 * - `ok`: the handler returned `value`;
 * - `error`: the handler threw (or its arguments were invalid: `retryable: false`);
 * - `crashed`: its thread died of an uncaught error;
 * - `terminated`: its thread was terminated by the server (hard timeout of this or
 *   another job on the same thread), or the inline executor gave up on it.
 */
export type RunResult =
  | { id: string; kind: "ok"; value: unknown }
  | { id: string; kind: "error"; error: JobError; retryable?: false }
  | { id: string; kind: "crashed"; message: string }
  | { id: string; kind: "terminated" };

/** Why a run's signal is aborted; becomes `signal.reason`'s message. */
export type AbortReason = "timeout" | "cancelled" | "shutdown" | "lock lost";

/** Callbacks an executor reports through. */
export interface ExecutorHooks {
  /** Runs that ended, in batches. */
  onResults(results: RunResult[]): void;
  /** A handler reported progress. */
  onProgress(id: string, percent: number): void;
  /** A handler logged a line. */
  onLog(id: string, text: string): void;
}

/** Runs handlers: a pool of Web Workers or the main isolate. */
export interface Executor {
  /** Load the registry everywhere it is needed; rejects with a `ConfigError` if it cannot. */
  start(): Promise<void>;
  /** Start these runs; their results come back through `onResults`. */
  dispatch(jobs: WireJob[]): void;
  /** Abort the `ctx.signal` of these runs. */
  abort(ids: readonly string[], reason: AbortReason): void;
  /** Hard-stop run `id` now (terminating its thread, if any); reports `terminated` results. */
  kill(id: string): void;
  /** Stop everything; no result is reported after this resolves. */
  stop(): Promise<void>;
}

/** Main → worker. */
export type ToWorker =
  /** `maxPayloadBytes` bounds each result (see src/json.ts). */
  | { t: "init"; url: string; maxPayloadBytes?: number }
  /** `seq` numbers run messages so the worker can acknowledge them (see `ack`). */
  | { t: "run"; jobs: WireJob[]; seq: number }
  | { t: "abort"; ids: string[]; reason: AbortReason };

/** Worker → main. */
export type FromWorker =
  | { t: "ready" }
  | { t: "init_error"; message: string }
  /**
   * Results, progress and log lines; `ack` is the last run message whose jobs have
   * started. A thread that does not acknowledge is busy (CPU-bound handler) or stuck.
   */
  | {
    t: "out";
    results: RunResult[];
    progress: [string, number][];
    logs: [string, string][];
    ack: number;
  };
