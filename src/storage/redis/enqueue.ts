/**
 * Enqueue on Redis: jobs go to the enqueue script in chunks, and unique-key hits are answered
 * with the job that holds the key.
 *
 * A chunk is {@link ENQUEUE_CHUNK} jobs, one script call, and at most
 * {@link ENQUEUE_WINDOW} calls are in flight: no single script holds Redis for long (~500
 * jobs run in a few milliseconds), the calls are still pipelined (a bulk enqueue costs
 * about one round trip per window), and each call's reply deadline runs from its own send
 * — 200 chunks of a 100,000-job batch sent at once timed out behind one another on a busy
 * server, after Redis had stored them. A chunk is encoded when its call is sent, overlapping
 * Redis's work on the ones before. Chunks are sent in order on one connection, so Redis runs
 * them in order: a unique key repeated in the batch goes to its first job.
 *
 * @module
 */
import { StorageError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type { EnqueueResult } from "../storage.ts";
import { encodeJob } from "./codec.ts";
import type { RedisKeys } from "./keys.ts";
import { getJobs } from "./list.ts";
import type { Script } from "./scripts.ts";

/** Jobs per enqueue script call. */
export const ENQUEUE_CHUNK = 500;
/** Enqueue script calls in flight at once. */
export const ENQUEUE_WINDOW = 8;

/**
 * The enqueue script's reply for every job of `jobs`, in order; `call` runs the script on
 * one JSON-encoded chunk (`codec.ts` `encodeJob`). After a failed call no further chunk is
 * sent.
 *
 * @example
 * ```ts ignore
 * const holders = await enqueueInChunks(jobs, (batch) => script("enqueue", [base], [batch]));
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

/** Store `jobs`; a job whose unique key is held comes back as the holder, `created: false`. */
export async function enqueueJobs(
  script: Script,
  keys: RedisKeys,
  jobs: readonly Job[],
): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  const holders = await enqueueInChunks(
    jobs,
    (batch) => script<string[]>("enqueue", [keys.base], [batch]),
  );
  if (holders.every((h) => h === "")) return jobs.map((job) => ({ job, created: true }));
  // Unique-key hits: the holder is an earlier job of this batch or an older live job.
  const inBatch = new Map(jobs.map((j) => [j.id, j]));
  const missing = [...new Set(holders.filter((h) => h !== "" && !inBatch.has(h)))];
  const loaded = await getJobs(script, keys, missing);
  missing.forEach((id, i) => loaded[i] && inBatch.set(id, loaded[i]!));
  return jobs.map((job, i) => {
    const h = holders[i];
    if (h === "") return { job, created: true };
    const holder = inBatch.get(h);
    if (!holder) throw new StorageError(`unique key holder ${h} of job ${job.id} vanished`);
    return { job: holder, created: false };
  });
}
