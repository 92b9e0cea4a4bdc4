/**
 * The Redis read verbs: jobs by id, the filtered list (its ids found by `search.ts`), and
 * the per-queue state counts.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { ALL_STATES } from "../../job_state.ts";
import { addCount, emptyJobCounts, listLimit } from "../contract_rules.ts";
import type { JobCounts, JobPage, ListParams } from "../storage.ts";
import { decodeJob, type RawJob } from "./codec.ts";
import type { RedisKeys } from "./keys.ts";
import type { Script } from "./scripts.ts";
import { listIds } from "./search.ts";

/** The jobs of `ids`, in order (`null` where one does not exist). */
export async function getJobs(
  script: Script,
  keys: RedisKeys,
  ids: readonly string[],
): Promise<(Job | null)[]> {
  if (ids.length === 0) return [];
  const reply = await script<string>("getJobs", [keys.base], [...ids]);
  const raw = JSON.parse(reply) as (RawJob | false)[] | Record<string, never>;
  return Array.isArray(raw) ? raw.map(decodeJob) : [];
}

/** One page of jobs matching `params`. */
export async function listJobs(
  script: Script,
  keys: RedisKeys,
  params: ListParams,
): Promise<JobPage> {
  const { ids, nextCursor } = await listIds(script, keys.base, params, listLimit(params.limit));
  const jobs = (await getJobs(script, keys, ids)).filter((j): j is Job => j !== null);
  return { jobs, nextCursor };
}

/** Jobs per queue and state. */
export async function countJobs(script: Script, keys: RedisKeys): Promise<JobCounts> {
  const rows = await script<[string, ...number[]][]>("counts", [keys.base], [...ALL_STATES]);
  const out = emptyJobCounts();
  for (const [queue, ...n] of rows) {
    if (n.every((c) => c === 0)) continue;
    ALL_STATES.forEach((s, i) => addCount(out, queue, s, n[i]));
  }
  return out;
}
