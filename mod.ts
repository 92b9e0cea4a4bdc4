/**
 * qml — background jobs for Deno, on memory, Postgres or Redis.
 *
 * Define typed workers, enqueue jobs with a {@link JobClient}, and run them on
 * a {@link BackgroundJobServer} backed by Deno Web Workers. Every state change
 * is recorded in the job's history; failed attempts are retried with backoff;
 * several servers on one Postgres or Redis share the work.
 *
 * Drivers load only when their backend is opened: an app on {@link MemoryStorage} (and every
 * Web Worker importing a workers module that imports this entry) loads neither postgres.js
 * nor ioredis. Other entries: `@qml/qml/worker` (what a workers module needs, and nothing
 * more: each Web Worker loads it), `@qml/qml/testing` (run jobs inline in tests) and
 * `@qml/qml/backend` (the storage contract, for backend authors).
 *
 * @example Quick start
 * ```ts
 * import { defineWorker, JobClient, MemoryStorage, WorkerRegistry } from "@qml/qml";
 *
 * const sendEmail = defineWorker({
 *   name: "send_email",
 *   async execute(args: { to: string }) {
 *     return { sent: args.to };
 *   },
 * });
 * const registry = new WorkerRegistry().register(sendEmail);
 * const client = new JobClient(new MemoryStorage(), { registry });
 * const job = await client.enqueue(sendEmail, { to: "a@b.c" });
 * console.log(job.state); // "Enqueued"
 * ```
 *
 * @module
 */

// Everything a workers module needs (the `./worker` entry), so an app imports one place.
export * from "./worker.ts";
export { checkPayload, DEFAULT_MAX_PAYLOAD_BYTES } from "./src/json.ts";
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY } from "./src/retry_policy.ts";
export {
  DEFAULT_TTLS,
  type RetentionTtls,
  type Transition,
  type TransitionGuard,
  type TransitionItem,
} from "./src/transitions.ts";
export { PRIORITY_LIMIT, QUEUE_NAME_PATTERN } from "./src/job_options.ts";
export {
  type EnqueueItem,
  type EnqueueOptions,
  JobClient,
  type JobClientOptions,
  type RecurringOptions,
} from "./src/client.ts";
export { type Clock, ManualClock, systemClock } from "./src/clock.ts";
export { CLOCK_SYNC_INTERVAL_MS, StorageClock, storageClockOf } from "./src/storage_clock.ts";
export type { Logger, LogLevel } from "./src/logger.ts";
export type {
  MissedTicksPolicy,
  RecurringTemplate,
  RecurringTemplateInput,
} from "./src/recurring.ts";
export {
  type ActivityRecord,
  type EnqueueResult,
  type JobCounts,
  type JobPage,
  type ListParams,
  SEARCH_SCAN_LIMIT,
  type Storage,
  type StorageSignal,
} from "./src/storage/storage.ts";
export type { JobChange, JobChangeType } from "./src/activity.ts";
export {
  histogramQuantile,
  METRIC_BUCKETS_MS,
  type MetricsBucket,
  type MetricsResolution,
} from "./src/metrics.ts";
export { type ServerInfo, type ServerStatus, serverStatus } from "./src/server_info.ts";
export { MemoryStorage } from "./src/storage/memory/memory_storage.ts";
export { DEFAULT_STORAGE_URL, openStorage, type OpenStorageOptions } from "./src/storage/open.ts";
export {
  BackgroundJobServer,
  type ServerHealth,
  type ServerState,
} from "./src/server/job_server.ts";
export type { StuckWorker } from "./src/server/routed_executor.ts";
export {
  type BackgroundJobServerOptions,
  type ExecutionMode,
  SERVER_DEFAULTS,
  type ServerConfig,
} from "./src/server/config.ts";
export {
  EventBus,
  type JobEventBase,
  type QmlEvent,
  type QmlEventMap,
  type QmlEventType,
} from "./src/events.ts";
export {
  type MigrateResult,
  type PostgresHealth,
  PostgresStorage,
} from "./src/storage/postgres/postgres_storage.ts";
export type { PostgresConfig } from "./src/storage/postgres/config.ts";
export { RedisStorage } from "./src/storage/redis/redis_storage.ts";
export type { RedisConfig } from "./src/storage/redis/config.ts";
export {
  type SqliteHealth,
  type SqliteMigrateResult,
  type SqliteSettings,
  SqliteStorage,
} from "./src/storage/sqlite/sqlite_storage.ts";
export type { SqliteConfig, SqliteDurability } from "./src/storage/sqlite/config.ts";
export {
  createDashboard,
  type DashboardAccess,
  type DashboardApp,
  type DashboardAuth,
  type DashboardOptions,
  DashboardServer,
  type DashboardServerOptions,
  type LiveOptions,
  type StatsOptions,
} from "./dashboard.ts";
