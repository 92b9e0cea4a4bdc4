/**
 * The demo's workers. This module is imported by the demo AND by every Web
 * Worker of the server's pool, so it holds only worker definitions.
 *
 * @module
 */
import { defineWorker, WorkerRegistry } from "../../worker.ts";

/** Succeeds after a little work, reporting progress. */
export const resizeImage = defineWorker({
  name: "resize_image",
  timeoutMs: 10_000,
  async execute(args: { file: string; width: number }, ctx) {
    for (const pct of [25, 50, 75, 100]) {
      await new Promise((r) => setTimeout(r, 40));
      ctx.signal.throwIfAborted();
      ctx.progress(pct);
    }
    return { file: args.file.replace(/\.(\w+)$/, `-${args.width}w.$1`) };
  },
});

/** Fails its first two attempts (a flaky gateway), then succeeds. */
export const chargeCard = defineWorker({
  name: "charge_card",
  retry: { maxAttempts: 4, backoff: "fixed", baseMs: 300 },
  execute(args: { orderId: string; cents: number }, ctx) {
    if (ctx.job.attempt < 3) {
      throw new Error(`payment gateway timed out (attempt ${ctx.job.attempt})`);
    }
    return { orderId: args.orderId, charged: args.cents };
  },
});

/** Sends a reminder; the demo schedules it for later. */
export const sendReminder = defineWorker({
  name: "send_reminder",
  execute(args: { to: string }, ctx) {
    ctx.log(`reminding ${args.to}`);
    return { sentTo: args.to };
  },
});

export default new WorkerRegistry().register(resizeImage, chargeCard, sendReminder);
