/**
 * Mapping between `jobs` / `recurring` rows and qml's records. postgres.js already turns
 * timestamptz into `Date` and jsonb into values; what is left is naming, and the dates inside
 * the history JSON. (Batches travel as column arrays: see `columns.ts`.)
 *
 * @module
 */
import { historyEntryFromJson } from "../history_json.ts";
import type { Job, JobError } from "../../job.ts";
import { JobState } from "../../job_state.ts";
import type { JobPage } from "../storage.ts";
import type {
  MissedTicksPolicy,
  RecurringTemplate,
  RecurringTemplateInput,
} from "../../recurring.ts";
import type { BackoffSpec } from "../../retry_policy.ts";

/** A `jobs` row as postgres.js returns it. */
export type JobRow = Record<string, unknown>;

function date(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(v as string);
}

/**
 * A `jobs` row as a {@link Job}.
 *
 * @example
 * ```ts ignore
 * const job = rowToJob((await sql`select * from qml.jobs limit 1`)[0]);
 * ```
 */
export function rowToJob(r: JobRow): Job {
  return {
    id: r.id as string,
    method: r.method as string,
    args: r.args ?? null,
    queue: r.queue as string,
    priority: r.priority as number,
    state: r.state as JobState,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    backoff: (r.backoff as BackoffSpec | null) ?? null,
    timeoutMs: (r.timeout_ms as number | null) ?? null,
    runAt: date(r.run_at)!,
    createdAt: date(r.created_at)!,
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    expiresAt: date(r.expires_at),
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedUntil: date(r.locked_until),
    result: r.result ?? null,
    error: (r.error as JobError | null) ?? null,
    uniqueKey: (r.unique_key as string | null) ?? null,
    traceContext: (r.trace_context as string | null) ?? null,
    progress: r.progress as number,
    history: ((r.history as Record<string, unknown>[] | null) ?? []).map(historyEntryFromJson),
  };
}

/** What `fetch_and_lock.sql` set on every job it took, and so does not return. */
export interface FetchedFields {
  /** The fetch time: every job's `startedAt`. */
  now: Date;
  /** The fetching server: every job's `lockedBy`. */
  serverName: string;
  /** Every job's `lockedUntil`. */
  lockedUntil: Date;
}

/**
 * A row returned by `fetch_and_lock.sql` as a {@link Job}: Processing, locked by the
 * fetching server. The columns that statement set from its own parameters are not sent
 * back; they are filled in from `f` (fresh `Date`s per job: callers may keep or change them).
 */
export function fetchedRowToJob(r: JobRow, f: FetchedFields): Job {
  const job = rowToJob(r);
  job.state = JobState.Processing;
  job.startedAt = new Date(f.now.getTime());
  job.lockedBy = f.serverName;
  job.lockedUntil = new Date(f.lockedUntil.getTime());
  return job;
}

/** The parameters of `upsert_recurring.sql` for `template`. */
export function recurringParams(
  t: RecurringTemplateInput,
  now: Date,
): unknown[] {
  return [
    t.name,
    t.cron,
    t.timezone ?? null,
    t.method,
    t.args === undefined ? null : t.args,
    t.queue,
    t.priority,
    t.maxAttempts ?? null,
    t.missedTicks ?? "skip",
    now,
  ];
}

/** A `recurring` row as a {@link RecurringTemplate}. */
export function rowToRecurring(r: Record<string, unknown>): RecurringTemplate {
  return {
    name: r.name as string,
    cron: r.cron as string,
    timezone: (r.timezone as string | null) ?? null,
    method: r.method as string,
    args: r.args ?? null,
    queue: r.queue as string,
    priority: r.priority as number,
    maxAttempts: (r.max_attempts as number | null) ?? null,
    missedTicks: r.missed_ticks as MissedTicksPolicy,
    paused: r.paused === true,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    lastTickAt: date(r.last_tick_at),
  };
}

/** A page from `limit + 1` rows: the extra row only says that another page follows. */
export function pageFromRows(rows: readonly JobRow[], limit: number): JobPage {
  const jobs = rows.slice(0, limit).map(rowToJob);
  const nextCursor = rows.length > limit ? jobs[jobs.length - 1].id : null;
  return { jobs, nextCursor };
}
