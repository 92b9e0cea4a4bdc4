/**
 * The inline executor: handlers run in the server's own isolate. Best for
 * I/O-bound work and for runtimes without Web Workers.
 *
 * Limits, by nature: a timeout or cancellation can only abort `ctx.signal`.
 * A handler that ignores its signal keeps running after the server has given
 * up on it (its job is failed with `JobTimeoutError` and its late result is
 * dropped), and a CPU-bound handler blocks the whole server while it runs.
 * Use `execution: "workers"` when handlers must be stoppable.
 *
 * @module
 */
import type { WorkerRegistry } from "../worker.ts";
import type { AbortReason, Executor, ExecutorHooks, RunResult, WireJob } from "./protocol.ts";
import { runJob, type RunSink } from "./run_job.ts";

/** Runs jobs in the calling isolate. */
export class InlineExecutor implements Executor {
  readonly #registry: WorkerRegistry;
  readonly #hooks: ExecutorHooks;
  readonly #running = new Map<string, AbortController>();
  readonly #sink: RunSink;
  #results: RunResult[] = [];
  #flushQueued = false;
  #stopped = false;

  readonly #maxPayloadBytes: number | undefined;

  /** Create an executor for `registry`; results over `maxPayloadBytes` fail their job. */
  constructor(registry: WorkerRegistry, hooks: ExecutorHooks, maxPayloadBytes?: number) {
    this.#registry = registry;
    this.#maxPayloadBytes = maxPayloadBytes;
    this.#hooks = hooks;
    this.#sink = {
      progress: (id, p) => this.#running.has(id) && hooks.onProgress(id, p),
      log: (id, text) => hooks.onLog(id, text),
    };
  }

  /** Nothing to load: the registry is already in this isolate. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Start the handlers; their results are reported in batches, one per microtask turn. */
  dispatch(jobs: WireJob[]): void {
    for (const job of jobs) {
      const ac = new AbortController();
      this.#running.set(job.id, ac);
      runJob(this.#registry, job, ac.signal, this.#sink, this.#maxPayloadBytes).then((r) =>
        this.#done(ac, r)
      );
    }
  }

  #done(ac: AbortController, r: RunResult): void {
    // Identity check: a run the server killed (and maybe re-dispatched) must not report.
    if (this.#stopped || this.#running.get(r.id) !== ac) return;
    this.#running.delete(r.id);
    this.#results.push(r);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        const out = this.#results;
        this.#results = [];
        if (out.length) this.#hooks.onResults(out);
      });
    }
  }

  /** Abort these handlers' signals. */
  abort(ids: readonly string[], reason: AbortReason): void {
    for (const id of ids) {
      this.#running.get(id)?.abort(new DOMException(`job aborted: ${reason}`, "AbortError"));
    }
  }

  /** Give up on `id`: it cannot be stopped here, so forget it and report it terminated. */
  kill(id: string): void {
    const ac = this.#running.get(id);
    if (!ac) return;
    ac.abort(new DOMException("job aborted: timeout", "AbortError"));
    this.#running.delete(id);
    this.#hooks.onResults([{ id, kind: "terminated" }]);
  }

  /** Abort whatever still runs and report nothing more. */
  stop(): Promise<void> {
    this.#stopped = true;
    for (const ac of this.#running.values()) {
      ac.abort(new DOMException("job aborted: shutdown", "AbortError"));
    }
    this.#running.clear();
    return Promise.resolve();
  }
}
