/** The benchmark's workers module: one no-op worker. */
import { defineWorker, WorkerRegistry } from "../src/worker.ts";

/** Does nothing. */
export const noop = defineWorker({ name: "noop", execute: () => null });

export default new WorkerRegistry().register(noop);
