/**
 * For storage backend authors: the `Storage` contract and the pieces every backend builds
 * on — the pure transition module (`decide`, `LEGAL_MOVES`), job records (`createJob`,
 * `copyJob`), and the contract rules all backends share (page size, zero-filled counts,
 * refusing `tx`). Applications do not need this entry: `@qml/qml` has the client, server,
 * workers and the three backends.
 *
 * A backend persists what {@link decide} decided, atomically and guarded by
 * {@link TransitionGuard}; it never re-implements retry or retention rules. The
 * conformance suite in the repository (`tests/storage/conformance/`) checks a backend
 * against the contract.
 *
 * @example A transition as a backend receives it
 * ```ts
 * import { createJob, decide, fetchedEntry } from "@qml/qml/backend";
 * const now = new Date();
 * const job = createJob({ method: "send_email", args: { to: "a@b.c" }, now });
 * // What a backend's fetchAndLock writes: Processing, attempt 1, locked by the server.
 * console.log(fetchedEntry("server-1", now).state); // "Processing"
 * job.state = "Processing";
 * job.attempts = 1;
 * const next = decide(job, { type: "succeeded", result: { ok: true } }, { now });
 * console.log(next.state); // "Succeeded"
 * ```
 *
 * @module
 */

export type {
  ActivityRecord,
  EnqueueResult,
  JobCounts,
  JobPage,
  ListParams,
  Storage,
  StorageSignal,
} from "./src/storage/storage.ts";
export { SEARCH_SCAN_LIMIT } from "./src/storage/storage.ts";
export {
  createJob,
  type CreateJobParams,
  type HistoryEntry,
  type Job,
  type JsonValue,
} from "./src/job.ts";
export { type JobError, toJobError } from "./src/job_error.ts";
export type { BackoffFn, BackoffSpec, RetryPolicy } from "./src/retry_policy.ts";
export {
  ConfigError,
  IllegalTransitionError,
  QmlError,
  type QmlErrorCode,
  StorageError,
} from "./src/errors.ts";
export { ALL_STATES, FINAL_STATES, isFinalState, isJobState, JobState } from "./src/job_state.ts";
export {
  applyTransition,
  canTransition,
  decide,
  type DecideContext,
  DEFAULT_TTLS,
  fetchedEntry,
  LEGAL_MOVES,
  type Outcome,
  promotedEntry,
  type RetentionTtls,
  type Transition,
  type TransitionGuard,
  type TransitionItem,
} from "./src/transitions.ts";
export {
  addCount,
  emptyJobCounts,
  listLimit,
  MAX_LIST_LIMIT,
  txRefusal,
  zeroCounts,
} from "./src/storage/contract_rules.ts";
export { copyData, copyJob, copyTransition } from "./src/storage/job_copy.ts";
export type {
  MissedTicksPolicy,
  RecurringTemplate,
  RecurringTemplateInput,
} from "./src/recurring.ts";
export type { JobChange, JobChangeType } from "./src/activity.ts";
export { decodeChanges, encodeChanges } from "./src/storage/activity_codec.ts";
export {
  addBucket,
  durationBucket,
  emptyBucket,
  floorTo,
  HOUR_RETENTION_MS,
  METRIC_BUCKETS_MS,
  type MetricsBucket,
  type MetricsResolution,
  MINUTE_RETENTION_MS,
  resolutionMs,
} from "./src/metrics.ts";
export { type JobSearch, matchesSearch, parseSearch } from "./src/storage/search.ts";
export { type ServerInfo, type ServerStatus, serverStatus } from "./src/server_info.ts";
