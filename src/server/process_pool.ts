/**
 * The process executor: handlers run in child `deno` processes
 * (process_entry.ts), which the server can really stop. A Web Worker stuck in
 * synchronous code ignores `terminate()` on Deno 2.9 and keeps a core busy for
 * the life of the process; a child process is stopped with SIGKILL, its CPU
 * and memory given back at once. The model is BullMQ's sandboxed processors.
 *
 * Children are grouped by the Deno permissions of the workers they run
 * (`permissions` in `defineWorker`); each group has up to `processes`
 * children, started on first use, each running many jobs at once. Jobs go to
 * the least-loaded child. Killing a run kills its child: every other job that
 * child held comes back `terminated` (the server hands them back without
 * counting the attempt), and a replacement starts on the next dispatch.
 *
 * @module
 */
import type { Logger } from "../logger.ts";
import { permissionFlags, type WorkerPermissions } from "../permissions.ts";
import type { AbortReason, Executor, ExecutorHooks, RunResult, WireJob } from "./protocol.ts";
import { FRAME, type FromChild, type ToChild } from "./process_entry.ts";

const ENTRY = new URL("./process_entry.ts", import.meta.url);

interface Child {
  proc: Deno.ChildProcess;
  group: string;
  ids: Set<string>;
  /** Writes to stdin, in order. */
  writing: Promise<void>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Set once it is being torn down: results it still sends are dropped. */
  dead: boolean;
  /** The stdout reader; settles once the pipe closes. */
  reading: Promise<void>;
}

/** Options of a {@link ProcessPool}. */
export interface ProcessPoolOptions {
  /** The registry module each child imports. */
  url: string;
  /** Children per permission group. */
  processes: number;
  /** Where results, progress and log lines go. */
  hooks: ExecutorHooks;
  /** Where crashes and child output are reported. */
  logger: Logger;
  /** Largest result, in bytes of UTF-8 JSON. */
  maxPayloadBytes: number;
  /** The permissions of `method`'s children (default: inherit this process's). */
  permissionsOf?: (method: string) => WorkerPermissions | undefined;
  /** Start the default group's children in `start()` (when every job runs here). */
  eager?: boolean;
  /** How long a child may take to import the module (default 30 s). */
  startTimeoutMs?: number;
}

/** Runs jobs in child processes. */
export class ProcessPool implements Executor {
  readonly #o: ProcessPoolOptions;
  readonly #groups = new Map<string, { flags: string[]; children: Child[] }>();
  readonly #where = new Map<string, Child>();
  readonly #byPerms = new Map<WorkerPermissions, { key: string; flags: string[] }>();
  readonly #enc = new TextEncoder();
  /** Every child not yet fully exited (stdout closed, status read), killed ones included. */
  readonly #exiting = new Set<Promise<unknown>>();
  #stopped = false;

  /** Create a pool; children start on `start()` (eager) or on first use. */
  constructor(options: ProcessPoolOptions) {
    this.#o = options;
  }

