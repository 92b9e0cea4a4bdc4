/** The same workers module as `app_workers.ts`, written against the `./worker` entry. */
import { defineWorker, WorkerRegistry } from "../worker.ts";

/** Does nothing. */
export const noop = defineWorker({ name: "noop", execute: () => null });

export default new WorkerRegistry().register(noop);
