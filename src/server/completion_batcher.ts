/**
 * Completion batching: decided transitions of finished jobs are collected and
 * written with one `storage.transition` call per event-loop turn (or as soon
 * as `maxBatch` pile up), so a busy server pays one storage round trip for
 * many jobs. Flushes run one at a time and keep their order.
 *
 * A flush that fails (storage down) is retried after `retryMs`, items kept:
 * their locks may lapse meanwhile, in which case the rescuer requeues the jobs
 * and the late transitions simply do not apply (guarded by the lock).
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { Storage } from "../storage/storage.ts";
import type { TransitionItem } from "../transitions.ts";

/** Called after each flush with what was written and whether each item applied. */
export type AppliedHandler<M> = (items: TransitionItem[], metas: M[], applied: boolean[]) => void;

/** Options of a {@link CompletionBatcher}. */
export interface CompletionBatcherOptions<M> {
  /** Where transitions are written. */
  storage: Storage;
  /** Supplies `now` of each write. */
  clock: Clock;
  /** Where write failures are reported. */
  logger: Logger;
  /** Told what each flush wrote. */
  onApplied: AppliedHandler<M>;
  /** Flush at once when this many are pending (default 1,000). */
  maxBatch?: number;
  /** Delay before retrying a failed flush (default 1 s). */
  retryMs?: number;
}

/** Collects transitions and writes them in batches. */
export class CompletionBatcher<M> {
  readonly #o: CompletionBatcherOptions<M>;
  readonly #maxBatch: number;
  #items: TransitionItem[] = [];
  #metas: M[] = [];
  #ids = new Set<string>();
  #scheduled = false;
  #flushing: Promise<void> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** Create a batcher. */
  constructor(options: CompletionBatcherOptions<M>) {
    this.#o = options;
    this.#maxBatch = options.maxBatch ?? 1_000;
  }

  /** Number of transitions waiting to be written. */
  get pending(): number {
    return this.#items.length;
  }

  /** Ids of jobs whose transition is waiting (their locks still need the heartbeat). */
  pendingIds(): Iterable<string> {
    return this.#ids;
  }

  /** Queue a transition; `meta` is handed back to `onApplied`. */
  add(item: TransitionItem, meta: M): void {
    this.#items.push(item);
    this.#metas.push(meta);
    this.#ids.add(item.id);
    if (this.#items.length >= this.#maxBatch) void this.#run();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // A microtask: every result delivered in the current turn joins this batch.
      queueMicrotask(() => {
        this.#scheduled = false;
        void this.#run();
      });
    }
  }

  #run(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#items.length === 0) return Promise.resolve();
    this.#flushing = this.#write().finally(() => {
      this.#flushing = null;
      // Items that arrived while writing go out now rather than wait for another add.
      if (this.#items.length > 0 && this.#retryTimer === undefined) void this.#run();
    });
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const items = this.#items, metas = this.#metas;
    this.#items = [];
    this.#metas = [];
    let applied: boolean[];
    try {
      applied = await this.#o.storage.transition({ items, now: this.#o.clock.now() });
    } catch (err) {
      this.#o.logger.warn(`could not record ${items.length} job result(s); retrying`, {
        error: err instanceof Error ? err.message : String(err),
      });
      this.#items = items.concat(this.#items);
      this.#metas = metas.concat(this.#metas);
      this.#retryTimer ??= setTimeout(() => {
        this.#retryTimer = undefined;
        void this.#run();
      }, this.#o.retryMs ?? 1_000);
      return;
    }
    for (const it of items) this.#ids.delete(it.id);
    this.#o.onApplied(items, metas, applied);
  }

  /**
   * Write everything pending, retrying failures, until empty or `deadline` (epoch ms)
   * passes. Returns how many transitions could not be written.
   */
  async drain(deadline = Infinity): Promise<number> {
    while (this.#items.length > 0 || this.#flushing) {
      if (this.#retryTimer !== undefined) {
        if (Date.now() >= deadline) break;
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
        await new Promise((r) => setTimeout(r, Math.min(this.#o.retryMs ?? 1_000, 100)));
      }
      await this.#run();
    }
    return this.#items.length;
  }

  /** Cancel a pending retry timer (after {@link CompletionBatcher.drain}). */
  close(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
