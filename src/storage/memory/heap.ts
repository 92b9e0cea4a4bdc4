/**
 * A binary min-heap. MemoryStorage keeps one per access path (ready jobs per
 * queue, due times, lock expiry, retention expiry) so each verb costs O(log n)
 * per job instead of a scan. Entries are never removed from the middle: they
 * carry the job's version and are dropped when popped stale.
 *
 * @module
 */

/** A binary min-heap ordered by `less`. */
export class Heap<T> {
  #items: T[] = [];
  readonly #less: (a: T, b: T) => boolean;

  /** Create an empty heap ordered by `less`. */
  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** Every entry, in no particular order (for rebuilding a heap without its stale ones). */
  entries(): readonly T[] {
    return this.#items;
  }

  /** The smallest entry, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Add an entry. */
  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  /** Remove and return the smallest entry. */
  pop(): T | undefined {
    const a = this.#items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      while (true) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.#less(a[l], a[m])) m = l;
        if (r < a.length && this.#less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
