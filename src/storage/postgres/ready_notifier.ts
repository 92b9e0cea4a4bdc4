/**
 * Wake-ups for jobs enqueued outside a caller's transaction, sent after their INSERT has
 * committed instead of by it. Postgres serializes the commits of transactions that NOTIFY (one
 * cluster-wide lock, held through the commit's WAL flush): with the NOTIFY inside the enqueue,
 * concurrent enqueues committed one at a time — `pgbench` with 10 clients ran qml's enqueue
 * statement 1,322–1,401 times a second with its NOTIFY, no faster than one client, and
 * 3,350–4,041 without. A transaction that only NOTIFYs writes no WAL, so it holds the lock for
 * a moment. A job enqueued inside the caller's transaction keeps its NOTIFY in the statement
 * (only that transaction's commit may wake a server), and so does an enqueue with no other
 * of its storage in flight: alone, it has nothing to wait for, and a wake-up sent after the
 * reply would reach the server a round trip later.
 *
 * A wake-up goes out when its enqueue has returned (so after the commit), one statement per
 * queue at a time; enqueues that commit while one is in flight share the next one, which is
 * sent after it — every commit is followed by a wake-up sent after it. Best effort, like every
 * signal: a lost one costs a poll interval.
 *
 * @module
 */

/** Sends `r:<queue>` wake-ups, at most one in flight per queue. */
export class ReadyNotifier {
  readonly #send: (queue: string) => Promise<unknown>;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();

  /** `send` NOTIFYs the wake-up of one queue. */
  constructor(send: (queue: string) => Promise<unknown>) {
    this.#send = send;
  }

  /** Jobs of `queues` were just committed: wake their servers. */
  notify(queues: Iterable<string>): void {
    for (const queue of queues) {
      if (this.#inFlight.has(queue)) this.#again.add(queue);
      else this.#start(queue);
    }
  }

  #start(queue: string): void {
    const sent = this.#send(queue).then(() => {}, () => {}).finally(() => {
      this.#inFlight.delete(queue);
      if (this.#again.delete(queue)) this.#start(queue);
    });
    this.#inFlight.set(queue, sent);
  }

  /** Resolves once every wake-up asked for so far has been sent (or has failed). */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }
}
