/**
 * Outcome mapping: how a run's end, as the executor reported it, and what the
 * server did to the run meanwhile (timed it out, cancelled it, lost its lock,
 * shut down) become an {@link Outcome} for the state machine, and that outcome a
 * guarded {@link TransitionItem}. Pure; the dispatcher calls it for each result.
 *
 * @module
 */
import { JobTimeoutError, StorageError, WorkerCrashedError } from "../errors.ts";
import { type Job, type JobError, toJobError } from "../job.ts";
import { JobState } from "../job_state.ts";
import type { RetryPolicy } from "../retry_policy.ts";
import { decide, type Outcome, type RetentionTtls, type TransitionItem } from "../transitions.ts";
import type { RunResult } from "./protocol.ts";

/** What the server did to a run before it ended. */
export const RunFlag = {
  /** Nothing: it ran its course. */
  Normal: 0,
  /** Its timeout passed and its signal was aborted. */
  TimedOut: 1,
  /** The job was deleted while running: another party owns it now. */
  Cancelled: 2,
  /** Its lock was lost (rescued elsewhere): another party owns it now. */
  Lost: 3,
  /** The server is shutting down and aborted it. */
  Shutdown: 4,
} as const;

/** One of {@link RunFlag}. */
export type RunFlag = typeof RunFlag[keyof typeof RunFlag];

/** Why a run released by the server goes back to its queue. */
export const RELEASE_SHUTDOWN = "released: server shutting down";

/**
 * The outcome of a run that ended with `r` after the server flagged it `flag`, or
 * `null` when its result must be dropped (the job is not this server's any more).
 */
export function outcomeOf(r: RunResult, flag: RunFlag, timeoutMs: number): Outcome | null {
  if (flag === RunFlag.Cancelled || flag === RunFlag.Lost) return null;
  if (r.kind === "ok") return { type: "succeeded", result: r.value };
  if (flag === RunFlag.TimedOut) {
    return { type: "failed", error: toJobError(new JobTimeoutError(timeoutMs)) };
  }
  if (flag === RunFlag.Shutdown || r.kind === "terminated") {
    const reason = flag === RunFlag.Shutdown
      ? RELEASE_SHUTDOWN
      : "released: its worker thread was replaced";
    return { type: "released", reason };
  }
  const error: JobError = r.kind === "crashed"
    ? toJobError(new WorkerCrashedError(r.message))
    : r.error;
  return { type: "failed", error, retryable: r.kind === "error" ? r.retryable !== false : true };
}

/** What a server's decisions depend on besides the job and the outcome. */
export interface DecisionContext {
  /** This server's name: the guard's lock holder and the history's server. */
  serverName: string;
  /** Retention of final jobs. */
  ttls: RetentionTtls;
}

/** Decide `outcome` for `job` into a transition item guarded by this server's lock. */
export function decideItem(
  job: Job,
  outcome: Outcome,
  now: Date,
  policy: RetryPolicy | undefined,
  ctx: DecisionContext,
): TransitionItem {
  const next = decide(job, outcome, { now, policy, server: ctx.serverName, ttls: ctx.ttls });
  return { id: job.id, guard: { state: JobState.Processing, lockedBy: ctx.serverName }, next };
}

/**
 * The end of a fetched job whose stored record did not decode ({@link Job.unreadable}):
 * failed at once, not retried (its record stays as it is), without running.
 */
export function unreadableOutcome(job: Job): Outcome {
  const error = toJobError(
    new StorageError(`the stored record of job ${job.id} could not be read (${job.unreadable})`),
  );
  return { type: "failed", error, retryable: false };
}
