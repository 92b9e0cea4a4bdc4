/**
 * A throwaway Redis Cluster for tests: 3 masters (no replicas) on random free
 * ports, in a temp dir, nothing persisted. {@link startRedisCluster} returns once
 * every node reports `cluster_state:ok`; `stop()` kills and awaits every
 * `redis-server` and removes the temp dir.
 *
 * @module
 */
import type { Cluster } from "ioredis";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import type { BackendHarness } from "../storage/conformance/harness.ts";
import { testPrefix } from "./redis.ts";

/** A running throwaway cluster. */
export interface RedisClusterHandle {
  /** Startup nodes, `"127.0.0.1:<port>"`. */
  nodes: string[];
  /** The temp dir holding the nodes' config and log files. */
  dir: string;
  /** Kill and await every node, then remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Synchronous last resort (e.g. in an `unload` handler): SIGKILL every node, remove the dir. */
  killSync(): void;
}

const HOST = "127.0.0.1";
/** Client ports are drawn from here; the cluster bus port is the client port + 10000. */
const PORT_MIN = 40_000;
const PORT_MAX = 55_000;
const BUS_OFFSET = 10_000;
/** Give up on startup after this long (it normally takes well under 2 s). */
const STARTUP_TIMEOUT_MS = 20_000;
/** Pause between polls of a node that is not ready yet. */
const POLL_MS = 25;

/** Whether an executable named `name` is on `PATH` (synchronous: usable while registering tests). */
export function onPath(name: string): boolean {
  let path: string | undefined;
  try {
    path = Deno.env.get("PATH");
  } catch {
    return false;
  }
  for (const dir of (path ?? "").split(Deno.build.os === "windows" ? ";" : ":")) {
    if (!dir) continue;
    try {
      const st = Deno.statSync(`${dir}/${name}`);
      if (st.isFile && (st.mode === null || (st.mode & 0o111) !== 0)) return true;
    } catch {
      // not in this dir
    }
  }
  return false;
}

/** Whether nothing listens on 127.0.0.1:`port` (we can bind it). */
function portFree(port: number): boolean {
  try {
    Deno.listen({ hostname: HOST, port }).close();
    return true;
  } catch {
    return false;
  }
}

/** A random port in the high range whose cluster bus port is free too, not in `taken`. */
function pickPort(taken: Set<number>): number {
  for (let i = 0; i < 1000; i++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
    if (taken.has(port) || taken.has(port + BUS_OFFSET)) continue;
    if (portFree(port) && portFree(port + BUS_OFFSET)) return port;
  }
  throw new Error(`no free port pair found in ${PORT_MIN}..${PORT_MAX} (+${BUS_OFFSET})`);
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function indexOfCrlf(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** Parse one RESP reply of a simple type (status, error, integer, bulk string), or undefined if incomplete. */
function parseReply(buf: Uint8Array): string | undefined {
  const eol = indexOfCrlf(buf, 0);
  if (eol === -1) return undefined;
  const line = dec.decode(buf.subarray(1, eol));
  switch (String.fromCharCode(buf[0])) {
    case "+":
    case ":":
      return line;
    case "-":
      throw new Error(line);
    case "$": {
      const len = Number(line);
      if (len < 0) return "";
      const start = eol + 2;
      if (buf.length < start + len + 2) return undefined;
      return dec.decode(buf.subarray(start, start + len));
    }
    default:
      throw new Error(`unexpected RESP reply: ${dec.decode(buf)}`);
  }
}

/** Send one command to 127.0.0.1:`port` on a short-lived connection; its reply as a string. */
async function command(port: number, ...args: string[]): Promise<string> {
  const conn = await Deno.connect({ hostname: HOST, port });
  try {
    let req = `*${args.length}\r\n`;
    for (const a of args) req += `$${enc.encode(a).length}\r\n${a}\r\n`;
    const bytes = enc.encode(req);
    for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
    let buf = new Uint8Array(0);
    const chunk = new Uint8Array(16 * 1024);
    for (;;) {
      const reply = parseReply(buf);
      if (reply !== undefined) return reply;
      const n = await conn.read(chunk);
      if (n === null) throw new Error(`connection to port ${port} closed before a reply`);
      const next = new Uint8Array(buf.length + n);
      next.set(buf);
      next.set(chunk.subarray(0, n), buf.length);
      buf = next;
    }
  } finally {
    conn.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readTail(path: string, lines = 20): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** One `redis-server` child and whether it has exited. */
interface Node {
  port: number;
  child: Deno.ChildProcess;
  exited: boolean;
  log: string;
}

function spawnNode(dir: string, port: number): Node {
  const log = `${dir}/redis-${port}.log`;
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      HOST,
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `${dir}/nodes-${port}.conf`,
      "--cluster-node-timeout",
      "2000",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--logfile",
      log,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const node: Node = { port, child, exited: false, log };
  child.status.then(() => node.exited = true);
  return node;
}

/** Poll until the node answers PING; false if it exited first (e.g. its port was taken). */
async function waitReady(node: Node, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (node.exited) return false;
    try {
      if (await command(node.port, "PING") === "PONG") return true;
    } catch {
      // not listening yet
    }
    await delay(POLL_MS);
  }
  throw new Error(
    `redis-server on port ${node.port} did not answer PING within ${STARTUP_TIMEOUT_MS} ms\n` +
      await readTail(node.log),
  );
}

/** Start a node on a free port, retrying on another port if it loses a race for its port. */
async function startNode(dir: string, taken: Set<number>, deadline: number): Promise<Node> {
  let lastLog = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = pickPort(taken);
    taken.add(port).add(port + BUS_OFFSET);
    const node = spawnNode(dir, port);
    try {
      if (await waitReady(node, deadline)) return node;
    } catch (err) {
      await killNode(node);
      throw err;
    }
    await node.child.status;
    lastLog = await readTail(node.log);
  }
  throw new Error(`redis-server failed to start 5 times; last log:\n${lastLog}`);
}

async function killNode(node: Node): Promise<void> {
  if (!node.exited) {
    try {
      node.child.kill("SIGTERM");
    } catch {
      // exited meanwhile
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const escalate = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      try {
        node.child.kill("SIGKILL");
      } catch {
        // exited meanwhile
      }
      resolve();
    }, 5_000);
  });
  try {
    await Promise.race([node.child.status, escalate]);
    await node.child.status;
  } finally {
    clearTimeout(timer);
  }
}

