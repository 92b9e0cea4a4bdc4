/**
 * The WebSocket hub: one storage subscription shared by every connected
 * browser. Activity and ready signals (from servers in any process) become
 * job events for the clients whose view they concern, and mark the stats
 * dirty; stats are read and pushed at most once per interval while something
 * changes. A client that cannot keep up is dropped; the server never waits.
 *
 * @module
 */
import type { JobChange } from "../activity.ts";
import type { Storage, StorageSignal } from "../storage/storage.ts";
import { readServers, readStats, type ServerView, type StatsOptions } from "./stats.ts";

/** What a client watches; job events are sent only for it. */
export type LiveView =
  | { kind: "overview" }
  | { kind: "jobs"; queue?: string; method?: string }
  | { kind: "job"; id: string };

/** Tuning of a {@link LiveHub}. */
export interface LiveOptions extends StatsOptions {
  /** Least time between two stats pushes (default 1000 ms). */
  statsIntervalMs?: number;
  /** How often server joins and departures are looked for (default 5000 ms). */
  serversIntervalMs?: number;
  /** A client with more than this many bytes unsent is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
}

interface Client {
  socket: WebSocket;
  view: LiveView;
}

/** Socket close code sent to a client dropped for being too slow. */
export const CLOSE_TOO_SLOW = 4008;

/**
 * Most job changes one `jobs` message carries (the newest; `omitted` counts the rest). A busy
 * system finishes thousands of jobs a second: every change to every browser would cost the
 * dashboard's process more than the pages need (they show the latest few, or reload a page),
 * and on a shared machine that CPU comes out of the job servers.
 */
export const LIVE_CHANGES_MAX = 50;

/** Fans storage signals out to WebSocket clients. */
export class LiveHub {
  readonly #storage: Storage;
  readonly #opts: Required<LiveOptions>;
  readonly #clients = new Set<Client>();
  #unsubscribe: (() => void) | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #serversTimer: ReturnType<typeof setInterval> | null = null;
  #dirty = false;
  #pushing = false;
  #servers = new Map<string, ServerView["status"]>();
  // The first look after start is the baseline, not a wave of joins.
  #serversPrimed = false;

  /** A hub over `storage`; it subscribes only while a client is connected. */
  constructor(storage: Storage, opts: LiveOptions) {
    this.#storage = storage;
    this.#opts = {
      statsIntervalMs: 1000,
      serversIntervalMs: 5000,
      maxBufferedBytes: 1 << 20,
      ...opts,
    };
  }

  /** Connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Take over an upgraded socket: it starts on the overview view. */
  attach(socket: WebSocket): void {
    const client: Client = { socket, view: { kind: "overview" } };
    socket.onopen = () => {
      this.#clients.add(client);
      this.#send(client, { type: "hello", view: client.view });
      // The first client's stats wait for the server baseline, so joins after them are news.
      const primed = this.#clients.size === 1 ? this.#start() : Promise.resolve();
      void primed.then(() => this.#pushStats([client]));
    };
    socket.onmessage = (e) => this.#onMessage(client, e.data);
    socket.onclose = () => this.#detach(client);
    socket.onerror = () => this.#detach(client);
  }

  /** Close every socket and stop listening. */
  close(): void {
    for (const c of [...this.#clients]) {
      try {
        c.socket.close(1001, "dashboard closing");
      } catch { /* already closed */ }
      this.#detach(c);
    }
  }

  #start(): Promise<void> {
    this.#unsubscribe = this.#storage.subscribe((s) => this.#onSignal(s));
    this.#timer = setInterval(() => {
      if (this.#dirty && !this.#pushing) void this.#pushStats([...this.#clients]);
    }, this.#opts.statsIntervalMs);
    this.#serversTimer = setInterval(() => void this.#checkServers(), this.#opts.serversIntervalMs);
    return this.#checkServers();
  }

  #detach(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#serversTimer !== null) clearInterval(this.#serversTimer);
    this.#timer = this.#serversTimer = null;
    this.#servers.clear();
    this.#serversPrimed = false;
  }

