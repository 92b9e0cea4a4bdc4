/**
 * Progress reports: events go out at once (the dashboard shows them live),
 * storage writes are throttled to one per job per `intervalMs`, the latest
 * value winning, so a handler calling `ctx.progress` in a tight loop costs
 * one write per interval.
 *
 * @module
 */
import type { EventBus } from "../events.ts";
import type { Job } from "../job.ts";
import type { ServerConfig } from "./config.ts";

/** Writes job progress to storage at most once per interval per job. */
export class ProgressThrottle {
  readonly #cfg: ServerConfig;
  readonly #events: EventBus;
  readonly #intervalMs: number;
  #pending = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<unknown> = Promise.resolve();

  /** Create a throttle writing through `cfg.storage`. */
  constructor(cfg: ServerConfig, events: EventBus, intervalMs = 250) {
    this.#cfg = cfg;
    this.#events = events;
    this.#intervalMs = intervalMs;
  }

  /** A handler of `job` reported `percent`. */
  report(job: Job, percent: number): void {
    if (this.#events.wants("job.progress")) {
      this.#events.emit("job.progress", {
        id: job.id,
        method: job.method,
        queue: job.queue,
        at: this.#cfg.clock.now(),
        progress: percent,
      });
    }
    this.#pending.set(job.id, percent);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#writing = this.#flush();
    }, this.#intervalMs);
  }

  /** The job finished: a pending write would only race its final transition. */
  forget(id: string): void {
    if (this.#pending.size > 0) this.#pending.delete(id);
  }

  #flush(): Promise<unknown> {
    const batch = this.#pending;
    this.#pending = new Map();
    const { storage, serverName, logger } = this.#cfg;
    return Promise.all(
      [...batch].map(([id, progress]) =>
        storage.setProgress({ id, serverName, progress }).catch((err) =>
          logger.debug(`could not store progress of job ${id}`, { error: String(err) })
        )
      ),
    );
  }

  /** Write what is pending and stop. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    await this.#writing;
    await this.#flush();
  }
}
