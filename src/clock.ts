/**
 * The clock, injected wherever time matters so tests can control it.
 *
 * @module
 */

/** A source of the current time. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  #ms: number;
  /** Start at `start` (default: the current real time). */
  constructor(start: Date | number = Date.now()) {
    this.#ms = typeof start === "number" ? start : start.getTime();
  }
  /** The current (fake) time. */
  now(): Date {
    return new Date(this.#ms);
  }
  /** Move forward by `ms`. */
  advance(ms: number): void {
    this.#ms += ms;
  }
  /** Jump to `at`. */
  set(at: Date): void {
    this.#ms = at.getTime();
  }
}
