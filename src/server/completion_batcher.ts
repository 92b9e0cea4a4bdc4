/**
 * Completion batching: decided transitions of finished jobs are collected and
 * written with one `storage.transition` call per event-loop turn, at most
 * `maxBatch` per call and `maxInFlight` calls at a time (two by default, so one
 * batch collects while another commits). Each written batch is
 * handed on (`onWritten`) to the stages after it: events, activity, and the
 * slots that let the fetch loop take more work, so a job holds its slot until
 * its result is written and results cannot pile up faster than they are stored.
 * While the fetch stage is busy (`busy`), fewer than `minBatch` results wait for
 * more instead of taking a commit of their own; the fetch loop going idle
 * (`flush`) sends whatever waits, so no timer is involved and a lone result is
 * written as soon as the server has nothing else to do.
 *
 * Batch isolation (`src/storage/batch_isolation.ts`): a write that fails for a
 * reason tied to what it carried (a value the backend refuses) is split in
 * halves until the item that causes it is found; that job is recorded as Failed
 * with the error (through `poisoned`, which decides it), and the rest are
 * written. A transient failure (connection lost, timeout; see
 * `src/storage/transient.ts`) keeps the whole batch and retries it after
 * `retryMs`: locks may lapse meanwhile, in which case the rescuer requeues the
 * jobs and the late transitions simply do not apply.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { Storage } from "../storage/storage.ts";
import { transitionIsolated } from "../storage/batch_isolation.ts";
import type { TransitionItem } from "../transitions.ts";

/** What one write stored: the items (as written), their metas, and whether each applied. */
export interface WrittenBatch<M> {
  /** The transitions written (a poisoned item is replaced by its Failed transition). */
  items: TransitionItem[];
  /** The meta given with each item. */
  metas: M[];
  /** Whether each transition applied (its guard held). */
  applied: boolean[];
}

/** Options of a {@link CompletionBatcher}. */
export interface CompletionBatcherOptions<M> {
  /** Where transitions are written. */
  storage: Storage;
  /** Supplies `now` of each write. */
  clock: Clock;
  /** Where write failures are reported. */
  logger: Logger;
  /** The next stage: told what each write stored. */
  onWritten(batch: WrittenBatch<M>): void;
  /**
   * The Failed transition that replaces `item`, which the storage refused for itself
   * with `error`; `null` to drop it (the job stays locked; the rescuer requeues it).
   */
  poisoned(item: TransitionItem, meta: M, error: unknown): TransitionItem | null;
  /** Most transitions per storage call (default {@link DEFAULT_MAX_BATCH}). */
  maxBatch?: number;
  /** Delay before retrying after a transient failure (default 1 s). */
  retryMs?: number;
  /** Most writes at once (default 2). Items of one job are never in two writes. */
  maxInFlight?: number;
  /**
   * While this says the server is busy fetching, fewer than `minBatch` transitions wait
   * for more (or for {@link CompletionBatcher.flush}) instead of going out on their own.
   */
  busy?: () => boolean;
  /** The smallest write made while `busy` (default 1: never wait). */
  minBatch?: number;
}

/**
 * Default most transitions per write. A server's slots bound what can be pending
 * anyway (`concurrency`); this caps one statement's size when concurrency is large.
 */
export const DEFAULT_MAX_BATCH = 500;

