/**
 * Job counts by (queue, state) kept up to date as jobs change, so `counts()` costs the
 * number of queues, not the number of jobs.
 *
 * @module
 */
import { ALL_STATES, type JobState } from "../../job_state.ts";
import { addCount, emptyJobCounts, zeroCounts } from "../contract_rules.ts";
import type { JobCounts } from "../storage.ts";

/** Counters by queue and state, plus the state each counted job is counted in. */
export class StateCounts {
  readonly #byQueue = new Map<string, Record<JobState, number>>();
  readonly #counted = new Map<string, JobState>();

  /** Count job `id` of `queue` in `state` (moving it from the state it was counted in). */
  set(id: string, queue: string, state: JobState): void {
    const prev = this.#counted.get(id);
    if (prev === state) return;
    let q = this.#byQueue.get(queue);
    if (!q) this.#byQueue.set(queue, q = zeroCounts());
    if (prev !== undefined) q[prev]--;
    q[state]++;
    this.#counted.set(id, state);
  }

  /** Stop counting job `id` of `queue` (it was deleted for good). */
  remove(id: string, queue: string): void {
    const prev = this.#counted.get(id);
    if (prev === undefined) return;
    this.#counted.delete(id);
    const q = this.#byQueue.get(queue)!;
    q[prev]--;
    if (ALL_STATES.every((s) => q[s] === 0)) this.#byQueue.delete(queue);
  }

  /** A snapshot of the counts. */
  snapshot(): JobCounts {
    const out = emptyJobCounts();
    for (const [queue, q] of this.#byQueue) {
      for (const s of ALL_STATES) addCount(out, queue, s, q[s]);
    }
    return out;
  }
}
