/**
 * `drainQueue`: run every ready job of a storage now, in the calling isolate, one after the
 * other, through the same storage verbs, handler runner and state machine as a server.
 *
 * @module
 */
import { JobClient } from "../client.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { Job } from "../job.ts";
import { JobState } from "../job_state.ts";
import { runJob } from "../server/run_job.ts";
import type { Storage } from "../storage/storage.ts";
import { decide, type Outcome } from "../transitions.ts";
import type { WorkerRegistry } from "../worker.ts";

/** Options of {@link drainQueue}. */
export interface DrainOptions {
  /** Only this queue (default: every queue that holds jobs). */
  queue?: string;
  /** Time source (default: the client's clock when given a client, else the system clock). */
  clock?: Clock;
  /** Stop after this many runs, e.g. when handlers enqueue jobs forever (default 10,000). */
  maxJobs?: number;
  /** Where `ctx.log` lines go (default: dropped). */
  onLog?: (job: Job, line: string) => void;
}

/** The server name drained jobs are locked by and recorded with in their history. */
export const DRAIN_SERVER = "qml-testing";

const LOCK_TTL_MS = 3_600_000;

/**
 * Run every ready job now, inline, until none is left: due Scheduled and AwaitingRetry jobs
 * are promoted first, and jobs that handlers enqueue run too. Each job runs once per round
 * as a server would run it (arguments validated, retry policy applied), so a failed attempt
 * with a backoff waits for its time. Returns each run's job as stored after it, in order.
 *
 * @example Enqueue, then run everything in a test
 * ```ts
 * import { defineWorker, JobClient, MemoryStorage, WorkerRegistry } from "@qml/qml";
 * import { drainQueue } from "@qml/qml/testing";
 *
 * const greet = defineWorker({ name: "greet", execute: (a: { name: string }) => `hi ${a.name}` });
 * const client = new JobClient(new MemoryStorage());
 * await client.enqueue(greet, { name: "Ada" });
 * const ran = await drainQueue(client, new WorkerRegistry().register(greet));
 * console.log(ran.map((j) => [j.state, j.result])); // [["Succeeded", "hi Ada"]]
 * ```
 */
export async function drainQueue(
  target: JobClient | Storage,
  workers: WorkerRegistry,
  options: DrainOptions = {},
): Promise<Job[]> {
  const storage = target instanceof JobClient ? target.storage : target;
  const clock = options.clock ?? (target instanceof JobClient ? target.clock : systemClock);
  const maxJobs = options.maxJobs ?? 10_000;
  const ran: Job[] = [];
  while (ran.length < maxJobs) {
    await storage.promoteDue({ now: clock.now(), limit: maxJobs });
    const queues = options.queue !== undefined
      ? [options.queue]
      : Object.keys((await storage.counts()).byQueue).sort();
    if (queues.length === 0) break;
    const batch = await storage.fetchAndLock({
      queues,
      limit: Math.min(100, maxJobs - ran.length),
      serverName: DRAIN_SERVER,
      lockTtlMs: LOCK_TTL_MS,
      now: clock.now(),
    });
    if (batch.length === 0) break;
    for (const job of batch) ran.push(await runOne(storage, workers, job, clock, options));
  }
  return ran;
}

async function runOne(
  storage: Storage,
  workers: WorkerRegistry,
  job: Job,
  clock: Clock,
  options: DrainOptions,
): Promise<Job> {
  const writes: Promise<unknown>[] = [];
  const r = await runJob(
    workers,
    {
      id: job.id,
      method: job.method,
      args: job.args,
      queue: job.queue,
      priority: job.priority,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      createdAt: job.createdAt.getTime(),
    },
    new AbortController().signal,
    {
      progress: (id, progress) =>
        void writes.push(storage.setProgress({ id, serverName: DRAIN_SERVER, progress })),
      log: (_id, line) => options.onLog?.(job, line),
    },
  );
  // Progress is written while the job is still locked by us, as on a server.
  await Promise.all(writes);
  const outcome: Outcome = r.kind === "ok"
    ? { type: "succeeded", result: r.value }
    : r.kind === "error"
    ? { type: "failed", error: r.error, retryable: r.retryable !== false }
    // Inline runs neither crash a thread nor get terminated; kept total for the type.
    : { type: "released", reason: "released: run did not finish" };
  const now = clock.now();
  const next = decide(job, outcome, {
    now,
    policy: workers.get(job.method)?.retry,
    server: DRAIN_SERVER,
  });
  await storage.transition({
    items: [{ id: job.id, guard: { state: JobState.Processing, lockedBy: DRAIN_SERVER }, next }],
    now,
  });
  return (await storage.get({ id: job.id })) ?? job;
}
