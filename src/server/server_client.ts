/**
 * The server's `client`: a {@link JobClient} on the server's storage that also
 * reports what it does on the server's event stream (enqueued, deleted).
 *
 * @module
 */
import { JobClient, type JobClientOptions } from "../client.ts";
import type { EventBus } from "../events.ts";
import type { EnqueueResult, Storage } from "../storage/storage.ts";

/** A JobClient that emits `job.enqueued` and `job.deleted` on a server's event bus. */
export class ServerJobClient extends JobClient {
  readonly #events: EventBus;
  readonly #reported: (id: string) => boolean;

  /**
   * Create a client. `alreadyReported(id)` tells whether the server already emitted
   * `job.deleted` for `id` (it does when it cancels a job running on it).
   */
  constructor(
    storage: Storage,
    options: JobClientOptions & { events: EventBus; alreadyReported?: (id: string) => boolean },
  ) {
    super(storage, options);
    this.#events = options.events;
    this.#reported = options.alreadyReported ?? (() => false);
  }

  /** Report the stored jobs as `job.enqueued` (a unique-key hit stored nothing new). */
  protected override enqueued(results: readonly EnqueueResult[]): void {
    if (!this.#events.wants("job.enqueued")) return;
    for (const { job, created } of results) {
      if (!created) continue;
      this.#events.emit("job.enqueued", {
        id: job.id,
        method: job.method,
        queue: job.queue,
        at: job.createdAt,
        state: job.state,
        runAt: job.runAt,
      });
    }
  }

  /** Soft-delete a job (see {@link JobClient.delete}). */
  override async delete(id: string, reason?: string): Promise<boolean> {
    const ok = await super.delete(id, reason);
    if (ok && !this.#reported(id)) {
      if (this.#events.wants("job.deleted")) {
        this.#events.emit("job.deleted", { id, at: new Date(), reason: reason ?? "deleted" });
      }
    }
    return ok;
  }
}
