/**
 * Scheduler plugin: promotes due Scheduled and AwaitingRetry jobs to Enqueued.
 * Not leased: promotion is idempotent, and every server promoting keeps
 * scheduled jobs on time when one server is busy or gone.
 *
 * @module
 */
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Promote up to `batchSize` due jobs per call, repeating while batches come back full. */
export function schedulerPlugin(
  ctx: PluginContext,
  opts: { intervalMs: number; batchSize?: number },
): MaintenancePlugin {
  const limit = opts.batchSize ?? 1_000;
  return {
    name: "scheduler",
    intervalMs: opts.intervalMs,
    leased: false,
    async tick(now) {
      let total = 0;
      for (let i = 0; i < 100; i++) {
        const n = await ctx.storage.promoteDue({ now, limit });
        total += n;
        if (n < limit) break;
      }
      return total;
    },
  };
}
