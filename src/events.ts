/**
 * The typed event stream of a server: what happens to jobs as this server sees
 * it, and the server's own life. The dashboard listens to it for live updates.
 *
 * Emitting is meant to be nearly free when nobody listens: emitters ask
 * {@link EventBus.wants} before building a payload, so a server with no
 * listeners allocates nothing per job for events.
 *
 * @module
 */
import type { JobError } from "./job.ts";
import type { JobState } from "./job_state.ts";

/** Fields every job event carries. */
export interface JobEventBase {
  /** The job id. */
  id: string;
  /** The job's method (worker name). */
  method: string;
  /** The job's queue. */
  queue: string;
  /** When it happened. */
  at: Date;
}

/** Every event a server emits, by type, with its payload. */
export interface QmlEventMap {
  /** A job was stored by the server's client (Enqueued, or Scheduled for later). */
  "job.enqueued": JobEventBase & { state: JobState; runAt: Date };
  /** A job was fetched and handed to a handler. */
  "job.started": JobEventBase & { attempt: number; serverName: string };
  /** A running job reported progress (0..100). */
  "job.progress": JobEventBase & { progress: number };
  /** A job succeeded; `durationMs` is the attempt's run time on this server. */
  "job.succeeded": JobEventBase & { attempt: number; result: unknown; durationMs: number };
  /** A job failed for good (attempts spent, or not retryable). */
  "job.failed": JobEventBase & { attempt: number; error: JobError };
  /** An attempt failed and the job waits for its retry at `runAt`. */
  "job.retried": JobEventBase & { attempt: number; error: JobError; runAt: Date };
  /** The server handed an unfinished job back to its queue (shutdown, thread replaced). */
  "job.released": JobEventBase & { reason: string };
  /** A job was soft-deleted (by the server's client, or cancelled while running here). */
  "job.deleted": { id: string; at: Date; reason?: string };
  /** The server started processing. */
  "server.started": { serverName: string; at: Date; execution: string; threads: number };
  /** The server stopped; every job it held is final or handed back. */
  "server.stopped": { serverName: string; at: Date };
  /**
   * A Web Worker terminated at `method`'s hard timeout did not stop (its thread still runs,
   * busy): `method`'s later jobs run in child processes. Lasts until `server.recovered`.
   */
  "server.degraded": { serverName: string; at: Date; method: string; reason: string };
  /** The stuck thread behind a `server.degraded` has ended. */
  "server.recovered": { serverName: string; at: Date; method: string };
}

/** One of the event type names. */
export type QmlEventType = keyof QmlEventMap;

/** An event with its type, as given to {@link EventBus.onAny} listeners. */
export type QmlEvent = { [K in QmlEventType]: { type: K } & QmlEventMap[K] }[QmlEventType];

type Listener<T> = (payload: T) => void;

/**
 * A small synchronous, typed event emitter. A listener that throws is reported
 * to `onListenerError` and does not stop the others (nor the server).
 *
 * @example Listen for successes
 * ```ts
 * import { EventBus } from "@qml/qml";
 * const bus = new EventBus();
 * const off = bus.on("job.succeeded", (e) => console.log(e.id, e.durationMs));
 * off();
 * ```
 */
export class EventBus {
  readonly #byType = new Map<QmlEventType, Set<Listener<any>>>();
  readonly #any = new Set<(e: QmlEvent) => void>();
  readonly #onError: (err: unknown, type: QmlEventType) => void;

  /** Create a bus; `onListenerError` receives errors thrown by listeners (default: console.error). */
  constructor(onListenerError?: (err: unknown, type: QmlEventType) => void) {
    this.#onError = onListenerError ??
      ((err, type) => console.error(`[qml] listener of ${type} threw`, err));
  }

  /** Call `fn` for each event of `type`. Returns a function that removes it. */
  on<K extends QmlEventType>(type: K, fn: (payload: QmlEventMap[K]) => void): () => void {
    let set = this.#byType.get(type);
    if (!set) this.#byType.set(type, set = new Set());
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.#byType.get(type) === set) this.#byType.delete(type);
    };
  }

  /** Call `fn` once for the next event of `type`. Returns a function that removes it. */
  once<K extends QmlEventType>(type: K, fn: (payload: QmlEventMap[K]) => void): () => void {
    const off = this.on(type, (p) => {
      off();
      fn(p);
    });
    return off;
  }

  /** Call `fn` for every event, with its `type` field. Returns a function that removes it. */
  onAny(fn: (event: QmlEvent) => void): () => void {
    this.#any.add(fn);
    return () => this.#any.delete(fn);
  }

  /** Whether anyone listens to `type`; emitters check it before building a payload. */
  wants(type: QmlEventType): boolean {
    return this.#any.size > 0 || this.#byType.has(type);
  }

  /** Deliver an event to its listeners, synchronously. */
  emit<K extends QmlEventType>(type: K, payload: QmlEventMap[K]): void {
    const set = this.#byType.get(type);
    if (set) {
      for (const fn of set) {
        try {
          fn(payload);
        } catch (err) {
          this.#onError(err, type);
        }
      }
    }
    if (this.#any.size > 0) {
      const event = { type, ...payload } as QmlEvent;
      for (const fn of this.#any) {
        try {
          fn(event);
        } catch (err) {
          this.#onError(err, type);
        }
      }
    }
  }

  /** Remove every listener. */
  clear(): void {
    this.#byType.clear();
    this.#any.clear();
  }
}
