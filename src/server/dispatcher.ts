/**
 * The dispatcher: the server's book of running jobs. It hands fetched jobs to
 * the executor, watches their deadlines, aborts them on cancellation, lost
 * locks and shutdown, and passes each run's end on to the next stage as a
 * decided transition (outcome mapping: `outcome.ts`), or as a drop.
 *
 * Every job it accepted ends in exactly one of: a decided transition (success,
 * failure, retry, release) handed to `settled`, or a deliberate drop (the job
 * was deleted or its lock lost, so another party owns it now) handed to
 * `dropped`. Nothing is left Processing behind.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../logger.ts";
import type { Outcome, RetentionTtls, TransitionItem } from "../transitions.ts";
import type { WorkerDefinition, WorkerRegistry } from "../worker.ts";
import { DeadlineTimer } from "./deadlines.ts";
import { decideItem, outcomeOf, RELEASE_SHUTDOWN, RunFlag, unreadableOutcome } from "./outcome.ts";
import {
  type AbortReason,
  type Executor,
  type ExecutorHooks,
  type RunResult,
  type WireJob,
  wireJob,
} from "./protocol.ts";

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
  /** What the server did to it. */
  flag: RunFlag;
}

/** Where the dispatcher's output goes. */
export interface DispatcherOutput {
  /** A run ended (or was handed back) and its transition is decided: write it. */
  settled(item: TransitionItem, run: Run): void;
  /** A run ended with nothing to write (not this server's job any more, or undecidable). */
  dropped(run: Run): void;
  /** A running job reported progress. */
  progress(job: Job, percent: number): void;
}

/** Options of a {@link Dispatcher}. */
export interface DispatcherOptions {
  /** Workers by method (their timeouts and retry policies). */
  registry: WorkerRegistry;
  /** This server's name (guards and history). */
  serverName: string;
  /** Retention of final jobs. */
  ttls: RetentionTtls;
  /** Timeout of a job whose worker and job give none. */
  jobTimeoutMs: number;
  /** After an abort, how long a handler gets before it is hard-stopped. */
  timeoutGraceMs: number;
  /** Time of decisions. */
  clock: Clock;
  /** Where timeouts, lost locks and job log lines go. */
  logger: Logger;
  /** The next stage. */
  output: DispatcherOutput;
}

