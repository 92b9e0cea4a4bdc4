/**
 * The lock heartbeat: every `intervalMs` (a third of the lock TTL, so two
 * beats can fail before a lock lapses) it extends the locks of every job this
 * server holds, in one storage call. Ids the storage reports lost (deleted,
 * or rescued by another server after a stall) are handed to `onLost`, which
 * aborts them.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { Storage } from "../storage/storage.ts";

/** Options of a {@link Heartbeat}. */
export interface HeartbeatOptions {
  /** Where locks live. */
  storage: Storage;
  /** Supplies `now` of each extension. */
  clock: Clock;
  /** Where failures are reported. */
  logger: Logger;
  /** The lock holder. */
  serverName: string;
  /** New lock lifetime from each beat. */
  lockTtlMs: number;
  /** Time between beats. */
  intervalMs: number;
  /** Ids of every job whose lock this server holds. */
  held(): string[];
  /** Jobs whose lock this server no longer holds. */
  onLost(ids: string[]): void;
}

/** Periodically extends the locks of running jobs. */
export class Heartbeat {
  readonly #o: HeartbeatOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #beat: Promise<void> | null = null;

  /** Create a stopped heartbeat. */
  constructor(options: HeartbeatOptions) {
    this.#o = options;
  }

  /** Start beating. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      // One beat at a time: a slow storage must not pile calls up.
      if (!this.#beat) this.#beat = this.beat().finally(() => this.#beat = null);
    }, this.#o.intervalMs);
  }

  /** Extend the locks now. */
  async beat(): Promise<void> {
    const ids = this.#o.held();
    if (ids.length === 0) return;
    const { storage, serverName, lockTtlMs, clock } = this.#o;
    try {
      const lost = await storage.extendLocks({ ids, serverName, lockTtlMs, now: clock.now() });
      if (lost.length === 0) return;
      // A job whose result was written while the call was out is reported too (it is no
      // longer Processing): it is not lost, it is done. Only jobs still held count.
      const held = new Set(this.#o.held());
      const gone = lost.filter((id) => held.has(id));
      if (gone.length > 0) this.#o.onLost(gone);
    } catch (err) {
      this.#o.logger.warn("could not extend job locks; will retry", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** Stop beating; waits for a beat in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beat;
  }
}
