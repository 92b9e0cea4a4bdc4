/**
 * Job events of a server: `job.started` for each fetched job handed to a
 * handler, and the outcome events (`succeeded`, `failed`, `retried`,
 * `released`) for each transition once it is written and applied — never
 * before, so a listener that reads the job sees the state the event names.
 *
 * @module
 */
import type { EventBus } from "../events.ts";
import type { Job } from "../job.ts";
import { JobState } from "../job_state.ts";
import type { WrittenBatch } from "./completion_batcher.ts";

/** What the events need of a run: its job and when it started here (`performance.now()`). */
export interface RunInfo {
  /** The job as fetched. */
  job: Job;
  /** `performance.now()` at dispatch. */
  startedAt: number;
}

/** Emits a server's job events on its bus (building nothing when nobody listens). */
export class JobEvents {
  readonly #bus: EventBus;
  readonly #serverName: string;

  /** Emit on `bus` as server `serverName`. */
  constructor(bus: EventBus, serverName: string) {
    this.#bus = bus;
    this.#serverName = serverName;
  }

  /** These jobs were fetched and handed to their handlers. */
  started(jobs: readonly Job[]): void {
    if (!this.#bus.wants("job.started")) return;
    for (const job of jobs) {
      this.#bus.emit("job.started", {
        id: job.id,
        method: job.method,
        queue: job.queue,
        at: job.startedAt ?? new Date(),
        attempt: job.attempts,
        serverName: this.#serverName,
      });
    }
  }

  /** A batch of transitions was written: announce those that applied. */
  written(batch: WrittenBatch<RunInfo>): void {
    const ev = this.#bus;
    const wantS = ev.wants("job.succeeded"), wantF = ev.wants("job.failed");
    const wantR = ev.wants("job.retried"), wantE = ev.wants("job.released");
    if (!(wantS || wantF || wantR || wantE)) return;
    const now = performance.now();
    const { items, metas, applied } = batch;
    for (let i = 0; i < items.length; i++) {
      if (!applied[i]) continue;
      const { next } = items[i], { job } = metas[i];
      const base = { id: job.id, method: job.method, queue: job.queue, at: next.entry.at };
      if (next.state === JobState.Succeeded && wantS) {
        ev.emit("job.succeeded", {
          ...base,
          attempt: job.attempts,
          result: next.result,
          durationMs: now - metas[i].startedAt,
        });
      } else if (next.state === JobState.Failed && wantF) {
        ev.emit("job.failed", { ...base, attempt: job.attempts, error: next.error! });
      } else if (next.state === JobState.AwaitingRetry && wantR) {
        ev.emit("job.retried", {
          ...base,
          attempt: job.attempts,
          error: next.error!,
          runAt: next.runAt,
        });
      } else if (next.state === JobState.Enqueued && wantE) {
        ev.emit("job.released", { ...base, reason: next.entry.reason ?? "released" });
      }
    }
  }
}
