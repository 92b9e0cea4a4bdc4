/**
 * The qml dashboard: a live web UI, a REST API and WebSocket push over any qml
 * storage, as a Hono app whose `app.fetch` runs anywhere (Deno.serve, your own
 * Hono app, Deno Deploy). It imports no Web Worker or job-server code.
 *
 * @example Mount it
 * ```ts ignore
 * import { createDashboard } from "@qml/qml/dashboard";
 * import { openStorage } from "@qml/qml";
 *
 * const storage = await openStorage(Deno.env.get("QML_STORAGE_URL") ?? "memory://");
 * const app = createDashboard({ storage, auth: { token: Deno.env.get("QML_DASHBOARD_TOKEN")! } });
 * Deno.serve({ hostname: "127.0.0.1", port: 8080 }, app.fetch);
 * ```
 *
 * @example Its own server
 * ```ts ignore
 * import { DashboardServer } from "@qml/qml/dashboard";
 * import { MemoryStorage } from "@qml/qml";
 * const dash = new DashboardServer({ storage: new MemoryStorage() }); // 127.0.0.1:8080
 * await dash.start();
 * ```
 *
 * @module
 */
export { createDashboard, type DashboardApp, type DashboardOptions } from "./src/dashboard/app.ts";
export { DashboardServer, type DashboardServerOptions } from "./src/dashboard/serve.ts";
export { type DashboardAccess, type DashboardAuth } from "./src/dashboard/auth.ts";
export type { DashboardEnv } from "./src/dashboard/context.ts";
export {
  CLOSE_TOO_SLOW,
  LIVE_CHANGES_MAX,
  type LiveOptions,
  type LiveView,
} from "./src/dashboard/live.ts";
export type { ServerInfo } from "./src/server_info.ts";
// The core's types the dashboard's signatures mention, from their own modules (never through
// mod.ts, so this entry's graph holds no server or driver code).
export type {
  ActivityRecord,
  EnqueueResult,
  JobCounts,
  JobPage,
  ListParams,
  Storage,
  StorageSignal,
} from "./src/storage/storage.ts";
export type { Transition, TransitionGuard, TransitionItem } from "./src/transitions.ts";
export type { MetricsBucket, MetricsResolution } from "./src/metrics.ts";
export type { JobChange, JobChangeType } from "./src/activity.ts";
export type { HistoryEntry, Job, JobError } from "./src/job.ts";
export type { BackoffFn, BackoffSpec } from "./src/retry_policy.ts";
export type { JobState } from "./src/job_state.ts";
export type {
  MissedTicksPolicy,
  RecurringTemplate,
  RecurringTemplateInput,
} from "./src/recurring.ts";
export type { Clock } from "./src/clock.ts";
export type { ServerView, Stats, StatsOptions } from "./src/dashboard/stats.ts";
export {
  METRIC_WINDOWS,
  type MetricWindow,
  type Series,
  type SeriesPoint,
} from "./src/dashboard/series.ts";
export type { JobFilter } from "./src/dashboard/filters.ts";
export type { BulkAction } from "./src/dashboard/bulk.ts";
export type { RecurringView } from "./src/dashboard/routes/recurring.ts";
export type { JobSummary } from "./src/dashboard/routes/jobs.ts";
