/**
 * Recurring template ↔ Redis hash. The user-given part is one JSON field that
 * scripts never parse; `createdAt`, `updatedAt` and `lastTickAt` are separate
 * epoch-ms fields because scripts compare and keep them (`lastTickAt` is the
 * compare-and-set target of a cron tick claim), and `paused` is `"1"` while paused.
 *
 * @module
 */
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";

/** The JSON field of a template. */
export function encodeTemplate(t: RecurringTemplateInput): string {
  const body: RecurringTemplateInput = {
    name: t.name,
    cron: t.cron,
    timezone: t.timezone,
    method: t.method,
    args: t.args ?? null,
    queue: t.queue,
    priority: t.priority,
    maxAttempts: t.maxAttempts,
    missedTicks: t.missedTicks,
  };
  return JSON.stringify(body);
}

/**
 * A template from `[json, createdAt, updatedAt, lastTickAt, paused]` (see
 * `lua/get_recurring.lua`); `null` when it does not exist.
 */
export function decodeTemplate(row: readonly (string | null)[]): RecurringTemplate | null {
  const [json, createdAt, updatedAt, lastTickAt, paused] = row;
  if (!json || !createdAt) return null;
  return {
    ...(JSON.parse(json) as RecurringTemplateInput),
    paused: paused === "1",
    createdAt: new Date(Number(createdAt)),
    updatedAt: new Date(Number(updatedAt ?? createdAt)),
    lastTickAt: lastTickAt ? new Date(Number(lastTickAt)) : null,
  };
}
