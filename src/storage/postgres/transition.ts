/**
 * Transitions on Postgres: a batch of guarded state changes as one statement, falling back to
 * one statement per item when a unique key breaks the batch. Items that end their jobs
 * already expired (a retention of 0) are a DELETE of their own, beside it.
 *
 * @module
 */
import { StorageError } from "../../errors.ts";
import { expiredOnWrite, type TransitionItem } from "../../transitions.ts";
import { expiredColumns, transitionColumns } from "./columns.ts";
import type { Queries } from "./queries.ts";
import { errorMessage, isUniqueViolation, type Run } from "./run.ts";

/** Apply `items` (NOTIFYing `channel`); per item, whether its guard held. */
export async function transitionJobs(
  run: Run,
  q: Queries,
  channel: string,
  items: readonly TransitionItem[],
  now: Date,
): Promise<boolean[]> {
  if (items.length === 0) return [];
  const runs = distinctRuns(items);
  if (runs.length > 1) {
    // One UPDATE changes a row once: moves of one job go in statements one after the other.
    const out: boolean[] = [];
    for (const part of runs) out.push(...await transitionJobs(run, q, channel, part, now));
    return out;
  }
  try {
    return await transitionBatch(run, q, channel, items, now);
  } catch (err) {
    // A requeue racing a concurrent enqueue for the same unique key breaks the unique
    // index for the whole batch: apply the items one by one so only that one fails.
    if (!isUniqueViolation(err) || items.length === 1) {
      if (isUniqueViolation(err)) return [false];
      throw err;
    }
    const out: boolean[] = [];
    for (const item of items) out.push((await transitionJobs(run, q, channel, [item], now))[0]);
    return out;
  }
}

// `items` name each job once, so the two statements never touch the same row.
async function transitionBatch(
  run: Run,
  q: Queries,
  channel: string,
  items: readonly TransitionItem[],
  now: Date,
): Promise<boolean[]> {
  const expired: TransitionItem[] = [], kept: TransitionItem[] = [];
  for (const item of items) (expiredOnWrite(item.next, now) ? expired : kept).push(item);
  assertEncodable(kept);
  const applied = new Set<string>();
  if (kept.length > 0) {
    const { columns, entries } = transitionColumns(kept);
    const rows = await run("transition", q.transition, [...columns, entries, now, channel]);
    for (const r of rows) applied.add(r.id as string);
  }
  if (expired.length > 0) {
    const params = [...expiredColumns(expired), now, channel];
    for (const r of await run("transition", q.transitionExpired, params)) {
      applied.add(r.id as string);
    }
  }
  return items.map((i) => applied.has(i.id));
}

// A result JSON cannot encode (a BigInt) must fail before the driver sees it: postgres.js
// throws while writing it to a connection that other queries share, which leaves their
// replies misaligned (a fetch then reads another statement's rows).
function assertEncodable(items: readonly TransitionItem[]): void {
  for (const { id, next } of items) {
    const r = next.result;
    if (r === null || typeof r === "string" || typeof r === "number" || typeof r === "boolean") {
      continue;
    }
    try {
      JSON.stringify(r);
    } catch (err) {
      throw new StorageError(
        `postgres transition failed: result of job ${id}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }
}

/** `items` cut, in order, into runs that each name a job at most once (usually one run). */
export function distinctRuns(items: readonly TransitionItem[]): TransitionItem[][] {
  const runs: TransitionItem[][] = [[]];
  let ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) {
      runs.push([]);
      ids = new Set();
    }
    ids.add(item.id);
    runs[runs.length - 1].push(item);
  }
  return runs;
}
