/**
 * `qml jobs list|show|retry|delete`: look at jobs and act on them, one by id or
 * every job a filter matches.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { type GlobalOptions, withStorage } from "../context.ts";
import { systemClock } from "../../clock.ts";
import { type BulkAction, bulkByFilter, bulkByIds, type BulkDeps } from "../../dashboard/bulk.ts";
import { type FilterOptions, hasFilter, toListFilter } from "../filters.ts";
import { emit, type Io, Progress, UsageError } from "../io.ts";

/** Options of `qml jobs list`. */
export interface ListOptions extends GlobalOptions, FilterOptions {
  /** Page size (default 20). */
  limit?: number;
  /** Cursor of the page (printed after the previous one). */
  cursor?: string;
}

/** `qml jobs list`: one page of jobs, newest first. */
export async function listJobs(io: Io, o: ListOptions): Promise<number> {
  const limit = o.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
    throw new UsageError("--limit: expected a whole number from 1 to 1000");
  }
  const filter = toListFilter(o);
  return await withStorage(o, async (_s, client) => {
    const page = await client.list({ ...filter, limit, cursor: o.cursor ?? null });
    emit(io, !!o.json, page, () => [
      ...page.jobs.map(jobLine),
      ...(page.nextCursor ? [`next page: --cursor ${page.nextCursor}`] : []),
    ]);
    return 0;
  });
}

/** `qml jobs show ID`: one job with its history. */
export async function showJob(io: Io, id: string, o: GlobalOptions): Promise<number> {
  return await withStorage(o, async (_s, client) => {
    const job = await client.get(id);
    if (!job) {
      io.err(`error: no job ${id}`);
      return 1;
    }
    emit(io, !!o.json, job, () => [
      jobLine(job),
      `  args:     ${JSON.stringify(job.args)}`,
      `  attempts: ${job.attempts}/${job.maxAttempts}`,
      ...(job.result != null ? [`  result:   ${JSON.stringify(job.result)}`] : []),
      ...(job.error ? [`  error:    ${job.error.name}: ${job.error.message}`] : []),
      "  history:",
      ...job.history.map((h) =>
        `    ${h.at.toISOString()}  ${h.state.padEnd(13)} ${h.reason ?? ""}${
          h.server ? ` (${h.server})` : ""
        }`
      ),
    ]);
    return 0;
  });
}

/** Options of `qml jobs retry|delete`. */
export type ActOptions = GlobalOptions & FilterOptions;

/** `qml jobs retry|delete [ID…] [filters]`: act on the given jobs or on every match. */
export async function actOnJobs(
  io: Io,
  action: BulkAction,
  ids: string[],
  o: ActOptions,
): Promise<number> {
  if (ids.length === 0 && !hasFilter(o)) {
    throw new UsageError(`jobs ${action}: give job ids or a filter (--state, --queue, …)`);
  }
  if (ids.length > 0 && hasFilter(o)) {
    throw new UsageError(`jobs ${action}: give job ids or a filter, not both`);
  }
  const filter = toListFilter(o);
  return await withStorage(o, async (storage) => {
    const progress = new Progress(io, action === "retry" ? "retrying" : "deleting");
    let changed = 0;
    const deps: BulkDeps = {
      storage,
      clock: systemClock,
      source: "the CLI",
      // Dashboards elsewhere see the change live, once per batch.
      publish: async (changes) => {
        changed += changes.length;
        progress.update(changed, ids.length || undefined);
        // Best effort: a lost notice only delays another dashboard's refresh.
        await storage.recordActivity({ metrics: [], changes }).catch(() => {});
      },
    };
    const count = ids.length > 0
      ? await bulkByIds(deps, action, ids)
      : await bulkByFilter(deps, action, filter);
    progress.done();
    emit(io, !!o.json, { action, count }, () => [`${action}: ${count} job(s) changed`]);
    return 0;
  });
}

/** One line per job in lists. */
export function jobLine(j: Job): string {
  return `${j.id}  ${j.state.padEnd(13)} ${
    j.queue.padEnd(12)
  } ${j.method}  (attempt ${j.attempts}/${j.maxAttempts})`;
}
