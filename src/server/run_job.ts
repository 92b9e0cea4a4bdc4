/**
 * Running one job's handler, the same way in a Web Worker and inline:
 * validate the arguments, build the context, call `execute`, and turn
 * whatever happens into a {@link RunResult}.
 *
 * @module
 */
import { UnknownWorkerError } from "../errors.ts";
import { toJobError } from "../job.ts";
import { checkPayload, DEFAULT_MAX_PAYLOAD_BYTES } from "../json.ts";
import { type JobContext, parseArgs, type WorkerRegistry } from "../worker.ts";
import { withJobSpan } from "../telemetry/tracing.ts";
import type { RunResult, WireJob } from "./protocol.ts";

/** Where a handler's progress and log lines go. */
export interface RunSink {
  /** Job `id` reported `percent` (0..100). */
  progress(id: string, percent: number): void;
  /** Job `id` logged a line. */
  log(id: string, text: string): void;
}

/** Render `ctx.log` arguments as one line (objects inspected, as console.log would). */
export function formatLog(data: unknown[]): string {
  return data.map((d) => typeof d === "string" ? d : Deno.inspect(d, { depth: 4 })).join(" ");
}

/**
 * Run `job` with its worker from `registry`; never rejects. Arguments that fail
 * validation, unknown methods and results that break the payload rules
 * (src/json.ts: not plain JSON, or over `maxPayloadBytes`) give a
 * non-retryable error result, so a bad result fails its own job only.
 */
export function runJob(
  registry: WorkerRegistry,
  job: WireJob,
  signal: AbortSignal,
  sink: RunSink,
  maxPayloadBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
): Promise<RunResult> {
  // The attempt's span lives where the handler runs, so the handler's own spans nest in it.
  return withJobSpan(
    { ...job, traceContext: job.traceContext ?? null },
    () => runAttempt(registry, job, signal, sink, maxPayloadBytes),
    (r) => r.kind === "ok" ? { ok: true } : { ok: false, error: "error" in r ? r.error : r.kind },
  );
}

async function runAttempt(
  registry: WorkerRegistry,
  job: WireJob,
  signal: AbortSignal,
  sink: RunSink,
  maxPayloadBytes: number,
): Promise<RunResult> {
  const id = job.id;
  // The one unknown-worker check: it holds wherever handlers run (thread, inline, process).
  const worker = registry.get(job.method);
  if (!worker) {
    const err = new UnknownWorkerError(job.method, registry.names());
    return { id, kind: "error", error: toJobError(err), retryable: false };
  }
  let args = job.args;
  if (worker.args !== undefined) {
    try {
      args = await parseArgs(worker, job.args);
    } catch (err) {
      return { id, kind: "error", error: toJobError(err), retryable: false };
    }
  }
  const ctx: JobContext = {
    job: {
      id,
      method: job.method,
      queue: job.queue,
      priority: job.priority,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      createdAt: new Date(job.createdAt),
    },
    signal,
    progress: (percent) => {
      const p = Number(percent);
      if (Number.isFinite(p)) sink.progress(id, Math.min(100, Math.max(0, p)));
    },
    log: (...data) => sink.log(id, formatLog(data)),
  };
  let value: unknown;
  try {
    value = await worker.execute(args, ctx);
  } catch (err) {
    return { id, kind: "error", error: toJobError(err) };
  }
  if (value === undefined) return { id, kind: "ok", value: null };
  try {
    checkPayload(value, "result", maxPayloadBytes);
  } catch (err) {
    return { id, kind: "error", error: toJobError(err), retryable: false };
  }
  return { id, kind: "ok", value };
}
