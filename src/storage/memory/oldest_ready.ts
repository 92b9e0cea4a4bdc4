/**
 * MemoryStorage's answer to `oldestReady`: per queue, a heap of its Enqueued jobs by
 * `runAt`. Like the other heaps its entries go stale when a job changes (they carry the
 * job's version); stale tops are dropped when read, and a heap that grew to twice its size
 * since it was last cleaned is rebuilt from its fresh entries, so memory stays proportional
 * to the ready jobs even when nobody asks.
 *
 * @module
 */
import { Heap } from "./heap.ts";

/** A heap entry: a job at one version, ready since `at` (epoch ms). */
export interface ReadySince {
  /** Job id. */
  id: string;
  /** The job's version when it became Enqueued. */
  v: number;
  /** Its `runAt`, epoch ms. */
  at: number;
}

const byAt = (a: ReadySince, b: ReadySince) => a.at < b.at || (a.at === b.at && a.id < b.id);
const MIN_CLEAN_SIZE = 1024;

/** The earliest `runAt` of the Enqueued jobs of every queue. */
export class OldestReady {
  readonly #heaps = new Map<string, { heap: Heap<ReadySince>; cleanAt: number }>();
  readonly #fresh: (e: ReadySince) => boolean;

  /** `fresh(e)` tells whether entry `e` is still the job's current version. */
  constructor(fresh: (e: ReadySince) => boolean) {
    this.#fresh = fresh;
  }

  /** A job of `queue` became Enqueued (at version `e.v`). */
  add(queue: string, e: ReadySince): void {
    let q = this.#heaps.get(queue);
    if (!q) this.#heaps.set(queue, q = { heap: new Heap(byAt), cleanAt: MIN_CLEAN_SIZE });
    q.heap.push(e);
    if (q.heap.size >= q.cleanAt) {
      const kept = new Heap(byAt);
      for (const x of q.heap.entries()) if (this.#fresh(x)) kept.push(x);
      q.heap = kept;
      q.cleanAt = Math.max(MIN_CLEAN_SIZE, 2 * kept.size);
    }
  }

  /** Per queue with Enqueued jobs, the earliest `runAt`. */
  snapshot(): Record<string, Date> {
    const out: Record<string, Date> = {};
    for (const [queue, { heap }] of this.#heaps) {
      while (heap.size > 0 && !this.#fresh(heap.peek()!)) heap.pop();
      const top = heap.peek();
      if (top) out[queue] = new Date(top.at);
    }
    return out;
  }
}
