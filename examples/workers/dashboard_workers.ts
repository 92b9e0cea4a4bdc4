/**
 * Workers of the dashboard demo: a steady mix that succeeds, reports progress,
 * fails and is retried, and fails for good. Imported by the demo and by every
 * Web Worker of its server.
 *
 * @module
 */
import { defineWorker, WorkerRegistry } from "../../worker.ts";

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });

/** Quick and nearly always fine. */
export const sendEmail = defineWorker({
  name: "send_email",
  async execute(args: { to: string; template: string }, ctx) {
    await pause(20 + Math.random() * 150, ctx.signal);
    return { messageId: crypto.randomUUID().slice(0, 8), to: args.to };
  },
});

/** Slow, with progress the job page shows live. */
export const renderReport = defineWorker({
  name: "render_report",
  timeoutMs: 60_000,
  async execute(args: { report: string; pages: number }, ctx) {
    for (let p = 1; p <= args.pages; p++) {
      await pause(250, ctx.signal);
      ctx.progress(Math.round((p / args.pages) * 100));
    }
    return { report: args.report, pages: args.pages };
  },
});

/** A flaky gateway: about a third of attempts fail; retried up to 3 times. */
export const chargeCard = defineWorker({
  name: "charge_card",
  retry: { maxAttempts: 3, backoff: "fixed", baseMs: 3_000 },
  async execute(args: { orderId: string; cents: number }, ctx) {
    await pause(30 + Math.random() * 100, ctx.signal);
    if (Math.random() < 0.35) {
      throw new Error(`payment gateway timed out for order ${args.orderId}`);
    }
    return { orderId: args.orderId, charged: args.cents };
  },
});

/** Always fails: an upstream that is down. */
export const syncInventory = defineWorker({
  name: "sync_inventory",
  retry: { maxAttempts: 2, backoff: "fixed", baseMs: 5_000 },
  async execute(args: { warehouse: string }, ctx) {
    await pause(50, ctx.signal);
    throw new Error(`upstream ${args.warehouse} answered 503 Service Unavailable`);
  },
});

/** The recurring one. */
export const cleanupSessions = defineWorker({
  name: "cleanup_sessions",
  async execute(_args: { olderThanDays: number }, ctx) {
    await pause(100, ctx.signal);
    return { removed: Math.floor(Math.random() * 50) };
  },
});

export default new WorkerRegistry().register(
  sendEmail,
  renderReport,
  chargeCard,
  syncInventory,
  cleanupSessions,
);
