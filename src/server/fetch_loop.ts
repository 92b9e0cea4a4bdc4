/**
 * The fetch loop: takes jobs from storage only when there is free capacity,
 * never more than that capacity, at most `batchSize` per call.
 *
 * It fetches while there may be work: after a `ready` signal, after a full
 * batch (the queue may hold more), and on every poll tick (covering missed
 * signals and other servers' writes). Otherwise it sleeps; finished jobs wake
 * it to refill. When the free capacity is more than one batch (`concurrency`
 * above `batchSize`) and the last batch came back full, a second fetch goes out
 * while the first is still in flight, so round trips overlap instead of queuing;
 * slots promised to a fetch in flight are never offered to another one. While busy it yields to the event loop every few milliseconds
 * so that timers (heartbeat, timeouts) and I/O keep running even when every
 * step would otherwise complete in microtasks (inline no-op handlers on
 * MemoryStorage).
 *
 * @module
 */
import type { Logger } from "../logger.ts";

/** Options of a {@link FetchLoop}. */
export interface FetchLoopOptions {
  /** Take up to `limit` jobs and start them; resolve with how many were taken. */
  fetch(limit: number): Promise<number>;
  /** Free slots now. */
  capacity(): number;
  /** Most jobs per fetch. */
  batchSize: number;
  /** Fetch at least this often when there are free slots. */
  pollIntervalMs: number;
  /** Where fetch failures are reported. */
  logger: Logger;
  /** Yield to the event loop after this long busy (default 20 ms). */
  yieldEveryMs?: number;
  /**
   * Most fetches in flight at once (default 2). A second one only goes out when the free
   * capacity exceeds what the first asked for (`concurrency` above `batchSize`).
   */
  maxInFlight?: number;
  /**
   * Told each time the loop goes idle: nothing in flight, and nothing to fetch now or a
   * back-off after a failed fetch.
   */
  idle?: () => void;
}

/** Fetches jobs as capacity frees up. */
export class FetchLoop {
  readonly #o: FetchLoopOptions;
  #pending = true;
  #stopped = true;
  #wake: (() => void) | null = null;
  #poll: ReturnType<typeof setInterval> | undefined;
  #done: Promise<void> = Promise.resolve();
  #errors = 0;
  #backoff = 0;
  #reserved = 0;
  #lastFull = false;
  readonly #inFlight = new Set<Promise<void>>();

  /** Create a stopped loop. */
  constructor(options: FetchLoopOptions) {
    this.#o = options;
  }

  /** Start fetching. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#pending = true;
    this.#poll = setInterval(() => this.signal(), this.#o.pollIntervalMs);
    this.#done = this.#loop();
  }

  /** There may be new work (a `ready` signal, a poll tick): fetch when capacity allows. */
  signal(): void {
    this.#pending = true;
    this.#kick();
  }

  /** Whether a fetch is in flight or about to go (the loop is not parked idle). */
  get busy(): boolean {
    return !this.#stopped && (this.#inFlight.size > 0 || this.#wake === null);
  }

  /** Capacity was freed: fetch again if there may be work. */
  capacityFreed(): void {
    if (this.#pending || (this.#inFlight.size > 0 && this.#lastFull)) this.#kick();
  }

  #kick(): void {
    const w = this.#wake;
    if (w) {
      this.#wake = null;
      w();
    }
  }

  async #loop(): Promise<void> {
    const { batchSize } = this.#o;
    const maxInFlight = this.#o.maxInFlight ?? 2;
    const yieldMs = this.#o.yieldEveryMs ?? 20;
    let lastYield = performance.now();
    while (!this.#stopped) {
      // Slots already promised to fetches in flight are not free for another one.
      const free = this.#o.capacity() - this.#reserved;
      // While a fetch is out, another may go too if the last one came back full (the queues
      // probably hold more): it is not known yet whether the one in flight drains them.
      const mayHaveWork = this.#pending || (this.#inFlight.size > 0 && this.#lastFull);
      if (free <= 0 || !mayHaveWork || this.#inFlight.size >= maxInFlight) {
        const parked = new Promise<void>((r) => this.#wake = r);
        this.#wentIdle();
        await parked;
        continue;
      }
      if (this.#backoff) {
        const pause = this.#backoff;
        this.#backoff = 0;
        const slept = this.#sleep(pause);
        // Backing off after a failed fetch is idle too: results held for a batch go out.
        this.#wentIdle();
        await slept;
        continue;
      }
      this.#pending = false;
      const limit = Math.min(free, batchSize);
      const one = this.#fetchOnce(limit);
      this.#inFlight.add(one);
      void one.finally(() => {
        this.#inFlight.delete(one);
        this.#kick();
      });
      if (performance.now() - lastYield > yieldMs) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
    }
  }

  // Waiting with no fetch out: nothing of the loop's will use the round trip soon.
  #wentIdle(): void {
    if (this.#inFlight.size === 0) this.#o.idle?.();
  }

  async #fetchOnce(limit: number): Promise<void> {
    this.#reserved += limit;
    let got: number;
    try {
      got = await this.#o.fetch(limit);
    } catch (err) {
      this.#reserved -= limit;
      this.#errors++;
      this.#o.logger.warn("fetching jobs failed; retrying", {
        error: err instanceof Error ? err.message : String(err),
      });
      this.#pending = true;
      this.#lastFull = false;
      // Back off up to the poll interval so a storage outage does not spin.
      this.#backoff = Math.min(this.#o.pollIntervalMs, 50 * 2 ** Math.min(this.#errors, 8));
      return;
    }
    this.#reserved -= limit;
    this.#errors = 0;
    // A full batch means the queues may hold more; a short one means they are drained
    // (until a signal or poll says otherwise).
    this.#lastFull = got >= limit;
    if (this.#lastFull) this.#pending = true;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Stop fetching; resolves once the fetches in progress have finished and been handled. */
  async stop(): Promise<void> {
    if (this.#stopped) return await this.#done;
    this.#stopped = true;
    clearInterval(this.#poll);
    this.#kick();
    await this.#done;
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }
}
