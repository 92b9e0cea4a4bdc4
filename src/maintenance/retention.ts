/**
 * Retention plugin: hard-deletes final jobs past their `expiresAt` in bounded
 * batches, so storage stops growing while the enqueue path stays O(1), and compacts
 * the metrics history (its own retention: purging jobs never touches it).
 * Leased: one server sweeps at a time.
 *
 * @module
 */
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Purge up to `batchSize` expired jobs per batch, at most `maxBatches` per tick. */
export function retentionPlugin(
  ctx: PluginContext,
  opts: { intervalMs: number; batchSize?: number; maxBatches?: number },
): MaintenancePlugin {
  const limit = opts.batchSize ?? 1_000;
  const maxBatches = opts.maxBatches ?? 20;
  return {
    name: "retention",
    intervalMs: opts.intervalMs,
    leased: true,
    async tick(now) {
      let total = 0;
      for (let i = 0; i < maxBatches; i++) {
        const n = await ctx.storage.purgeExpired({ now, limit });
        total += n;
        if (n < limit) break;
      }
      return total + await ctx.storage.compactMetrics({ now });
    },
  };
}
