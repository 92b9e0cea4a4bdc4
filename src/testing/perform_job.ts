/**
 * `performJob`: call one worker's handler the way a server would (arguments validated, a real
 * `ctx`), without a storage or a server.
 *
 * @module
 */
import { assertJson } from "../json.ts";
import { uuidv7 } from "../ids.ts";
import { resolveMaxAttempts } from "../retry_policy.ts";
import { formatLog } from "../server/run_job.ts";
import { type JobContext, parseArgs, type WorkerDefinition } from "../worker.ts";

/** Options of {@link performJob}: the job the handler believes it runs, and its sinks. */
export interface PerformOptions {
  /** Job id (default: a new one). */
  id?: string;
  /** Queue (default `"default"`). */
  queue?: string;
  /** Priority (default 0). */
  priority?: number;
  /** This attempt's number (default 1). */
  attempt?: number;
  /** Attempts allowed (default: the worker's, else 5). */
  maxAttempts?: number;
  /** The signal `ctx.signal` follows (default: never aborted). */
  signal?: AbortSignal;
  /** Receives `ctx.progress` values, clamped to 0..100. */
  onProgress?: (percent: number) => void;
  /** Receives `ctx.log` lines (default: dropped). */
  onLog?: (line: string) => void;
}

/**
 * Run `worker` on `args` now and resolve with its result; rejects with what the handler
 * threw, or a `ValidationError` when the arguments fail the worker's validator (the server
 * would fail the job without retrying). Arguments must be JSON, as at enqueue.
 *
 * @example Unit-test a handler
 * ```ts
 * import { defineWorker } from "@qml/qml";
 * import { performJob } from "@qml/qml/testing";
 *
 * const add = defineWorker({
 *   name: "add",
 *   execute: (a: { x: number; y: number }, ctx) => {
 *     ctx.progress(100);
 *     return a.x + a.y;
 *   },
 * });
 * console.log(await performJob(add, { x: 1, y: 2 })); // 3
 * ```
 *
 * @throws {ValidationError} for arguments that are not JSON or fail the validator.
 */
export async function performJob<In, Out, R>(
  worker: WorkerDefinition<In, Out, R>,
  args: In,
  options: PerformOptions = {},
): Promise<Awaited<R>> {
  assertJson(args);
  // Through JSON as on the way to a real handler: no Dates or class instances survive.
  const raw = JSON.parse(JSON.stringify(args ?? null));
  const parsed = await parseArgs(worker, raw);
  const ctx: JobContext = {
    job: {
      id: options.id ?? uuidv7(),
      method: worker.name,
      queue: options.queue ?? "default",
      priority: options.priority ?? 0,
      attempt: options.attempt ?? 1,
      maxAttempts: resolveMaxAttempts(options.maxAttempts, worker.retry),
      createdAt: new Date(),
    },
    signal: options.signal ?? new AbortController().signal,
    progress: (percent) => {
      const p = Number(percent);
      if (Number.isFinite(p)) options.onProgress?.(Math.min(100, Math.max(0, p)));
    },
    log: (...data) => options.onLog?.(formatLog(data)),
  };
  return await worker.execute(parsed, ctx);
}
