/**
 * Job changes as published through storage (Postgres NOTIFY, Redis pub/sub,
 * in-process for memory) once per written batch, so that a dashboard in any
 * process sees what servers elsewhere do.
 *
 * @module
 */
import type { JobState } from "./job_state.ts";

/** What happened to a job. */
export type JobChangeType =
  | "enqueued"
  | "started"
  | "progress"
  | "succeeded"
  | "failed"
  | "retried"
  | "released"
  | "deleted"
  | "requeued";

/** One job change, small enough to publish many per message. */
export interface JobChange {
  /** What happened. */
  type: JobChangeType;
  /** The job's id. */
  id: string;
  /** The job's queue. */
  queue: string;
  /** The job's method. */
  method: string;
  /** The job's state after the change. */
  state: JobState;
  /** When it happened. */
  at: Date;
  /** Progress 0..100 (for `progress`). */
  progress?: number;
}
