/**
 * Rescuer plugin: jobs whose lock lapsed belong to a server that died. Each is
 * decided by the state machine (`lock_expired`: back to Enqueued, or Failed when
 * its attempts are spent) and applied only if its lock is still the lapsed one,
 * so a server that comes back and finishes late, or a second rescuer, cannot
 * double-apply.
 *
 * @module
 */
import { JobState } from "../job_state.ts";
import { decide, type RetentionTtls } from "../transitions.ts";
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Rescue up to `batchSize` jobs with expired locks per tick. */
export function rescuerPlugin(
  ctx: PluginContext,
  opts: { intervalMs: number; batchSize?: number; ttls?: RetentionTtls },
): MaintenancePlugin {
  const limit = opts.batchSize ?? 500;
  return {
    name: "rescuer",
    intervalMs: opts.intervalMs,
    leased: true,
    async tick(now) {
      const expired = await ctx.storage.findExpiredLocks({ now, limit });
      if (expired.length === 0) return 0;
      const items = expired.map((job) => ({
        id: job.id,
        guard: {
          state: JobState.Processing,
          lockedBy: job.lockedBy ?? undefined,
          lockExpired: true,
        },
        next: decide(job, { type: "lock_expired" }, {
          now,
          server: ctx.serverName,
          ttls: opts.ttls,
        }),
      }));
      const applied = await ctx.storage.transition({ items, now });
      const n = applied.filter(Boolean).length;
      if (n > 0) ctx.logger.warn(`rescued ${n} job(s) whose server stopped renewing its locks`);
      return n;
    },
  };
}