  /** With `eager`, start the default group and wait until each child has loaded the module. */
  async start(): Promise<void> {
    if (!this.#o.eager) return;
    const g = this.#group(undefined);
    const boots: Promise<void>[] = [];
    for (let i = 0; i < this.#o.processes; i++) boots.push(this.#spawn(g.key).ready);
    const failed = (await Promise.allSettled(boots)).find((r) => r.status === "rejected");
    if (failed) {
      await this.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  #group(perms: WorkerPermissions | undefined): { key: string; flags: string[] } {
    // Keyed by the worker's (frozen) permissions object: flags are worked out once each.
    let g = this.#byPerms.get(perms ?? "inherit");
    if (!g) {
      const flags = permissionFlags(perms);
      g = { key: flags.join(" "), flags };
      this.#byPerms.set(perms ?? "inherit", g);
      if (!this.#groups.has(g.key)) this.#groups.set(g.key, { flags, children: [] });
    }
    return g;
  }

  #spawn(key: string): { child: Child; ready: Promise<void> } {
    const group = this.#groups.get(key)!;
    // The registry module must be readable even when the worker's grants say otherwise.
    const readModule = this.#o.url.startsWith("file:")
      ? [`--allow-read=${decodeURIComponent(new URL(this.#o.url).pathname)}`]
      : [];
    const hasRead = group.flags.some((f) => f === "--allow-read");
    const proc = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        ...group.flags,
        ...(hasRead ? [] : readModule),
        ENTRY.href,
        this.#o.url,
        String(this.#o.maxPayloadBytes),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const writer = proc.stdin.getWriter();
    const child: Child = {
      proc,
      group: key,
      ids: new Set(),
      writing: Promise.resolve(),
      writer,
      dead: false,
      reading: Promise.resolve(),
    };
    group.children.push(child);
    const { promise: ready, resolve, reject } = Promise.withResolvers<void>();
    ready.catch(() => {}); // also reported through the jobs it held
    const timeoutMs = this.#o.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      reject(new Error(`module ${this.#o.url} did not load in a child process in ${timeoutMs} ms`));
      this.#lose(child, `did not start within ${timeoutMs} ms`);
    }, timeoutMs);
    child.reading = this.#read(child, (m) => {
      if (m.t === "ready") {
        clearTimeout(timer);
        resolve();
      } else if (m.t === "init_error") {
        clearTimeout(timer);
        const msg = `module ${this.#o.url} failed to load in a child process: ${m.message}`;
        reject(new Error(msg));
        this.#lose(child, msg);
      } else this.#onOut(child, m);
    }).finally(() => {
      clearTimeout(timer);
      reject(new Error(`a child process exited before loading ${this.#o.url}`));
    });
    proc.status.then((s) => {
      if (!child.dead) this.#lose(child, `child process exited (code ${s.code}, ${s.signal})`);
    });
    const exited = Promise.allSettled([proc.status, child.reading]);
    this.#exiting.add(exited);
    exited.then(() => this.#exiting.delete(exited));
    return { child, ready };
  }

  // Read frames from the child's stdout until it closes.
  async #read(child: Child, on: (m: FromChild) => void): Promise<void> {
    let buf = "";
    try {
      for await (const chunk of child.proc.stdout.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.startsWith(FRAME)) {
            if (line) this.#o.logger.info(`[child ${child.proc.pid}] ${line}`);
            continue;
          }
          if (!child.dead) on(JSON.parse(line.slice(FRAME.length)) as FromChild);
        }
      }
    } catch {
      // The pipe broke: the exit handler reports the jobs.
    }
  }

  #onOut(child: Child, m: Extract<FromChild, { t: "out" }>): void {
    const { hooks } = this.#o;
    for (const [id, p] of m.progress) if (child.ids.has(id)) hooks.onProgress(id, p);
    for (const [id, text] of m.logs) hooks.onLog(id, text);
    // A late result of a run the server already gave up on is dropped.
    const fresh = m.results.filter((r) => child.ids.delete(r.id) && this.#where.delete(r.id));
    if (fresh.length) hooks.onResults(fresh);
  }

  // Tear a child down (SIGKILL) and report what it held.
  #lose(child: Child, message: string | null): void {
    if (child.dead) return;
    child.dead = true;
    const group = this.#groups.get(child.group)!;
    group.children.splice(group.children.indexOf(child), 1);
    try {
      child.proc.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    child.writer.close().catch(() => {});
    const lost: RunResult[] = [];
    for (const id of child.ids) {
      this.#where.delete(id);
      lost.push(message === null ? { id, kind: "terminated" } : { id, kind: "crashed", message });
    }
    child.ids.clear();
    if (message !== null && !this.#stopped) {
      this.#o.logger.error(`child process ${child.proc.pid} lost: ${message}`, {
        jobs: lost.length,
      });
    }
    if (lost.length && !this.#stopped) this.#o.hooks.onResults(lost);
  }

  #write(child: Child, msg: ToChild): void {
    const bytes = this.#enc.encode(JSON.stringify(msg) + "\n");
    child.writing = child.writing.then(() => child.writer.write(bytes)).catch(() => {
      // The child is gone; its exit reports the jobs.
    });
  }

  /** Send jobs to the least-loaded child of their permission group. */
  dispatch(jobs: WireJob[]): void {
    const batches = new Map<Child, WireJob[]>();
    for (const job of jobs) {
      const { key } = this.#group(this.#o.permissionsOf?.(job.method));
      const group = this.#groups.get(key)!;
      let best: Child | undefined;
      for (const c of group.children) if (!best || c.ids.size < best.ids.size) best = c;
      if (!best || (best.ids.size > 0 && group.children.length < this.#o.processes)) {
        best = this.#spawn(key).child;
      }
      const old = this.#where.get(job.id);
      if (old && old !== best) old.ids.delete(job.id);
      best.ids.add(job.id);
      this.#where.set(job.id, best);
      let b = batches.get(best);
      if (!b) batches.set(best, b = []);
      b.push(job);
    }
    for (const [child, batch] of batches) this.#write(child, { t: "run", jobs: batch });
  }

  /** Abort the signals of these runs in their children. */
  abort(ids: readonly string[], reason: AbortReason): void {
    const groups = new Map<Child, string[]>();
    for (const id of ids) {
      const c = this.#where.get(id);
      if (!c) continue;
      let g = groups.get(c);
      if (!g) groups.set(c, g = []);
      g.push(id);
    }
    for (const [c, g] of groups) this.#write(c, { t: "abort", ids: g, reason });
  }

  /** SIGKILL the child running `id`; all its jobs come back `terminated`. */
  kill(id: string): void {
    const c = this.#where.get(id);
    if (c) this.#lose(c, null);
  }

  /** SIGKILL every child and wait until each has exited. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const all = [...this.#groups.values()].flatMap((g) => g.children);
    for (const c of all) this.#lose(c, null);
    await Promise.allSettled([...this.#exiting]);
    this.#where.clear();
  }
}
