/**
 * Group commit for enqueues: the calls made in one turn of the event loop (the requests of a
 * busy HTTP server, a `Promise.all` of enqueues) share one transaction instead of one each.
 * Every call runs in a SAVEPOINT of its own, so a call that fails is rolled back and rejected
 * alone; each resolves once the shared transaction committed and is durable. A bulk enqueue
 * is written in transactions of {@link ENQUEUE_CHUNK} jobs instead, each chunk's WAL sync
 * running while the next chunk is written (`wal_sync.ts`).
 *
 * @module
 */
import type { Job } from "../../job.ts";
import type { EnqueueResult } from "../storage.ts";
import { type Connection, storageError } from "./connection.ts";
import { insertJobs } from "./enqueue.ts";
import { type Emit, emitReady } from "./job_verbs.ts";

/**
 * Jobs per enqueue transaction: a bulk enqueue commits (and yields to the event loop)
 * every this many jobs, so a server in the same process keeps fetching meanwhile.
 */
export const ENQUEUE_CHUNK = 500;

// `setImmediate`, not `setTimeout(0)`: timers and I/O still run in between, but a chain of
// zero timeouts is clamped to 4 ms each after five (measured: 20 chunks of a 10,000-job
// bulk enqueue spent ~80 ms asleep).
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Call {
  jobs: readonly Job[];
  done: PromiseWithResolvers<EnqueueResult[]>;
}

/** Runs `fn` in one write transaction (publishing what it emits); throws on failure. */
export type WriteNow = <T>(op: string, fn: (emit: Emit) => T) => T;

function settle(
  call: Call,
  outcome: { out: EnqueueResult[] } | { err: unknown },
  syncError: unknown,
): void {
  if (!("out" in outcome)) call.done.reject(outcome.err);
  else if (syncError !== null) call.done.reject(syncError);
  else call.done.resolve(outcome.out);
}

/** Resolves once everything committed so far is durable, for a write of `jobs` jobs. */
export type Durable = (jobs: number) => Promise<void>;

/** Queues enqueue calls and writes each turn's calls in one transaction. */
export class EnqueueGroup {
  readonly #conn: Connection;
  readonly #write: WriteNow;
  readonly #durable: Durable;
  #calls: Call[] = [];

  /** A group writing through `write` on `conn`, acknowledging once `durable` resolves. */
  constructor(conn: Connection, write: WriteNow, durable: Durable) {
    this.#conn = conn;
    this.#write = write;
    this.#durable = durable;
  }

  /** Store `jobs`: with the other calls of this turn, or a bulk batch chunk by chunk. */
  async store(jobs: readonly Job[]): Promise<EnqueueResult[]> {
    if (jobs.length <= ENQUEUE_CHUNK) return await this.add(jobs);
    const out: EnqueueResult[] = [];
    for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
      if (i > 0) await yieldToLoop();
      const chunk = jobs.slice(i, i + ENQUEUE_CHUNK);
      this.#write("enqueue", (emit) => {
        const ready = new Set<string>();
        insertJobs(this.#conn, chunk, out, ready);
        emitReady(ready, emit);
      });
      // Start syncing this chunk while the next one is written; a failure is seen below.
      this.#durable(chunk.length).catch(() => {});
    }
    await this.#durable(jobs.length);
    return out;
  }

  /** Store `jobs` with the other calls of this turn. */
  add(jobs: readonly Job[]): Promise<EnqueueResult[]> {
    const done = Promise.withResolvers<EnqueueResult[]>();
    this.#calls.push({ jobs, done });
    if (this.#calls.length === 1) queueMicrotask(() => this.#flush());
    return done.promise;
  }

  #flush(): void {
    const calls = this.#calls;
    this.#calls = [];
    let outcomes: ({ out: EnqueueResult[] } | { err: unknown })[];
    try {
      outcomes = this.#write("enqueue", (emit) => {
        const ready = new Set<string>();
        const res = calls.map(({ jobs }) => this.#one(jobs, ready, calls.length > 1));
        emitReady(ready, emit);
        return res;
      });
    } catch (err) {
      for (const c of calls) c.done.reject(err);
      return;
    }
    // A call rolled back to its savepoint fails with its own error; the others succeed once
    // the commit is durable, or fail with the sync's error.
    const jobs = calls.reduce((n, c) => n + c.jobs.length, 0);
    this.#durable(jobs).then(
      () => calls.forEach((c, i) => settle(c, outcomes[i], null)),
      (err) => calls.forEach((c, i) => settle(c, outcomes[i], err)),
    );
  }

  #one(
    jobs: readonly Job[],
    ready: Set<string>,
    savepoint: boolean,
  ): { out: EnqueueResult[] } | { err: unknown } {
    const out: EnqueueResult[] = [];
    if (!savepoint) {
      insertJobs(this.#conn, jobs, out, ready); // alone: a failure fails the transaction
      return { out };
    }
    const mine = new Set<string>();
    this.#conn.stmt("SAVEPOINT qml_enqueue").run();
    try {
      insertJobs(this.#conn, jobs, out, mine);
      this.#conn.stmt("RELEASE qml_enqueue").run();
    } catch (err) {
      this.#conn.stmt("ROLLBACK TO qml_enqueue").run();
      this.#conn.stmt("RELEASE qml_enqueue").run();
      return { err: storageError("enqueue", err) };
    }
    for (const q of mine) ready.add(q);
    return { out };
  }
}
