/**
 * Wake-up and cancel signals over Redis pub/sub.
 *
 * Scripts publish on the prefix's channel from inside the same atomic step that
 * changed the jobs: `r<queue>` when jobs became ready, `c<id>` when a running
 * job was deleted, `a<changes>` for job activity (`activity_codec.ts`). One dedicated connection per storage listens (a subscribed
 * connection cannot run other commands), opened on the first `subscribe`;
 * ioredis re-subscribes by itself after a reconnect. A missed signal costs a
 * poll interval, never a job.
 *
 * @module
 */
import type { StorageSignal } from "../storage.ts";
import { activitySignal } from "../activity_codec.ts";
import type { RedisClient } from "./client.ts";

/** Decode one channel message; `null` for anything unknown. */
export function decodeSignal(message: string): StorageSignal | null {
  const body = message.slice(1);
  if (message[0] === "r") return { kind: "ready", queue: body };
  if (message[0] === "c") return { kind: "cancelled", id: body };
  if (message[0] === "a" && body[0] === "[") return activitySignal(body);
  return null;
}

/** Fans the messages of one channel out to listeners. */
export class SignalSubscriber {
  readonly #open: () => Promise<RedisClient>;
  readonly #channel: string;
  readonly #onError: (err: unknown) => void;
  readonly #listeners = new Set<(signal: StorageSignal) => void>();
  #conn: Promise<RedisClient | null> | null = null;
  #closed = false;

  /**
   * Listen on `channel` through a connection made by `open` (used for nothing
   * else) on the first {@link add}: a process that only enqueues never pays for
   * receiving every signal. `onError` hears a failed subscription.
   */
  constructor(
    open: () => Promise<RedisClient>,
    channel: string,
    onError: (err: unknown) => void,
  ) {
    this.#open = open;
    this.#channel = channel;
    this.#onError = onError;
  }

  #start(): Promise<RedisClient | null> {
    return (async () => {
      let conn: RedisClient | null = null;
      try {
        conn = await this.#open();
        conn.on("message", (ch: string, message: string) => {
          if (ch === this.#channel) this.#dispatch(message);
        });
        await conn.subscribe(this.#channel);
        return conn;
      } catch (err) {
        if (conn) await quietQuit(conn);
        if (!this.#closed) this.#onError(err);
        return null;
      }
    })();
  }

  #dispatch(message: string): void {
    const signal = decodeSignal(message);
    if (!signal) return;
    for (const listener of this.#listeners) {
      try {
        listener(signal);
      } catch {
        // A throwing listener must not starve the others; signals are best effort.
      }
    }
  }

  /**
   * Add a listener; returns the function that removes it. The subscription
   * becomes active asynchronously (signals are best effort by contract).
   */
  add(listener: (signal: StorageSignal) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#conn && !this.#closed) this.#conn = this.#start();
    return () => this.#listeners.delete(listener);
  }

  /** Drop every listener and close the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    const conn = await this.#conn;
    if (conn) await quietQuit(conn);
  }
}

/**
 * QUIT a connection, or drop it when QUIT cannot be sent (e.g. Redis is down),
 * and wait until it has fully ended so no socket or timer outlives the call.
 */
export async function quietQuit(conn: RedisClient): Promise<void> {
  if (conn.status === "end") return;
  const ended = new Promise<void>((resolve) => conn.once("end", () => resolve()));
  // A Cluster runs pub/sub on a connection of its own (ioredis' ClusterSubscriber),
  // which `quit` only disconnects, without waiting: wait for its end as well, or its
  // socket and disconnect timer outlive the call.
  const sub: RedisClient | null | undefined = conn.isCluster
    ? (conn as any).subscriber?.getInstance?.()
    : null;
  const subEnded = sub && sub.status !== "end" && sub.status !== "wait"
    ? new Promise<void>((resolve) => sub.once("end", () => resolve()))
    : null;
  try {
    if (conn.status === "ready") await conn.quit();
    else conn.disconnect();
  } catch {
    conn.disconnect();
  }
  if ((conn.status as string) !== "end") await ended;
  if (subEnded && (sub!.status as string) !== "end") await subEnded;
}
