/**
 * Vacuuming the jobs table as jobs are fetched. Every fetch moves rows out of Enqueued, and
 * each leaves a dead entry at the front of the partial fetch index until VACUUM removes it;
 * the next fetches walk over all of them. Autovacuum wakes at most once a minute
 * (`autovacuum_naptime`, a server-wide setting), so a server draining a backlog can consume
 * hundreds of thousands of jobs between two passes, each fetch slower than the last
 * (measured: 600,000 jobs into a 1,000,000 backlog, 6,223 index pages read per fetch of 100,
 * 18 ms; 203 pages and 0.2 ms after a VACUUM that took 2.1 s). So a storage vacuums the table
 * itself after every `every` rows it fetched: one VACUUM at a time per storage, `SKIP_LOCKED`
 * so that a pass already running elsewhere (another server, autovacuum) is not waited for.
 * Best effort: a VACUUM that fails (not the table's owner, connection lost) is let go; the
 * next one is due `every` rows later.
 *
 * @module
 */

/** Runs VACUUM on the jobs table after every `every` fetched rows. */
export class FetchVacuum {
  readonly #vacuum: () => Promise<unknown>;
  readonly #every: number;
  #since = 0;
  #running: Promise<void> | null = null;
  #closed = false;

  /** `vacuum` runs one pass; `every` 0 turns it off. */
  constructor(vacuum: () => Promise<unknown>, every: number) {
    this.#vacuum = vacuum;
    this.#every = every;
  }

  /** `n` rows were fetched. */
  fetched(n: number): void {
    if (this.#every === 0 || n === 0 || this.#closed) return;
    this.#since += n;
    if (this.#since < this.#every || this.#running) return;
    this.#since = 0;
    this.#running = this.#vacuum().then(() => {}, () => {}).finally(() => {
      this.#running = null;
    });
  }

  /**
   * Start no more passes. One in progress is not waited for: closing the pool ends its
   * connection, and an interrupted VACUUM leaves nothing to undo (a pass over a large table
   * must not hold up a server's shutdown).
   */
  close(): void {
    this.#closed = true;
  }

  /** The pass in progress, if any (for tests). */
  get running(): Promise<void> | null {
    return this.#running;
  }
}
