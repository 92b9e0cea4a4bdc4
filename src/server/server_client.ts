/**
 * The server's `client`: a {@link JobClient} on the server's storage that also
 * reports what it does on the server's event stream (enqueued, deleted).
 *
 * @module
 */
import {
  type EnqueueItem,
  type EnqueueOptions,
  JobClient,
  type JobClientOptions,
} from "../client.ts";
import type { EventBus } from "../events.ts";
import type { Job } from "../job.ts";
import type { Storage } from "../storage/storage.ts";
import type { WorkerDefinition } from "../worker.ts";

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

  /** Enqueue a job for a defined worker (see {@link JobClient.enqueue}). */
  override enqueue<In>(
    worker: WorkerDefinition<In, any, any>,
    args: In,
    options?: EnqueueOptions,
  ): Promise<Job>;
  /** Enqueue by method name (see {@link JobClient.enqueue}). */
  override enqueue(method: string, args?: unknown, options?: EnqueueOptions): Promise<Job>;
  override async enqueue(worker: any, args?: unknown, options?: EnqueueOptions): Promise<Job> {
    const job = await super.enqueue(worker, args, options);
    this.#emitEnqueued([job]);
    return job;
  }

  /** Enqueue many jobs in one storage call (see {@link JobClient.enqueueMany}). */
  override async enqueueMany(
    items: readonly EnqueueItem[],
    options?: { tx?: unknown },
  ): Promise<Job[]> {
    const jobs = await super.enqueueMany(items, options);
    this.#emitEnqueued(jobs);
    return jobs;
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

  #emitEnqueued(jobs: Job[]): void {
    if (!this.#events.wants("job.enqueued")) return;
    for (const job of jobs) {
      // A unique-key hit returns an older live job: nothing new was enqueued.
      if (job.attempts !== 0 || job.history.length !== 1) continue;
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
}
