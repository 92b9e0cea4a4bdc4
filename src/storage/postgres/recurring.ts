/**
 * Recurring templates in Postgres: the template verbs, pause, and the cron tick claim, each
 * one statement of `sql/postgres/queries/` run by `PostgresStorage`.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import { copyJob } from "../job_copy.ts";
import { jobColumns } from "./columns.ts";
import type { Queries } from "./queries.ts";
import { recurringParams, rowToRecurring } from "./rows.ts";
import type { Run } from "./run.ts";

/** Create or update a template by name. */
export async function upsertRecurring(
  run: Run,
  q: Queries,
  p: { template: RecurringTemplateInput; now: Date },
): Promise<RecurringTemplate> {
  const rows = await run("upsertRecurring", q.upsertRecurring, recurringParams(p.template, p.now));
  return rowToRecurring(rows[0]);
}

/** One template, or `null`. */
export async function getRecurring(
  run: Run,
  q: Queries,
  name: string,
): Promise<RecurringTemplate | null> {
  const rows = await run("getRecurring", q.getRecurring, [name]);
  return rows.length ? rowToRecurring(rows[0]) : null;
}

/** Every template, by name. */
export async function listRecurring(run: Run, q: Queries): Promise<RecurringTemplate[]> {
  return (await run("listRecurring", q.listRecurring, [])).map(rowToRecurring);
}

/** Remove a template; whether it existed. */
export async function removeRecurring(run: Run, q: Queries, name: string): Promise<boolean> {
  return (await run("removeRecurring", q.removeRecurring, [name])).length > 0;
}

/** Pause or resume a template; `null` when it does not exist. */
export async function setRecurringPaused(
  run: Run,
  q: Queries,
  p: { name: string; paused: boolean; now: Date },
): Promise<RecurringTemplate | null> {
  const rows = await run("setRecurringPaused", q.setRecurringPaused, [p.name, p.paused, p.now]);
  return rows.length ? rowToRecurring(rows[0]) : null;
}

/**
 * Claim a tick and store its job in the same statement (NOTIFYing `channel`). Returns the
 * job, or `null` when the claim lost or the job's unique key was taken.
 */
export async function claimCronTick(
  run: Run,
  q: Queries,
  channel: string,
  p: { name: string; tickAt: Date; job: Job },
): Promise<Job | null> {
  const rows = await run("claimCronTick", q.claimCronTick, [
    ...jobColumns([p.job]),
    p.name,
    p.tickAt,
    channel,
  ]);
  return rows.length ? copyJob(p.job) : null;
}
