/**
 * Enqueue on Redis: jobs go to the enqueue script in chunks, and unique-key hits are answered
 * with the job that holds the key.
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

// Jobs per enqueue script call. Chunks are sent back to back (pipelined), so a
// bulk enqueue is still about one round trip, while no single script holds
// Redis for long: ~500 jobs run in a few milliseconds.
const ENQUEUE_CHUNK = 500;

/** Store `jobs`; a job whose unique key is held comes back as the holder, `created: false`. */
export async function enqueueJobs(
  script: Script,
  keys: RedisKeys,
  jobs: readonly Job[],
): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  const calls: Promise<string[]>[] = [];
  for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
    const batch = JSON.stringify(jobs.slice(i, i + ENQUEUE_CHUNK).map(encodeJob));
    calls.push(script<string[]>("enqueue", [keys.base], [batch]));
  }
  const holders = calls.length === 1 ? await calls[0] : (await Promise.all(calls)).flat();
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