  #onMessage(client: Client, data: unknown): void {
    if (typeof data !== "string" || data.length > 10_000) return;
    let msg: { type?: unknown; view?: unknown };
    try {
      msg = JSON.parse(data);
    } catch {
      return this.#send(client, { type: "error", message: "malformed message" });
    }
    if (msg.type !== "subscribe") {
      return this.#send(client, { type: "error", message: "unknown message type" });
    }
    const view = parseView(msg.view);
    if (!view) return this.#send(client, { type: "error", message: "unknown view" });
    client.view = view;
    this.#send(client, { type: "subscribed", view });
  }

  #onSignal(signal: StorageSignal): void {
    if (signal.kind === "cancelled") return;
    this.#dirty = true;
    if (signal.kind !== "activity") return;
    // Changes the publisher left out may concern any view: every view hears of them.
    const omitted = signal.omitted ?? 0;
    // Clients watching the same view get the same message, serialized once.
    const byView = new Map<string, string | null>();
    for (const client of this.#clients) {
      const key = JSON.stringify(client.view);
      let text = byView.get(key);
      if (text === undefined) {
        text = jobsMessage(signal.changes.filter((ch) => concerns(client.view, ch)), omitted);
        byView.set(key, text);
      }
      if (text !== null) this.#sendText(client, text);
    }
  }

  async #pushStats(to: Client[]): Promise<void> {
    this.#dirty = false;
    this.#pushing = true;
    try {
      const stats = await readStats(this.#storage, this.#opts);
      for (const c of to) this.#send(c, { type: "stats", stats });
    } catch {
      this.#dirty = true; // storage hiccup: try again at the next tick
    } finally {
      this.#pushing = false;
    }
  }

  async #checkServers(): Promise<void> {
    try {
      const now = await this.#storage.time();
      const servers = await readServers(this.#storage, now, this.#opts);
      const joined = servers.filter((s) =>
        s.status === "alive" && this.#servers.get(s.name) !== "alive"
      );
      const left = [...this.#servers.entries()]
        .filter(([name, status]) =>
          status === "alive" && !servers.some((s) => s.name === name && s.status === "alive")
        )
        .map(([name]) => name);
      const first = !this.#serversPrimed;
      this.#serversPrimed = true;
      this.#servers = new Map(servers.map((s) => [s.name, s.status]));
      if (!first && (joined.length > 0 || left.length > 0)) {
        this.#dirty = true;
        for (const c of this.#clients) this.#send(c, { type: "servers", joined, left });
      }
    } catch { /* storage hiccup: next period */ }
  }

  #send(client: Client, msg: unknown): void {
    this.#sendText(client, JSON.stringify(msg));
  }

  #sendText(client: Client, text: string): void {
    const s = client.socket;
    if (s.readyState !== WebSocket.OPEN) return;
    if (s.bufferedAmount > this.#opts.maxBufferedBytes) {
      try {
        s.close(CLOSE_TOO_SLOW, "too slow: messages were piling up");
      } catch { /* closing anyway */ }
      this.#detach(client);
      return;
    }
    try {
      s.send(text);
    } catch {
      this.#detach(client);
    }
  }
}

/**
 * The `jobs` message for a view's changes and the changes left out upstream (which may
 * concern it), or null when there is nothing to tell.
 */
function jobsMessage(changes: JobChange[], upstream: number): string | null {
  if (changes.length === 0 && upstream === 0) return null;
  const cut = Math.max(0, changes.length - LIVE_CHANGES_MAX);
  const omitted = cut + upstream;
  return JSON.stringify(
    omitted === 0
      ? { type: "jobs", changes }
      : { type: "jobs", changes: changes.slice(cut), omitted },
  );
}

function parseView(v: unknown): LiveView | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const opt = (k: string) => (typeof o[k] === "string" && o[k] !== "" ? o[k] as string : undefined);
  switch (o.kind) {
    case "overview":
      return { kind: "overview" };
    case "jobs":
      return { kind: "jobs", queue: opt("queue"), method: opt("method") };
    case "job":
      return typeof o.id === "string" && o.id.length <= 100 ? { kind: "job", id: o.id } : null;
    default:
      return null;
  }
}

function concerns(view: LiveView, ch: JobChange): boolean {
  switch (view.kind) {
    case "overview":
      return true;
    case "jobs":
      return (view.queue === undefined || view.queue === ch.queue) &&
        (view.method === undefined || view.method === ch.method);
    case "job":
      return view.id === ch.id;
  }
}
