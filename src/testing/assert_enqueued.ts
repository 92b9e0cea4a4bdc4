/**
 * `assertEnqueued` / `refuteEnqueued`: check what a code path enqueued, without running it.
 *
 * @module
 */
import { AssertionError } from "node:assert";
import { JobClient } from "../client.ts";
import type { Job } from "../job.ts";
import { JobState } from "../job_state.ts";
import type { Storage } from "../storage/storage.ts";

/** What an enqueued job must match; `args` matches as a subset of the job's arguments. */
export interface EnqueuedMatch {
  /** The worker name. */
  method: string;
  /** Arguments the job's arguments must contain (objects: by key, recursively). */
  args?: unknown;
  /** The queue. */
  queue?: string;
}

/**
 * The waiting (Enqueued or Scheduled) job that matches, or throw an `AssertionError` listing
 * the waiting jobs of that method.
 *
 * @example
 * ```ts
 * import { JobClient, MemoryStorage } from "@qml/qml";
 * import { assertEnqueued } from "@qml/qml/testing";
 *
 * const client = new JobClient(new MemoryStorage());
 * await client.enqueue("send_email", { to: "a@b.c", subject: "hi" }, { queue: "mail" });
 * const job = await assertEnqueued(client, { method: "send_email", args: { to: "a@b.c" } });
 * console.log(job.queue); // "mail"
 * ```
 */
export async function assertEnqueued(
  target: JobClient | Storage,
  match: EnqueuedMatch,
): Promise<Job> {
  const waiting = await waitingJobs(target, match);
  const hit = waiting.find((j) => matches(j, match));
  if (hit) return hit;
  throw new AssertionError({
    message: `expected a job enqueued matching ${JSON.stringify(match)}; ` +
      (waiting.length
        ? `waiting ${match.method} jobs: ${
          JSON.stringify(waiting.map((j) => ({ queue: j.queue, args: j.args })))
        }`
        : `no ${match.method} job is waiting`),
  });
}

/**
 * Throw an `AssertionError` if a waiting (Enqueued or Scheduled) job matches.
 *
 * @example
 * ```ts
 * import { JobClient, MemoryStorage } from "@qml/qml";
 * import { refuteEnqueued } from "@qml/qml/testing";
 *
 * await refuteEnqueued(new JobClient(new MemoryStorage()), { method: "send_email" });
 * ```
 */
export async function refuteEnqueued(
  target: JobClient | Storage,
  match: EnqueuedMatch,
): Promise<void> {
  const hit = (await waitingJobs(target, match)).find((j) => matches(j, match));
  if (hit) {
    throw new AssertionError({
      message: `expected no job enqueued matching ${JSON.stringify(match)}; found ${hit.id}`,
    });
  }
}

async function waitingJobs(target: JobClient | Storage, match: EnqueuedMatch): Promise<Job[]> {
  const storage = target instanceof JobClient ? target.storage : target;
  const out: Job[] = [];
  for (const state of [JobState.Enqueued, JobState.Scheduled]) {
    let cursor: string | null = null;
    do {
      const page = await storage.list({
        state,
        method: match.method,
        queue: match.queue,
        limit: 1000,
        cursor,
      });
      out.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return out;
}

function matches(job: Job, match: EnqueuedMatch): boolean {
  return job.method === match.method &&
    (match.queue === undefined || job.queue === match.queue) &&
    (match.args === undefined || contains(job.args, match.args));
}

/** Whether `actual` contains `expected`: objects by key (recursively), anything else equal. */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== "object") return Object.is(actual, expected);
  if (actual === null || typeof actual !== "object") return false;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((e, i) => contains(actual[i], e));
  }
  return Object.entries(expected).every(([k, v]) =>
    contains((actual as Record<string, unknown>)[k], v)
  );
}
