/**
 * The SQL text of every storage verb, embedded from `sql/postgres/queries/*.sql` (text imports, so
 * nothing is read from disk at run time and the package works when imported from a registry).
 *
 * @module
 */
import acquireLease from "../../../sql/postgres/queries/acquire_lease.sql" with { type: "text" };
import claimCronTick from "../../../sql/postgres/queries/claim_cron_tick.sql" with { type: "text" };
import counts from "../../../sql/postgres/queries/counts.sql" with { type: "text" };
import oldestReady from "../../../sql/postgres/queries/oldest_ready.sql" with { type: "text" };
import enqueue from "../../../sql/postgres/queries/enqueue.sql" with { type: "text" };
import enqueuePlain from "../../../sql/postgres/queries/enqueue_plain.sql" with { type: "text" };
import extendLocks from "../../../sql/postgres/queries/extend_locks.sql" with { type: "text" };
import fetchAndLock from "../../../sql/postgres/queries/fetch_and_lock.sql" with { type: "text" };
import findExpiredLocks from "../../../sql/postgres/queries/find_expired_locks.sql" with {
  type: "text",
};
import findLiveByUniqueKey from "../../../sql/postgres/queries/find_live_by_unique_key.sql" with {
  type: "text",
};
import getJob from "../../../sql/postgres/queries/get_job.sql" with { type: "text" };
import getRecurring from "../../../sql/postgres/queries/get_recurring.sql" with { type: "text" };
import listJobs from "../../../sql/postgres/queries/list_jobs.sql" with { type: "text" };
import listRecurring from "../../../sql/postgres/queries/list_recurring.sql" with { type: "text" };
import promoteDue from "../../../sql/postgres/queries/promote_due.sql" with { type: "text" };
import purgeExpired from "../../../sql/postgres/queries/purge_expired.sql" with { type: "text" };
import purgeFinished from "../../../sql/postgres/queries/purge_finished.sql" with { type: "text" };
import releaseLease from "../../../sql/postgres/queries/release_lease.sql" with { type: "text" };
import removeRecurring from "../../../sql/postgres/queries/remove_recurring.sql" with {
  type: "text",
};
import setProgress from "../../../sql/postgres/queries/set_progress.sql" with { type: "text" };
import transition from "../../../sql/postgres/queries/transition.sql" with { type: "text" };
import transitionExpired from "../../../sql/postgres/queries/transition_expired.sql" with {
  type: "text",
};
import upsertRecurring from "../../../sql/postgres/queries/upsert_recurring.sql" with {
  type: "text",
};

import compactMetrics from "../../../sql/postgres/queries/compact_metrics.sql" with {
  type: "text",
};
import listServers from "../../../sql/postgres/queries/list_servers.sql" with { type: "text" };
import pruneServers from "../../../sql/postgres/queries/prune_servers.sql" with { type: "text" };
import queryMetrics from "../../../sql/postgres/queries/query_metrics.sql" with { type: "text" };
import recordActivity from "../../../sql/postgres/queries/record_activity.sql" with {
  type: "text",
};
import recordServer from "../../../sql/postgres/queries/record_server.sql" with { type: "text" };
import removeServer from "../../../sql/postgres/queries/remove_server.sql" with { type: "text" };
import searchJobs from "../../../sql/postgres/queries/search_jobs.sql" with { type: "text" };
import setRecurringPaused from "../../../sql/postgres/queries/set_recurring_paused.sql" with {
  type: "text",
};

const RAW = {
  compactMetrics,
  listServers,
  pruneServers,
  queryMetrics,
  recordActivity,
  recordServer,
  removeServer,
  searchJobs,
  setRecurringPaused,
  acquireLease,
  claimCronTick,
  counts,
  oldestReady,
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
  purgeFinished,
  releaseLease,
  removeRecurring,
  setProgress,
  transition,
  transitionExpired,
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
