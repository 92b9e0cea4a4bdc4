/**
 * Cron patterns, read by croner: validation and the ticks in a time window.
 *
 * croner is imported on first use: every isolate that imports qml (a server's main isolate
 * and each of its Web Workers, through the app's workers module) would otherwise load it,
 * while only the processes that use recurring jobs read a pattern.
 *
 * @module
 */
import type { Cron as CronClass } from "croner";
import { ValidationError } from "./errors.ts";

let croner: Promise<typeof CronClass> | undefined;

/** A paused croner job for `pattern` in `timezone` (UTC when null); throws when unreadable. */
async function cron(pattern: string, timezone: string | null | undefined): Promise<CronClass> {
  const Cron = await (croner ??= import("croner").then((m) => m.Cron));
  return new Cron(pattern, { timezone: timezone ?? "UTC", paused: true });
}

/**
 * Check a cron pattern (5 fields, or 6 with seconds first) and an optional IANA
 * timezone.
 *
 * @throws {ValidationError} naming what is wrong.
 */
export async function validateCron(pattern: string, timezone?: string | null): Promise<void> {
  if (typeof pattern !== "string" || pattern.trim() === "") {
    throw new ValidationError("cron pattern must be a non-empty string", ["cron: empty"]);
  }
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6 && !pattern.trim().startsWith("@")) {
    throw new ValidationError(
      `cron pattern "${pattern}" has ${fields} fields; expected 5 (minute first) or 6 (second first)`,
      [`cron: ${fields} fields`],
    );
  }
  if (timezone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
      throw new ValidationError(
        `unknown timezone "${timezone}" (expected an IANA name like "Europe/Paris")`,
        [
          `timezone: ${timezone}`,
        ],
      );
    }
  }
  try {
    if ((await cron(pattern, timezone)).nextRun(new Date()) === null) {
      throw new Error("it never fires");
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`invalid cron pattern "${pattern}": ${msg}`, [`cron: ${msg}`]);
  }
}

/**
 * Ticks of `pattern` in the window (`after`, `until`], oldest first, at most
 * `max` (the most recent ones are kept when there are more).
 */
export async function ticksBetween(
  pattern: string,
  timezone: string | null,
  after: Date,
  until: Date,
  max: number,
): Promise<Date[]> {
  const schedule = await cron(pattern, timezone);
  const out: Date[] = [];
  let cursor: Date | null = after;
  // A hard stop on iterations keeps a second-level pattern over a long outage cheap.
  for (let i = 0; i < 100_000; i++) {
    cursor = schedule.nextRun(cursor);
    if (!cursor || cursor.getTime() > until.getTime()) break;
    out.push(cursor);
    if (out.length > max) out.shift();
  }
  return out;
}

/**
 * The next `n` runs of a recurring template after `now`: none while it is paused, or
 * for a pattern stored by an older version that croner no longer reads.
 */
export async function nextRuns(
  t: { cron: string; timezone: string | null; paused: boolean },
  now: Date,
  n: number,
): Promise<Date[]> {
  if (t.paused) return [];
  try {
    return (await cron(t.cron, t.timezone)).nextRuns(n, now);
  } catch {
    return [];
  }
}
