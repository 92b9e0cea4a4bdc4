/**
 * The SQL text of every storage verb, embedded from `sql/queries/*.sql` (text imports, so
 * nothing is read from disk at run time and the package works when imported from a registry).
 *
 * @module
 */
import acquireLease from "../../../sql/queries/acquire_lease.sql" with { type: "text" };
import claimCronTick from "../../../sql/queries/claim_cron_tick.sql" with { type: "text" };
import counts from "../../../sql/queries/counts.sql" with { type: "text" };
import enqueue from "../../../sql/queries/enqueue.sql" with { type: "text" };
import enqueuePlain from "../../../sql/queries/enqueue_plain.sql" with { type: "text" };
import extendLocks from "../../../sql/queries/extend_locks.sql" with { type: "text" };
import fetchAndLock from "../../../sql/queries/fetch_and_lock.sql" with { type: "text" };
import findExpiredLocks from "../../../sql/queries/find_expired_locks.sql" with { type: "text" };
import findLiveByUniqueKey from "../../../sql/queries/find_live_by_unique_key.sql" with {
  type: "text",
};
import getJob from "../../../sql/queries/get_job.sql" with { type: "text" };
import getRecurring from "../../../sql/queries/get_recurring.sql" with { type: "text" };
import listJobs from "../../../sql/queries/list_jobs.sql" with { type: "text" };
import listRecurring from "../../../sql/queries/list_recurring.sql" with { type: "text" };
import promoteDue from "../../../sql/queries/promote_due.sql" with { type: "text" };
import purgeExpired from "../../../sql/queries/purge_expired.sql" with { type: "text" };
import releaseLease from "../../../sql/queries/release_lease.sql" with { type: "text" };
import removeRecurring from "../../../sql/queries/remove_recurring.sql" with { type: "text" };
import setProgress from "../../../sql/queries/set_progress.sql" with { type: "text" };
import transition from "../../../sql/queries/transition.sql" with { type: "text" };
import upsertRecurring from "../../../sql/queries/upsert_recurring.sql" with { type: "text" };

const RAW = {
  acquireLease,
  claimCronTick,
  counts,
  enqueue,
  enqueuePlain,
  extendLocks,
  fetchAndLock,
  findExpiredLocks,
  findLiveByUniqueKey,
  getJob,
  getRecurring,
  listJobs,
  listRecurring,
  promoteDue,
  purgeExpired,
  releaseLease,
  removeRecurring,
  setProgress,
  transition,
  upsertRecurring,
} as const;

/** The name of one query. */
export type QueryName = keyof typeof RAW;

/** Every query, with the schema placeholder filled in. */
export type Queries = Readonly<Record<QueryName, string>>;

/** Fill the `{{schema}}` placeholder of `text` with an already quoted schema identifier. */
export function withSchema(text: string, schemaIdent: string): string {
  return text.replaceAll("{{schema}}", schemaIdent);
}

/**
 * All queries for one schema.
 *
 * @example
 * ```ts
 * import { buildQueries } from "./queries.ts";
 * const q = buildQueries('"qml"');
 * console.log(q.getJob); // SELECT … FROM "qml".jobs …
 * ```
 */
export function buildQueries(schemaIdent: string): Queries {
  const out = {} as Record<QueryName, string>;
  for (const [name, text] of Object.entries(RAW)) {
    out[name as QueryName] = withSchema(text, schemaIdent);
  }
  return out;
}
