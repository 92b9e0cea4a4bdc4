/**
 * The Redis read verbs: jobs by id, the filtered list (a budget of ids per script call), and
 * the per-queue state counts.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { ALL_STATES } from "../../job_state.ts";
import { addCount, emptyJobCounts, listLimit } from "../contract_rules.ts";
import { parseSearch } from "../search.ts";
import { type JobCounts, type JobPage, type ListParams, SEARCH_SCAN_LIMIT } from "../storage.ts";
import { decodeJob, type RawJob } from "./codec.ts";
import type { RedisKeys } from "./keys.ts";
import type { Script } from "./scripts.ts";

// Most ids one list call inspects before returning a (possibly short) page.
const LIST_BUDGET = 5_000;

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
  const limit = listLimit(params.limit);
  const search = parseSearch(params.search);
  const time = (d: Date | undefined) =>
    d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : "";
  const from = time(params.from), to = time(params.to);
  // A search or time range is bounded by SEARCH_SCAN_LIMIT jobs, scanned a budget per
  // call so that Redis is never held long; other filters return one call's page.
  const bounded = search !== null || from !== "" || to !== "";
  const ids: string[] = [];
  let cursor = params.cursor ?? "";
  let scannedTotal = 0;
  while (true) {
    const [page, next, scanned] = await script<[string[], string | null, number]>(
      "listJobs",
      [keys.base],
      [
        cursor,
        limit - ids.length,
        params.queue ?? "",
        params.method ?? "",
        search?.text ?? "",
        LIST_BUDGET,
        search?.field?.key ?? "",
        search?.field?.value ?? "",
        from,
        to,
        ...(params.state ? [params.state] : ALL_STATES),
      ],
    );
    ids.push(...page);
    scannedTotal += scanned;
    if (!next) {
      cursor = "";
      break;
    }
    cursor = next;
    if (!bounded || ids.length >= limit) break;
    if (scannedTotal >= SEARCH_SCAN_LIMIT) {
      cursor = "";
      break;
    }
  }
  const jobs = (await getJobs(script, keys, ids)).filter((j): j is Job => j !== null);
  return { jobs, nextCursor: cursor || null };
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
