/**
 * How a bulk enqueue travels to Redis: in chunks of {@link ENQUEUE_CHUNK} jobs, one
 * enqueue-script call each, at most {@link ENQUEUE_WINDOW} calls in flight.
 *
 * No single script holds Redis for long (~500 jobs run in a few milliseconds), the calls
 * are still pipelined (a bulk enqueue costs about one round trip per window), and each
 * call's reply deadline runs from its own send: 200 chunks of a 100,000-job batch sent at
 * once timed out behind one another on a busy server — after Redis had stored them. A
 * chunk is encoded when its call is sent, overlapping Redis's work on the ones before.
 * Chunks are sent in order on one connection, so Redis runs them in order: a unique key
 * repeated in the batch goes to its first job.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { encodeJob } from "./codec.ts";

/** Jobs per enqueue script call. */
export const ENQUEUE_CHUNK = 500;
/** Enqueue script calls in flight at once. */
export const ENQUEUE_WINDOW = 8;

/**
 * The enqueue script's reply for every job of `jobs`, in order; `call` runs the script on
 * one JSON-encoded chunk (`codec.ts` `encodeJob`).
 *
 * @example
 * ```ts ignore
 * const holders = await enqueueInChunks(jobs, (batch) => runEnqueueScript(batch));
 * ```
 */
export async function enqueueInChunks(
  jobs: readonly Job[],
  call: (batch: string) => Promise<string[]>,
): Promise<string[]> {
  const encode = (i: number) =>
    JSON.stringify(jobs.slice(i * ENQUEUE_CHUNK, (i + 1) * ENQUEUE_CHUNK).map(encodeJob));
  const count = Math.ceil(jobs.length / ENQUEUE_CHUNK);
  if (count === 1) return await call(encode(0));
  const replies = new Array<string[]>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        replies[i] = await call(encode(i));
      } catch (err) {
        next = count; // send no more chunks once the call is failing
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ENQUEUE_WINDOW, count) }, lane));
  return replies.flat();
}
