/**
 * A server's slots: `concurrency` run slots, plus a write-back for results waiting
 * for their write ({@link writeBackSize}: as many again, at least {@link MIN_WRITE_BACK}, or
 * {@link COMMIT_WRITE_BACK} where every write is a commit). A job takes a run slot when it
 * is fetched; when its handler ends, its result moves to the write-back and the run slot is
 * free for the next fetch, so fetching and running the next jobs overlaps writing
 * the last results instead of waiting for them (a fetch and a write are each a
 * round trip; paid one after the other they halve a fast server's throughput).
 * The write-back is bounded: once it is full, a finished job keeps its run slot
 * until its result is written. So a server never runs more than `concurrency`
 * jobs, never holds more than `concurrency + writeBack` between storage and
 * storage (running, or waiting to be recorded), and a slow write slows fetching
 * instead of letting results pile up (back-pressure).
 *
 * @module
 */

/**
 * The write-back's smallest size. With a handful of run slots, a write-back of only as many
 * results fills while the previous write is still out, and every fetch then waits for a
 * write: one round trip after the other, the fetch-and-write overlap lost exactly where a
 * server is most round-trip-bound (`concurrency: 10` inline drained 0.6–0.8× of the
 * throughput it had before back-pressure). 64 results keep that overlap and still bound
 * what a server holds.
 */
export const MIN_WRITE_BACK = 64;

/**
 * The write-back's smallest size on a storage whose every write is a commit of its own
 * (`Storage.commitPerWrite`: Postgres, SQLite). There a write's cost is mostly the commit and
 * the statement, not its rows, so results wait for company (`completion_batcher.ts`: up to
 * half the write-back while fetches are out); a write-back of 64 or 200 made a write every
 * few fetches, and the database spent its time committing small writes beside the fetches
 * (Postgres inline drains 0.8–0.9x of the unbounded write of old). 500 results are at most a
 * few tens of milliseconds of a fast server's work, and one write of them is one statement
 * (`DEFAULT_MAX_BATCH`).
 */
export const COMMIT_WRITE_BACK = 500;

/**
 * The write-back of a server with `concurrency` run slots: as many again, at least
 * {@link MIN_WRITE_BACK}, or at least {@link COMMIT_WRITE_BACK} when `commitPerWrite`.
 */
export function writeBackSize(concurrency: number, commitPerWrite = false): number {
  return Math.max(concurrency, commitPerWrite ? COMMIT_WRITE_BACK : MIN_WRITE_BACK);
}

/** Counts running jobs and unwritten results; tells listeners when room frees up. */
export class Slots {
  readonly #size: number;
  readonly #writeBack: number;
  #running = 0;
  #writing = 0;
  readonly #listeners: (() => void)[] = [];
  #notifying = false;

  /** `size` run slots and a write-back of `writeBack` results (default `size`), all free. */
  constructor(size: number, writeBack: number = size) {
    this.#size = size;
    this.#writeBack = Math.max(0, writeBack);
  }

  /**
   * Jobs a fetch may take now: run slots free, and no more than the write-back leaves
   * room for (results beyond it still hold their run slots).
   */
  get free(): number {
    const total = this.#size + this.#writeBack - this.#running - this.#writing;
    return Math.max(0, Math.min(this.#size - this.#running, total));
  }

  /** Jobs held now: running, or finished with their result not written yet. */
  get used(): number {
    return this.#running + this.#writing;
  }

  /** Jobs running now (fetched, handler not ended). */
  get running(): number {
    return this.#running;
  }

  /** Results waiting for their write (or being written). */
  get writing(): number {
    return this.#writing;
  }

  /** `n` fetched jobs start running (a fetch that asked for at most {@link Slots.free}). */
  take(n: number): void {
    this.#running += n;
  }

  /** `n` running jobs ended with a result to write: they wait in the write-back. */
  settled(n: number): void {
    if (n <= 0) return;
    const moved = Math.min(n, this.#running);
    this.#running -= moved;
    this.#writing += moved;
    this.#freed();
  }

  /** `n` running jobs ended with nothing to write: their slots are free. */
  dropped(n: number): void {
    if (n <= 0) return;
    this.#running = Math.max(0, this.#running - n);
    this.#freed();
  }

  /** `n` results were written: their room is free. */
  written(n: number): void {
    if (n <= 0) return;
    this.#writing = Math.max(0, this.#writing - n);
    this.#freed();
  }

  /** Call `listener` whenever room frees up. */
  onFreed(listener: () => void): void {
    this.#listeners.push(listener);
  }

  // Once per microtask turn: a batch of results frees its room job by job, and the fetch
  // loop needs one wake-up for all of them, not one each.
  #freed(): void {
    if (this.#notifying) return;
    this.#notifying = true;
    queueMicrotask(() => {
      this.#notifying = false;
      for (const f of this.#listeners) f();
    });
  }
}
