/**
 * The job state machine: every state change is decided here, by pure
 * functions of (job, outcome, retry policy, now). Storage backends only persist
 * a decided {@link Transition}, guarded so that it applies to the job as it
 * was seen; SQL, Lua and memory never re-implement these rules.
 *
 * Two moves are mechanical and done inside the backends for speed, with the
 * history entries defined here: a fetch (Enqueued → Processing, attempts + 1)
 * and a promotion (Scheduled / AwaitingRetry → Enqueued when `runAt` is due).
 *
 * @module
 */
import { IllegalTransitionError } from "./errors.ts";
import type { HistoryEntry, Job, JobError } from "./job.ts";
import { isFinalState, JobState } from "./job_state.ts";
import { backoffDelay, type RetryPolicy } from "./retry_policy.ts";

/** Legal moves: from each state, the states it may enter. Backend-author API (`@qml/qml/backend`). */
export const LEGAL_MOVES: Readonly<Record<JobState, readonly JobState[]>> = {
  Enqueued: [JobState.Processing, JobState.Deleted],
  Scheduled: [JobState.Enqueued, JobState.Deleted],
  AwaitingRetry: [JobState.Enqueued, JobState.Deleted],
  Processing: [
    JobState.Succeeded,
    JobState.Failed,
    JobState.AwaitingRetry,
    JobState.Enqueued,
    JobState.Deleted,
  ],
  Succeeded: [JobState.Enqueued, JobState.Deleted],
  Failed: [JobState.Enqueued, JobState.Deleted],
  Deleted: [JobState.Enqueued],
};

/** Whether the state machine allows `from` → `to`. */
export function canTransition(from: JobState, to: JobState): boolean {
  return LEGAL_MOVES[from].includes(to);
}

/** What happened to a job, as reported to the state machine. */
export type Outcome =
  /** The handler returned `result`. */
  | { type: "succeeded"; result: unknown }
  /** The attempt failed; `retryable: false` fails the job at once (bad args, unknown worker). */
  | { type: "failed"; error: JobError; retryable?: boolean }
  /** The server handed the job back unfinished (graceful shutdown): the attempt does not count. */
  | { type: "released"; reason?: string }
  /** The job's lock expired: its server died. Counts as an attempt. */
  | { type: "lock_expired" }
  /** Soft delete, from any state but Deleted. */
  | { type: "deleted"; reason?: string }
  /** Run it again: from Succeeded, Failed or Deleted, attempts reset. */
  | { type: "requeued"; reason?: string };

/** Retention: how long final jobs are kept (ms). */
export interface RetentionTtls {
  /** How long Succeeded jobs are kept. */
  succeededMs: number;
  /** How long Failed jobs are kept. */
  failedMs: number;
  /** How long Deleted jobs are kept. */
  deletedMs: number;
}

/** Defaults: succeeded jobs 24 h, failed and deleted jobs 7 days. */
export const DEFAULT_TTLS: RetentionTtls = retentionTtls(86_400_000, 604_800_000);

/**
 * Retention from the two configurable TTLs: Deleted jobs are kept as long as Failed
 * ones (both are what an operator may want to look at after the fact).
 */
export function retentionTtls(succeededMs: number, failedMs: number): RetentionTtls {
  return { succeededMs, failedMs, deletedMs: failedMs };
}

/** Everything a decision may depend on besides the job and the outcome. */
export interface DecideContext {
  /** The time of the decision. */
  now: Date;
  /** The worker's retry policy (the job's own `backoff` overrides its backoff). */
  policy?: RetryPolicy;
  /** The server deciding, recorded in the history entry. */
  server?: string;
  /** Retention of final jobs (default {@link DEFAULT_TTLS}). */
  ttls?: RetentionTtls;
  /** Source of randomness for jitter (inject for determinism). */
  random?: () => number;
}

/**
 * The decided next state of a job, with every field a backend must write.
 * Applying it also clears the lock and appends `entry` to the history.
 */
