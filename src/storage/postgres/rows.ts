/**
 * Mapping between `jobs` / `recurring` rows and qml's records. postgres.js already turns
 * timestamptz into `Date` and jsonb into values; what is left is naming, the dates inside
 * the history JSON, and the JSON rows that batch statements read with `json_to_recordset`.
 *
 * @module
 */
import type { HistoryEntry, Job, JobError } from "../../job.ts";
import { JobState } from "../../job_state.ts";
import type { JobPage } from "../storage.ts";
import type { MissedTicksPolicy, RecurringTemplate } from "../../recurring.ts";
import type { TransitionItem } from "../../transitions.ts";
import type { BackoffSpec } from "../../retry_policy.ts";

/** A `jobs` row as postgres.js returns it. */
export type JobRow = Record<string, unknown>;

function date(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(v as string);
}

function historyEntry(raw: Record<string, unknown>): HistoryEntry {
  const e: HistoryEntry = { state: raw.state as JobState, at: new Date(raw.at as string) };
  if (raw.reason !== undefined) e.reason = raw.reason as string;
  if (raw.server !== undefined) e.server = raw.server as string;
  if (raw.error !== undefined) e.error = raw.error as JobError;
  return e;
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
    history: ((r.history as Record<string, unknown>[] | null) ?? []).map(historyEntry),
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

/**
 * A batch of jobs encoded for `json_to_recordset` (see `sql/postgres/queries/enqueue.sql`).
 *
 * Parsing JSON into jsonb and timestamptz per row is most of the cost of a bulk insert, and
 * the jobs of one batch mostly share their timestamps and their (one-entry) history. So the
 * rows carry short keys, leave out nulls, and point into two dictionaries — distinct
 * histories (`$2`, a jsonb array) and distinct timestamps (`$3`, a text array) — that
 * Postgres parses once per batch instead of once per row.
 */
export interface EncodedJobs {
  /** One object per job: `i` id, `m` method, `a` args, `q` queue, `p` priority, `s` state,
   * `n` attempts, `x` max attempts, `b` backoff, `t` timeout, `rs` result, `er` error,
   * `u` unique key, `g` progress, `tc` trace context, `o` 1-based input position; `r`/`c`/`sa`/`fa`/`ea` index
   * `times` (run, created, started, finished, expires) and `h` indexes `histories`. */
  rows: Record<string, unknown>[];
  /** Distinct histories (0-based, read with `->`). */
  histories: unknown[];
  /** Distinct timestamps as ISO strings (1-based array subscripts). */
  times: string[];
}

/**
 * A per-batch dictionary of distinct timestamps: `time(d)` gives `d`'s 1-based position in
 * `times` (the SQL reads them as array subscripts), `undefined` for null.
 */
function timeDictionary(): { time: (d: Date | null) => number | undefined; times: string[] } {
  const index = new Map<number, number>();
  const times: string[] = [];
  const time = (d: Date | null): number | undefined => {
    if (d === null || d === undefined) return undefined;
    const ms = d.getTime();
    let i = index.get(ms);
    if (i === undefined) {
      times.push(d.toISOString());
      i = times.length;
      index.set(ms, i);
    }
    return i;
  };
  return { time, times };
}

/** Encode `jobs` (input positions `ords`, 1-based; default: their index + 1). */
export function encodeJobs(jobs: readonly Job[], ords?: readonly number[]): EncodedJobs {
  const historyIndex = new Map<string, number>();
  const histories: unknown[] = [];
  const { time, times } = timeDictionary();
  const rows = jobs.map((job, k) => {
    const key = JSON.stringify(job.history);
    let h = historyIndex.get(key);
    if (h === undefined) {
      h = histories.length;
      histories.push(job.history);
      historyIndex.set(key, h);
    }
    const row: Record<string, unknown> = {
      i: job.id,
      m: job.method,
      q: job.queue,
      p: job.priority,
      s: job.state,
      n: job.attempts,
      x: job.maxAttempts,
      r: time(job.runAt),
      c: time(job.createdAt),
      g: job.progress,
      h,
      o: ords ? ords[k] : k + 1,
    };
    if (job.args !== null && job.args !== undefined) row.a = job.args;
    if (job.backoff) row.b = job.backoff;
    if (job.timeoutMs !== null && job.timeoutMs !== undefined) row.t = job.timeoutMs;
    if (job.startedAt) row.sa = time(job.startedAt);
    if (job.finishedAt) row.fa = time(job.finishedAt);
    if (job.expiresAt) row.ea = time(job.expiresAt);
    if (job.result !== null && job.result !== undefined) row.rs = job.result;
    if (job.error) row.er = job.error;
    if (job.uniqueKey !== null && job.uniqueKey !== undefined) row.u = job.uniqueKey;
    if (job.traceContext) row.tc = job.traceContext;
    return row;
  });
  return { rows, histories, times };
}

/**
 * A batch of transitions encoded for `transition.sql`.
 *
 * Like {@link EncodedJobs}: the items of one batch mostly share their timestamps (finished
 * and expiry times of one flush, start times of one fetch) and their history entry, so the
 * rows carry short keys, leave out nulls, and point into two dictionaries that Postgres
 * parses once per batch. This also keeps the JSON the server serialises and sends per job
 * to about a third.
 */
export interface EncodedTransitions {
  /** One object per item: `i` id, guard `gs` state, `gl` locked by, `ge` lock expired;
   * next `s` state, `n` attempts, `rs` result, `er` error; `r`/`sa`/`fa`/`ea` index `times`
   * (run, started, finished, expires) and `e` indexes `entries`. */
  rows: Record<string, unknown>[];
  /** Distinct timestamps as ISO strings (1-based array subscripts). */
  times: string[];
  /** Distinct history entries (0-based, read with `->`). */
  entries: HistoryEntry[];
}

/** Encode transition `items` for `transition.sql`. */
export function encodeTransitions(items: readonly TransitionItem[]): EncodedTransitions {
  const { time, times } = timeDictionary();
  const entryIndex = new Map<string, number>();
  const entries: HistoryEntry[] = [];
  const rows = items.map((item) => {
    const n = item.next, g = item.guard, e = n.entry;
    // Strings go through JSON.stringify so that no reason or server name can fake a separator.
    const key = e.error === undefined
      ? `${e.state}|${e.at.getTime()}|${JSON.stringify(e.reason)}|${JSON.stringify(e.server)}`
      : JSON.stringify(e);
    let ei = entryIndex.get(key);
    if (ei === undefined) {
      ei = entries.length;
      entries.push(e);
      entryIndex.set(key, ei);
    }
    const row: Record<string, unknown> = {
      i: item.id,
      gs: g.state,
      s: n.state,
      r: time(n.runAt),
      n: n.attempts,
      e: ei,
    };
    if (g.lockedBy !== undefined && g.lockedBy !== null) row.gl = g.lockedBy;
    if (g.lockExpired) row.ge = true;
    if (n.result !== null && n.result !== undefined) row.rs = n.result;
    if (n.error) row.er = n.error;
    if (n.startedAt) row.sa = time(n.startedAt);
    if (n.finishedAt) row.fa = time(n.finishedAt);
    if (n.expiresAt) row.ea = time(n.expiresAt);
    return row;
  });
  return { rows, times, entries };
}

/** The parameters of `upsert_recurring.sql` for `template`. */
export function recurringParams(
  t: Omit<RecurringTemplate, "createdAt" | "updatedAt" | "lastTickAt" | "paused">,
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
