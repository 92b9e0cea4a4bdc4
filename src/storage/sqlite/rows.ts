/**
 * Mapping between SQLite rows and qml's records. Times are stored as INTEGER milliseconds,
 * JSON values as TEXT; history entries keep their times as ISO strings inside the JSON.
 *
 * @module
 */
import { historyEntryFromJson, HistoryTexts } from "../history_json.ts";
import { decodeStored, type FieldParser } from "../stored_fields.ts";
import type { Job, JobError } from "../../job.ts";
import type { JobState } from "../../job_state.ts";
import type {
  MissedTicksPolicy,
  RecurringTemplate,
  RecurringTemplateInput,
} from "../../recurring.ts";
import type { BackoffSpec } from "../../retry_policy.ts";
import type { ServerInfo } from "../../server_info.ts";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, unknown>;

/** A bindable SQLite value. */
export type SqlValue = string | number | null;

/** How many parameters one job takes in `insert_jobs.sql` (its column list, in order). */
export const JOB_PARAMS = 23;

const ms = (d: Date | null | undefined): number | null => d ? d.getTime() : null;
const json = (v: unknown): string | null =>
  v === null || v === undefined ? null : JSON.stringify(v);
const date = (v: unknown): Date | null =>
  v === null || v === undefined ? null : new Date(v as number);

/**
 * Append the `insert_jobs.sql` parameters of `job` to `out`; pass one `histories` to every
 * job of a batch so their shared first entry is written once.
 */
export function pushJobParams(
  out: SqlValue[],
  job: Job,
  histories: HistoryTexts = new HistoryTexts(),
): void {
  out.push(
    job.id,
    job.method,
    JSON.stringify(job.args ?? null),
    job.queue,
    job.priority,
    job.state,
    job.attempts,
    job.maxAttempts,
    json(job.backoff),
    job.timeoutMs ?? null,
    job.runAt.getTime(),
    job.createdAt.getTime(),
    ms(job.startedAt),
    ms(job.finishedAt),
    ms(job.expiresAt),
    job.lockedBy ?? null,
    ms(job.lockedUntil),
    json(job.result),
    json(job.error),
    job.uniqueKey ?? null,
    job.progress,
    histories.of(job.history),
    job.traceContext ?? null,
  );
}

/**
 * A `jobs` row as a {@link Job}. A JSON field that does not parse marks the job
 * `unreadable` instead of throwing (`stored_fields.ts`).
 */
export function rowToJob(r: Row): Job {
  return decodeStored(r, jobOf);
}

const stored = (parse: FieldParser, v: unknown, field: string): unknown =>
  v === null || v === undefined ? null : parse(v as string, field);

function jobOf(r: Row, parse: FieldParser): Job {
  const history = stored(parse, r.history, "history");
  return {
    id: r.id as string,
    method: r.method as string,
    args: stored(parse, r.args, "args"),
    queue: r.queue as string,
    priority: r.priority as number,
    state: r.state as JobState,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    backoff: stored(parse, r.backoff, "backoff") as BackoffSpec | null,
    timeoutMs: (r.timeout_ms as number | null) ?? null,
    runAt: date(r.run_at)!,
    createdAt: date(r.created_at)!,
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    expiresAt: date(r.expires_at),
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedUntil: date(r.locked_until),
    result: stored(parse, r.result, "result"),
    error: stored(parse, r.error, "error") as JobError | null,
    uniqueKey: (r.unique_key as string | null) ?? null,
    traceContext: (r.trace_context as string | null) ?? null,
    progress: r.progress as number,
    history: Array.isArray(history)
      ? (history as Record<string, unknown>[]).map(historyEntryFromJson)
      : [],
  };
}

/** Encode a date for a statement parameter (ms), `null` stays `null`. */
export const toMs = ms;

/** Encode a JSON value for a statement parameter, `null`/`undefined` as SQL NULL. */
export const toJson = json;

/**
 * A `recurring` row as a {@link RecurringTemplate}. Only `args` is JSON: one that does not
 * parse marks the template `unreadable` instead of throwing (`stored_fields.ts`).
 */
export function rowToRecurring(r: Row): RecurringTemplate {
  return decodeStored(r, recurringOf);
}

function recurringOf(r: Row, parse: FieldParser): RecurringTemplate {
  return {
    name: r.name as string,
    cron: r.cron as string,
    timezone: (r.timezone as string | null) ?? null,
    method: r.method as string,
    args: stored(parse, r.args, "args"),
    queue: r.queue as string,
    priority: r.priority as number,
    maxAttempts: (r.max_attempts as number | null) ?? null,
    missedTicks: r.missed_ticks as MissedTicksPolicy,
    paused: r.paused === 1,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    lastTickAt: date(r.last_tick_at),
  };
}

/** The parameters of `upsert_recurring.sql`. */
export function recurringParams(
  t: RecurringTemplateInput,
  now: Date,
): SqlValue[] {
  return [
    t.name,
    t.cron,
    t.timezone ?? null,
    t.method,
    JSON.stringify(t.args ?? null),
    t.queue,
    t.priority,
    t.maxAttempts ?? null,
    t.missedTicks ?? "skip",
    now.getTime(),
  ];
}

/** A `servers` row's JSON as a {@link ServerInfo}. */
export function parseServer(info: string): ServerInfo {
  const s = JSON.parse(info) as ServerInfo & { startedAt: string; heartbeatAt: string };
  return { ...s, startedAt: new Date(s.startedAt), heartbeatAt: new Date(s.heartbeatAt) };
}
