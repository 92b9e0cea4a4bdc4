/**
 * Rescuer plugin: jobs whose lock lapsed belong to a server that died. Each is
 * decided by the state machine (`lock_expired`: back to Enqueued, or Failed when
 * its attempts are spent) and applied only if its lock is still the lapsed one,
 * so a server that comes back and finishes late, or a second rescuer, cannot
 * double-apply.
 *
 * A rescue batch follows the batch-isolation rule (`src/storage/batch_isolation.ts`):
 * a job whose rescue the storage refuses for itself is failed alone (or, if even
 * that is refused, left and logged once), so it never holds back the others,
 * which otherwise would come back first, oldest lock first, on every tick.
 *
 * @module
 */
import { StorageError } from "../errors.ts";
import { toJobError } from "../job_error.ts";
import { JobState } from "../job_state.ts";
import { transitionIsolated } from "../storage/batch_isolation.ts";
import { isTransient } from "../storage/transient.ts";
import { decide, type RetentionTtls, type TransitionItem } from "../transitions.ts";
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

// Jobs whose refusal was logged are remembered up to this many, then forgotten at once.
const LOGGED_LIMIT = 10_000;

/** Rescue up to `batchSize` jobs with expired locks per tick. */
export function rescuerPlugin(
  ctx: PluginContext,
  opts: { intervalMs: number; batchSize?: number; ttls?: RetentionTtls },
): MaintenancePlugin {
  const limit = opts.batchSize ?? 500;
  const logged = new Set<string>();
  return {
    name: "rescuer",
    intervalMs: opts.intervalMs,
    leased: true,
    async tick(now) {
      const expired = await ctx.storage.findExpiredLocks({ now, limit });
      if (expired.length === 0) return 0;
      const decideCtx = { now, server: ctx.serverName, ttls: opts.ttls };
      const items: TransitionItem[] = expired.map((job) => ({
        id: job.id,
        guard: {
          state: JobState.Processing,
          lockedBy: job.lockedBy ?? undefined,
          lockExpired: true,
        },
        next: decide(job, { type: "lock_expired" }, decideCtx),
      }));
      const res = await transitionIsolated(ctx.storage, items, {
        now: () => now,
        splitting: (err) =>
          ctx.logger.warn(`could not rescue ${items.length} job(s); rescuing them in parts`, {
            error: messageOf(err),
          }),
        async refused(i, err) {
          const job = expired[i];
          const why = `its rescue could not be recorded: ${messageOf(err)}`;
          const failed: TransitionItem = {
            ...items[i],
            next: decide(job, {
              type: "failed",
              error: toJobError(new StorageError(why)),
              retryable: false,
            }, decideCtx),
          };
          try {
            const [applied] = await ctx.storage.transition({ items: [failed], now });
            ctx.logger.warn(`job ${job.id} failed: ${why}`);
            return { item: failed, applied };
          } catch (again) {
            if (isTransient(again)) return undefined;
            if (!logged.has(job.id)) {
              if (logged.size >= LOGGED_LIMIT) logged.clear();
              logged.add(job.id);
              ctx.logger.error(`job ${job.id} cannot be rescued; left locked: ${why}`);
            }
            return null;
          }
        },
      });
      // A transient failure: the next tick finds the same jobs again.
      if (res.left.length > 0) throw res.error;
      const n = res.applied.filter(Boolean).length;
      if (n > 0) ctx.logger.warn(`rescued ${n} job(s) whose server stopped renewing its locks`);
      return n;
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
