/**
 * Deadline watching with a single timer: the server registers each run's
 * deadline, the timer is armed for the earliest one, and on firing the owner
 * sweeps its runs (at most `concurrency` of them) and says when to wake next.
 * One timer instead of one per job keeps the hot path free of timer churn.
 *
 * Deadlines are real elapsed time (`performance.now()`), not the injected
 * clock: a timeout is about how long a handler really ran.
 *
 * @module
 */

/** Calls `sweep` at the earliest registered deadline. */
export class DeadlineTimer {
  readonly #sweep: (now: number) => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #at = Infinity;
  #stopped = false;

  /** `sweep(now)` handles what is due and returns the next deadline (or Infinity). */
  constructor(sweep: (now: number) => number) {
    this.#sweep = sweep;
  }

  /** Make sure the timer fires no later than `at` (a `performance.now()` time). */
  arm(at: number): void {
    if (this.#stopped || at >= this.#at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#at = Infinity;
    const next = this.#sweep(performance.now());
    if (next < Infinity) this.arm(next);
  }

  /** Cancel the timer for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
