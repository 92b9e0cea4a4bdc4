/**
 * Recurring templates in SQLite: the template verbs and the cron tick claim, each run by
 * `SqliteStorage` inside one transaction.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import type { EnqueueResult } from "../storage.ts";
import type { Connection } from "./connection.ts";
import { insertJobs } from "./enqueue.ts";
import { type Emit, emitReady } from "./job_verbs.ts";
import { QUERIES } from "./queries.ts";
import { recurringParams, rowToRecurring } from "./rows.ts";

/** Create or update a template by name. */
export function upsertRecurring(
  conn: Connection,
  t: RecurringTemplateInput,
  now: Date,
): RecurringTemplate {
  return rowToRecurring(conn.stmt(QUERIES.upsertRecurring).get(...recurringParams(t, now))!);
}

/** One template, or `null`. */
export function getRecurring(conn: Connection, name: string): RecurringTemplate | null {
  const row = conn.stmt(QUERIES.getRecurring).get(name);
  return row ? rowToRecurring(row) : null;
}

/** Every template, by name. */
export function listRecurring(conn: Connection): RecurringTemplate[] {
  return conn.stmt(QUERIES.listRecurring).all().map(rowToRecurring);
}

/** Remove a template; whether it existed. */
export function removeRecurring(conn: Connection, name: string): boolean {
  return Number(conn.stmt(QUERIES.removeRecurring).run(name).changes) === 1;
}

/** Pause or resume a template; `null` when it does not exist. */
export function setRecurringPaused(
  conn: Connection,
  p: { name: string; paused: boolean; now: Date },
): RecurringTemplate | null {
  const row = conn.stmt(QUERIES.setRecurringPaused).get(p.name, p.paused ? 1 : 0, p.now.getTime());
  return row ? rowToRecurring(row) : null;
}

/**
 * Claim a tick and store its job in the same transaction. Returns the stored job, or `null`
 * when the claim lost (or, as on Postgres, the job's unique key was taken).
 */
export function claimCronTick(
  conn: Connection,
  p: { name: string; tickAt: Date; job: Job },
  emit: Emit,
): Job | null {
  if (!conn.stmt(QUERIES.claimCronTick).get(p.name, p.tickAt.getTime())) return null;
  const out: EnqueueResult[] = [];
  const ready = new Set<string>();
  insertJobs(conn, [p.job], out, ready);
  emitReady(ready, emit);
  return out[0].created ? out[0].job : null;
}
