/**
 * Time from one authority: the storage's clock, read without a round trip.
 *
 * Lock expiry, rescue, promotion of due jobs, leases and cron ticks compare times
 * written by different processes. Judged by each process's own clock, a server
 * whose clock runs ahead by more than `lockTtlMs` would rescue jobs that another
 * server is still running, promote scheduled jobs and claim cron ticks early.
 * A {@link StorageClock} instead tells the storage's time (`Storage.time()`):
 * it measures the storage clock against this process's monotonic clock
 * (several samples, the one with the lowest round trip wins, its error is at
 * most half that round trip) and then extrapolates with `performance.now()`, so
 * `now()` stays synchronous and a later step of the wall clock (NTP, a resumed
 * VM) changes nothing until the next measurement. While the local wall clock
 * agrees with that estimate within the measurement's error, `now()` returns
 * the wall clock itself: without skew, behaviour is exactly the process clock's.
 *
 * Nothing here is backend-specific: a backend only implements `time()`.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Storage } from "./storage/storage.ts";

/** How often a {@link StorageClock} is measured again (ms). */
export const CLOCK_SYNC_INTERVAL_MS = 30_000;

/** Round trips per measurement; the fastest one is kept. */
const SAMPLES = 3;

/** Measurements kept: a fast old one may beat a slow new one (a busy machine, a busy storage). */
const KEPT = 8;

/** Worst rate at which two hardware clocks drift apart (100 ppm), to age measurements. */
const MAX_DRIFT = 100e-6;

/** One measurement: the storage's time at a moment of the monotonic clock. */
interface Sample {
  /** `performance.now()` at the estimated moment the storage read its clock. */
  mono: number;
  /** The storage's time then (ms since the epoch). */
  storageMs: number;
  /** The round trip of the sample (ms). */
  rttMs: number;
}

/**
 * A clock that tells the storage's time. Until its first measurement it tells
 * the process clock. Servers measure it at start and every
 * {@link CLOCK_SYNC_INTERVAL_MS}; clients measure it lazily (see {@link fresh}).
 *
 * @example Read the storage's time
 * ```ts
 * import { MemoryStorage, StorageClock } from "@qml/qml";
 * const clock = new StorageClock(new MemoryStorage());
 * await clock.sync();
 * console.log(clock.now(), clock.offsetMs);
 * ```
 */
export class StorageClock implements Clock {
  readonly #storage: Pick<Storage, "time">;
  readonly #maxAgeMs: number;
  #samples: Sample[] = [];
  #syncing: Promise<void> | undefined;

  /** A clock on `storage`; `maxAgeMs` is how old a measurement {@link fresh} accepts. */
  constructor(storage: Pick<Storage, "time">, options: { maxAgeMs?: number } = {}) {
    this.#storage = storage;
    this.#maxAgeMs = options.maxAgeMs ?? CLOCK_SYNC_INTERVAL_MS;
  }

  /** The storage's time now, by the best recent measurement (the process clock before any). */
  now(): Date {
    const wall = Date.now();
    const mono = performance.now();
    const s = this.#best(mono);
    if (!s) return new Date(wall);
    const estimate = s.storageMs + (mono - s.mono);
    // Within the measurement's error the two agree: keep the wall clock, so an
    // unskewed process behaves exactly as with the plain process clock.
    return new Date(
      Math.abs(estimate - wall) <= errorOf(s, mono) + 1 ? wall : Math.round(estimate),
    );
  }

  /**
   * How far the storage's clock is ahead of this process's wall clock (ms, negative
   * when behind), or `undefined` before the first measurement.
   */
  get offsetMs(): number | undefined {
    const mono = performance.now();
    const s = this.#best(mono);
    if (!s) return undefined;
    return Math.round(s.storageMs + (mono - s.mono) - Date.now());
  }

  /** Whether a measurement has succeeded. */
  get synced(): boolean {
    return this.#samples.length > 0;
  }

  /**
   * Measure now: {@link SAMPLES} round trips to `storage.time()`, the fastest kept
   * (the storage read its clock about halfway through it, so its error is at most half
   * the round trip). Of the recent measurements, `now()` uses the one with the smallest
   * error bound, a measurement's bound growing with its age by the clocks' worst drift.
   * Concurrent calls share one measurement. Rejects when the storage cannot be
   * reached; the last good measurements stay in use.
   */
  sync(): Promise<void> {
    this.#syncing ??= this.#measure().finally(() => this.#syncing = undefined);
    return this.#syncing;
  }

  /**
   * The storage's time for a producer: waits for the first measurement (one round
   * trip per clock, once), then answers without a round trip and measures again in
   * the background once the last measurement is older than `maxAgeMs`.
   */
  async fresh(): Promise<Date> {
    const last = this.#samples.at(-1);
    if (!last) await this.sync();
    else if (performance.now() - last.mono > this.#maxAgeMs) {
      this.sync().catch(() => {}); // the current estimate serves meanwhile
    }
    return this.now();
  }

  /** Wait for a measurement in progress, if any (never rejects). */
  async settled(): Promise<void> {
    await this.#syncing?.catch(() => {});
  }

  async #measure(): Promise<void> {
    let best: Sample | undefined;
    for (let i = 0; i < SAMPLES; i++) {
      const sent = performance.now();
      const at = await this.#storage.time();
      const rttMs = performance.now() - sent;
      if (!best || rttMs < best.rttMs) {
        best = { mono: sent + rttMs / 2, storageMs: at.getTime(), rttMs };
      }
    }
    this.#samples.push(best!);
    if (this.#samples.length > KEPT) this.#samples.shift();
  }

  #best(mono: number): Sample | undefined {
    let best: Sample | undefined;
    for (const s of this.#samples) if (!best || errorOf(s, mono) < errorOf(best, mono)) best = s;
    return best;
  }
}

/** How far off a measurement may be at `mono`: half its round trip, plus drift since. */
function errorOf(s: Sample, mono: number): number {
  return s.rttMs / 2 + (mono - s.mono) * MAX_DRIFT;
}

const shared = new WeakMap<object, StorageClock>();

/**
 * The one {@link StorageClock} of `storage` in this process, shared by its servers and
 * clients so a measurement taken by one serves all.
 */
export function storageClockOf(storage: Pick<Storage, "time">): StorageClock {
  let clock = shared.get(storage);
  if (!clock) shared.set(storage, clock = new StorageClock(storage));
  return clock;
}
