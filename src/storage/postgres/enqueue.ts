/**
 * Enqueue of a batch in as few statements as the unique keys allow: one INSERT for a batch
 * without keys; with keys, one INSERT … ON CONFLICT DO NOTHING, then one SELECT for the live
 * jobs that held the skipped keys (a new statement, so it sees rows that concurrent enqueuers
 * committed meanwhile and rows this batch stored itself). A batch above {@link ENQUEUE_CHUNK}
 * jobs is written chunk by chunk.
 *
 * @module
 */
import type postgres from "postgres";
import { ConfigError, StorageError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import { JobState } from "../../job_state.ts";
import type { EnqueueResult } from "../storage.ts";
import type { Queries } from "./queries.ts";
import { copyJob } from "../job_copy.ts";
import { jobColumns } from "./columns.ts";
import { rowToJob } from "./rows.ts";

/** Runs one prepared statement, wrapping driver errors (see `PostgresStorage`). */
export type RunQuery = (
  op: string,
  text: string,
  params: unknown[],
  runner?: postgres.Sql,
) => Promise<postgres.Row[]>;

/** A job holding a key may finish between the INSERT and the SELECT: then try it again. */
const MAX_ROUNDS = 5;

/**
 * Jobs per statement. A statement's cost is linear in its rows, but one statement must stay
 * well inside `statement_timeout` and the size a parameter may have; bigger batches are
 * written as consecutive statements of this size (each atomic, all in the caller's
 * transaction when one is given).
 */
export const ENQUEUE_CHUNK = 10_000;

/**
 * The caller's transaction given as `tx` (`undefined` when none).
 *
 * @throws {ConfigError} when `tx` is not a postgres.js transaction.
 */
export function transactionOf(tx: unknown): postgres.Sql | undefined {
  if (tx === undefined || tx === null) return undefined;
  if (typeof (tx as { unsafe?: unknown }).unsafe !== "function") {
    throw new ConfigError("tx", "expected a postgres.js transaction (from sql.begin)");
  }
  return tx as postgres.Sql;
}

/**
 * Store `jobs` through `runner` (the pool, or the caller's transaction), NOTIFYing `channel`
 * for the queues that received Enqueued jobs — or, with `channel` null, not: the caller then
 * sends the wake-ups itself once the statement has committed (`ready_notifier.ts`).
 *
 * @example
 * ```ts ignore
 * const results = await enqueueJobs(run, queries, channel, sql, jobs);
 * ```
 */
export async function enqueueJobs(
  run: RunQuery,
  queries: Queries,
  channel: string | null,
  runner: postgres.Sql,
  jobs: readonly Job[],
): Promise<EnqueueResult[]> {
  if (jobs.length > ENQUEUE_CHUNK) {
    const out: EnqueueResult[] = [];
    for (let k = 0; k < jobs.length; k += ENQUEUE_CHUNK) {
      const chunk = jobs.slice(k, k + ENQUEUE_CHUNK);
      for (const r of await enqueueJobs(run, queries, channel, runner, chunk)) out.push(r);
    }
    return out;
  }
  if (jobs.length === 0) return [];
  if (!jobs.some((j) => j.uniqueKey !== null && j.uniqueKey !== undefined)) {
    const ready = channel === null ? [] : enqueuedQueues(jobs);
    await run("enqueue", queries.enqueuePlain, [...jobColumns(jobs), ready, channel ?? ""], runner);
    return jobs.map((job) => ({ job, created: true }));
  }
  const results: (EnqueueResult | undefined)[] = new Array(jobs.length);
  let pending = jobs.map((_, i) => i);
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const columns = jobColumns(pending.map((i) => jobs[i]));
    const ords = pending.map((i) => i + 1);
    const stored = await run("enqueue", queries.enqueue, [...columns, ords, channel ?? ""], runner);
    for (const row of stored) {
      const i = (row.ord as number) - 1;
      results[i] = { job: jobs[i], created: true };
    }
    const skipped = pending.filter((i) => results[i] === undefined);
    pending = [];
    if (skipped.length === 0) break;
    const keys = [...new Set(skipped.map((i) => jobs[i].uniqueKey as string))];
    const live = await run("enqueue", queries.findLiveByUniqueKey, [keys], runner);
    const byKey = new Map(live.map((r) => [r.unique_key as string, rowToJob(r)]));
    for (const i of skipped) {
      const holder = byKey.get(jobs[i].uniqueKey as string);
      if (holder) results[i] = { job: copyJob(holder), created: false };
      else pending.push(i);
    }
  }
  if (pending.length > 0) {
    throw new StorageError(
      `enqueue: unique keys kept changing hands, gave up after ${MAX_ROUNDS} rounds`,
    );
  }
  return results as EnqueueResult[];
}

/** The queues that received Enqueued jobs among `jobs`, each once. */
export function enqueuedQueues(jobs: Iterable<Job>): string[] {
  const queues = new Set<string>();
  for (const j of jobs) if (j.state === JobState.Enqueued) queues.add(j.queue);
  return [...queues];
}
