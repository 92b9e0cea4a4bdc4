/**
 * Wake-up, cancel and activity signals for SQLite, which has no NOTIFY.
 *
 * In this process, a committed change is delivered at once to every SqliteStorage open on
 * the same file. For other processes, the writer also inserts the signal into the `signals`
 * table inside the same transaction. Each subscribed process watches the database's WAL
 * file (`Deno.watchFs`: every commit of another process writes to it) and, as a fallback,
 * polls every `signalPollMs`; either way it checks `PRAGMA data_version` (a look at shared
 * memory, no I/O) and reads the new rows only when another connection committed
 * something. Rows are pruned after a minute.
 *
 * @module
 */
import type { JobChange } from "../../activity.ts";
import type { StorageSignal } from "../storage.ts";
import type { Connection } from "./connection.ts";
import { QUERIES } from "./queries.ts";

/** This isolate: rows it wrote were already delivered in-process, so its poll skips them. */
const ORIGIN = crypto.randomUUID();

/** Hubs open in this isolate, by database file. */
const HUBS = new Map<string, Set<SignalHub>>();

const KEEP_MS = 60_000;
const PRUNE_EVERY = 200;

/** Delivers signals in-process and through the `signals` table. */
export class SignalHub {
  readonly #conn: Connection;
  readonly #file: string | null;
  readonly #pollMs: number;
  readonly #listeners = new Set<(s: StorageSignal) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #watcher: Deno.FsWatcher | undefined;
  #checkSoon: ReturnType<typeof setTimeout> | undefined;
  #recheck: ReturnType<typeof setTimeout> | undefined;
  #lastSeq = 0;
  #dataVersion = -1;
  #published = 0;

  /** `file` is the database's real path, or null for a private in-memory database. */
  constructor(conn: Connection, file: string | null, pollMs: number) {
    this.#conn = conn;
    this.#file = file;
    this.#pollMs = pollMs;
    if (file) {
      let set = HUBS.get(file);
      if (!set) HUBS.set(file, set = new Set());
      set.add(this);
    }
  }

  /** Record `signals` for other processes; call inside the write transaction of the change. */
  publish(signals: readonly StorageSignal[], now: number): void {
    if (!this.#file || signals.length === 0) return;
    const insert = this.#conn.stmt(QUERIES.insertSignal);
    for (const s of signals) insert.run(ORIGIN, now, JSON.stringify(s));
    if (++this.#published % PRUNE_EVERY === 0) {
      this.#conn.stmt(QUERIES.pruneSignals).run(now - KEEP_MS);
    }
  }

  /** Deliver committed `signals` to every storage of this isolate on the same file. */
  deliver(signals: readonly StorageSignal[]): void {
    if (signals.length === 0) return;
    const hubs = this.#file ? HUBS.get(this.#file) ?? [this] : [this];
    for (const hub of hubs) for (const s of signals) hub.#emit(s);
  }

  #emit(signal: StorageSignal): void {
    for (const l of this.#listeners) queueMicrotask(() => l(signal));
  }

  /** Listen; the first listener starts watching other processes. */
  subscribe(listener: (signal: StorageSignal) => void): () => void {
    this.#listeners.add(listener);
    if (this.#file && this.#timer === undefined) {
      this.#lastSeq = this.#conn.read(
        "subscribe",
        () => this.#conn.stmt(QUERIES.lastSignal).get()!.seq as number,
      );
      this.#dataVersion = this.#readDataVersion();
      this.#timer = setInterval(() => this.#poll(), this.#pollMs);
      this.#watch(`${this.#file}-wal`);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  // Writes of other processes to the WAL wake a check at once; many events in a burst
  // make one check. Without a watcher (no such file, no permission) the poll still runs.
  // The event comes when the writer writes its frames, before it has made the commit visible
  // in the shared-memory index (which raises no event): when nothing new is visible yet, look
  // again after 1, 2, 4 … 64 ms rather than wait up to a poll interval (a writer outside WAL
  // mode with durability "full" syncs before its commit is visible, milliseconds on a busy
  // disk, so the first look may come too early).
  #watch(wal: string): void {
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(wal, { recursive: false });
    } catch {
      return;
    }
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const _ of watcher) {
          if (this.#checkSoon !== undefined || this.#timer === undefined) continue;
          // A new write: look now and restart the backoff (a chain left waiting its 64 ms
          // step would hold a later commit's wake-up that long).
          clearTimeout(this.#recheck);
          this.#recheck = undefined;
          // Kept, so that stopping cancels it: an event of the last write (this process's
          // own writes land in the WAL too) must not leave a timer behind a closed storage.
          this.#checkSoon = setTimeout(() => {
            this.#checkSoon = undefined;
            this.#checkUntilVisible(1);
          }, 0);
        }
      } catch { /* closed */ }
    })();
  }

  #checkUntilVisible(delayMs: number): void {
    this.#recheck = undefined;
    if (this.#timer === undefined || this.#poll() || delayMs > 64) return;
    this.#recheck = setTimeout(() => this.#checkUntilVisible(delayMs * 2), delayMs);
  }

  #readDataVersion(): number {
    return this.#conn.stmt("PRAGMA data_version").get()!.data_version as number;
  }

  // Whether another connection committed something since the last look.
  #poll(): boolean {
    try {
      const v = this.#readDataVersion();
      if (v === this.#dataVersion) return false;
      this.#dataVersion = v;
      const rows = this.#conn.stmt(QUERIES.readSignals).all(this.#lastSeq);
      for (const r of rows) {
        this.#lastSeq = r.seq as number;
        if (r.origin !== ORIGIN) this.#emit(decodeSignal(r.payload as string));
      }
      return true;
    } catch {
      // Best effort (the contract says so): a busy or closing database costs one interval.
      return false;
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
    clearTimeout(this.#checkSoon);
    this.#checkSoon = undefined;
    try {
      this.#watcher?.close();
    } catch { /* already closed */ }
    this.#watcher = undefined;
  }

  /** Stop watching and leave the isolate's registry. */
  close(): void {
    this.#stop();
    this.#listeners.clear();
    if (this.#file) {
      const set = HUBS.get(this.#file);
      set?.delete(this);
      if (set?.size === 0) HUBS.delete(this.#file);
    }
  }
}

function decodeSignal(payload: string): StorageSignal {
  const s = JSON.parse(payload) as StorageSignal;
  if (s.kind === "activity") {
    s.changes = s.changes.map((c: JobChange) => ({ ...c, at: new Date(c.at) }));
  }
  return s;
}
