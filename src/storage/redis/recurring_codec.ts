/**
 * Recurring template ↔ Redis hash. The user-given part is one JSON field that
 * scripts never parse; `createdAt`, `updatedAt` and `lastTickAt` are separate
 * epoch-ms fields because scripts compare and keep them (`lastTickAt` is the
 * compare-and-set target of a cron tick claim), and `paused` is `"1"` while paused.
 *
 * @module
 */
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import { decodeStored, type FieldParser } from "../stored_fields.ts";

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
 * A template from `[json, createdAt, updatedAt, lastTickAt, paused, name]` (see
 * `lua/get_recurring.lua`); `null` when it does not exist. A `json` that does not parse gives
 * a template with only its name and times, marked `unreadable` (`stored_fields.ts`), instead
 * of throwing: one damaged template must not stop every other template's ticks.
 */
export function decodeTemplate(row: readonly (string | null)[]): RecurringTemplate | null {
  if (!row[0] || !row[1]) return null;
  return decodeStored(row, templateOf);
}

function templateOf(row: readonly (string | null)[], parse: FieldParser): RecurringTemplate {
  const [json, createdAt, updatedAt, lastTickAt, paused, name] = row;
  const input = (parse(json!, "template") as RecurringTemplateInput | null) ?? {
    name: name ?? "",
    cron: "",
    timezone: null,
    method: "",
    args: null,
    queue: "",
    priority: 0,
    maxAttempts: null,
    missedTicks: "skip",
  };
  return {
    ...input,
    paused: paused === "1",
    createdAt: new Date(Number(createdAt)),
    updatedAt: new Date(Number(updatedAt ?? createdAt)),
    lastTickAt: lastTickAt ? new Date(Number(lastTickAt)) : null,
  };
}
