/**
 * Recurring templates in memory: the template verbs, pause, and the tick claim (the
 * storage enqueues the tick's job once the claim is won). Templates are copied in and out.
 *
 * @module
 */
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import { copyData } from "../job_copy.ts";

/** Templates by name. */
export class RecurringTemplates {
  readonly #byName = new Map<string, RecurringTemplate>();

  /** Create or update a template by name. */
  upsert(p: { template: RecurringTemplateInput; now: Date }): RecurringTemplate {
    const old = this.#byName.get(p.template.name);
    const t: RecurringTemplate = {
      ...copyData(p.template),
      createdAt: old?.createdAt ?? p.now,
      updatedAt: p.now,
      lastTickAt: old?.lastTickAt ?? null,
      paused: old?.paused ?? false,
    };
    this.#byName.set(t.name, t);
    return copyData(t);
  }

  /** One template, or `null`. */
  get(name: string): RecurringTemplate | null {
    const t = this.#byName.get(name);
    return t ? copyData(t) : null;
  }

  /** Every template, by name. */
  list(): RecurringTemplate[] {
    return [...this.#byName.values()].sort((a, b) => a.name < b.name ? -1 : 1).map(copyData);
  }

  /** Remove a template; whether it existed. */
  remove(name: string): boolean {
    return this.#byName.delete(name);
  }

  /** Pause or resume a template; `null` when it does not exist. */
  setPaused(p: { name: string; paused: boolean; now: Date }): RecurringTemplate | null {
    const t = this.#byName.get(p.name);
    if (!t) return null;
    if (t.paused !== p.paused) {
      t.paused = p.paused;
      t.updatedAt = p.now;
    }
    return copyData(t);
  }

  /** Claim tick `tickAt` of template `name`: false when it is missing, paused or past it. */
  claimTick(name: string, tickAt: Date): boolean {
    const t = this.#byName.get(name);
    if (!t || t.paused) return false;
    if (t.lastTickAt && t.lastTickAt.getTime() >= tickAt.getTime()) return false;
    t.lastTickAt = tickAt;
    return true;
  }
}
