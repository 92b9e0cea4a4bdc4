/**
 * A fast socket for ioredis on Deno.
 *
 * ioredis talks to Redis through a `net.Socket`. On Deno that is the Node
 * compatibility layer, whose stream machinery costs ~35 µs per round trip:
 * measured on a 2-core machine, a PING takes ~54 µs over `node:net` and ~17 µs
 * over `Deno.connect`. Every awaited storage call pays it (sequential enqueue,
 * enqueue → handler start latency), so {@link DenoConnector} plugs a minimal
 * `net.Socket` look-alike over `Deno.connect` into ioredis's `Connector`
 * option. ioredis keeps doing everything else: RESP, the offline queue,
 * reconnects, scripts, pub/sub. Used for plain `redis://` single-node
 * connections; TLS and Cluster keep ioredis's own sockets.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";

const encoder = new TextEncoder();
// Reads land in a slab, each in bytes no earlier read used, so a chunk handed
// to ioredis is a view, never a copy, and stays valid while its decoder keeps
// a partial reply (or a Buffer reply) across reads. A new slab starts when
// less than READ_MIN is left; an old one is freed once no view refers to it.
const SLAB = 128 * 1024;
const READ_MIN = 32 * 1024;

/**
 * A `Buffer` over part of a slab. `Buffer.from(arrayBuffer, offset, length)`
 * makes the same view through several layers of the Node compatibility code and
 * costs ~20 µs more per read on a cold (idle) path; a plain subclass
 * constructor does not. Instances are real Buffers to their users
 * (`Buffer.isBuffer`, `toString`, `subarray` and the rest).
 */
class Chunk extends Uint8Array {}
Object.setPrototypeOf(Chunk.prototype, Buffer.prototype);

/** Join byte chunks into one array. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The subset of `net.Socket` that ioredis uses, over a `Deno.TcpConn`. */
export class DenoSocket extends EventEmitter {
  /** True until the TCP connection is established. */
  connecting = true;
  /** True once destroyed or closed. */
  destroyed = false;
  /** False once ended or destroyed. */
  writable = true;
  /** Peer address, once connected. */
  remoteAddress?: string;
  /** Peer port, once connected. */
  remotePort?: number;
  #conn: Deno.TcpConn | null = null;
  #pending: Uint8Array[] = [];
  #flushing = false;
  #ending = false;
  #closed = false;
  #noDelay = true;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Start connecting to `host:port`; emits `connect`, then `data`, and `close` once. */
  constructor(host: string, port: number) {
    super();
    Deno.connect({ hostname: host, port }).then((conn) => {
      if (this.destroyed) {
        conn.close();
        return;
      }
      this.#conn = conn;
      this.connecting = false;
      conn.setNoDelay(this.#noDelay);
      const addr = conn.remoteAddr as Deno.NetAddr;
      this.remoteAddress = addr.hostname;
      this.remotePort = addr.port;
      this.emit("connect");
      this.#readLoop();
      if (this.#pending.length) this.#flush();
    }, (err) => this.destroy(err));
  }

  async #readLoop(): Promise<void> {
    let slab = new ArrayBuffer(SLAB);
    let at = 0;
    let error: Error | undefined;
    try {
      while (true) {
        if (SLAB - at < READ_MIN) {
          slab = new ArrayBuffer(SLAB);
          at = 0;
        }
        const n = await this.#conn!.read(new Uint8Array(slab, at));
        if (n === null) break;
        const chunk = new Chunk(slab, at, n);
        at += n;
        this.emit("data", chunk);
      }
      this.emit("end");
    } catch (err) {
      if (!this.destroyed) error = err as Error;
    }
    this.destroy(error);
  }

  async #flush(): Promise<void> {
    if (this.#flushing || !this.#conn) return;
    this.#flushing = true;
    try {
      // Everything written while a write was in flight goes out as one chunk.
      while (this.#pending.length) {
        const chunk = this.#pending.length === 1 ? this.#pending[0] : concat(this.#pending);
        this.#pending = [];
        let off = 0;
        while (off < chunk.length) {
          off += await this.#conn.write(off === 0 ? chunk : chunk.subarray(off));
        }
      }
    } catch (err) {
      this.destroy(err as Error);
      return;
    } finally {
      this.#flushing = false;
    }
    if (this.#ending) this.destroy();
  }

  /** Queue `data` for writing. */
  write(data: string | Uint8Array, ..._rest: unknown[]): boolean {
    if (!this.writable) return false;
    this.#pending.push(typeof data === "string" ? encoder.encode(data) : data);
    this.#flush();
    return true;
  }

  /** Flush what is queued, then close. */
  end(): this {
    this.writable = false;
    this.#ending = true;
    // A flush in progress destroys the socket when it is done.
    if (!this.#flushing) this.destroy();
    return this;
  }

  /** Close at once; emits `error` (when given) and `close`. */
  destroy(err?: Error): this {
    this.clearTimer();
    if (this.#closed) return this;
    this.#closed = true;
    this.destroyed = true;
    this.writable = false;
    this.connecting = false;
    try {
      this.#conn?.close();
    } catch {
      // Already closed by the peer.
    }
    // Like net.Socket, report asynchronously: callers of destroy()/end() (ioredis's
    // disconnect) finish their own bookkeeping before the close handlers run.
    queueMicrotask(() => {
      if (err) this.emit("error", err);
      this.emit("close", err !== undefined);
    });
    return this;
  }

  /** Connect timeout: `ms` 0 clears it; otherwise `timeout` fires once after `ms`. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.clearTimer();
    if (onTimeout) this.once("timeout", onTimeout);
    if (ms > 0) this.#timer = setTimeout(() => this.emit("timeout"), ms);
    return this;
  }

  /** Drop a pending timeout. */
  clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** TCP_NODELAY (on by default). */
  setNoDelay(noDelay = true): this {
    this.#noDelay = noDelay;
    this.#conn?.setNoDelay(noDelay);
    return this;
  }

  /** TCP keep-alive. */
  setKeepAlive(enable = false): this {
    this.#conn?.setKeepAlive(enable);
    return this;
  }

  /** No-op: data always flows. */
  resume(): this {
    return this;
  }
}

/** An ioredis `Connector` that connects through {@link DenoSocket}. */
export class DenoConnector {
  /** Whether a connect is in progress. */
  connecting = false;
  /** The current socket. */
  stream?: DenoSocket;
  /** The first error of the current socket, read by ioredis. */
  firstError?: Error;
  readonly #host: string;
  readonly #port: number;

  /** ioredis passes its options: `host` and `port` are used. */
  constructor(options: { host?: string; port?: number }) {
    this.#host = options.host ?? "127.0.0.1";
    this.#port = options.port ?? 6379;
  }

  /** Always usable. */
  check(): boolean {
    return true;
  }

  /** Open a new socket. */
  connect(): Promise<DenoSocket> {
    this.connecting = true;
    return new Promise((resolve, reject) => {
      queueMicrotask(() => {
        if (!this.connecting) {
          reject(new Error("Connection is closed."));
          return;
        }
        const stream = new DenoSocket(this.#host, this.#port);
        this.firstError = undefined;
        stream.once("error", (err: Error) => this.firstError = err);
        this.stream = stream;
        resolve(stream);
      });
    });
  }

  /** Close the current socket after its pending writes. */
  disconnect(): void {
    this.connecting = false;
    this.stream?.end();
  }
}
