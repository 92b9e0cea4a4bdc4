/** The benchmark's workers module: a no-op worker and a latency probe. */
import { defineWorker, WorkerRegistry } from "../src/worker.ts";

/** Does nothing. */
export const noop = defineWorker({ name: "noop", execute: () => null });

/** Returns when its handler started (wall clock, in the thread that runs it). */
export const probe = defineWorker({
  name: "probe",
  execute: () => ({ t: performance.timeOrigin + performance.now() }),
});

export default new WorkerRegistry().register(noop).register(probe);
