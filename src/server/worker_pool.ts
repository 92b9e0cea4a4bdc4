/**
 * The Web Worker pool: `threads` workers, each importing the registry module
 * and running many jobs at once. Jobs go to the least-loaded responsive thread,
 * one message per thread per dispatch; results come back batched. A thread
 * that does not acknowledge a batch promptly is running CPU-bound code, so new
 * jobs avoid it rather than queue behind it.
 *
 * A thread that crashes (uncaught error, unreadable message) or that the
 * server kills (hard timeout) is terminated and replaced at once; every job it
 * held is reported (`crashed` / `terminated`) so the server can decide each
 * one: nothing a dead thread held is ever lost.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type {
  AbortReason,
  Executor,
  ExecutorHooks,
  FromWorker,
  RunResult,
  ToWorker,
  WireJob,
} from "./protocol.ts";
import { newThread, watchTermination } from "./thread_watch.ts";

const ENTRY = new URL("./worker_entry.ts", import.meta.url).href;

interface Thread {
  worker: Worker;
  /** Its OS thread id, where the system tells (see thread_watch.ts). */
  tid: string | undefined;
  /** Jobs sent to it and not reported back yet. */
  ids: Set<string>;
  /** Load used to pick a thread (ids.size plus jobs being assigned). */
  n: number;
  /** Last run message sent, and last one the thread acknowledged. */
  seq: number;
  acked: number;
  /** `performance.now()` since when an acknowledgement has been awaited. */
  waitingSince: number;
  /** `performance.now()` of its last message, and of the first abort sent since then. */
  heardAt: number;
  abortedAt: number;
}

/**
 * A thread that has not acknowledged a run message for this long is busy (a
 * CPU-bound handler, or stuck): new jobs go to the other threads meanwhile.
 */
const STALL_MS = 50;

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** The registry module each thread imports. */
  url: string;
  /** Number of Web Workers. */
  threads: number;
  /** Where results, progress and log lines go. */
  hooks: ExecutorHooks;
  /** Where crashes are reported. */
  logger: Logger;
  /** Largest result, in bytes of UTF-8 JSON (default 1 MiB). */
  maxPayloadBytes?: number;
  /** How long a thread may take to import the module at start (default 30 s). */
  startTimeoutMs?: number;
  /**
   * A thread terminated for `method`'s hard timeout did not stop (its OS thread lives on,
   * busy): called once then, and `resolved` once it is gone.
   */
  onStuck?: (method: string, resolved: Promise<void>) => void;
}

/** Runs jobs on Deno Web Workers. */
export class WorkerPool implements Executor {
  readonly #o: WorkerPoolOptions;
  readonly #threads: Thread[] = [];
  readonly #where = new Map<string, Thread>();
  readonly #methods = new Map<string, string>();
  readonly #watches = new Set<() => void>();
  readonly #bootTimers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;

  /** Create a pool; nothing starts until {@link WorkerPool.start}. */
  constructor(options: WorkerPoolOptions) {
    this.#o = options;
  }

  /** Start every thread and wait until each has imported the registry module. */
  async start(): Promise<void> {
    const boots: Promise<void>[] = [];
    for (let i = 0; i < this.#o.threads; i++) {
      const { thread, ready } = this.#spawn();
      this.#threads.push(thread);
      boots.push(ready);
    }
    const results = await Promise.allSettled(boots);
    const failed = results.find((r) => r.status === "rejected") as
      | PromiseRejectedResult
      | undefined;
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
  }

