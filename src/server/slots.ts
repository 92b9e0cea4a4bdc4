/**
 * A server's slots: `concurrency` of them. A job takes one when it is fetched and
 * gives it back only when its result is written (or dropped), so a server never
 * holds more than `concurrency` jobs between storage and storage — running or
 * waiting to be recorded — and a slow write slows fetching instead of letting
 * results pile up (back-pressure).
 *
 * @module
 */

/** Counts taken slots and tells listeners when some are given back. */
export class Slots {
  readonly #size: number;
  #used = 0;
  readonly #listeners: (() => void)[] = [];

  /** `size` slots, all free. */
  constructor(size: number) {
    this.#size = size;
  }

  /** Slots free now. */
  get free(): number {
    return this.#size - this.#used;
  }

  /** Slots taken now. */
  get used(): number {
    return this.#used;
  }

  /** Take `n` slots (a fetch of `n` jobs, which asked for at most {@link Slots.free}). */
  take(n: number): void {
    this.#used += n;
  }

  /** Give back `n` slots and tell every listener. */
  give(n: number): void {
    if (n <= 0) return;
    this.#used = Math.max(0, this.#used - n);
    for (const f of this.#listeners) f();
  }

  /** Call `listener` whenever slots are given back. */
  onFreed(listener: () => void): void {
    this.#listeners.push(listener);
  }
}
