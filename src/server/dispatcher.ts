/**
 * The dispatcher: the server's book of running jobs. It hands fetched jobs to
 * the executor, watches their deadlines, aborts them on cancellation, lost
 * locks and shutdown, and turns each executor result into a decision of the
 * state machine (`decide`) that the completion batcher writes.
 *
 * Every job it accepted ends in exactly one of: a decided transition (success,
 * failure, retry, release) or a deliberate drop (the job was deleted or its lock
 * lost, so another party owns it now). Nothing is left Processing behind.
 *
 * @module
 */
import { JobTimeoutError, UnknownWorkerError, WorkerCrashedError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { type Job, type JobError, toJobError } from "../job.ts";
import { JobState } from "../job_state.ts";
import {
  decide,
  type Outcome,
  type RetentionTtls,
  type TransitionGuard,
  type TransitionItem,
} from "../transitions.ts";
import type { WorkerDefinition, WorkerRegistry } from "../worker.ts";
import type { CompletionBatcher } from "./completion_batcher.ts";
import type { ServerConfig } from "./config.ts";
import { DeadlineTimer } from "./deadlines.ts";
import type { AbortReason, Executor, ExecutorHooks, RunResult, WireJob } from "./protocol.ts";
import { ProgressThrottle } from "./progress.ts";

const NORMAL = 0, TIMED_OUT = 1, CANCELLED = 2, LOST = 3, SHUTDOWN = 4;

/** A job this server holds. */
export interface Run {
  /** The job as fetched (Processing, locked by this server). */
  job: Job;
  /** Its worker, when the registry has one. */
  worker: WorkerDefinition<any, any, unknown> | undefined;
  /** The timeout that applies (job, else worker, else server). */
  timeoutMs: number;
  /** `performance.now()` at dispatch. */
  startedAt: number;
  /** When the handler's signal aborts (timeout). */
  deadline: number;
  /** After an abort: when the run is hard-stopped if it has not returned. */
  killAt: number;
  /** Why it was aborted, if it was (internal codes). */
  flag: number;
}

/** Builds and applies decisions for running jobs. */
export class Dispatcher {
  readonly #cfg: ServerConfig;
  readonly #registry: WorkerRegistry;
  readonly #events: EventBus;
  readonly #batcher: CompletionBatcher<Run>;
  readonly #running = new Map<string, Run>();
  readonly #guard: TransitionGuard;
  readonly #ttls: RetentionTtls;
  readonly #deadlines: DeadlineTimer;
  readonly #progress: ProgressThrottle;
  #executor!: Executor;
  #idle: (() => void)[] = [];
  #onFreed: () => void = () => {};

  /** Executor callbacks; pass them to the executor, then call {@link Dispatcher.attach}. */
  readonly hooks: ExecutorHooks = {
    onResults: (results) => this.#onResults(results),
    onProgress: (id, p) => {
      const run = this.#running.get(id);
      if (run && run.flag === NORMAL) this.#progress.report(run.job, p);
    },
    onLog: (id, text) => this.#cfg.logger.info(`[job ${id}] ${text}`, { jobId: id }),
  };

  /** Create a dispatcher writing through `batcher`. */
  constructor(
    cfg: ServerConfig,
    registry: WorkerRegistry,
    events: EventBus,
    batcher: CompletionBatcher<Run>,
  ) {
    this.#cfg = cfg;
    this.#registry = registry;
    this.#events = events;
    this.#batcher = batcher;
    this.#guard = Object.freeze({ state: JobState.Processing, lockedBy: cfg.serverName });
    this.#ttls = {
      succeededMs: cfg.succeededTtlMs,
      failedMs: cfg.failedTtlMs,
      deletedMs: cfg.failedTtlMs,
    };
    this.#deadlines = new DeadlineTimer((now) => this.#sweep(now));
    this.#progress = new ProgressThrottle(cfg, events);
  }

  /** Use `executor` to run jobs; `onFreed` is called whenever capacity frees up. */
  attach(executor: Executor, onFreed: () => void): void {
    this.#executor = executor;
    this.#onFreed = onFreed;
  }

  /** Free slots. */
  capacity(): number {
    return this.#cfg.concurrency - this.#running.size;
  }

  /** How many jobs are running. */
  get size(): number {
    return this.#running.size;
  }

  /** Ids of every job whose lock this server holds (running or result not yet written). */
  held(): string[] {
    return [...this.#running.keys(), ...this.#batcher.pendingIds()];
  }

  /** Start fetched jobs (all Processing, locked by this server). */
  start(jobs: Job[]): void {
    const wire: WireJob[] = [];
    const now = performance.now();
    let earliest = Infinity;
    const started = this.#events.wants("job.started");
    for (const job of jobs) {
      const worker = this.#registry.get(job.method);
      if (!worker) {
        const error = toJobError(new UnknownWorkerError(job.method, this.#registry.names()));
        this.#decide(this.#newRun(job, undefined, now), {
          type: "failed",
          error,
          retryable: false,
        });
        continue;
      }
      // Still running here from before: we lost its lock, it was requeued, we fetched it
      // again. The old run is stale; abort it before the new one takes the id.
      if (this.#running.has(job.id)) this.#executor.abort([job.id], "lock lost");
      const run = this.#newRun(job, worker, now);
      this.#running.set(job.id, run);
      if (run.deadline < earliest) earliest = run.deadline;
      wire.push({
        id: job.id,
        method: job.method,
        args: job.args,
        queue: job.queue,
        priority: job.priority,
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
        createdAt: job.createdAt.getTime(),
      });
      if (started) {
        this.#events.emit("job.started", {
          id: job.id,
          method: job.method,
          queue: job.queue,
          at: job.startedAt ?? new Date(),
          attempt: job.attempts,
          serverName: this.#cfg.serverName,
        });
      }
    }
    if (wire.length > 0) {
      this.#deadlines.arm(earliest);
      this.#executor.dispatch(wire);
    }
  }

  #newRun(job: Job, worker: Run["worker"], now: number): Run {
    const timeoutMs = job.timeoutMs ?? worker?.timeoutMs ?? this.#cfg.jobTimeoutMs;
    return {
      job,
      worker,
      timeoutMs,
      startedAt: now,
      deadline: now + timeoutMs,
      killAt: Infinity,
      flag: NORMAL,
    };
  }

  /** Hand jobs back unfinished (fetched after stop began): the attempt does not count. */
  release(jobs: Job[], reason: string): void {
    const now = performance.now();
    for (const job of jobs) {
      this.#decide(this.#newRun(job, undefined, now), { type: "released", reason });
    }
  }

  #onResults(results: RunResult[]): void {
    for (const r of results) {
      const run = this.#running.get(r.id);
      if (!run) continue;
      this.#running.delete(r.id);
      this.#settle(run, r);
    }
    if (this.#running.size === 0 && this.#idle.length > 0) {
      for (const f of this.#idle.splice(0)) f();
    }
    this.#onFreed();
  }

  #settle(run: Run, r: RunResult): void {
    this.#progress.forget(run.job.id);
    // Deleted or rescued elsewhere: the job is not ours to write any more.
    if (run.flag === CANCELLED || run.flag === LOST) return;
    if (r.kind === "ok") return this.#decide(run, { type: "succeeded", result: r.value });
    if (run.flag === TIMED_OUT) {
      return this.#decide(run, {
        type: "failed",
        error: toJobError(new JobTimeoutError(run.timeoutMs)),
      });
    }
    if (run.flag === SHUTDOWN || r.kind === "terminated") {
      const reason = run.flag === SHUTDOWN
        ? "released: server shutting down"
        : "released: its worker thread was replaced";
      return this.#decide(run, { type: "released", reason });
    }
    const error: JobError = r.kind === "crashed"
      ? toJobError(new WorkerCrashedError(r.message))
      : r.error;
    const retryable = r.kind === "error" ? r.retryable !== false : true;
    this.#decide(run, { type: "failed", error, retryable });
  }

  #decide(run: Run, outcome: Outcome): void {
    let next;
    try {
      next = decide(run.job, outcome, {
        now: this.#cfg.clock.now(),
        policy: run.worker?.retry,
        server: this.#cfg.serverName,
        ttls: this.#ttls,
      });
    } catch (err) {
      // Only a bug (or a custom backoff function that throws) lands here. Leave the job
      // locked: the rescuer requeues it when the lock lapses, so it is not lost.
      this.#cfg.logger.error(`could not decide the outcome of job ${run.job.id}`, {
        outcome: outcome.type,
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    const item: TransitionItem = { id: run.job.id, guard: this.#guard, next };
    this.#batcher.add(item, run);
  }

  /** Emit events for written transitions (called by the batcher). */
  applied(items: TransitionItem[], runs: Run[], ok: boolean[]): void {
    const ev = this.#events;
    const wantS = ev.wants("job.succeeded"), wantF = ev.wants("job.failed");
    const wantR = ev.wants("job.retried"), wantE = ev.wants("job.released");
    if (!(wantS || wantF || wantR || wantE)) return;
    const now = performance.now();
    for (let i = 0; i < items.length; i++) {
      if (!ok[i]) continue;
      const { next } = items[i], { job } = runs[i];
      const base = { id: job.id, method: job.method, queue: job.queue, at: next.entry.at };
      if (next.state === JobState.Succeeded && wantS) {
        ev.emit("job.succeeded", {
          ...base,
          attempt: job.attempts,
          result: next.result,
          durationMs: now - runs[i].startedAt,
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

  #abort(ids: string[], flag: number, reason: AbortReason): void {
    const now = performance.now();
    const hit: string[] = [];
    let earliest = Infinity;
    for (const id of ids) {
      const run = this.#running.get(id);
      if (!run || (run.flag !== NORMAL && flag !== SHUTDOWN)) continue;
      run.flag = flag;
      run.killAt = Math.min(run.killAt, now + this.#cfg.timeoutGraceMs);
      earliest = Math.min(earliest, run.killAt);
      hit.push(id);
    }
    if (hit.length === 0) return;
    this.#executor.abort(hit, reason);
    this.#deadlines.arm(earliest);
  }

  /** Job `id` was deleted while running: abort it, drop its result. Whether it ran here. */
  cancel(id: string): boolean {
    if (!this.#running.has(id)) return false;
    this.#abort([id], CANCELLED, "cancelled");
    return true;
  }

  /** The heartbeat says these locks are gone: abort the jobs, drop their results. */
  lost(ids: string[]): void {
    this.#cfg.logger.warn(`lost the lock of ${ids.length} job(s); aborting them`);
    this.#abort(ids, LOST, "lock lost");
  }

  // Timeouts: abort at the deadline, hard-stop at deadline + grace.
  #sweep(now: number): number {
    const timedOut: string[] = [];
    const kill: string[] = [];
    let next = Infinity;
    for (const [id, run] of this.#running) {
      if (run.flag === NORMAL && run.deadline <= now) {
        run.flag = TIMED_OUT;
        run.killAt = now + this.#cfg.timeoutGraceMs;
        timedOut.push(id);
      }
      if (run.killAt <= now) kill.push(id);
      else next = Math.min(next, run.flag === NORMAL ? run.deadline : run.killAt);
    }
    if (timedOut.length > 0) {
      this.#cfg.logger.warn(`${timedOut.length} job(s) timed out; aborting them`, {
        ids: timedOut,
      });
      this.#executor.abort(timedOut, "timeout");
    }
    for (const id of kill) {
      if (this.#running.has(id)) this.#executor.kill(id);
    }
    return next;
  }

  /** Resolve when no job runs, or after `ms`. Returns whether it is idle. */
  waitIdle(ms: number): Promise<boolean> {
    if (this.#running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((f) => f !== done);
        resolve(this.#running.size === 0);
      }, ms);
      this.#idle.push(done);
    });
  }

  /** Shutdown: abort every running job; results that still come are kept (success) or released. */
  abortAll(): void {
    this.#abort([...this.#running.keys()], SHUTDOWN, "shutdown");
  }

  /** Shutdown, last step: hand back every job still running (its late result is dropped). */
  releaseRemaining(): void {
    for (const run of this.#running.values()) {
      this.#progress.forget(run.job.id);
      if (run.flag === CANCELLED || run.flag === LOST) continue;
      this.#decide(run, { type: "released", reason: "released: server shutting down" });
    }
    this.#running.clear();
  }

  /** Stop the deadline timer and write pending progress. */
  async close(): Promise<void> {
    this.#deadlines.stop();
    await this.#progress.close();
  }
}
