/** The latency benchmark's workers module: records when the handler started (wall clock). */
import { defineWorker, WorkerRegistry } from "../src/worker.ts";

/** Returns the wall-clock moment it started, in ms since the epoch (sub-ms precision). */
export const stamp = defineWorker({
  name: "stamp",
  execute: () => ({ at: performance.timeOrigin + performance.now() }),
});

export default new WorkerRegistry().register(stamp);