/** Collects transitions and writes them in bounded batches. */
export class CompletionBatcher<M> {
  readonly #o: CompletionBatcherOptions<M>;
  readonly #maxBatch: number;
  #items: TransitionItem[] = [];
  #metas: M[] = [];
  #ids = new Set<string>();
  #scheduled = false;
  readonly #inFlight = new Set<Promise<void>>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** Create a batcher. */
  constructor(options: CompletionBatcherOptions<M>) {
    this.#o = options;
    this.#maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  /** Number of transitions not written yet (waiting or being written). */
  get pending(): number {
    return this.#ids.size;
  }

  /** Ids of jobs whose transition is not written yet (their locks still need the heartbeat). */
  pendingIds(): Iterable<string> {
    return this.#ids;
  }

  /** Queue a transition; `meta` is handed on with it. */
  add(item: TransitionItem, meta: M): void {
    this.#items.push(item);
    this.#metas.push(meta);
    this.#ids.add(item.id);
    if (this.#items.length >= this.#maxBatch) this.#run();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // A microtask: every result delivered in the current turn joins this batch.
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#run();
      });
    }
  }

  /** Write what waits now, however little (the server has nothing else to do). */
  flush(): void {
    this.#run(true);
  }

  // A write goes out when it is full enough, or when nothing else would use the round trip:
  // while fetches keep a connection busy, a write of a few results costs a commit (and a
  // database's CPU) that the same write a little later shares with many more.
  #run(force = false): void {
    const max = this.#o.maxInFlight ?? 2;
    const min = this.#o.minBatch ?? 1;
    while (
      this.#items.length > 0 && this.#inFlight.size < max && this.#retryTimer === undefined &&
      (force || this.#items.length >= min || !this.#o.busy?.())
    ) {
      const one: Promise<void> = this.#write().finally(() => {
        this.#inFlight.delete(one);
        // Items that arrived while writing go out now rather than wait for another add.
        this.#run();
      });
      this.#inFlight.add(one);
    }
  }

  async #write(): Promise<void> {
    const n = Math.min(this.#items.length, this.#maxBatch);
    const items = this.#items.splice(0, n);
    const metas = this.#metas.splice(0, n);
    const { written, left, error } = await this.#writeIsolated(items, metas);
    if (left.length > 0) {
      this.#o.logger.warn(`could not record ${left.length} job result(s); retrying`, {
        error: error instanceof Error ? error.message : String(error),
      });
      this.#items = left.map((i) => items[i]).concat(this.#items);
      this.#metas = left.map((i) => metas[i]).concat(this.#metas);
      this.#retryTimer ??= setTimeout(() => {
        this.#retryTimer = undefined;
        this.#run();
      }, this.#o.retryMs ?? 1_000);
    }
    if (written.items.length === 0) return;
    for (const it of written.items) this.#ids.delete(it.id);
    this.#o.onWritten(written);
  }

  // Write `items`, splitting on failures tied to the data. Returns what was written and
  // the indexes left for a retry (after a transient failure), with that failure.
  async #writeIsolated(
    items: TransitionItem[],
    metas: M[],
  ): Promise<{ written: WrittenBatch<M>; left: number[]; error: unknown }> {
    const { stored, applied, left, error } = await transitionIsolated(this.#o.storage, items, {
      now: () => this.#o.clock.now(),
      refused: (i, err) => this.#replacePoisoned(items[i], metas[i], err),
      splitting: (err) =>
        this.#o.logger.warn(
          `could not record ${items.length} job result(s); writing them in parts to find the cause`,
          { error: err instanceof Error ? err.message : String(err) },
        ),
    });
    const written: WrittenBatch<M> = { items: [], metas: [], applied: [] };
    for (let i = 0; i < items.length; i++) {
      if (applied[i] === undefined) continue;
      written.items.push(stored[i]);
      written.metas.push(metas[i]);
      written.applied.push(applied[i]!);
    }
    return { written, left, error };
  }

  // Record a refused item as Failed. `null`: dropped; undefined: the failure write failed too.
  async #replacePoisoned(
    item: TransitionItem,
    meta: M,
    err: unknown,
  ): Promise<{ item: TransitionItem; applied: boolean } | null | undefined> {
    const message = err instanceof Error ? err.message : String(err);
    const failed = this.#o.poisoned(item, meta, err);
    if (!failed) {
      this.#o.logger.error(`job ${item.id}: its result could not be recorded: ${message}`);
      return null;
    }
    try {
      const [applied] = await this.#o.storage.transition({
        items: [failed],
        now: this.#o.clock.now(),
      });
      this.#o.logger.warn(`job ${item.id} failed: its result could not be recorded: ${message}`);
      return { item: failed, applied };
    } catch {
      return undefined;
    }
  }

  /**
   * Write everything pending, retrying failures, until empty or `deadline` (epoch ms)
   * passes. Returns how many transitions could not be written.
   */
  async drain(deadline = Infinity): Promise<number> {
    while (this.#items.length > 0 || this.#inFlight.size > 0) {
      if (this.#retryTimer !== undefined) {
        if (Date.now() >= deadline) break;
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
        await new Promise((r) => setTimeout(r, Math.min(this.#o.retryMs ?? 1_000, 100)));
      }
      this.#run(true);
      await Promise.all([...this.#inFlight]);
    }
    return this.#items.length;
  }

  /** Cancel a pending retry timer (after {@link CompletionBatcher.drain}). */
  close(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
