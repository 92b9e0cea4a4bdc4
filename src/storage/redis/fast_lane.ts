/**
 * The fast lane: a second connection, with a minimal RESP2 client of its own,
 * for the two scripts on the enqueue → handler-start path (`enqueue` and
 * `fetchAndLock`).
 *
 * On an idle process every round trip runs on cold caches, and there ioredis's
 * generic command path (Command objects, argument transformers, key-index
 * lookups, `Buffer.byteLength` per argument, NOSCRIPT closures, the decoder's
 * dispatch) costs ~0.14 ms per call that a hot loop never sees: an idle
 * `fetchAndLock` measured 0.43 ms through ioredis and 0.29 ms as a bare
 * EVALSHA. This lane sends EVALSHA directly and parses the reply with a few
 * lines of code. Its own socket also means a wake-up fetch never queues behind
 * other commands (heartbeats, result batches) on the main connection.
 *
 * It is only an accelerator; ioredis stays in charge of resilience. Whenever
 * the lane is not connected a call goes through ioredis, and a call in flight
 * when the lane fails is re-issued through ioredis — as ioredis itself resends
 * the unanswered commands of a dropped connection, so semantics are unchanged
 * (an enqueue is idempotent by job id; a resent fetch may leave its first batch
 * locked until the rescuer frees it, exactly as before). A failed lane retries
 * its connection at most once a second. Used for plain `redis://` single-node
 * connections with the `"deno"` transport.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ResolvedRedisConfig } from "./config.ts";
import { type ScriptName, scriptText } from "./scripts.ts";
import { concat } from "./deno_socket.ts";

/** A RESP2 reply. */
type Reply = string | number | null | ReplyError | Reply[];

/** An error reply (`-ERR …`), with Redis's message as ioredis reports it. */
class ReplyError extends Error {
  override name = "ReplyError";
}

interface Pending {
  /** When it was sent (`performance.now()`). */
  sent: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** The lane failed before the reply: settle another way. */
  lost(err: Error): void;
  /** The script call, for the NOSCRIPT → EVAL fallback. */
  script?: { name: ScriptName; keys: readonly string[]; args: readonly string[] };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NON_ASCII = /[\u0080-\uffff]/;
const RETRY_MS = 1_000;
const READ_MIN = 16 * 1024;

const byteLength = (s: string) => NON_ASCII.test(s) ? encoder.encode(s).length : s.length;

const shas = new Map<ScriptName, string>();
function sha(name: ScriptName): string {
  let h = shas.get(name);
  if (!h) shas.set(name, h = createHash("sha1").update(scriptText(name)).digest("hex"));
  return h;
}

function int(b: Uint8Array, from: number, to: number): number {
  let i = from, sign = 1, n = 0;
  if (b[i] === 45) {
    sign = -1;
    i++;
  }
  for (; i < to; i++) n = n * 10 + b[i] - 48;
  return sign * n;
}

/** Parse one reply from `b` at `pos`: `[reply, next position]`, or null when incomplete. */
export function parseReply(b: Uint8Array, pos: number): [Reply, number] | null {
  if (pos >= b.length) return null;
  const cr = b.indexOf(13, pos);
  if (cr < 0 || cr + 1 >= b.length) return null;
  const next = cr + 2;
  switch (b[pos]) {
    case 43: // +simple
      return [decoder.decode(b.subarray(pos + 1, cr)), next];
    case 45: // -error
      return [new ReplyError(decoder.decode(b.subarray(pos + 1, cr))), next];
    case 58: // :integer
      return [int(b, pos + 1, cr), next];
    case 36: { // $bulk
      const n = int(b, pos + 1, cr);
      if (n < 0) return [null, next];
      if (next + n + 2 > b.length) return null;
      return [decoder.decode(b.subarray(next, next + n)), next + n + 2];
    }
    case 42: { // *array
      const n = int(b, pos + 1, cr);
      if (n < 0) return [null, next];
      const out: Reply[] = new Array(n);
      let at = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(b, at);
        if (!r) return null;
        out[i] = r[0];
        at = r[1];
      }
      return [out, at];
    }
    default:
      throw new Error(`Redis protocol error: unexpected byte ${b[pos]}`);
  }
}

/** Encode one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Uint8Array {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${byteLength(a)}\r\n${a}\r\n`;
  return encoder.encode(s);
}

/** A minimal pipelined RESP2 connection for script calls; see the module doc. */
export class FastLane {
  readonly #host: string;
  readonly #port: number;
  readonly #handshake: string[][];
  readonly #connectTimeoutMs: number;
  readonly #staleMs: number;
  #conn: Deno.TcpConn | null = null;
  #up = false;
  #closed = false;
  #opening: Promise<void> | null = null;
  #reader: Promise<void> | null = null;
  #retryAt = 0;
  #queue: Pending[] = [];
  #out: Uint8Array[] = [];
  #writing = false;

  /** A lane to the single node of `cfg` (not connected yet: see {@link open}). */
  constructor(cfg: ResolvedRedisConfig) {
    const url = new URL(cfg.url);
    this.#host = url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
    this.#port = Number(url.port || 6379);
    this.#connectTimeoutMs = cfg.connectTimeoutMs;
    // A reply this late means a dead peer (the caller has long failed with a timeout).
    this.#staleMs = cfg.commandTimeoutMs || Infinity;
    const user = url.username ? decodeURIComponent(url.username) : "";
    const pass = url.password ? decodeURIComponent(url.password) : "";
    const db = Number(url.pathname.slice(1) || 0);
    this.#handshake = [];
    if (pass) this.#handshake.push(user ? ["AUTH", user, pass] : ["AUTH", pass]);
    if (Number.isInteger(db) && db !== 0) this.#handshake.push(["SELECT", String(db)]);
    this.#handshake.push(["CLIENT", "SETNAME", `qml:${cfg.keyPrefix}:fast`]);
  }

