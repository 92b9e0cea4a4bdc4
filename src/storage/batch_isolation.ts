/**
 * Batch isolation, the engine's rule for every batch of transitions (result writes, rescues):
 * a write that fails for a reason tied to what it carried (a value the backend refuses, a
 * row it cannot update) is split in halves until the item that causes it is found; that
 * item alone is handed to the caller, which records it another way (as Failed) or drops it,
 * and the rest are written. A transient failure (connection lost, timeout; see
 * `transient.ts`) stops the write: the unwritten items are left for the caller to retry whole.
 *
 * @module
 */
import type { TransitionItem } from "../transitions.ts";
import type { Storage } from "./storage.ts";
import { isTransient } from "./transient.ts";

/** What the caller does with one item the storage refused for itself. */
export interface IsolationHooks {
  /** `now` of each storage call. */
  now(): Date;
  /**
   * Item `index`, alone, was refused with `error` (not transient). Write what replaces it and
   * return it with whether it applied; `null` to drop it (it counts as not applied);
   * `undefined` when even the replacement could not be written (then the cause is not this
   * item: it and everything not yet written are left, with `error`).
   */
  refused(
    index: number,
    error: unknown,
  ): Promise<{ item: TransitionItem; applied: boolean } | null | undefined>;
  /** The whole batch failed for a reason tied to its items: it is being split (to log). */
  splitting?(error: unknown): void;
}

/** What {@link transitionIsolated} did. */
export interface IsolatedWrite {
  /** The items as written: a refused item replaced by what `refused` wrote. */
  stored: TransitionItem[];
  /** Per item: whether its transition applied; `undefined` when it was left unwritten. */
  applied: (boolean | undefined)[];
  /** Indexes left unwritten after a transient failure, ascending (empty when all were written). */
  left: number[];
  /** The failure that left them. */
  error: unknown;
}

/**
 * Apply `items` with `storage.transition`, isolating items the storage refuses (see the
 * module doc). Never throws for a storage failure: what was not written is in `left`.
 *
 * @example
 * ```ts ignore
 * const res = await transitionIsolated(storage, items, { now: () => new Date(), refused: async () => null });
 * ```
 */
export async function transitionIsolated(
  storage: Storage,
  items: readonly TransitionItem[],
  hooks: IsolationHooks,
): Promise<IsolatedWrite> {
  const stored = items.slice();
  const applied: (boolean | undefined)[] = new Array(items.length);
  const ranges: [number, number][] = [[0, items.length]];
  let error: unknown;
  while (ranges.length > 0) {
    const [lo, hi] = ranges.pop()!;
    try {
      const res = await storage.transition({ items: stored.slice(lo, hi), now: hooks.now() });
      for (let i = lo; i < hi; i++) applied[i] = res[i - lo];
      continue;
    } catch (err) {
      if (isTransient(err)) {
        ranges.push([lo, hi]);
        error = err;
        break;
      }
      if (hi - lo > 1) {
        if (hi - lo === items.length) hooks.splitting?.(err);
        const mid = (lo + hi) >>> 1;
        ranges.push([mid, hi], [lo, mid]);
        continue;
      }
      const replaced = await hooks.refused(lo, err);
      if (replaced === undefined) {
        ranges.push([lo, hi]);
        error = err;
        break;
      }
      if (replaced !== null) stored[lo] = replaced.item;
      applied[lo] = replaced?.applied ?? false;
    }
  }
  const left: number[] = [];
  for (const [lo, hi] of ranges) for (let i = lo; i < hi; i++) left.push(i);
  left.sort((a, b) => a - b);
  return { stored, applied, left, error };
}
