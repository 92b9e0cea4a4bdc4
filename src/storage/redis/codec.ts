/**
 * Job ↔ Redis encoding.
 *
 * A job is a hash of flat string fields (times as epoch milliseconds, JSON only
 * for `args`, `backoff`, `result` and `error`; a null field is simply absent)
 * plus a history list of JSON entries. Scripts read a job back with one HMGET
 * of {@link JOB_FIELDS} in a fixed order, so replies carry no field names; the
 * same list is spelled out in `lua/_lib.lua` (a test keeps the two in step).
 *
 * @module
 */
import type { HistoryEntry, Job, JobError } from "../../job.ts";
import type { JobState } from "../../job_state.ts";
import { expiredOnWrite, type Transition } from "../../transitions.ts";
import { decodeStored, type FieldParser } from "../stored_fields.ts";

/** The job hash fields, in the order the scripts return them. */
export const JOB_FIELDS = [
  "method",
  "args",
  "queue",
  "priority",
  "state",
  "attempts",
  "maxAttempts",
  "backoff",
  "timeoutMs",
  "runAt",
  "createdAt",
  "startedAt",
  "finishedAt",
  "expiresAt",
  "lockedBy",
  "lockedUntil",
  "result",
  "error",
  "uniqueKey",
  "progress",
  "traceContext",
] as const;

/**
 * A job as a script returns it: `[id, HMGET of JOB_FIELDS, history]`, with
 * `false` for absent fields. Scripts return a batch as one JSON string
 * (`cjson.encode`), which parses far faster than a nested RESP reply.
 */
export type RawJob = [string, (string | false)[], string[] | Record<string, never>];

const ms = (d: Date | null): string => (d ? String(d.getTime()) : "");
const json = (v: unknown): string => (v === null || v === undefined ? "" : JSON.stringify(v));

/** A history entry as stored: JSON with `at` in epoch ms. */
export function encodeEntry(e: HistoryEntry): string {
  return JSON.stringify({ ...e, at: e.at.getTime() });
}

// History entries through `parse`: one that does not parse is left out (lenient decoding).
function decodeHistory(hist: string[], parse: FieldParser): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const s of hist) {
    const e = parse(s, "history") as HistoryEntry | null;
    if (e === null) continue;
    e.at = new Date(e.at);
    out.push(e);
  }
  return out;
}

/**
 * One job as the enqueue script reads it: `[id, values, history]`, where
 * `values` follows {@link JOB_FIELDS} with `""` for null. Jobs travel as one
 * JSON argument per script call because per-argument overhead (in the client's
 * command encoder and in Redis) dominates a small script's cost; `cjson.decode`
 * unpacks it in C.
 */
export function encodeJob(job: Job): [string, string[], string[]] {
  const values = [
    job.method,
    JSON.stringify(job.args ?? null),
    job.queue,
    String(job.priority),
    job.state,
    String(job.attempts),
    String(job.maxAttempts),
    json(job.backoff),
    job.timeoutMs === null ? "" : String(job.timeoutMs),
    ms(job.runAt),
    ms(job.createdAt),
    ms(job.startedAt),
    ms(job.finishedAt),
    ms(job.expiresAt),
    job.lockedBy ?? "",
    ms(job.lockedUntil),
    json(job.result),
    json(job.error),
    job.uniqueKey ?? "",
    job.progress ? String(job.progress) : "",
    job.traceContext ?? "",
  ];
  return [job.id, values, job.history.map(encodeEntry)];
}

/** One transition item written at `now`, as the transition script reads it (`lua/transition.lua`). */
export function encodeTransition(
  id: string,
  guard: { state: JobState; lockedBy?: string; lockExpired?: boolean },
  next: Transition,
  now: Date,
): string[] {
  return [
    id,
    guard.state,
    guard.lockedBy ?? "",
    guard.lockExpired ? "1" : "",
    next.state,
    ms(next.runAt),
    String(next.attempts),
    json(next.result),
    json(next.error),
    ms(next.startedAt),
    ms(next.finishedAt),
    ms(next.expiresAt),
    encodeEntry(next.entry),
    expiredOnWrite(next, now) ? "1" : "",
  ];
}

type Field = string | false | null | undefined;
const date = (s: Field): Date | null => (s ? new Date(Number(s)) : null);

/** Decode a script's JSON batch of jobs (`cjson` encodes an empty table as `{}`). */
export function decodeJobs(reply: string): Job[] {
  const raw = JSON.parse(reply);
  if (!Array.isArray(raw)) return [];
  const out: Job[] = [];
  for (const r of raw) {
    const job = decodeJob(r);
    if (job) out.push(job);
  }
  return out;
}

/**
 * Decode a script's job reply; `null` when the job is gone. A field that does not parse
 * marks the job `unreadable` instead of throwing (`stored_fields.ts`).
 */
export function decodeJob(raw: RawJob | null | false | undefined): Job | null {
  if (!raw) return null;
  const f = raw[1];
  if (!f || !f[4]) return null;
  return decodeStored(raw, jobOf);
}

const parsed = (parse: FieldParser, s: Field, field: string): unknown => s ? parse(s, field) : null;

function jobOf([id, f, hist]: RawJob, parse: FieldParser): Job {
  return {
    id,
    method: f[0] || "",
    args: parsed(parse, f[1], "args"),
    queue: f[2] || "",
    priority: Number(f[3]),
    state: f[4] as JobState,
    attempts: Number(f[5]),
    maxAttempts: Number(f[6]),
    backoff: parsed(parse, f[7], "backoff") as Job["backoff"],
    timeoutMs: f[8] ? Number(f[8]) : null,
    runAt: new Date(Number(f[9])),
    createdAt: new Date(Number(f[10])),
    startedAt: date(f[11]),
    finishedAt: date(f[12]),
    expiresAt: date(f[13]),
    lockedBy: f[14] || null,
    lockedUntil: date(f[15]),
    result: parsed(parse, f[16], "result"),
    error: parsed(parse, f[17], "error") as JobError | null,
    uniqueKey: f[18] || null,
    progress: f[19] ? Number(f[19]) : 0,
    traceContext: f[20] || null,
    history: Array.isArray(hist) ? decodeHistory(hist, parse) : [],
  };
}
