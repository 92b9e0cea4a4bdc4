/**
 * The Redis search and list walk: which ids a page holds, found by `lua/list_jobs.lua`
 * (a merge of the per-(queue, state) id sets, newest first). A search or a createdAt range
 * scans at most {@link SEARCH_SCAN_LIMIT} jobs passing the queue, state and method filters,
 * counted across calls; every call inspects at most {@link LIST_CAP} ids, so that no one
 * script holds Redis for long.
 *
 * @module
 */
import { ALL_STATES } from "../../job_state.ts";
import { type ListParams, SEARCH_SCAN_LIMIT } from "../storage.ts";
import { parseSearch } from "../search.ts";
import type { Script } from "./scripts.ts";

/** Most ids one `list_jobs.lua` call inspects before it returns. */
export const LIST_CAP = 5_000;

type Stop = "end" | "full" | "bound" | "cap";

/** The ids of one page (newest first) and the cursor of the next. */
export async function listIds(
  script: Script,
  base: string,
  params: ListParams,
  limit: number,
): Promise<{ ids: string[]; nextCursor: string | null }> {
  const search = parseSearch(params.search);
  const time = (d: Date | undefined) =>
    d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : "";
  const from = time(params.from), to = time(params.to);
  const bounded = search !== null || from !== "" || to !== "";
  const ids: string[] = [];
  let cursor = params.cursor ?? "";
  let left = SEARCH_SCAN_LIMIT;
  for (;;) {
    const [page, next, scanned, stop] = await script<[string[], string | false, number, Stop]>(
      "listJobs",
      [base],
      [
        cursor,
        limit - ids.length,
        params.queue ?? "",
        params.method ?? "",
        search?.text ?? "",
        LIST_CAP,
        search?.field?.key ?? "",
        search?.field?.value ?? "",
        from,
        to,
        bounded ? left : 0,
        ...(params.state ? [params.state] : ALL_STATES),
      ],
    );
    ids.push(...page);
    left -= scanned;
    if (stop === "full") return { ids, nextCursor: ids.at(-1) ?? null };
    if (stop === "cap" && next) {
      // A plain filter returns what one call found (a short page has a cursor); a search
      // goes on until its page is full (then only to learn whether another match follows)
      // or its bound is reached.
      if (!bounded) return { ids, nextCursor: next };
      if (left > 0) {
        cursor = next;
        continue;
      }
    }
    return { ids, nextCursor: null };
  }
}
