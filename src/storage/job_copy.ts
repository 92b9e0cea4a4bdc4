/**
 * Copies of job records, so that a caller never shares a mutable record with a storage or
 * with another caller (every backend returns copies). `structuredClone` was most of the
 * memory backend's CPU time (it goes through the host's serialiser for every job in and
 * out); jobs are plain data of a known shape, so copying them field by field is several
 * times cheaper with the same isolation.
 *
 * @module
 */
import type { HistoryEntry, Job, JobError } from "../job.ts";
import type { Transition } from "../transitions.ts";

const MAX_DEPTH = 64;

/**
 * Deep copy of JSON-like data (plain objects, arrays, Dates, primitives). Anything
 * else, and very deep or cyclic data, falls back to `structuredClone`.
 */
export function copyData<T>(v: T, depth = 0): T {
  if (v === null || typeof v !== "object") return v;
  if (depth > MAX_DEPTH) return structuredClone(v);
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyData(v[i], depth + 1);
    return out as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as T;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = copyData((v as Record<string, unknown>)[k], depth + 1);
  return out as T;
}

/** Makes the Dates of a copy from the original's. */
export type DateCopier = (d: Date) => Date;

const newDate: DateCopier = (d) => new Date(d.getTime());

function date(d: Date | null, copyDate: DateCopier = newDate): Date | null {
  return d === null ? null : copyDate(d);
}

/**
 * A {@link DateCopier} that returns one Date for a run of equal times, for copies kept by a
 * store that never hands its records out (it hands out copies) nor mutates a Date in place:
 * the jobs of a bulk enqueue then share one Date per field instead of one each (~100 bytes).
 */
export function sharedDates(): DateCopier {
  let last: Date | undefined;
  return (d) => {
    if (last !== undefined && last.getTime() === d.getTime()) return last;
    return last = new Date(d.getTime());
  };
}

function copyError(e: JobError | null): JobError | null {
  return e === null ? null : { ...e };
}

// `shared` is a Date of the record already copied as `sharedCopy`: an entry holding that very
// Date gets the copy, so the copy keeps the record's own sharing as `structuredClone` does.
function copyEntry(
  e: HistoryEntry,
  shared?: Date,
  sharedCopy?: Date,
  copyDate: DateCopier = newDate,
): HistoryEntry {
  const at = e.at === shared ? sharedCopy! : copyDate(e.at);
  const out: HistoryEntry = { ...e, at };
  if (e.error) out.error = { ...e.error };
  return out;
}

/**
 * A copy of a job record sharing nothing mutable with the original. Dates the original shares
 * within itself (a new job's `createdAt`, first history entry and default `runAt`) are one
 * Date in the copy too: a V8 Date is ~100 bytes, and the memory backend holds a copy per job.
 */
export function copyJob(j: Job): Job {
  return copyJobWith(j, newDate);
}

/** {@link copyJob} with the copy's Dates made by `copyDate` (e.g. {@link sharedDates}). */
export function copyJobWith(j: Job, copyDate: DateCopier): Job {
  const createdAt = copyDate(j.createdAt);
  const history = new Array<HistoryEntry>(j.history.length);
  for (let i = 0; i < history.length; i++) {
    history[i] = copyEntry(j.history[i], j.createdAt, createdAt, copyDate);
  }
  return {
    id: j.id,
    method: j.method,
    args: copyData(j.args),
    queue: j.queue,
    priority: j.priority,
    state: j.state,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    backoff: j.backoff === null ? null : { ...j.backoff },
    timeoutMs: j.timeoutMs,
    runAt: j.runAt === j.createdAt ? createdAt : copyDate(j.runAt),
    createdAt,
    startedAt: date(j.startedAt, copyDate),
    finishedAt: date(j.finishedAt, copyDate),
    expiresAt: date(j.expiresAt, copyDate),
    lockedBy: j.lockedBy,
    lockedUntil: date(j.lockedUntil, copyDate),
    result: copyData(j.result),
    error: copyError(j.error),
    uniqueKey: j.uniqueKey,
    traceContext: j.traceContext ?? null,
    progress: j.progress,
    history,
  };
}

/** A copy of a decided transition. */
export function copyTransition(t: Transition): Transition {
  return {
    state: t.state,
    runAt: new Date(t.runAt.getTime()),
    attempts: t.attempts,
    result: copyData(t.result),
    error: copyError(t.error),
    startedAt: date(t.startedAt),
    finishedAt: date(t.finishedAt),
    expiresAt: date(t.expiresAt),
    entry: copyEntry(t.entry),
  };
}
