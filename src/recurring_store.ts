/**
 * Checking and storing recurring templates (what `JobClient.scheduleRecurring` and
 * `removeRecurring` do): one set of rules for every caller, the server's included.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import { validateCron } from "./cron.ts";
import { ValidationError } from "./errors.ts";
import {
  checkMaxAttempts,
  checkPriority,
  checkQueueName,
  METHOD_NAME_PATTERN,
} from "./job_options.ts";
import { assertJson } from "./json.ts";
import type { MissedTicksPolicy, RecurringTemplate } from "./recurring.ts";
import type { Storage } from "./storage/storage.ts";
import type { WorkerRegistry } from "./worker.ts";

/** What {@link scheduleRecurring} takes. */
export interface ScheduleRecurringParams {
  /** Unique name: 1..200 letters, digits, `_ . : -`. */
  name: string;
  /** Cron pattern (5 fields, or 6 with seconds first). */
  cron: string;
  /** The worker to run. */
  method: string;
  /** JSON arguments of each job. */
  args: unknown;
  /** Queue of each job (default `"default"`). */
  queue?: string;
  /** Priority of each job (default 0). */
  priority?: number;
  /** IANA timezone the pattern is read in (default UTC). */
  timezone?: string;
  /** Missed-tick policy (default `skip`). */
  missedTicks?: MissedTicksPolicy;
  /** Attempts of each job (default: the worker's). */
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
  if (typeof p.method !== "string" || !METHOD_NAME_PATTERN.test(p.method)) {
    bad("method must be 1..200 letters, digits, _ . : - /");
  }
  if (registry && !registry.has(p.method)) {
    bad(`no worker is registered for method "${p.method}"`);
  }
  await validateCron(p.cron, p.timezone);
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
