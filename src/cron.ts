/**
 * Cron patterns, read by croner: validation and the ticks in a time window.
 *
 * @module
 */
import { Cron } from "croner";
import { ValidationError } from "./errors.ts";

/**
 * Check a cron pattern (5 fields, or 6 with seconds first) and an optional IANA
 * timezone.
 *
 * @throws {ValidationError} naming what is wrong.
 */
export function validateCron(pattern: string, timezone?: string | null): void {
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
    const cron = new Cron(pattern, { timezone: timezone ?? "UTC", paused: true });
    if (cron.nextRun(new Date()) === null) {
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
export function ticksBetween(
  pattern: string,
  timezone: string | null,
  after: Date,
  until: Date,
  max: number,
): Date[] {
  const cron = new Cron(pattern, { timezone: timezone ?? "UTC", paused: true });
  const out: Date[] = [];
  let cursor: Date | null = after;
  // A hard stop on iterations keeps a second-level pattern over a long outage cheap.
  for (let i = 0; i < 100_000; i++) {
    cursor = cron.nextRun(cursor);
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
export function nextRuns(
  t: { cron: string; timezone: string | null; paused: boolean },
  now: Date,
  n: number,
): Date[] {
  if (t.paused) return [];
  try {
    return new Cron(t.cron, { timezone: t.timezone ?? "UTC", paused: true }).nextRuns(n, now);
  } catch {
    return [];
  }
}
