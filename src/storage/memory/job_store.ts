/**
 * The in-memory job store: jobs by id, and the heaps keyed by (priority, runAt), runAt,
 * lockedUntil and expiresAt that make every verb O(log n) per job. Heap entries carry the
 * job's version when pushed; a later change bumps it, so old entries are skipped as stale.
 *
 * @module
 */
import { OldestReady } from "./oldest_ready.ts";
import type { Job } from "../../job.ts";
import { isFinalState, JobState } from "../../job_state.ts";
import { Heap } from "./heap.ts";
import { JobIndex } from "./job_index.ts";
import { StateCounts } from "./state_counts.ts";

/** A heap entry: job `id` at version `v`, due at `at` (epoch ms). */
export interface Timed {
  /** The job id. */
  id: string;
  /** The job's version when the entry was pushed. */
  v: number;
  /** The time the entry is ordered by, in epoch ms. */
  at: number;
}

/** A ready-heap entry: also ordered by priority. */
export interface ReadyEntry extends Timed {
  /** The job's priority (higher first). */
  priority: number;
}

const byTime = (a: Timed, b: Timed) => a.at < b.at || (a.at === b.at && a.id < b.id);
const byReady = (a: ReadyEntry, b: ReadyEntry) =>
  a.priority > b.priority || (a.priority === b.priority && byTime(a, b));

/** Jobs plus the indexes serving each verb. */
export class JobStore {
  /** Jobs by id, paged newest first. */
  readonly jobs = new JobIndex();
  /** Each job's current version. */
  readonly versions = new Map<string, number>();
  /** Enqueued jobs per queue, by (priority, runAt). */
  readonly ready = new Map<string, Heap<ReadyEntry>>();
  /** Scheduled and AwaitingRetry jobs by runAt. */
  readonly due = new Heap<Timed>(byTime);
  /** Processing jobs by lockedUntil. */
  readonly locks = new Heap<Timed>(byTime);
  /** Jobs with an expiry, by expiresAt. */
  readonly expiry = new Heap<Timed>(byTime);
  /** Unique key → id of the live job holding it. */
  readonly unique = new Map<string, string>();
  /** Counts by queue and state. */
  readonly counts = new StateCounts();
  /** The earliest `runAt` of each queue's Enqueued jobs (`Storage.oldestReady`). */
  readonly oldestReady = new OldestReady((e) => this.versions.get(e.id) === e.v);

  /**
   * Re-index a job after any change: bump its version (staling old heap entries)
   * and push it onto the heap that serves its new state.
   */
  index(job: Job): void {
    const v = (this.versions.get(job.id) ?? 0) + 1;
    this.versions.set(job.id, v);
    const id = job.id;
    this.counts.set(id, job.queue, job.state);
    switch (job.state) {
      case JobState.Enqueued: {
        let heap = this.ready.get(job.queue);
        if (!heap) this.ready.set(job.queue, heap = new Heap(byReady));
        // One entry serves both heaps (entries are never changed once pushed).
        const e = { id, v, at: job.runAt.getTime(), priority: job.priority };
        heap.push(e);
        this.oldestReady.add(job.queue, e);
        break;
      }
      case JobState.Scheduled:
      case JobState.AwaitingRetry:
        this.due.push({ id, v, at: job.runAt.getTime() });
        break;
      case JobState.Processing:
        this.locks.push({ id, v, at: job.lockedUntil!.getTime() });
        break;
    }
    if (job.expiresAt) this.expiry.push({ id, v, at: job.expiresAt.getTime() });
    if (job.uniqueKey && isFinalState(job.state) && this.unique.get(job.uniqueKey) === id) {
      this.unique.delete(job.uniqueKey);
    }
  }

  /** The job of entry `e`, unless the entry is stale. */
  fresh(e: { id: string; v: number }): Job | undefined {
    return this.versions.get(e.id) === e.v ? this.jobs.get(e.id) : undefined;
  }

  /** Drop `jobs` (already picked for deletion) from the store, its counts and unique keys. */
  remove(jobs: readonly Job[]): void {
    for (const job of jobs) {
      this.versions.delete(job.id);
      this.counts.remove(job.id, job.queue);
      if (job.uniqueKey && this.unique.get(job.uniqueKey) === job.id) {
        this.unique.delete(job.uniqueKey);
      }
    }
    this.jobs.removeMany(jobs.map((j) => j.id));
  }
}
