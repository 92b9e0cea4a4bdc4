/**
 * The job states.
 *
 * @module
 */

/**
 * Every state a job can be in.
 *
 * `Enqueued` → `Processing` → `Succeeded` | `AwaitingRetry` | `Failed`;
 * `Scheduled` / `AwaitingRetry` → `Enqueued` when due; any state → `Deleted`
 * (soft delete); `Failed` / `Succeeded` / `Deleted` → `Enqueued` (requeue).
 *
 * @example
 * ```ts
 * import { JobState } from "@qml/qml";
 * console.log(JobState.Enqueued); // "Enqueued"
 * ```
 */
export const JobState = {
  /** Ready to run as soon as a worker is free. */
  Enqueued: "Enqueued",
  /** Waiting for its `runAt` time. */
  Scheduled: "Scheduled",
  /** Locked by a server and running. */
  Processing: "Processing",
  /** Finished successfully (final). */
  Succeeded: "Succeeded",
  /** Failed for good: attempts exhausted or not retryable (final). */
  Failed: "Failed",
  /** Failed an attempt; waits for its backoff before running again. */
  AwaitingRetry: "AwaitingRetry",
  /** Soft-deleted: kept with its history until retention purges it (final). */
  Deleted: "Deleted",
} as const;

/** One of the {@link JobState} values. */
export type JobState = typeof JobState[keyof typeof JobState];

/** All states, in display order. */
export const ALL_STATES: readonly JobState[] = Object.values(JobState);

/** States in which a job will not run again unless requeued. */
export const FINAL_STATES: readonly JobState[] = [
  JobState.Succeeded,
  JobState.Failed,
  JobState.Deleted,
];

/** Whether `state` is final (Succeeded, Failed or Deleted). */
export function isFinalState(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** Whether `value` names a job state. */
export function isJobState(value: unknown): value is JobState {
  return typeof value === "string" && (ALL_STATES as readonly string[]).includes(value);
}
