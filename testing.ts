/**
 * Testing helpers for apps built on qml (Oban.Testing is the model): run jobs inline,
 * assert what was enqueued, and unit-test a handler with a real `ctx`.
 *
 * - {@link drainQueue} runs every ready job of a storage now, as a server would, and returns
 *   the jobs as stored after their runs;
 * - {@link assertEnqueued} / {@link refuteEnqueued} check the waiting jobs;
 * - {@link performJob} calls one handler with no storage at all.
 *
 * @example A test of a signup flow
 * ```ts
 * import { defineWorker, JobClient, MemoryStorage, WorkerRegistry } from "@qml/qml";
 * import { assertEnqueued, drainQueue } from "@qml/qml/testing";
 *
 * const welcome = defineWorker({
 *   name: "welcome_email",
 *   execute: (a: { userId: number }) => ({ sent: a.userId }),
 * });
 * const client = new JobClient(new MemoryStorage());
 * await client.enqueue(welcome, { userId: 7 }); // what the signup code does
 *
 * await assertEnqueued(client, { method: "welcome_email", args: { userId: 7 } });
 * const [job] = await drainQueue(client, new WorkerRegistry().register(welcome));
 * console.log(job.state, job.result); // "Succeeded" { sent: 7 }
 * ```
 *
 * @module
 */
export { DRAIN_SERVER, type DrainOptions, drainQueue } from "./src/testing/drain_queue.ts";
export {
  assertEnqueued,
  type EnqueuedMatch,
  refuteEnqueued,
} from "./src/testing/assert_enqueued.ts";
export { performJob, type PerformOptions } from "./src/testing/perform_job.ts";