  #spawn(): { thread: Thread; ready: Promise<void> } {
    const { value: worker, tid } = newThread(() =>
      new Worker(ENTRY, { type: "module", name: "qml-worker" })
    );
    const thread: Thread = {
      worker,
      tid,
      ids: new Set(),
      n: 0,
      seq: 0,
      acked: 0,
      waitingSince: 0,
      heardAt: 0,
      abortedAt: Infinity,
    };
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    let booted = false;
    const timeoutMs = this.#o.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      this.#bootTimers.delete(timer);
      reject(
        new ConfigError(
          "workers",
          `module ${this.#o.url} did not load in a Web Worker within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    this.#bootTimers.add(timer);
    const done = () => {
      clearTimeout(timer);
      this.#bootTimers.delete(timer);
    };
    const bootFailed = (message: string) => {
      done();
      reject(
        new ConfigError(
          "workers",
          `module ${this.#o.url} failed to load in a Web Worker: ${message}`,
        ),
      );
    };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      thread.heardAt = performance.now();
      thread.abortedAt = Infinity;
      if (m.t === "out") this.#onOut(thread, m);
      else if (m.t === "ready") {
        booted = true;
        done();
        resolve();
      } else if (m.t === "init_error") bootFailed(m.message);
    };
    worker.onerror = (e: ErrorEvent) => {
      // Without this the uncaught error would end the whole process.
      e.preventDefault();
      if (!booted) bootFailed(e.message);
      else this.#replace(thread, { kind: "crashed", message: e.message || "uncaught error" });
    };
    worker.onmessageerror = () => {
      // A message we cannot read may have held results: treat the thread as lost.
      this.#replace(thread, {
        kind: "crashed",
        message: "a message from the worker could not be read",
      });
    };
    worker.postMessage(
      { t: "init", url: this.#o.url, maxPayloadBytes: this.#o.maxPayloadBytes } satisfies ToWorker,
    );
    promise.catch(() => {}); // a failed replacement boot is reported through the log instead
    return { thread, ready: promise };
  }

  #onOut(thread: Thread, m: Extract<FromWorker, { t: "out" }>): void {
    const { hooks } = this.#o;
    if (m.ack > thread.acked) {
      thread.acked = m.ack;
      if (thread.acked < thread.seq) thread.waitingSince = performance.now();
    }
    for (const [id, p] of m.progress) if (thread.ids.has(id)) hooks.onProgress(id, p);
    for (const [id, text] of m.logs) hooks.onLog(id, text);
    const results = m.results;
    if (results.length === 0) return;
    let fresh: RunResult[] | undefined;
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (thread.ids.delete(r.id)) {
        this.#where.delete(r.id);
        this.#methods.delete(r.id);
        fresh?.push(r);
      } else {
        // A late result of a job the server already gave up on: drop it.
        fresh ??= results.slice(0, i);
      }
    }
    thread.n = thread.ids.size;
    hooks.onResults(fresh ?? results);
  }

  // Terminate a thread, start its replacement, and report every job it held.
  #replace(
    thread: Thread,
    how: { kind: "crashed"; message: string } | { kind: "terminated" },
  ): void {
    const i = this.#threads.indexOf(thread);
    if (i < 0) return; // already replaced
    thread.worker.terminate();
    const lost: RunResult[] = [];
    for (const id of thread.ids) {
      this.#where.delete(id);
      this.#methods.delete(id);
      lost.push(
        how.kind === "crashed"
          ? { id, kind: "crashed", message: how.message }
          : { id, kind: "terminated" },
      );
    }
    thread.ids.clear();
    if (how.kind === "crashed") {
      this.#o.logger.error(`worker thread crashed (${how.message}); replacing it`, {
        jobs: lost.length,
      });
    }
    if (this.#stopped) {
      this.#threads.splice(i, 1);
    } else {
      const { thread: fresh, ready } = this.#spawn();
      this.#threads[i] = fresh;
      ready.catch((err) =>
        this.#o.logger.error(`replacement worker thread failed to start: ${err}`)
      );
    }
    if (lost.length) this.#o.hooks.onResults(lost);
  }

  /** Send jobs to the least-loaded threads, one message per thread. */
  dispatch(jobs: WireJob[]): void {
    let threads = this.#threads;
    if (threads.length === 1) return this.#send(threads[0], jobs);
    const now = performance.now();
    const live = threads.filter((t) => t.acked === t.seq || now - t.waitingSince < STALL_MS);
    if (live.length > 0) threads = live;
    if (threads.length === 1) return this.#send(threads[0], jobs);
    const groups = new Map<Thread, WireJob[]>();
    for (const job of jobs) {
      let best = threads[0];
      for (let i = 1; i < threads.length; i++) if (threads[i].n < best.n) best = threads[i];
      best.n++;
      let g = groups.get(best);
      if (!g) groups.set(best, g = []);
      g.push(job);
    }
    for (const [thread, group] of groups) this.#send(thread, group, true);
  }

  #send(thread: Thread, jobs: WireJob[], counted = false): void {
    for (const job of jobs) {
      // A stale run of this job elsewhere (its lock was lost) must not report for this one.
      const old = this.#where.get(job.id);
      if (old && old !== thread && old.ids.delete(job.id)) old.n = old.ids.size;
      thread.ids.add(job.id);
      this.#where.set(job.id, thread);
      this.#methods.set(job.id, job.method);
    }
    if (!counted) thread.n += jobs.length;
    if (thread.acked === thread.seq) thread.waitingSince = performance.now();
    thread.worker.postMessage({ t: "run", jobs, seq: ++thread.seq } satisfies ToWorker);
  }

  /** Abort the signals of these runs, in the threads that hold them. */
  abort(ids: readonly string[], reason: AbortReason): void {
    const groups = new Map<Thread, string[]>();
    for (const id of ids) {
      const t = this.#where.get(id);
      if (!t) continue;
      let g = groups.get(t);
      if (!g) groups.set(t, g = []);
      g.push(id);
    }
    const now = performance.now();
    for (const [t, g] of groups) {
      // The worker answers an abort at once (worker_entry.ts) unless its event loop is blocked.
      t.abortedAt = Math.min(t.abortedAt, now);
      t.worker.postMessage({ t: "abort", ids: g, reason } satisfies ToWorker);
    }
  }

  /** Terminate the thread running `id` and replace it; all its jobs come back `terminated`. */
  kill(id: string): void {
    const t = this.#where.get(id);
    if (!t) return;
    const method = this.#methods.get(id)!;
    this.#replace(t, { kind: "terminated" });
    const { onStuck } = this.#o;
    if (!onStuck) return;
    const exited = Promise.withResolvers<void>();
    if (t.tid === undefined) {
      // No thread list to watch: judge by the abort. A thread silent since then is stuck in
      // synchronous code, which terminate() cannot interrupt; when it ends cannot be seen.
      if (t.abortedAt !== Infinity && t.heardAt < t.abortedAt) onStuck(method, exited.promise);
      return;
    }
    const stopWatch = watchTermination(t.tid, {
      onStuck: () => onStuck(method, exited.promise),
      onExit: () => {
        this.#watches.delete(stopWatch);
        exited.resolve();
      },
    });
    this.#watches.add(stopWatch);
  }

  /** Terminate every thread. Jobs still held are dropped: the server has handed them back. */
  stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#bootTimers) clearTimeout(t);
    this.#bootTimers.clear();
    for (const t of this.#threads) t.worker.terminate();
    this.#threads.length = 0;
    this.#where.clear();
    this.#methods.clear();
    for (const stopWatch of this.#watches) stopWatch();
    this.#watches.clear();
    return Promise.resolve();
  }
}
