/**
 * The job record and how a new one is made.
 *
 * @module
 */
import { uuidv7 } from "./ids.ts";
import type { JobError } from "./job_error.ts";
import { JobState } from "./job_state.ts";
import { type BackoffSpec, DEFAULT_MAX_ATTEMPTS } from "./retry_policy.ts";

export { type JobError, toJobError } from "./job_error.ts";
export { DEFAULT_MAX_ATTEMPTS } from "./retry_policy.ts";

/** A JSON value: what job arguments and results must be. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** One line of a job's audit trail: every state change appends one. */
export interface HistoryEntry {
  /** The state the job entered. */
  state: JobState;
  /** When it entered it. */
  at: Date;
  /** Why, in a few words (e.g. `"fetched"`, `"attempt 2 failed"`). */
  reason?: string;
  /** The server that made the change, when a server made it. */
  server?: string;
  /** The error of the failed attempt, on failure entries. */
  error?: JobError;
}

/** A background job: what to run, with which arguments, and everything that happened to it. */
export interface Job {
  /** Time-ordered unique id (UUIDv7). */
  id: string;
  /** The worker's name (the job's method). */
  method: string;
  /** The JSON arguments passed to the worker. */
  args: unknown;
  /** The queue it waits in. */
  queue: string;
  /** Higher runs first within a queue. */
  priority: number;
  /** Current state. */
  state: JobState;
  /** Attempts started so far (incremented when a server takes the job). */
  attempts: number;
  /** Attempts allowed before the job fails for good. */
  maxAttempts: number;
  /** Per-job backoff that overrides the worker's, if any. */
  backoff: BackoffSpec | null;
  /** Per-job timeout that overrides the worker's and the server's, if any. */
  timeoutMs: number | null;
  /** Earliest time it may run (for Scheduled and AwaitingRetry: when it becomes Enqueued). */
  runAt: Date;
  /** When it was enqueued. */
  createdAt: Date;
  /** When the current or last attempt started. */
  startedAt: Date | null;
  /** When it reached a final state. */
  finishedAt: Date | null;
  /** When retention may purge it (set on final states). */
  expiresAt: Date | null;
  /** The server holding its lock while Processing. */
  lockedBy: string | null;
  /** When that lock lapses unless extended. */
  lockedUntil: Date | null;
  /** The worker's JSON result, once Succeeded. */
  result: unknown;
  /** The last attempt's error. */
  error: JobError | null;
  /** While the job is live, no other live job may have the same key. */
  uniqueKey: string | null;
  /**
   * W3C trace context of the span that enqueued the job (`traceparent`, then `;tracestate`
   * if any), or `null` when tracing was off. Job spans continue this trace.
   */
  traceContext: string | null;
  /** Last progress reported by the worker, 0..100. */
  progress: number;
  /** Every state change, oldest first. */
  history: HistoryEntry[];
  /**
   * Set only on a job read back from storage whose stored record could not be decoded
   * (written by hand, by another program, or damaged): what failed to parse. Those fields
   * read as `null`; a server fails such a job without running it (`StorageError`), so one
   * bad record never stops a queue.
   */
  unreadable?: string;
}

/** What {@link createJob} needs. */
export interface CreateJobParams {
  /** The worker's name. */
  method: string;
  /** The JSON arguments. */
  args: unknown;
  /** Creation time (also the run time unless `runAt` is later). */
  now: Date;
  /** Queue (default `"default"`). */
  queue?: string;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Earliest run time; later than `now` makes the job Scheduled. */
  runAt?: Date;
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  /** Unique key while live. */
  uniqueKey?: string | null;
  /** Per-job backoff. */
  backoff?: BackoffSpec | null;
  /** Per-job timeout. */
  timeoutMs?: number | null;
  /** Reason of the first history entry. */
  reason?: string;
  /** W3C trace context of the enqueuing span. */
  traceContext?: string | null;
}

/**
 * Build a new job record (pure apart from the id): Enqueued, or Scheduled when `runAt` is
 * later than `now`. Backend-author API (`@qml/qml/backend`): apps enqueue with `JobClient`.
 * The record shares no Date with `p` or with any other record (backends hand a created job
 * back to the caller as it is and store their own copy, so it must be the caller's alone);
 * within the record, `createdAt`, the first history entry and a defaulted `runAt` are one
 * Date, as they always were (a V8 Date is ~100 bytes: bulk enqueues make thousands).
 */
export function createJob(p: CreateJobParams): Job {
  const created = new Date(p.now.getTime());
  const later = p.runAt !== undefined && p.runAt.getTime() > created.getTime();
  const state = later ? JobState.Scheduled : JobState.Enqueued;
  return {
    id: uuidv7(),
    method: p.method,
    args: p.args === undefined ? null : p.args,
    queue: p.queue ?? "default",
    priority: p.priority ?? 0,
    state,
    attempts: 0,
    maxAttempts: p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: p.backoff ?? null,
    timeoutMs: p.timeoutMs ?? null,
    runAt: p.runAt === undefined ? created : new Date(p.runAt.getTime()),
    createdAt: created,
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
    lockedBy: null,
    lockedUntil: null,
    result: null,
    error: null,
    uniqueKey: p.uniqueKey ?? null,
    traceContext: p.traceContext ?? null,
    progress: 0,
    history: [{
      state,
      at: created,
      reason: p.reason ?? (state === JobState.Scheduled ? "scheduled" : "enqueued"),
    }],
  };
}
