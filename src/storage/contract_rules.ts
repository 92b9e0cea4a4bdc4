/**
 * Rules of the `Storage` contract that every backend applies the same way: the page
 * size of `list`, counts with every state present, and refusing a transaction a backend
 * cannot join. Backends call these rather than restating them.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { ALL_STATES, type JobState } from "../job_state.ts";
import type { Job } from "../job.ts";
import type { JobCounts } from "./storage.ts";

/** Largest page `list` returns. */
export const MAX_LIST_LIMIT = 1000;

/** The page size `list` uses for a requested `limit`: an integer in 1..{@link MAX_LIST_LIMIT}. */
export function listLimit(limit: number): number {
  return Math.max(1, Math.min(MAX_LIST_LIMIT, Math.trunc(limit) || 1));
}

/** A count of 0 for every state. */
export function zeroCounts(): Record<JobState, number> {
  return Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/** Empty {@link JobCounts}: every state 0, no queue. */
export function emptyJobCounts(): JobCounts {
  return { byState: zeroCounts(), byQueue: {} };
}

/** Add `n` jobs of `queue` in `state` to `counts` (the queue's row zero-filled on first use). */
export function addCount(counts: JobCounts, queue: string, state: JobState, n: number): void {
  counts.byState[state] += n;
  (counts.byQueue[queue] ??= zeroCounts())[state] += n;
}

/**
 * The error for a `tx` given to a backend without transactions (else `null`): storing the
 * job outside the caller's transaction while the caller believes it inside would break the
 * promise that the job exists iff the transaction commits.
 */
export function txRefusal(backend: string, tx: unknown): ConfigError | null {
  return tx === undefined
    ? null
    : new ConfigError("tx", `${backend} has no transactions; enqueue without tx`);
}

/** Order fetched jobs as `fetchAndLock` promises: queue order, priority, run time, id. */
export function sortFetched(jobs: Job[], queues: readonly string[]): Job[] {
  const order = new Map(queues.map((q, i) => [q, i]));
  return jobs.sort((a, b) =>
    order.get(a.queue)! - order.get(b.queue)! || b.priority - a.priority ||
    a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Counts from `(queue, state, n)` rows, every state present with zeros filled in. */
export function countsFromRows(rows: readonly Record<string, unknown>[]): JobCounts {
  const counts = emptyJobCounts();
  for (const r of rows) addCount(counts, r.queue as string, r.state as JobState, r.n as number);
  return counts;
}

/** The progress a SQL backend stores for a reported `progress`: clamped to 0..100, 0 if not finite. */
export function storedProgress(progress: number): number {
  return Number.isFinite(progress) ? Math.min(100, Math.max(0, progress)) : 0;
}
