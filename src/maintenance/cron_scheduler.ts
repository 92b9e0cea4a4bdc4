/**
 * The cron plugin: it turns the ticks of recurring templates (`src/recurring.ts`) into
 * jobs exactly once across servers.
 *
 * Every server polls the templates and claims each due tick with
 * `storage.claimCronTick`, which atomically advances the template's
 * `lastTickAt` and stores the job: of any number of servers, one wins each tick
 * (claim-and-park), so no tick runs twice and none is lost while any server runs.
 *
 * Ticks are "due" if they fall within a grace window before now (twice the poll
 * interval, at least 1 s): those always run. Older ones were missed (no server
 * was up) and follow the template's policy: `skip` (default) drops them, `once`
 * runs the latest of them, `all` runs them all (at most {@link MAX_BACKFILL}).
 *
 * @module
 */
import { ticksBetween } from "../cron.ts";
import { createJob } from "../job.ts";
import { resolveMaxAttempts } from "../retry_policy.ts";
import type { RecurringTemplate } from "../recurring.ts";
import type { WorkerRegistry } from "../worker.ts";
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Most missed ticks one template backfills under the `all` policy. */
export const MAX_BACKFILL = 100;

/** The ticks of `t` to claim at `now`, oldest first, per its missed-tick policy. */
export async function ticksToClaim(
  t: RecurringTemplate,
  now: Date,
  graceMs: number,
): Promise<Date[]> {
  const baseline = t.lastTickAt ?? t.createdAt;
  const graceStart = new Date(Math.max(baseline.getTime(), now.getTime() - graceMs));
  const due = await ticksBetween(t.cron, t.timezone, graceStart, now, MAX_BACKFILL);
  if (t.missedTicks === "skip" || graceStart.getTime() <= baseline.getTime()) return due;
  const missed = await ticksBetween(
    t.cron,
    t.timezone,
    baseline,
    graceStart,
    t.missedTicks === "once" ? 1 : MAX_BACKFILL,
  );
  return [...missed, ...due];
}

/**
 * The cron plugin: every `intervalMs`, claim the due ticks of every template.
 * Not leased: claims already make each tick run once, and every server trying
 * means a tick is not lost while one of them is down.
 */
export function cronPlugin(
  ctx: PluginContext,
  opts: { intervalMs: number; registry?: WorkerRegistry },
): MaintenancePlugin {
  const graceMs = Math.max(2 * opts.intervalMs, 1_000);
  // Damaged templates already reported (once each, not once per tick).
  const reported = new Set<string>();
  return {
    name: "cron",
    intervalMs: opts.intervalMs,
    leased: false,
    async tick(now) {
      let made = 0;
      for (const t of await ctx.storage.listRecurring()) {
        if (t.unreadable !== undefined) {
          if (!reported.has(t.name)) {
            reported.add(t.name);
            ctx.logger.error(
              `recurring "${t.name}": its stored record could not be read; skipped until it is scheduled again or removed`,
              { error: t.unreadable },
            );
          }
          continue;
        }
        let ticks: Date[];
        try {
          ticks = await ticksToClaim(t, now, graceMs);
        } catch (err) {
          ctx.logger.error(`recurring "${t.name}" has an unusable pattern; skipped`, {
            error: err instanceof Error ? err.message : String(err),
          });
          continue;
        }
        for (const tickAt of ticks) {
          const job = createJob({
            method: t.method,
            args: t.args,
            now,
            queue: t.queue,
            priority: t.priority,
            maxAttempts: resolveMaxAttempts(t.maxAttempts, opts.registry?.get(t.method)?.retry),
            reason: `recurring "${t.name}" tick ${tickAt.toISOString()}`,
          });
          const won = await ctx.storage.claimCronTick({ name: t.name, tickAt, job, now });
          if (won) made++;
        }
      }
      return made;
    },
  };
}