  /** Whether calls currently take the lane. */
  get up(): boolean {
    return this.#up;
  }

  /** Connect (never throws: a lane that cannot connect leaves every call to the fallback). */
  open(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#opening ??= this.#open().finally(() => this.#opening = null);
  }

  async #open(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const connecting = Deno.connect({ hostname: this.#host, port: this.#port });
      const conn = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("connect timed out")), this.#connectTimeoutMs);
        }),
      ]).catch((err) => {
        connecting.then((c) => c.close(), () => {});
        throw err;
      });
      if (this.#closed) {
        conn.close();
        return;
      }
      conn.setNoDelay(true);
      this.#conn = conn;
      this.#reader = this.#readLoop(conn);
      const replies = await Promise.all(this.#handshake.map((args) => this.#command(args)));
      for (const r of replies) if (r instanceof ReplyError) throw r;
      if (this.#conn === conn) this.#up = true;
    } catch (err) {
      this.#retryAt = performance.now() + RETRY_MS;
      this.#fail(this.#conn, err as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  #command(args: string[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ sent: performance.now(), resolve, reject, lost: reject });
      this.#write(encodeCommand(args));
    });
  }

  /**
   * Run script `name` on the lane, or through `fallback` (the same call on
   * ioredis) when the lane is down or fails before replying.
   */
  run<T>(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
    fallback: () => Promise<T>,
  ): Promise<T> {
    if (!this.#up) {
      if (!this.#closed && !this.#opening && performance.now() >= this.#retryAt) this.open();
      return fallback();
    }
    const now = performance.now();
    const oldest = this.#queue[0];
    if (oldest && now - oldest.sent > this.#staleMs) {
      // No reply for longer than the command timeout: a silently dead connection.
      this.#fail(this.#conn, new Error("fast lane: no reply within the command timeout"));
      return fallback();
    }
    const strArgs = args.map(String);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        sent: now,
        resolve: resolve as (value: unknown) => void,
        reject,
        lost: () => resolve(fallback()),
        script: { name, keys, args: strArgs },
      });
      this.#write(encodeCommand(["EVALSHA", sha(name), String(keys.length), ...keys, ...strArgs]));
    });
  }

  #write(bytes: Uint8Array): void {
    this.#out.push(bytes);
    if (!this.#writing) this.#flush();
  }

  async #flush(): Promise<void> {
    const conn = this.#conn;
    if (!conn) return;
    this.#writing = true;
    try {
      while (this.#out.length && this.#conn === conn) {
        const chunk = this.#out.length === 1 ? this.#out[0] : concat(this.#out);
        this.#out = [];
        let off = 0;
        while (off < chunk.length) {
          off += await conn.write(off === 0 ? chunk : chunk.subarray(off));
        }
      }
    } catch (err) {
      this.#fail(conn, err as Error);
    } finally {
      if (this.#conn === conn) this.#writing = false;
    }
  }

  async #readLoop(conn: Deno.TcpConn): Promise<void> {
    let buf = new Uint8Array(64 * 1024);
    let start = 0, end = 0;
    try {
      while (true) {
        if (buf.length - end < READ_MIN) {
          if (start > 0) {
            buf.copyWithin(0, start, end);
            end -= start;
            start = 0;
          }
          if (buf.length - end < READ_MIN) {
            const bigger = new Uint8Array(buf.length * 2);
            bigger.set(buf.subarray(0, end));
            buf = bigger;
          }
        }
        const n = await conn.read(buf.subarray(end));
        if (n === null) break;
        end += n;
        const view = buf.subarray(0, end);
        while (start < end) {
          const r = parseReply(view, start);
          if (!r) break;
          start = r[1];
          this.#deliver(conn, r[0]);
        }
        if (start === end) start = end = 0;
      }
      this.#fail(conn, new Error("Connection closed by Redis"));
    } catch (err) {
      this.#fail(conn, err as Error);
    }
  }

  #deliver(conn: Deno.TcpConn, reply: Reply): void {
    if (this.#conn !== conn) return;
    const p = this.#queue.shift();
    if (!p) {
      this.#fail(conn, new Error("Redis protocol error: a reply nobody asked for"));
      return;
    }
    if (!(reply instanceof ReplyError)) {
      p.resolve(reply);
      return;
    }
    const s = p.script;
    if (s && reply.message.startsWith("NOSCRIPT")) {
      // Not loaded on this server (first call, SCRIPT FLUSH, failover): EVAL loads it.
      this.#queue.push({ ...p, sent: performance.now(), script: undefined });
      this.#write(
        encodeCommand(["EVAL", scriptText(s.name), String(s.keys.length), ...s.keys, ...s.args]),
      );
      return;
    }
    p.reject(reply);
  }

  /** Drop `conn` if it is still the current connection; calls in flight take their fallback. */
  #fail(conn: Deno.TcpConn | null, err: Error): void {
    if (!conn || conn !== this.#conn) return;
    this.#conn = null;
    this.#up = false;
    this.#out = [];
    this.#writing = false;
    this.#retryAt = performance.now() + RETRY_MS;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
    const lost = this.#queue;
    this.#queue = [];
    for (const p of lost) p.lost(err);
  }

  /** Close the lane; calls still in flight take their fallback. */
  async close(): Promise<void> {
    this.#closed = true;
    // Failing first also ends a handshake waiting for replies; a connect in progress
    // closes its socket itself once it sees `#closed`.
    this.#fail(this.#conn, new Error("Connection is closed."));
    await this.#opening;
    await this.#reader;
  }
}
