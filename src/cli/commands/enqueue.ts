/**
 * `qml enqueue METHOD --args JSON`: put a job in a queue from a shell script.
 *
 * @module
 */
import type { EnqueueOptions } from "../../client.ts";
import { type GlobalOptions, withStorage } from "../context.ts";
import { parseDuration } from "../durations.ts";
import { emit, type Io, UsageError } from "../io.ts";

/** Options of `qml enqueue`. */
export interface EnqueueCliOptions extends GlobalOptions {
  /** The job's arguments as JSON (default `null`). */
  args?: string;
  /** Queue name. */
  queue?: string;
  /** Delay such as `30s` or `5m`. */
  delay?: string;
  /** Priority (higher first). */
  priority?: number;
  /** Attempts in all. */
  maxAttempts?: number;
  /** Unique key. */
  uniqueKey?: string;
}

/** `qml enqueue METHOD`. */
export async function enqueue(io: Io, method: string, o: EnqueueCliOptions): Promise<number> {
  let args: unknown = null;
  if (o.args !== undefined) {
    try {
      args = JSON.parse(o.args);
    } catch (err) {
      throw new UsageError(`--args: not valid JSON (${(err as Error).message})`);
    }
  }
  const options: EnqueueOptions = {
    queue: o.queue,
    priority: o.priority,
    maxAttempts: o.maxAttempts,
    uniqueKey: o.uniqueKey,
    delayMs: o.delay === undefined ? undefined : parseDuration(o.delay, "--delay"),
  };
  return await withStorage(o, async (_s, client) => {
    const job = await client.enqueue(method, args, options);
    emit(io, !!o.json, job, () => [`${job.id} ${job.state} (${job.queue})`]);
    return 0;
  });
}
