/**
 * Recurring jobs: storing templates, and the cron plugin that turns ticks into
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
import type { Clock } from "../clock.ts";
import { ticksBetween, validateCron } from "../cron.ts";
import { ValidationError } from "../errors.ts";
import { createJob } from "../job.ts";
import { checkMaxAttempts, checkPriority, checkQueueName } from "../job_options.ts";
import { resolveMaxAttempts } from "../retry_policy.ts";
import { assertJson } from "../json.ts";
import type { MissedTicksPolicy, RecurringTemplate } from "../recurring.ts";
import type { Storage } from "../storage/storage.ts";
import type { WorkerRegistry } from "../worker.ts";
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Most missed ticks one template backfills under the `all` policy. */
export const MAX_BACKFILL = 100;

/** What {@link scheduleRecurring} takes. */
export interface ScheduleRecurringParams {
  name: string;
  cron: string;
  method: string;
  args: unknown;
  queue?: string;
  priority?: number;
  timezone?: string;
  missedTicks?: MissedTicksPolicy;
  maxAttempts?: number;
}

const POLICIES: readonly MissedTicksPolicy[] = ["skip", "once", "all"];

/**
 * Validate and store (create or update) a recurring template.
 *
 * @throws {ValidationError} for a bad name, pattern, timezone, policy or arguments,
 * or a method the registry (when given) does not know.
 */
export async function scheduleRecurring(
  storage: Storage,
  clock: Clock,
  p: ScheduleRecurringParams,
  registry?: WorkerRegistry,
): Promise<RecurringTemplate> {
  const bad = (msg: string): never => {
    throw new ValidationError(`recurring "${p.name}": ${msg}`, [msg]);
  };
  if (typeof p.name !== "string" || !/^[\w.:\-]{1,200}$/.test(p.name)) {
    bad("name must be 1..200 letters, digits, _ . : -");
  }
  if (typeof p.method !== "string" || p.method === "") bad("method must be a non-empty string");
  if (registry && !registry.has(p.method)) {
    bad(`no worker is registered for method "${p.method}"`);
  }
  validateCron(p.cron, p.timezone);
  const missedTicks = p.missedTicks ?? "skip";
  if (!POLICIES.includes(missedTicks)) bad(`missedTicks must be one of ${POLICIES.join(", ")}`);
  // The job options follow the same rules (and error class) as at enqueue.
  if (p.queue !== undefined) checkQueueName("queue", p.queue);
  if (p.priority !== undefined) checkPriority("priority", p.priority);
  if (p.maxAttempts !== undefined) checkMaxAttempts("maxAttempts", p.maxAttempts);
  assertJson(p.args);
  return await storage.upsertRecurring({
    template: {
      name: p.name,
      cron: p.cron,
      timezone: p.timezone ?? null,
      method: p.method,
      args: p.args ?? null,
      queue: p.queue ?? "default",
      priority: p.priority ?? 0,
      maxAttempts: p.maxAttempts ?? null,
      missedTicks,
    },
    now: clock.now(),
  });
}

/** Remove a recurring template; returns whether it existed. */
export function removeRecurring(storage: Storage, name: string): Promise<boolean> {
  return storage.removeRecurring({ name });
}

/** The ticks of `t` to claim at `now`, oldest first, per its missed-tick policy. */
export function ticksToClaim(t: RecurringTemplate, now: Date, graceMs: number): Date[] {
  const baseline = t.lastTickAt ?? t.createdAt;
  const graceStart = new Date(Math.max(baseline.getTime(), now.getTime() - graceMs));
  const due = ticksBetween(t.cron, t.timezone, graceStart, now, MAX_BACKFILL);
  if (t.missedTicks === "skip" || graceStart.getTime() <= baseline.getTime()) return due;
  const missed = ticksBetween(
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
  return {
    name: "cron",
    intervalMs: opts.intervalMs,
    leased: false,
    async tick(now) {
      let made = 0;
      for (const t of await ctx.storage.listRecurring()) {
        let ticks: Date[];
        try {
          ticks = ticksToClaim(t, now, graceMs);
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