export interface Transition {
  /** The new state. */
  state: JobState;
  /** The new run time. */
  runAt: Date;
  /** The new attempt count. */
  attempts: number;
  /** The stored result. */
  result: unknown;
  /** The stored error. */
  error: JobError | null;
  /** Start of the last attempt. */
  startedAt: Date | null;
  /** Set when the new state is final. */
  finishedAt: Date | null;
  /** When retention may purge the job. */
  expiresAt: Date | null;
  /** The history entry to append. */
  entry: HistoryEntry;
}

/** The guard a backend checks before applying a transition (compare-and-set). */
export interface TransitionGuard {
  /** The job must still be in this state. */
  state: JobState;
  /** …and, if given, still locked by this server. */
  lockedBy?: string;
  /** …and, if true, its lock must have lapsed (`lockedUntil <= now`). */
  lockExpired?: boolean;
}

/** A decision ready for `Storage.transition`. Backend-author API (`@qml/qml/backend`). */
export interface TransitionItem {
  /** The job. */
  id: string;
  /** What must still hold for the transition to apply. */
  guard: TransitionGuard;
  /** The decided transition. */
  next: Transition;
}

function entry(
  state: JobState,
  ctx: DecideContext,
  reason: string,
  error?: JobError,
): HistoryEntry {
  const e: HistoryEntry = { state, at: ctx.now, reason };
  if (ctx.server) e.server = ctx.server;
  if (error) e.error = error;
  return e;
}

function finalTransition(
  job: Job,
  state: JobState,
  ctx: DecideContext,
  fields: { result?: unknown; error?: JobError | null; reason: string; ttlMs: number },
): Transition {
  return {
    state,
    runAt: job.runAt,
    attempts: job.attempts,
    result: fields.result ?? null,
    error: fields.error ?? job.error,
    startedAt: job.startedAt,
    finishedAt: ctx.now,
    expiresAt: new Date(ctx.now.getTime() + fields.ttlMs),
    entry: entry(state, ctx, fields.reason, fields.error ?? undefined),
  };
}

/**
 * Decide what `outcome` does to `job`. Backend-author API (`@qml/qml/backend`): apps change
 * jobs through `JobClient` and servers, never by deciding transitions themselves.
 *
 * @throws {IllegalTransitionError} when the outcome is not allowed from the job's state.
 */
export function decide(job: Job, outcome: Outcome, ctx: DecideContext): Transition {
  const ttls = ctx.ttls ?? DEFAULT_TTLS;
  const requireFrom = (to: JobState, allowed: readonly JobState[]) => {
    if (!allowed.includes(job.state) || !canTransition(job.state, to)) {
      throw new IllegalTransitionError(job.state, to, `outcome "${outcome.type}"`);
    }
  };
  switch (outcome.type) {
    case "succeeded":
      requireFrom(JobState.Succeeded, [JobState.Processing]);
      return finalTransition(job, JobState.Succeeded, ctx, {
        result: outcome.result ?? null,
        error: null,
        reason: "succeeded",
        ttlMs: ttls.succeededMs,
      });
    case "failed":
      return failAttempt(job, outcome.error, outcome.retryable !== false, ctx, ttls);
    case "lock_expired":
      requireFrom(JobState.Enqueued, [JobState.Processing]);
      if (job.attempts >= job.maxAttempts) {
        const error = { name: "LockExpiredError", message: "lock expired: its server stopped" };
        return finalTransition(job, JobState.Failed, ctx, {
          error,
          reason: `lock expired after ${job.attempts} of ${job.maxAttempts} attempts`,
          ttlMs: ttls.failedMs,
        });
      }
      // The server died, not the job: it runs again at once, the attempt counted.
      return {
        ...requeueFields(job, ctx, job.attempts),
        entry: entry(JobState.Enqueued, ctx, `rescued: lock of ${job.lockedBy ?? "?"} expired`),
      };
    case "released":
      requireFrom(JobState.Enqueued, [JobState.Processing]);
      return {
        ...requeueFields(job, ctx, Math.max(0, job.attempts - 1)),
        error: job.error,
        entry: entry(JobState.Enqueued, ctx, outcome.reason ?? "released by server"),
      };
    case "deleted":
      if (job.state === JobState.Deleted) {
        throw new IllegalTransitionError(job.state, JobState.Deleted, "already deleted");
      }
      return finalTransition(job, JobState.Deleted, ctx, {
        result: job.result,
        reason: outcome.reason ?? "deleted",
        ttlMs: ttls.deletedMs,
      });
    case "requeued":
      requireFrom(JobState.Enqueued, [JobState.Succeeded, JobState.Failed, JobState.Deleted]);
      return {
        ...requeueFields(job, ctx, 0),
        entry: entry(JobState.Enqueued, ctx, outcome.reason ?? "requeued"),
      };
  }
}

