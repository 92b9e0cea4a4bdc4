/**
 * One `node:sqlite` connection: opening a file safely (typed errors, nothing overwritten),
 * a cache of prepared statements, and write transactions that take the write lock up front.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { QmlError, StorageError } from "../../errors.ts";
import type { ResolvedSqliteConfig } from "./config.ts";

const HEADER = "SQLite format 3\0";

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Check the file before SQLite touches it: SQLite would happily open a read-only file
// read-only, and report a foreign file only at the first query.
function checkFile(path: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new StorageError(`cannot read SQLite database ${path}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
    let dirInfo: Deno.FileInfo | null = null;
    try {
      dirInfo = Deno.statSync(dir);
    } catch { /* reported below */ }
    if (!dirInfo?.isDirectory) {
      throw new StorageError(`cannot create SQLite database ${path}: no directory ${dir}`);
    }
    return;
  }
  if (!info.isFile) throw new StorageError(`SQLite database ${path} is not a file`);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true });
  } catch (err) {
    throw new StorageError(`SQLite database ${path} is read-only: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  try {
    if (info.size === 0) return;
    const head = new Uint8Array(16);
    const n = file.readSync(head) ?? 0;
    if (n < 16 || new TextDecoder().decode(head) !== HEADER) {
      throw new StorageError(`${path} is not a SQLite database (left untouched)`);
    }
  } finally {
    file.close();
  }
}

/** A connection with cached statements. */
export class Connection {
  /** The driver's connection. */
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  /**
   * The WAL file qml syncs itself after commits (durability "full" in WAL mode, see
   * `wal_sync.ts`), or `null` when SQLite's own `synchronous` setting does all there is to do.
   */
  readonly walFile: string | null;
  #commits = 0;

  private constructor(db: DatabaseSync, walFile: string | null) {
    this.db = db;
    this.walFile = walFile;
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
  }

  /**
   * Open `cfg.path` in WAL mode with the configured durability and busy timeout.
   *
   * @throws {StorageError} for a missing directory, a read-only file, a file that is not a
   * SQLite database, or a database another process keeps locked.
   */
  static async open(cfg: ResolvedSqliteConfig): Promise<Connection> {
    if (!cfg.memory) checkFile(cfg.path);
    // Loaded here, not at module level: an app on another backend never loads SQLite.
    const { DatabaseSync } = await import("node:sqlite");
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(cfg.path, { timeout: cfg.busyTimeoutMs } as Record<string, unknown>);
    } catch (err) {
      throw new StorageError(`cannot open SQLite database ${cfg.path}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    try {
      db.exec(`PRAGMA busy_timeout = ${cfg.busyTimeoutMs}`);
      // Reading the schema first makes a foreign file fail here, before any write.
      db.prepare("SELECT count(*) FROM sqlite_master").get();
      const journal = cfg.memory
        ? "memory"
        : String(Object.values(db.prepare("PRAGMA journal_mode = WAL").get()!)[0]);
      // A job's row and index pages are written again and again (enqueue, fetch, finish):
      // a 32 MB page cache and checkpoints every ~40 MB of WAL (not every 4 MB) write each
      // hot page out once per checkpoint instead of once per pass (measured: drain ~30 %
      // faster).
      db.exec("PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 10000");
      // Durability "full" in WAL mode: SQLite commits without waiting for the disk and qml
      // syncs the WAL before acknowledging (group commit, `wal_sync.ts`). Outside WAL mode (a
      // file system without shared memory), where NORMAL may corrupt the file on a power
      // loss, SQLite syncs in every commit.
      const syncsWal = cfg.durability === "full" && journal === "wal";
      const synchronous = cfg.durability === "full" && !syncsWal ? "FULL" : "NORMAL";
      db.exec(`PRAGMA synchronous = ${synchronous}`);
      return new Connection(db, syncsWal ? `${Deno.realPathSync(cfg.path)}-wal` : null);
    } catch (err) {
      db.close();
      const msg = errorMessage(err);
      if (/not a database/i.test(msg)) {
        throw new StorageError(`${cfg.path} is not a SQLite database (left untouched)`, {
          cause: err,
        });
      }
      if (/readonly/i.test(msg)) {
        throw new StorageError(`SQLite database ${cfg.path} is read-only: ${msg}`, { cause: err });
      }
      throw new StorageError(`cannot open SQLite database ${cfg.path}: ${msg}`, { cause: err });
    }
  }

  /** The prepared statement for `sql` (prepared once per connection). */
  stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** Run `fn` and turn driver failures into `StorageError`s naming `op`. */
  read<T>(op: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storageError(op, err);
    }
  }

  /**
   * Run `fn` in a write transaction. `BEGIN IMMEDIATE` takes the write lock before anything
   * is read, so a read-then-write never fails halfway on another process's commit; it
   * waits up to the busy timeout for that lock.
   */
  write<T>(op: string, fn: () => T): T {
    try {
      this.#begin.run();
    } catch (err) {
      throw storageError(op, err);
    }
    try {
      const out = fn();
      this.#commit.run();
      this.#commits++;
      return out;
    } catch (err) {
      try {
        if (this.db.isTransaction) this.#rollback.run();
      } catch { /* the transaction is already gone */ }
      throw storageError(op, err);
    }
  }

  /** Write transactions committed on this connection so far. */
  get commits(): number {
    return this.#commits;
  }

  /** Close the connection (idempotent). */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/**
 * A driver failure (SQLite error, closed connection) as a `StorageError` naming `op`; qml's
 * own typed errors pass through.
 */
export function storageError(op: string, err: unknown): unknown {
  if (err instanceof QmlError) return err;
  return new StorageError(`sqlite ${op} failed: ${errorMessage(err)}`, { cause: err });
}

/** What `SqliteStorage.settings` reads back from the connection. */
export interface SqliteSettings {
  /** `wal` for a file, `memory` for `:memory:`. */
  journalMode: string;
  /** `PRAGMA synchronous`: 2 is FULL, 1 is NORMAL. */
  synchronous: number;
  /**
   * Whether qml syncs the WAL file before acknowledging each write (durability "full" in
   * WAL mode, with `synchronous` NORMAL: see `wal_sync.ts`).
   */
  syncsWal: boolean;
  /** `PRAGMA busy_timeout`, ms. */
  busyTimeoutMs: number;
}

/** The durability, busy timeout and journal mode in force on `conn`. */
export function readSettings(conn: Connection): SqliteSettings {
  const get = (pragma: string) => Object.values(conn.stmt(`PRAGMA ${pragma}`).get()!)[0];
  return {
    journalMode: String(get("journal_mode")),
    synchronous: Number(get("synchronous")),
    busyTimeoutMs: Number(get("busy_timeout")),
    syncsWal: conn.walFile !== null,
  };
}
