/**
 * Recurring templates in Redis: the template verbs, pause, and the cron tick claim, each one
 * Lua script (`lua/*_recurring.lua`, `lua/claim_cron_tick.lua`) run by `RedisStorage`.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import { encodeJob } from "./codec.ts";
import type { RedisKeys } from "./keys.ts";
import { decodeTemplate, encodeTemplate } from "./recurring_codec.ts";
import type { Script } from "./scripts.ts";

/** Create or update a template by name. */
export async function upsertRecurring(
  script: Script,
  keys: RedisKeys,
  p: { template: RecurringTemplateInput; now: Date },
): Promise<RecurringTemplate> {
  const { template, now } = p;
  const [createdAt, lastTickAt, paused] = await script<[string, string | null, string | null]>(
    "upsertRecurring",
    [keys.base, keys.recurring(template.name)],
    [template.name, encodeTemplate(template), now.getTime()],
  );
  return decodeTemplate([
    encodeTemplate(template),
    createdAt,
    String(now.getTime()),
    lastTickAt,
    paused,
  ])!;
}

/** One template, or `null`. */
export async function getRecurring(
  script: Script,
  keys: RedisKeys,
  name: string,
): Promise<RecurringTemplate | null> {
  if (name === "") return null;
  const [row] = await script<string[][]>("getRecurring", [keys.base], [name]);
  return row ? decodeTemplate(row) : null;
}

/** Every template (an empty name asks the script for all). */
export async function listRecurring(script: Script, keys: RedisKeys): Promise<RecurringTemplate[]> {
  const rows = await script<string[][]>("getRecurring", [keys.base], [""]);
  return rows.map(decodeTemplate).filter((t): t is RecurringTemplate => t !== null);
}

/** Remove a template; whether it existed. */
export async function removeRecurring(
  script: Script,
  keys: RedisKeys,
  name: string,
): Promise<boolean> {
  return await script<number>("removeRecurring", [keys.base, keys.recurring(name)], [name]) === 1;
}

/** Pause or resume a template; `null` when it does not exist. */
export async function setRecurringPaused(
  script: Script,
  keys: RedisKeys,
  p: { name: string; paused: boolean; now: Date },
): Promise<RecurringTemplate | null> {
  const row = await script<(string | null)[] | null>(
    "setRecurringPaused",
    [keys.recurring(p.name)],
    [p.paused ? "1" : "0", p.now.getTime()],
  );
  return row ? decodeTemplate(row) : null;
}

/**
 * Claim a tick and store its job in the same script. Returns the stored job (the holder of
 * its unique key when one was live, read through `get`), or `null` when the claim lost.
 */
export async function claimCronTick(
  script: Script,
  keys: RedisKeys,
  p: { name: string; tickAt: Date; job: Job },
  get: (id: string) => Promise<Job | null>,
): Promise<Job | null> {
  const holder = await script<string | null>(
    "claimCronTick",
    [keys.base, keys.recurring(p.name)],
    [p.tickAt.getTime(), JSON.stringify(encodeJob(p.job))],
  );
  if (holder === null) return null;
  return holder === "" ? p.job : await get(holder);
}
