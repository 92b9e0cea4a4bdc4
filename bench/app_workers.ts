/** A workers module written the way apps write it: importing the package's main entry. */
import { defineWorker, WorkerRegistry } from "../mod.ts";

/** Does nothing. */
export const noop = defineWorker({ name: "noop", execute: () => null });

export default new WorkerRegistry().register(noop);