/** Poll every node until CLUSTER INFO reports an ok cluster of all nodes with every slot served. */
async function waitClusterOk(nodes: Node[], deadline: number): Promise<void> {
  const ok = (info: string) =>
    /^cluster_state:ok\r?$/m.test(info) &&
    /^cluster_slots_ok:16384\r?$/m.test(info) &&
    new RegExp(`^cluster_known_nodes:${nodes.length}\\r?$`, "m").test(info);
  const pending = new Set(nodes);
  let last = "";
  while (pending.size > 0) {
    for (const node of [...pending]) {
      if (node.exited) throw new Error(`redis-server on port ${node.port} exited`);
      const info = await command(node.port, "CLUSTER", "INFO");
      if (ok(info)) pending.delete(node);
      else last = `port ${node.port}:\n${info}`;
    }
    if (pending.size === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`cluster not ok within ${STARTUP_TIMEOUT_MS} ms; last CLUSTER INFO ${last}`);
    }
    await delay(POLL_MS);
  }
}

/**
 * Start 3 cluster-enabled `redis-server` masters on free random ports in a temp
 * dir, join them with `redis-cli --cluster create`, and wait until every node
 * reports `cluster_state:ok`. On any failure everything started is stopped.
 */
export async function startRedisCluster(size = 3): Promise<RedisClusterHandle> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const dir = await Deno.makeTempDir({ prefix: "qml_redis_cluster_" });
  const nodes: Node[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      await Promise.allSettled(nodes.map(killNode));
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  try {
    const taken = new Set<number>();
    // Sequential: each port is picked after the previous node has bound its own.
    for (let i = 0; i < size; i++) nodes.push(await startNode(dir, taken, deadline));
    const addrs = nodes.map((n) => `${HOST}:${n.port}`);
    const out = await new Deno.Command("redis-cli", {
      args: ["--cluster", "create", ...addrs, "--cluster-replicas", "0", "--cluster-yes"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `redis-cli --cluster create failed (exit ${out.code}):\n` +
          dec.decode(out.stdout) + dec.decode(out.stderr),
      );
    }
    await waitClusterOk(nodes, deadline);
    return {
      nodes: addrs,
      dir,
      stop,
      killSync() {
        for (const node of nodes) {
          try {
            if (!node.exited) node.child.kill("SIGKILL");
          } catch {
            // exited meanwhile
          }
        }
        try {
          Deno.removeSync(dir, { recursive: true });
        } catch {
          // already gone
        }
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A storage on a new key prefix of the cluster at `nodes`, and its cleanup (on every master). */
export async function openClusterStorage(
  nodes: readonly string[],
): Promise<BackendHarness & { storage: RedisStorage; prefix: string }> {
  const prefix = testPrefix();
  const storage = await RedisStorage.connect({ cluster: { nodes }, keyPrefix: prefix });
  return {
    storage,
    prefix,
    async cleanup() {
      try {
        const cluster = storage.redis as Cluster;
        for (const node of cluster.nodes("master")) {
          let cursor = "0";
          do {
            const [next, keys] = await node.scan(cursor, "MATCH", `{${prefix}}:*`, "COUNT", 1000);
            if (keys.length) await node.unlink(...keys);
            cursor = next;
          } while (cursor !== "0");
        }
      } finally {
        await storage.close();
      }
    },
  };
}