function requeueFields(job: Job, ctx: DecideContext, attempts: number): Omit<Transition, "entry"> {
  return {
    state: JobState.Enqueued,
    runAt: ctx.now,
    attempts,
    result: null,
    error: null,
    startedAt: job.startedAt,
    finishedAt: null,
    expiresAt: null,
  };
}

function failAttempt(
  job: Job,
  error: JobError,
  retryable: boolean,
  ctx: DecideContext,
  ttls: RetentionTtls,
): Transition {
  if (job.state !== JobState.Processing) {
    throw new IllegalTransitionError(job.state, JobState.Failed, "only a running job can fail");
  }
  const exhausted = job.attempts >= job.maxAttempts;
  if (!retryable || exhausted) {
    return finalTransition(job, JobState.Failed, ctx, {
      error,
      reason: retryable
        ? `attempt ${job.attempts} of ${job.maxAttempts} failed: no attempts left`
        : `failed, not retryable: ${error.message}`,
      ttlMs: ttls.failedMs,
    });
  }
  const delay = backoffDelay(job.attempts, error, {
    jobBackoff: job.backoff,
    policy: ctx.policy,
    random: ctx.random,
  });
  return {
    state: JobState.AwaitingRetry,
    runAt: new Date(ctx.now.getTime() + delay),
    attempts: job.attempts,
    result: null,
    error,
    startedAt: job.startedAt,
    finishedAt: null,
    expiresAt: null,
    entry: entry(
      JobState.AwaitingRetry,
      ctx,
      `attempt ${job.attempts} of ${job.maxAttempts} failed; retry in ${delay} ms`,
      error,
    ),
  };
}

/** The history entry a backend appends when a server takes a job (Enqueued → Processing). */
export function fetchedEntry(server: string, now: Date): HistoryEntry {
  return { state: JobState.Processing, at: now, reason: "fetched", server };
}

/** The history entry a backend appends when a due job is promoted to Enqueued. */
export function promotedEntry(now: Date): HistoryEntry {
  return { state: JobState.Enqueued, at: now, reason: "due" };
}

/**
 * Whether writing `next` at `now` ends its job already expired: a final state whose
 * `expiresAt` is not after `now` (a retention of 0). Backends then delete the job instead of
 * storing it, as the cleanup would next; the transition still applies only if its guard holds.
 */
export function expiredOnWrite(next: Transition, now: Date): boolean {
  return isFinalState(next.state) && next.expiresAt !== null &&
    next.expiresAt.getTime() <= now.getTime();
}

/**
 * Apply a decided transition to a job record in place (the reference semantics
 * that every backend persists): all fields of `next`, lock cleared, entry appended.
 */
export function applyTransition(job: Job, next: Transition): Job {
  job.state = next.state;
  job.runAt = next.runAt;
  job.attempts = next.attempts;
  job.result = next.result;
  job.error = next.error;
  job.startedAt = next.startedAt;
  job.finishedAt = next.finishedAt;
  job.expiresAt = next.expiresAt;
  job.lockedBy = null;
  job.lockedUntil = null;
  job.history.push(next.entry);
  return job;
}
