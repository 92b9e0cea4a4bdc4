/**
 * Durability "full" as group commit: SQLite commits without waiting for the disk
 * (`synchronous=NORMAL` in WAL mode), and qml makes the commits durable itself — an
 * `fdatasync` of the WAL file — before it acknowledges them. A write verb resolves only once a
 * sync that started after its commit has finished, so an acknowledged write survives power
 * loss exactly as with `synchronous=FULL`. A large write's sync runs on Deno's blocking-I/O
 * thread ({@link CommitSync.flushed}): the main thread goes on working meanwhile, and every
 * commit made during one sync shares the next (`synchronous=FULL` made the thread wait for one
 * fsync per commit: 20 per bulk enqueue of 10,000, two per batch of a draining server). A
 * small write's sync is short, and handing it to another thread and being woken after costs
 * more than the sync itself: it runs on the calling thread ({@link CommitSync.flushedNow}).
 *
 * Why a WAL sync covers the commits: in WAL mode a commit is a sequence of frames appended to
 * the `-wal` file; syncing the file makes every frame written before the sync durable, and
 * recovery replays the WAL up to its last complete commit. A checkpoint (which may later let
 * the WAL be rewritten from its start) syncs the WAL before copying it and the database after,
 * with `synchronous=NORMAL` as with FULL, so a commit is never only in a WAL region that gets
 * reused.
 *
 * @module
 */
import { StorageError } from "../../errors.ts";
import { errorMessage } from "./connection.ts";

/** Waits until what this connection committed is on disk. */
export interface CommitSync {
  /**
   * Resolves once everything committed before this call is durable; rejects with a
   * `StorageError` if the disk refused (then every later call rejects too: after a failed
   * fsync the kernel may have dropped the pages, so later successes would prove nothing).
   */
  flushed(): Promise<void>;
  /**
   * The same on the calling thread, now: returns once everything committed before this call
   * is durable; throws the `StorageError` described at {@link CommitSync.flushed}.
   */
  flushedNow(): void;
  /** Waits for a sync in flight and releases the file. */
  close(): Promise<void>;
}

/** For `:memory:` and durability "normal": nothing to wait for. */
export const NO_SYNC: CommitSync = {
  flushed: () => Promise.resolve(),
  flushedNow: () => {},
  close: () => Promise.resolve(),
};

/** How a {@link WalSync} syncs its file: off the calling thread, and on it. */
export interface SyncCalls {
  /** Sync `file`'s data off the calling thread. */
  syncData(file: Deno.FsFile): Promise<void>;
  /** Sync `file`'s data on the calling thread. */
  syncDataSync(file: Deno.FsFile): void;
}

const FILE_SYNC: SyncCalls = {
  syncData: (file) => file.syncData(),
  syncDataSync: (file) => file.syncDataSync(),
};

/** Syncs one WAL file, one sync at a time; the calls made during a sync share the next one. */
export class WalSync implements CommitSync {
  readonly #path: string;
  readonly #commits: () => number;
  readonly #calls: SyncCalls;
  #file: Deno.FsFile | null = null;
  /** Commits known to be on disk. */
  #durable = 0;
  /** The sync in flight: the commits it covers, its outcome, and when it is done with. */
  #running: { upTo: number; done: Promise<void>; over: Promise<void> } | null = null;
  #next: PromiseWithResolvers<void> | null = null;
  #failed: StorageError | null = null;

  /**
   * Sync the WAL file at `path` (the database's path + `-wal`) for the commits counted by
   * `commits` (the connection's). `calls` are the syncs themselves (tests hold or count them).
   */
  constructor(path: string, commits: () => number, calls: SyncCalls = FILE_SYNC) {
    this.#path = path;
    this.#commits = commits;
    this.#calls = calls;
  }

  /** See {@link CommitSync.flushed}. */
  flushed(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    const upTo = this.#commits();
    if (upTo <= this.#durable) return Promise.resolve();
    // The sync in flight covers the commits made before it began, and only those.
    if (this.#running !== null && this.#running.upTo >= upTo) return this.#running.done;
    this.#next ??= Promise.withResolvers<void>();
    const promise = this.#next.promise;
    if (this.#running === null) this.#start();
    return promise;
  }

  #start(): void {
    const waiters = this.#next!;
    this.#next = null;
    const upTo = this.#commits();
    const done = this.#sync().then(() => {
      this.#durable = Math.max(this.#durable, upTo);
    }, (err) => {
      throw this.#fail(err);
    });
    done.then(waiters.resolve, waiters.reject);
    const over = done.catch(() => {}).then(() => {
      this.#running = null;
      if (this.#next !== null) this.#start();
    });
    this.#running = { upTo, done, over };
  }

  async #sync(): Promise<void> {
    await this.#calls.syncData(this.#walFile());
  }

  // Opened on first use (the WAL file exists once something was committed), once.
  #walFile(): Deno.FsFile {
    return this.#file ??= Deno.openSync(this.#path, { read: true });
  }

  /** See {@link CommitSync.flushedNow}. */
  flushedNow(): void {
    if (this.#failed) throw this.#failed;
    const upTo = this.#commits();
    if (upTo <= this.#durable) return;
    try {
      this.#calls.syncDataSync(this.#walFile());
    } catch (err) {
      throw this.#fail(err);
    }
    this.#durable = Math.max(this.#durable, upTo);
  }

  #fail(err: unknown): StorageError {
    return this.#failed ??= new StorageError(
      `sqlite: the WAL file ${this.#path} could not be synced to disk (commits since the ` +
        `last good sync may not survive a power loss): ${errorMessage(err)}`,
      { cause: err },
    );
  }

  /** See {@link CommitSync.close}. */
  async close(): Promise<void> {
    while (this.#running !== null) await this.#running.over;
    this.#file?.close();
    this.#file = null;
  }
}
