/**
 * What a workers module needs, and nothing more: {@link defineWorker}, {@link WorkerRegistry},
 * the error classes a handler throws or checks, and the types of its context.
 *
 * Each Web Worker of a server imports your workers module. When that module imports
 * `@qml/qml`, every thread also loads the client, the server, the storage backends' code and
 * the dashboard (Hono), none of which a handler uses: about 7 MiB of resident memory per thread
 * and a slower thread start (`deno run -A bench/worker_rss.ts --entry=mod` against
 * `--entry=worker`). Import from `@qml/qml/worker` in the workers module; the app's other files
 * keep importing `@qml/qml`. Both give the same classes: a registry built with one is accepted
 * by a server from the other.
 *
 * @example A workers module
 * ```ts
 * import { defineWorker, ValidationError, WorkerRegistry } from "@qml/qml/worker";
 *
 * export const resize = defineWorker({
 *   name: "resize",
 *   execute(args: { width: number }) {
 *     if (args.width <= 0) throw new ValidationError("width must be positive");
 *     return { width: args.width };
 *   },
 * });
 *
 * export default new WorkerRegistry().register(resize);
 * ```
 *
 * @module
 */
export {
  type ArgsValidator,
  defineWorker,
  type InOf,
  type JobContext,
  type JobInfo,
  type OutOf,
  type WorkerDefinition,
  type WorkerOptions,
  WorkerRegistry,
} from "./src/worker.ts";
export {
  ConfigError,
  IllegalTransitionError,
  JobTimeoutError,
  MigrationError,
  NotFoundError,
  QmlError,
  type QmlErrorCode,
  StorageError,
  UnknownWorkerError,
  ValidationError,
  WaitTimeoutError,
  WorkerCrashedError,
} from "./src/errors.ts";
export { JobState } from "./src/job_state.ts";
export type { HistoryEntry, Job, JsonValue } from "./src/job.ts";
export type { JobError } from "./src/job_error.ts";
export type { PermissionGrant, WorkerPermissions } from "./src/permissions.ts";
export type { StandardIssue, StandardResult, StandardSchemaV1 } from "./src/standard_schema.ts";
export type { BackoffFn, BackoffSpec, RetryPolicy } from "./src/retry_policy.ts";
