/**
 * Batches as column arrays: the parameters of the batch statements (`enqueue*.sql`,
 * `claim_cron_tick.sql`, `transition.sql`), which read them back with a multi-argument
 * `unnest`.
 *
 * Every column travels as a typed array of a built-in type (`text[]`, `integer[]`,
 * `timestamptz[]`, …), so Postgres parses each value once, as that column's own input, and
 * nothing in a statement depends on the size of another part of the batch: the work is
 * linear in the batch. (A shared dictionary cast inside a CTE was re-cast for every row
 * once the planner inlined it: quadratic.) A column that is null in every row is sent as
 * an empty array: `unnest` pads it with nulls.
 *
 * Args, results, errors and history entries travel as JSON text and are stored in `json`
 * columns, verbatim: a `"\u0000"` or a lone surrogate round-trips (jsonb cannot hold either).
 *
 * @module
 */
import type { Job } from "../../job.ts";
import type { HistoryEntry } from "../../job.ts";
import type { TransitionItem } from "../../transitions.ts";
import { HistoryTexts } from "../history_json.ts";
import { columnLiterals } from "./array_literal.ts";

/** The JSON text of a value, or null for null/undefined. */
export function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return JSON.stringify(v) ?? null;
}

/**
 * A timestamp as sent: ISO text. (postgres.js types a parameter by its first element, and a
 * `Date` would declare the whole array a scalar `timestamptz`; text leaves the type to the
 * statement's cast.)
 */
function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/**
 * `toISOString` of every date, computed once per run of equal times: the jobs of a bulk
 * enqueue mostly share their creation and run times.
 */
function isoColumn<T>(items: readonly T[], f: (item: T) => Date): string[] {
  const out = new Array<string>(items.length);
  let ms = NaN, text = "";
  for (let k = 0; k < items.length; k++) {
    const t = f(items[k]).getTime();
    if (t !== ms) {
      ms = t;
      text = f(items[k]).toISOString();
    }
    out[k] = text;
  }
  return out;
}

/** `f` of every item as one column; `[]` when every value is null. */
function column<T, V>(items: readonly T[], f: (item: T) => V | null | undefined): (V | null)[] {
  const out = new Array<V | null>(items.length);
  let any = false;
  for (let k = 0; k < items.length; k++) {
    const v = f(items[k]);
    if (v === null || v === undefined) out[k] = null;
    else {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : [];
}

/** Number of parameters {@link jobColumns} fills: `$1`…`$21` of every job-inserting statement. */
export const JOB_COLUMN_COUNT = 21;

/** The JSON text of every job's history (a run of equal single entries written once). */
function historyColumn(jobs: readonly Job[]): string[] {
  const texts = new HistoryTexts();
  const out = new Array<string>(jobs.length);
  for (let k = 0; k < jobs.length; k++) out[k] = texts.of(jobs[k].history);
  return out;
}

/**
 * The 21 columns of `jobs` as array literals (`array_literal.ts`), in the order the
 * job-inserting statements read them: id, method, args, queue, priority, state, attempts,
 * max attempts, backoff, timeout, run at, created at, started at, finished at, expires at,
 * result, error, unique key, progress, history, trace context. (postgres.js escaped every
 * element of every column: for a 10,000-job enqueue that was the producer's largest cost
 * after the wait for the database.)
 *
 * @example
 * ```ts
 * import { createJob } from "../../job.ts";
 * import { jobColumns } from "./columns.ts";
 * const cols = jobColumns([createJob({ method: "m", args: { a: 1 }, now: new Date() })]);
 * console.log(cols.length, cols[1]); // 21 {"m"}
 * ```
 */
export function jobColumns(jobs: readonly Job[]): unknown[] {
  return columnLiterals([
    jobs.map((j) => j.id),
    jobs.map((j) => j.method),
    column(jobs, (j) => jsonText(j.args)),
    jobs.map((j) => j.queue),
    jobs.map((j) => j.priority),
    jobs.map((j) => j.state),
    jobs.map((j) => j.attempts),
    jobs.map((j) => j.maxAttempts),
    column(jobs, (j) => (j.backoff ? JSON.stringify(j.backoff) : null)),
    column(jobs, (j) => j.timeoutMs),
    isoColumn(jobs, (j) => j.runAt),
    isoColumn(jobs, (j) => j.createdAt),
    column(jobs, (j) => iso(j.startedAt)),
    column(jobs, (j) => iso(j.finishedAt)),
    column(jobs, (j) => iso(j.expiresAt)),
    column(jobs, (j) => jsonText(j.result)),
    column(jobs, (j) => (j.error ? JSON.stringify(j.error) : null)),
    column(jobs, (j) => j.uniqueKey),
    jobs.map((j) => j.progress),
    historyColumn(jobs),
    column(jobs, (j) => j.traceContext),
  ]);
}

/**
 * The parameters of `transition.sql`: 13 columns (as array literals, see `array_literal.ts`),
 * then the entry dictionary.
 */
export interface TransitionColumns {
  /** `$1`…`$12`: id, guard state, guard locked by, guard lock expired, state, run at,
   * attempts, result, error, started at, finished at, expires at. `$13` indexes `entries`. */
  columns: unknown[];
  /** `$14`: distinct history entries as JSON text (0-based): one flush mostly shares one. */
  entries: string[];
}

// id, guard state, guard locked by, guard lock expired, next state: the first columns of
// both transition statements.
function guardArrays(items: readonly TransitionItem[]): unknown[][] {
  return [
    items.map((i) => i.id),
    items.map((i) => i.guard.state),
    column(items, (i) => i.guard.lockedBy),
    // Text, cast in SQL: a boolean first element would type the parameter as a scalar.
    column(items, (i) => (i.guard.lockExpired ? "true" : null)),
    items.map((i) => i.next.state),
  ];
}

/**
 * `$1`…`$5` of `transition_expired.sql` for `items` that end their jobs already expired:
 * id, guard state, guard locked by, guard lock expired, next state.
 */
export function expiredColumns(items: readonly TransitionItem[]): unknown[] {
  return columnLiterals(guardArrays(items));
}

/** The column arrays of transition `items` (see `sql/postgres/queries/transition.sql`). */
export function transitionColumns(items: readonly TransitionItem[]): TransitionColumns {
  const entryIndex = new Map<string, number>();
  const entries: string[] = [];
  const entryOf = (e: HistoryEntry): number => {
    // Strings go through JSON.stringify so that no reason or server name can fake a separator.
    const key = e.error === undefined
      ? `${e.state}|${e.at.getTime()}|${JSON.stringify(e.reason)}|${JSON.stringify(e.server)}`
      : JSON.stringify(e);
    let i = entryIndex.get(key);
    if (i === undefined) {
      i = entries.length;
      entries.push(e.error === undefined ? JSON.stringify(e) : key);
      entryIndex.set(key, i);
    }
    return i;
  };
  const columns = columnLiterals([
    ...guardArrays(items),
    isoColumn(items, (i) => i.next.runAt),
    items.map((i) => i.next.attempts),
    column(items, (i) => jsonText(i.next.result)),
    column(items, (i) => (i.next.error ? JSON.stringify(i.next.error) : null)),
    column(items, (i) => iso(i.next.startedAt)),
    column(items, (i) => iso(i.next.finishedAt)),
    column(items, (i) => iso(i.next.expiresAt)),
    items.map((i) => entryOf(i.next.entry)),
  ]);
  return { columns, entries };
}
