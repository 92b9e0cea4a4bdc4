/**
 * Which executor runs which job: the server's own (Web Workers or inline) or
 * the process pool. A job runs in a child process when the server runs every
 * job there (`execution: "process"`), when its worker says
 * `isolation: "process"`, or when a Web Worker terminated for one of its
 * worker's jobs failed to stop: that worker has shown it can hold a thread in
 * synchronous code, so its later jobs go where a kill is real.
 *
 * @module
 */
import type { WorkerRegistry } from "../worker.ts";
import type { AbortReason, Executor, ExecutorHooks, WireJob } from "./protocol.ts";

/** A worker whose Web Worker thread did not stop when terminated. */
export interface StuckWorker {
  /** The worker (job method). */
  method: string;
  /** When the stuck thread was noticed. */
  since: Date;
  /** Threads of it still running after termination. */
  threads: number;
}

/** Routes each job to the thread executor or the process executor. */
export class RoutedExecutor implements Executor {
  readonly #threads: Executor | undefined;
  readonly #processes: Executor | undefined;
  readonly #registry: WorkerRegistry;
  readonly #where = new Map<string, Executor>();
  readonly #stuck = new Map<string, StuckWorker>();
  /** Methods moved to processes after a stuck thread (kept after it ends: the code is the same). */
  readonly #moved = new Set<string>();

  /**
   * Route between the executors `make` builds: `threads` (absent: every job runs in
   * processes) and `processes` (absent: no workers module URL, so none can). Both report
   * through `hooks`.
   */
  constructor(
    registry: WorkerRegistry,
    hooks: ExecutorHooks,
    make: {
      threads?: (hooks: ExecutorHooks) => Executor;
      processes?: (hooks: ExecutorHooks) => Executor;
    },
  ) {
    this.#registry = registry;
    const inner: ExecutorHooks = {
      ...hooks,
      onResults: (results) => {
        for (const r of results) this.#where.delete(r.id);
        hooks.onResults(results);
      },
    };
    this.#threads = make.threads?.(inner);
    this.#processes = make.processes?.(inner);
  }

  /** Workers whose terminated threads are still running now. */
  get stuck(): StuckWorker[] {
    return [...this.#stuck.values()].map((s) => ({ ...s }));
  }

  /**
   * A terminated thread of `method` did not stop: route its jobs to processes until
   * further notice, and count the thread stuck until `exited` resolves.
   */
  threadStuck(method: string, exited: Promise<void>, onResolved: () => void): void {
    const s = this.#stuck.get(method) ?? { method, since: new Date(), threads: 0 };
    s.threads++;
    this.#stuck.set(method, s);
    if (this.#processes) this.#moved.add(method);
    exited.then(() => {
      if (--s.threads === 0) {
        this.#stuck.delete(method);
        onResolved();
      }
    });
  }

  #pick(method: string): Executor {
    if (!this.#threads) return this.#processes!;
    if (!this.#processes) return this.#threads;
    return this.#moved.has(method) || this.#registry.get(method)?.isolation === "process"
      ? this.#processes
      : this.#threads;
  }

  /** Start both executors. */
  async start(): Promise<void> {
    await this.#threads?.start();
    try {
      await this.#processes?.start();
    } catch (err) {
      await this.#threads?.stop();
      throw err;
    }
  }

  /** Send each job to its executor. */
  dispatch(jobs: WireJob[]): void {
    if (!this.#threads || !this.#processes) {
      const only = (this.#threads ?? this.#processes)!;
      for (const j of jobs) this.#where.set(j.id, only);
      return only.dispatch(jobs);
    }
    const forThreads: WireJob[] = [], forProcesses: WireJob[] = [];
    for (const j of jobs) {
      const ex = this.#pick(j.method);
      this.#where.set(j.id, ex);
      (ex === this.#threads ? forThreads : forProcesses).push(j);
    }
    if (forThreads.length) this.#threads.dispatch(forThreads);
    if (forProcesses.length) this.#processes.dispatch(forProcesses);
  }

  /** Abort these runs' signals where they run. */
  abort(ids: readonly string[], reason: AbortReason): void {
    const t: string[] = [], p: string[] = [];
    for (const id of ids) (this.#where.get(id) === this.#processes ? p : t).push(id);
    if (t.length) this.#threads?.abort(t, reason);
    if (p.length) this.#processes?.abort(p, reason);
  }

  /** Hard-stop run `id` where it runs. */
  kill(id: string): void {
    this.#where.get(id)?.kill(id);
  }

  /** Stop both executors. */
  async stop(): Promise<void> {
    await Promise.all([this.#threads?.stop(), this.#processes?.stop()]);
    this.#where.clear();
  }
}