/** Runs fetched jobs on an executor and decides how each ended. */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #running = new Map<string, Run>();
  readonly #deadlines: DeadlineTimer;
  #executor: Executor | undefined;
  #idle: (() => void)[] = [];

  /** Executor callbacks; pass them to the executor, then call {@link Dispatcher.use}. */
  readonly hooks: ExecutorHooks = {
    onResults: (results) => this.#onResults(results),
    onProgress: (id, p) => {
      const run = this.#running.get(id);
      if (run && run.flag === RunFlag.Normal) this.#o.output.progress(run.job, p);
    },
    onLog: (id, text) => this.#o.logger.info(`[job ${id}] ${text}`, { jobId: id }),
  };

  /** Create a dispatcher. */
  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#deadlines = new DeadlineTimer((now) => this.#sweep(now));
  }

  /** Run jobs on `executor` (built with {@link Dispatcher.hooks}). */
  use(executor: Executor): void {
    this.#executor = executor;
  }

  get #exec(): Executor {
    if (!this.#executor) throw new Error("Dispatcher.use(executor) was not called");
    return this.#executor;
  }

  /** How many jobs are running. */
  get size(): number {
    return this.#running.size;
  }

  /** Ids of the running jobs. */
  ids(): IterableIterator<string> {
    return this.#running.keys();
  }

  /** Start fetched jobs (all Processing, locked by this server). */
  start(jobs: readonly Job[]): void {
    const wire: WireJob[] = [];
    const now = performance.now();
    let earliest = Infinity;
    for (const job of jobs) {
      // Still running here from before: we lost its lock, it was requeued, we fetched it
      // again. The old run is stale; abort it before the new one takes the id.
      const stale = this.#running.get(job.id);
      if (stale) {
        this.#exec.abort([job.id], "lock lost");
        this.#o.output.dropped(stale);
      }
      const run = this.#newRun(job, now);
      if (job.unreadable !== undefined) {
        // Its stored record did not decode: running it would hand the handler nulls.
        this.#decide(run, unreadableOutcome(job));
        continue;
      }
      this.#running.set(job.id, run);
      if (run.deadline < earliest) earliest = run.deadline;
      wire.push(wireJob(job));
    }
    if (wire.length > 0) {
      this.#deadlines.arm(earliest);
      this.#exec.dispatch(wire);
    }
  }

  #newRun(job: Job, now: number): Run {
    const worker = this.#o.registry.get(job.method);
    const timeoutMs = job.timeoutMs ?? worker?.timeoutMs ?? this.#o.jobTimeoutMs;
    return {
      job,
      worker,
      timeoutMs,
      startedAt: now,
      deadline: now + timeoutMs,
      killAt: Infinity,
      flag: RunFlag.Normal,
    };
  }

  /** Hand jobs back unfinished (fetched after stop began): the attempt does not count. */
  release(jobs: readonly Job[], reason: string): void {
    const now = performance.now();
    for (const job of jobs) this.#decide(this.#newRun(job, now), { type: "released", reason });
  }

  #onResults(results: RunResult[]): void {
    // One time for the batch: the results arrived together, and reading the (storage)
    // clock per job costs more than the decisions themselves on a fast drain.
    let now: Date | undefined;
    for (const r of results) {
      const run = this.#running.get(r.id);
      if (!run) continue;
      this.#running.delete(r.id);
      const outcome = outcomeOf(r, run.flag, run.timeoutMs);
      if (outcome) this.#decide(run, outcome, now ??= this.#o.clock.now());
      else this.#o.output.dropped(run);
    }
    if (this.#running.size === 0 && this.#idle.length > 0) {
      for (const f of this.#idle.splice(0)) f();
    }
  }

  #decide(run: Run, outcome: Outcome, now: Date = this.#o.clock.now()): void {
    let item: TransitionItem;
    try {
      item = decideItem(run.job, outcome, now, run.worker?.retry, this.#o);
    } catch (err) {
      // Only a bug (or a custom backoff function that throws) lands here. Leave the job
      // locked: the rescuer requeues it when the lock lapses, so it is not lost.
      this.#o.logger.error(`could not decide the outcome of job ${run.job.id}`, {
        outcome: outcome.type,
        error: err instanceof Error ? err.message : String(err),
      });
      this.#o.output.dropped(run);
      return;
    }
    this.#o.output.settled(item, run);
  }

  #abort(ids: readonly string[], flag: RunFlag, reason: AbortReason): void {
    const now = performance.now();
    const hit: string[] = [];
    let earliest = Infinity;
    for (const id of ids) {
      const run = this.#running.get(id);
      if (!run || !mayFlag(run.flag, flag)) continue;
      run.flag = flag;
      run.killAt = Math.min(run.killAt, now + this.#o.timeoutGraceMs);
      earliest = Math.min(earliest, run.killAt);
      hit.push(id);
    }
    if (hit.length === 0) return;
    this.#exec.abort(hit, reason);
    this.#deadlines.arm(earliest);
  }

  /** Job `id` was deleted while running: abort it, drop its result. Whether it ran here. */
  cancel(id: string): boolean {
    if (!this.#running.has(id)) return false;
    this.#abort([id], RunFlag.Cancelled, "cancelled");
    return true;
  }

  /** The heartbeat says these locks are gone: abort the jobs, drop their results. */
  lost(ids: readonly string[]): void {
    this.#o.logger.warn(`lost the lock of ${ids.length} job(s); aborting them`);
    this.#abort(ids, RunFlag.Lost, "lock lost");
  }

  // Timeouts: abort at the deadline, hard-stop at deadline + grace.
  #sweep(now: number): number {
    const timedOut: string[] = [];
    const kill: string[] = [];
    let next = Infinity;
    for (const [id, run] of this.#running) {
      if (run.flag === RunFlag.Normal && run.deadline <= now) {
        run.flag = RunFlag.TimedOut;
        run.killAt = now + this.#o.timeoutGraceMs;
        timedOut.push(id);
      }
      if (run.killAt <= now) kill.push(id);
      else next = Math.min(next, run.flag === RunFlag.Normal ? run.deadline : run.killAt);
    }
    if (timedOut.length > 0) {
      this.#o.logger.warn(`${timedOut.length} job(s) timed out; aborting them`, {
        ids: timedOut,
      });
      this.#exec.abort(timedOut, "timeout");
    }
    for (const id of kill) {
      if (this.#running.has(id)) this.#exec.kill(id);
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
    this.#abort([...this.#running.keys()], RunFlag.Shutdown, "shutdown");
  }

  /** Shutdown, last step: hand back every job still running (its late result is dropped). */
  releaseRemaining(): void {
    const runs = [...this.#running.values()];
    this.#running.clear();
    for (const run of runs) {
      if (run.flag === RunFlag.Cancelled || run.flag === RunFlag.Lost) {
        this.#o.output.dropped(run);
      } else this.#decide(run, { type: "released", reason: RELEASE_SHUTDOWN });
    }
  }

  /** Stop the deadline timer. */
  close(): void {
    this.#deadlines.stop();
  }
}

// A run is flagged once; only shutdown overrides a timeout (and never a drop: a deleted or
// lost job is not this server's to hand back).
function mayFlag(current: RunFlag, next: RunFlag): boolean {
  if (current === RunFlag.Normal) return true;
  return next === RunFlag.Shutdown && current === RunFlag.TimedOut;
}
