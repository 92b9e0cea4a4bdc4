/**
 * Sends a server's activity to storage: after each written result batch, one
 * `recordActivity` call with the batch's metrics deltas and job changes, plus the
 * `started` changes of the fetches since the last call. Fetches with no result
 * batch to ride along go out on their own at most every `idleFlushMs`.
 *
 * Activity is best effort and never slows jobs: one call in flight at a time
 * (what comes meanwhile is merged into the next call), no retry (a failed call's
 * delta is dropped), and a failure is logged once as a warning, then at most once
 * a minute at debug level.
 *
 * @module
 */
import type { Logger } from "../logger.ts";
import type { Job } from "../job.ts";
import type { Storage } from "../storage/storage.ts";
import { ActivityAggregate } from "./activity.ts";
import type { WrittenBatch } from "./completion_batcher.ts";

/** Options of an {@link ActivityRecorder}. */
export interface ActivityRecorderOptions {
  /** Where activity is recorded. */
  storage: Storage;
  /** Where failures are reported (rate-limited). */
  logger: Logger;
  /** Longest a `started` change waits for a result batch to ride along (default 250 ms). */
  idleFlushMs?: number;
  /**
   * Least time between two calls (default 100 ms): batches written meanwhile are merged
   * into the next call, so a busy server pays one activity write per interval, not one per
   * result batch, and its result writes keep the database to themselves.
   */
  minIntervalMs?: number;
}

const QUIET_MS = 60_000;

/** Aggregates activity and records it once per written batch. */
export class ActivityRecorder {
  readonly #o: ActivityRecorderOptions;
  #agg = new ActivityAggregate();
  #inFlight: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #warned = false;
  #lastLog = 0;
  #closed = false;
  #lastCall = -Infinity;

  /** Create a recorder. */
  constructor(options: ActivityRecorderOptions) {
    this.#o = options;
  }

  /** Jobs were fetched and started: their changes go out with the next call. */
  started(jobs: readonly Job[]): void {
    if (this.#closed || jobs.length === 0) return;
    this.#agg.started(jobs);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#o.idleFlushMs ?? 250);
  }

  /** A result batch was written: record what applied, with the pending `started` changes. */
  written(batch: WrittenBatch<{ job: Job }>): void {
    if (this.#closed) return;
    const { items, metas, applied } = batch;
    for (let i = 0; i < items.length; i++) {
      if (applied[i]) this.#agg.transitioned(metas[i].job, items[i].next);
    }
    this.#schedule();
  }

  // Call now, or when `minIntervalMs` has passed since the last call.
  #schedule(): void {
    const wait = this.#lastCall + (this.#o.minIntervalMs ?? 100) - performance.now();
    if (wait <= 0) this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, wait);
    }
  }

  #flush(): void {
    if (this.#inFlight || this.#agg.empty) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const delta = this.#agg.take();
    this.#lastCall = performance.now();
    this.#inFlight = this.#o.storage.recordActivity(delta).catch((err) => this.#failed(err))
      .finally(() => {
        this.#inFlight = null;
        // What came while this call was out goes next, merged into one call.
        if (!this.#agg.empty && !this.#closed) this.#schedule();
      });
  }

  #failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (!this.#warned) {
      this.#warned = true;
      this.#lastLog = Date.now();
      this.#o.logger.warn(`could not record activity (dashboard metrics); continuing`, {
        error: message,
      });
    } else if (Date.now() - this.#lastLog >= QUIET_MS) {
      this.#lastLog = Date.now();
      this.#o.logger.debug(`could not record activity`, { error: message });
    }
  }

  /** Send what is pending (best effort) and stop. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    this.#flush();
    this.#closed = true;
    await this.#inFlight;
  }
}
