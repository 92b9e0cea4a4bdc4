/**
 * Jobs by id, with ids kept sorted so pages come newest first (UUIDv7 ids
 * sort by creation time) and a cursor resumes in O(log n).
 *
 * @module
 */
import type { Job } from "../../job.ts";

/**
 * Jobs by id plus the sorted id list that serves paging. A removed id stays in the list as a
 * hole until holes are half of it (then one pass drops them): removing a job one at a time,
 * as a retention of 0 does on every result, costs O(1) amortized instead of a pass each.
 */
export class JobIndex {
  readonly #byId = new Map<string, Job>();
  #sorted: string[] = [];
  readonly #holes = new Set<string>();

  /** The job with `id`. */
  get(id: string): Job | undefined {
    return this.#byId.get(id);
  }

  /** Every job, in no particular order. */
  all(): IterableIterator<Job> {
    return this.#byId.values();
  }

  /** Add a job; ids mostly arrive in order, so this is usually an append. */
  add(job: Job): void {
    this.#byId.set(job.id, job);
    // Stored again under an id whose hole is still in the list: the hole takes it back.
    if (this.#holes.delete(job.id)) return;
    const s = this.#sorted;
    if (s.length === 0 || s[s.length - 1] < job.id) s.push(job.id);
    else s.splice(this.#lowerBound(job.id), 0, job.id);
  }

  /** Remove jobs by id. */
  removeMany(ids: readonly string[]): void {
    for (const id of ids) if (this.#byId.delete(id)) this.#holes.add(id);
    if (this.#holes.size * 2 > this.#sorted.length) {
      const holes = this.#holes;
      this.#sorted = this.#sorted.filter((id) => !holes.has(id));
      holes.clear();
    }
  }

  /**
   * Up to `limit` matching jobs with ids below `cursor` (all when null), newest first.
   * `bounded`, when given, is a further filter applied only to the newest `scanLimit`
   * jobs that pass `match` (a search's bound).
   */
  page(
    cursor: string | null,
    limit: number,
    match: (job: Job) => boolean,
    bounded?: { scanLimit: number; match: (job: Job) => boolean },
  ): { jobs: Job[]; nextCursor: string | null } {
    const jobs: Job[] = [];
    let budget = bounded?.scanLimit ?? Infinity;
    const test = (job: Job): boolean => {
      if (!match(job)) return false;
      budget--;
      return !bounded || bounded.match(job);
    };
    let i = (cursor === null ? this.#sorted.length : this.#lowerBound(cursor)) - 1;
    for (; i >= 0 && jobs.length < limit && budget > 0; i--) {
      const job = this.#byId.get(this.#sorted[i]);
      if (job && test(job)) jobs.push(job);
    }
    // Look ahead for one more match so the last page says it is the last.
    let more = false;
    for (; i >= 0 && budget > 0; i--) {
      const job = this.#byId.get(this.#sorted[i]);
      if (job && test(job)) {
        more = true;
        break;
      }
    }
    return { jobs, nextCursor: more ? jobs[jobs.length - 1].id : null };
  }

  #lowerBound(id: string): number {
    let lo = 0, hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sorted[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
