/**
 * `qml jobs list|show|retry|delete`: look at jobs and act on them, one by id or
 * every job a filter matches.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { type GlobalOptions, withStorage } from "../context.ts";
import { type FilterOptions, hasFilter, matchingJobs, toListFilter } from "../filters.ts";
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
  action: "retry" | "delete",
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
  return await withStorage(o, async (_s, client) => {
    const progress = new Progress(io, action === "retry" ? "retrying" : "deleting");
    let matched = 0, changed = 0;
    const act = (id: string) => action === "retry" ? client.requeue(id) : client.delete(id);
    const source = ids.length > 0 ? ids : idsOf(matchingJobs(client, filter));
    for await (const id of source) {
      matched++;
      if (await act(id).catch(() => false)) changed++;
      progress.update(matched);
    }
    progress.done();
    const summary = { action, matched, changed };
    emit(io, !!o.json, summary, () => [`${action}: ${changed} of ${matched} job(s) changed`]);
    return 0;
  });
}

async function* idsOf(jobs: AsyncIterable<Job>): AsyncGenerator<string> {
  for await (const j of jobs) yield j.id;
}

/** One line per job in lists. */
export function jobLine(j: Job): string {
  return `${j.id}  ${j.state.padEnd(13)} ${
    j.queue.padEnd(12)
  } ${j.method}  (attempt ${j.attempts}/${j.maxAttempts})`;
}
