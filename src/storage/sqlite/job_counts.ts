/**
 * Job counts by queue and state, kept in the `job_counts` table by the write verbs: each
 * verb adds up what its batch changed and writes one upsert per (queue, state) in the same
 * transaction, so `counts()` reads a handful of rows however many jobs there are.
 *
 * @module
 */
import type { Connection } from "./connection.ts";
import { QUERIES } from "./queries.ts";

/** What one batch changed, per (queue, state). */
export class CountDeltas {
  readonly #deltas = new Map<string, Map<string, number>>();

  /** Count `n` more (or fewer) jobs of `queue` in `state`. */
  add(queue: string, state: string, n: number): void {
    let byState = this.#deltas.get(queue);
    if (!byState) this.#deltas.set(queue, byState = new Map());
    byState.set(state, (byState.get(state) ?? 0) + n);
  }

  /** A job of `queue` moved from state `from` to `to`. */
  move(queue: string, from: string, to: string): void {
    if (from === to) return;
    this.add(queue, from, -1);
    this.add(queue, to, 1);
  }

  /** Write the deltas; call inside the batch's write transaction. */
  write(conn: Connection): void {
    const stmt = conn.stmt(QUERIES.addJobCount);
    for (const [queue, byState] of this.#deltas) {
      for (const [state, n] of byState) if (n !== 0) stmt.run(queue, state, n);
    }
    this.#deltas.clear();
  }
}
