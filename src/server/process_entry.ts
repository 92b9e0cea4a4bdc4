/**
 * The script each child process of the process pool runs (`deno run
 * process_entry.ts <registry URL> <maxPayloadBytes>`): import the registry
 * module, run the jobs it reads on stdin, write results on stdout. One JSON
 * message per line each way ({@link ToChild} / {@link FromChild}); JSON never
 * holds a raw newline, so lines frame messages. Protocol lines on stdout start
 * with {@link FRAME}; `console.*` of handlers is sent to stderr so it cannot
 * break a frame, and any other stdout line is passed on as log output.
 *
 * Like the Web Worker entry, uncaught errors are not caught: the process dies,
 * the pool sees it exit and reports its jobs `crashed`.
 *
 * @module
 */
import type { WorkerRegistry } from "../worker.ts";
import type { AbortReason, RunResult, WireJob } from "./protocol.ts";
import { importRegistry } from "./registry_loader.ts";
import { runJob, type RunSink } from "./run_job.ts";

/** Marks a protocol line on the child's stdout. */
export const FRAME = "\x1eqml:";

/** Parent → child, one per line. */
export type ToChild =
  | { t: "run"; jobs: WireJob[] }
  | { t: "abort"; ids: string[]; reason: AbortReason };

/** Child → parent, one per line after {@link FRAME}. */
export type FromChild =
  | { t: "ready" }
  | { t: "init_error"; message: string }
  | { t: "out"; results: RunResult[]; progress: [string, number][]; logs: [string, string][] };

async function main(): Promise<void> {
  const [url, maxArg] = Deno.args;
  const maxPayloadBytes = Number(maxArg) || undefined;
  const enc = new TextEncoder();
  // Every protocol write is synchronous and whole, so frames never interleave.
  const send = (msg: FromChild): void => {
    const bytes = enc.encode(FRAME + JSON.stringify(msg) + "\n");
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  };
  const toStderr = (...data: unknown[]) => {
    const line = data.map((d) => typeof d === "string" ? d : Deno.inspect(d)).join(" ") + "\n";
    Deno.stderr.writeSync(enc.encode(line));
  };
  for (const k of ["log", "info", "debug", "warn", "error"] as const) console[k] = toStderr;

  let registry: WorkerRegistry | null;
  try {
    registry = await importRegistry(url);
    if (!registry) {
      send({ t: "init_error", message: "its default export is not a WorkerRegistry" });
      return;
    }
  } catch (err) {
    send({ t: "init_error", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  send({ t: "ready" });

  const running = new Map<string, AbortController>();
  let results: RunResult[] = [];
  let progress: [string, number][] = [];
  let logs: [string, string][] = [];
  let queued = false;
  const flush = () => {
    queued = false;
    const msg: FromChild = { t: "out", results, progress, logs };
    results = [];
    progress = [];
    logs = [];
    send(msg);
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(flush);
    }
  };
  const sink: RunSink = {
    progress: (id, p) => (progress.push([id, p]), schedule()),
    log: (id, text) => (logs.push([id, text]), schedule()),
  };
  const start = (job: WireJob) => {
    const ac = new AbortController();
    running.set(job.id, ac);
    runJob(registry, job, ac.signal, sink, maxPayloadBytes).then((r) => {
      if (running.get(job.id) !== ac) return;
      running.delete(job.id);
      results.push(r);
      schedule();
    });
  };

  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let buf = "";
  for await (const chunk of lines) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl)) as ToChild;
      buf = buf.slice(nl + 1);
      if (msg.t === "run") { for (const job of msg.jobs) start(job); }
      else {
        for (const id of msg.ids) {
          running.get(id)?.abort(new DOMException(`job aborted: ${msg.reason}`, "AbortError"));
        }
      }
    }
  }
  // stdin closed: the parent is gone or stopping us. Nothing more will be read.
  Deno.exit(0);
}

if (import.meta.main) await main();
