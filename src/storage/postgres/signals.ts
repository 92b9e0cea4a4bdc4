/**
 * Fan-out of storage signals: one LISTEN connection per storage, opened on the first
 * `subscribe`, whose NOTIFY payloads (`r:<queue>`, `c:<id>`, `a:<changes>`) become
 * {@link StorageSignal}s.
 *
 * @module
 */
import type { StorageSignal } from "../storage.ts";
import { activitySignal } from "../activity_codec.ts";
import { type ListenerOptions, NotificationListener } from "./listener.ts";

/** Prefix of an `activity` payload; the rest is a chunk of `encodeChanges`. */
export const ACTIVITY_PREFIX = "a:";

/** Parse a NOTIFY payload written by the queries in `sql/postgres/queries/`. */
export function parseSignal(payload: string): StorageSignal | null {
  if (payload.startsWith("r:")) return { kind: "ready", queue: payload.slice(2) };
  if (payload.startsWith("c:")) return { kind: "cancelled", id: payload.slice(2) };
  if (payload.startsWith(ACTIVITY_PREFIX + "[")) {
    return activitySignal(payload.slice(ACTIVITY_PREFIX.length));
  }
  return null;
}

/** Subscribers of one storage and the LISTEN connection that feeds them. */
export class SignalHub {
  #opts: Omit<ListenerOptions, "onPayload">;
  #subscribers = new Set<(signal: StorageSignal) => void>();
  #listener: NotificationListener | null = null;
  #closed = false;

  /** Prepare the hub; nothing connects before the first {@link subscribe}. */
  constructor(opts: Omit<ListenerOptions, "onPayload">) {
    this.#opts = opts;
  }

  /** Add a subscriber (opening the LISTEN connection if needed); returns its unsubscribe. */
  subscribe(fn: (signal: StorageSignal) => void): () => void {
    if (this.#closed) return () => {};
    this.#subscribers.add(fn);
    if (!this.#listener) {
      this.#listener = new NotificationListener({
        ...this.#opts,
        onPayload: (payload) => this.#dispatch(payload),
      });
      // Failures are retried inside the listener; polling covers the gap meanwhile.
      this.#listener.start();
    }
    return () => {
      this.#subscribers.delete(fn);
    };
  }

  /** Resolves once LISTEN is established (or its first attempt failed). */
  async ready(): Promise<void> {
    await this.#listener?.start();
  }

  #dispatch(payload: string): void {
    const signal = parseSignal(payload);
    if (!signal) return;
    for (const fn of [...this.#subscribers]) {
      try {
        fn(signal);
      } catch {
        // One failing subscriber must not starve the others.
      }
    }
  }

  /** Drop every subscriber and close the LISTEN connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    await this.#listener?.close();
  }
}
