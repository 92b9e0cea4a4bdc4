/**
 * The SQL text of every SQLite storage verb, embedded from `sql/sqlite/queries/*.sql` (text
 * imports: nothing is read from disk at run time, so the package works from a registry).
 *
 * @module
 */
import acquireLease from "../../../sql/sqlite/queries/acquire_lease.sql" with { type: "text" };
import addJobCount from "../../../sql/sqlite/queries/add_job_count.sql" with { type: "text" };
import claimCronTick from "../../../sql/sqlite/queries/claim_cron_tick.sql" with { type: "text" };
import countDue from "../../../sql/sqlite/queries/count_due.sql" with { type: "text" };
import counts from "../../../sql/sqlite/queries/counts.sql" with { type: "text" };
import deleteMetricsBefore from "../../../sql/sqlite/queries/delete_metrics_before.sql" with {
  type: "text",
};
import extendLock from "../../../sql/sqlite/queries/extend_lock.sql" with { type: "text" };
import fetchAndLock from "../../../sql/sqlite/queries/fetch_and_lock.sql" with { type: "text" };
import findExpiredLocks from "../../../sql/sqlite/queries/find_expired_locks.sql" with {
  type: "text",
};
import findLiveByUniqueKey from "../../../sql/sqlite/queries/find_live_by_unique_key.sql" with {
  type: "text",
};
import getJob from "../../../sql/sqlite/queries/get_job.sql" with { type: "text" };
import getMetricsBucket from "../../../sql/sqlite/queries/get_metrics_bucket.sql" with {
  type: "text",
};
import getRecurring from "../../../sql/sqlite/queries/get_recurring.sql" with { type: "text" };
import insertJobs from "../../../sql/sqlite/queries/insert_jobs.sql" with { type: "text" };
import insertSignal from "../../../sql/sqlite/queries/insert_signal.sql" with { type: "text" };
import lastSignal from "../../../sql/sqlite/queries/last_signal.sql" with { type: "text" };
import listJobs from "../../../sql/sqlite/queries/list_jobs.sql" with { type: "text" };
import listRecurring from "../../../sql/sqlite/queries/list_recurring.sql" with { type: "text" };
import listServers from "../../../sql/sqlite/queries/list_servers.sql" with { type: "text" };
import oldMinuteMetrics from "../../../sql/sqlite/queries/old_minute_metrics.sql" with {
  type: "text",
};
import promoteDue from "../../../sql/sqlite/queries/promote_due.sql" with { type: "text" };
import pruneServers from "../../../sql/sqlite/queries/prune_servers.sql" with { type: "text" };
import pruneSignals from "../../../sql/sqlite/queries/prune_signals.sql" with { type: "text" };
import purgeExpired from "../../../sql/sqlite/queries/purge_expired.sql" with { type: "text" };
import purgeFinished from "../../../sql/sqlite/queries/purge_finished.sql" with { type: "text" };
import putMetricsBucket from "../../../sql/sqlite/queries/put_metrics_bucket.sql" with {
  type: "text",
};
import queryMetrics from "../../../sql/sqlite/queries/query_metrics.sql" with { type: "text" };
import readSignals from "../../../sql/sqlite/queries/read_signals.sql" with { type: "text" };
import recordServer from "../../../sql/sqlite/queries/record_server.sql" with { type: "text" };
import releaseLease from "../../../sql/sqlite/queries/release_lease.sql" with { type: "text" };
import removeRecurring from "../../../sql/sqlite/queries/remove_recurring.sql" with {
  type: "text",
};
import removeServer from "../../../sql/sqlite/queries/remove_server.sql" with { type: "text" };
import setProgress from "../../../sql/sqlite/queries/set_progress.sql" with { type: "text" };
import setRecurringPaused from "../../../sql/sqlite/queries/set_recurring_paused.sql" with {
  type: "text",
};
import transition from "../../../sql/sqlite/queries/transition.sql" with { type: "text" };
import transitionExpired from "../../../sql/sqlite/queries/transition_expired.sql" with {
  type: "text",
};
import upsertRecurring from "../../../sql/sqlite/queries/upsert_recurring.sql" with {
  type: "text",
};

/** Every query, by name. */
export const QUERIES = {
  acquireLease,
  addJobCount,
  claimCronTick,
  countDue,
  counts,
  deleteMetricsBefore,
  extendLock,
  fetchAndLock,
  findExpiredLocks,
  findLiveByUniqueKey,
  getJob,
  getMetricsBucket,
  getRecurring,
  insertJobs,
  insertSignal,
  lastSignal,
  listJobs,
  listRecurring,
  listServers,
  oldMinuteMetrics,
  promoteDue,
  pruneServers,
  pruneSignals,
  purgeExpired,
  purgeFinished,
  putMetricsBucket,
  queryMetrics,
  readSignals,
  recordServer,
  releaseLease,
  removeRecurring,
  removeServer,
  setProgress,
  setRecurringPaused,
  transition,
  transitionExpired,
  upsertRecurring,
} as const;
