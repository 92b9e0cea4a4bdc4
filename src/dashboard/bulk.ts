/**
 * Bulk retry and delete: over explicit ids, or over every job a filter matches
 * (not just one page), walked in bounded batches with one storage transition
 * call per batch. The state machine (`decide`) judges every job; a job it
 * refuses (a retry of a running job) is skipped, not counted.
 *
 * @module
 */
import type { JobChange } from "../activity.ts";
import type { Clock } from "../clock.ts";
import { IllegalTransitionError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { Storage } from "../storage/storage.ts";
import { decide, DEFAULT_TTLS, type Outcome, type TransitionItem } from "../transitions.ts";
import type { JobFilter } from "./filters.ts";

/** A bulk action. */
export type BulkAction = "retry" | "delete";

/** Jobs read and transitioned per storage call. */
export const BULK_BATCH = 500;

/** Most ids one request may name. */
export const BULK_MAX_IDS = 1000;

/** What a bulk run needs. */
export interface BulkDeps {
  /** The storage changed. */
  storage: Storage;
  /** Time of the transitions. */
  clock: Clock;
  /** Called once per applied batch with what changed. */
  publish(changes: JobChange[]): Promise<void>;
  /** Who acts, as written in the jobs' history (default `"the dashboard"`). */
  source?: string;
}

/** Apply `action` to every job of `ids`; returns how many changed. */
export async function bulkByIds(
  deps: BulkDeps,
  action: BulkAction,
  ids: readonly string[],
): Promise<number> {
  const { storage } = deps;
  let count = 0;
  for (let i = 0; i < ids.length; i += BULK_BATCH) {
    const jobs = await Promise.all(ids.slice(i, i + BULK_BATCH).map((id) => storage.get({ id })));
    count += await applyBatch(deps, action, jobs.filter((j): j is Job => j !== null));
  }
  return count;
}

/**
 * Apply `action` to every job matching `filter`, newest first. Paging is by id, so jobs
 * that leave the filter as they change (a retried Failed job) never make it loop.
 */
export async function bulkByFilter(
  deps: BulkDeps,
  action: BulkAction,
  filter: JobFilter,
): Promise<number> {
  const { storage } = deps;
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await storage.list({ ...filter, limit: BULK_BATCH, cursor });
    count += await applyBatch(deps, action, page.jobs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

async function applyBatch(
  deps: BulkDeps,
  action: BulkAction,
  jobs: readonly Job[],
): Promise<number> {
  const now = deps.clock.now();
  const outcome: Outcome = action === "retry"
    ? { type: "requeued", reason: `bulk retry from ${deps.source ?? "the dashboard"}` }
    : { type: "deleted", reason: `bulk delete from ${deps.source ?? "the dashboard"}` };
  const items: TransitionItem[] = [];
  for (const job of jobs) {
    try {
      items.push({
        id: job.id,
        guard: { state: job.state },
        next: decide(job, outcome, { now, ttls: DEFAULT_TTLS }),
      });
    } catch (err) {
      if (!(err instanceof IllegalTransitionError)) throw err;
    }
  }
  if (items.length === 0) return 0;
  const applied = await deps.storage.transition({ items, now });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const changes: JobChange[] = [];
  items.forEach((item, i) => {
    const job = byId.get(item.id);
    if (!applied[i] || !job) return;
    changes.push({
      type: action === "retry" ? "requeued" : "deleted",
      id: job.id,
      queue: job.queue,
      method: job.method,
      state: item.next.state,
      at: now,
    });
  });
  if (changes.length > 0) await deps.publish(changes);
  return changes.length;
}
