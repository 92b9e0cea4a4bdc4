/**
 * Opening ioredis connections (single node or cluster) and the connect-time
 * safety check of `maxmemory-policy`.
 *
 * @module
 */
import { ConfigError, StorageError } from "../../errors.ts";
import type { RedisClient, RedisClusterClient } from "./client.ts";
import { redactUrl, type ResolvedRedisConfig } from "./config.ts";
import { quietQuit } from "./subscriber.ts";

/** What a connection is for: commands and scripts, or pub/sub only. */
export type ConnectionRole = "commands" | "subscriber";

// The option types come from the `import("ioredis")` below: a type import of ioredis would
// put its declarations into qml's public types (see client.ts).
function options(cfg: ResolvedRedisConfig) {
  const url = new URL(cfg.url);
  return {
    lazyConnect: true,
    connectTimeout: cfg.connectTimeoutMs,
    // No ioredis commandTimeout: RedisStorage enforces commandTimeoutMs itself
    // (deadlines.ts), and a subscribed connection waits for messages indefinitely.
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: 3,
  };
}

/**
 * A new, not yet connected client for `role`. ioredis is loaded here, on first use, so that
 * importing qml (or a Web Worker importing the user's workers module) never loads it.
 */
export async function createConnection(
  cfg: ResolvedRedisConfig,
  role: ConnectionRole,
): Promise<RedisClient> {
  const { Cluster, Redis } = await import("ioredis");
  // Named so that CLIENT LIST shows which storage and role a connection serves.
  const opts = { ...options(cfg), connectionName: `qml:${cfg.keyPrefix}:${role}` };
  const autoPipelining = role === "commands" && cfg.autoPipelining;
  // Once connected, reconnect for ever with a capped backoff: a Redis restart must
  // not take the server down; commands issued meanwhile wait in the offline queue
  // and fail with StorageError after a few retries or the command timeout. Before
  // the first connect, give up at once so `connect` fails fast and leaves nothing behind.
  let connected = false;
  const retry = (times: number) => connected ? Math.min(50 * times, 2_000) : null;
  // Typed as our interfaces, so `deno check` proves ioredis still provides what they declare.
  let conn: RedisClient;
  if (cfg.cluster) {
    const { lazyConnect, ...redisOptions } = opts;
    const cluster: RedisClusterClient = new Cluster(cfg.cluster.nodes, {
      lazyConnect,
      redisOptions,
      enableAutoPipelining: autoPipelining,
      clusterRetryStrategy: retry,
    });
    conn = cluster;
  } else {
    const url = new URL(cfg.url);
    const db = Number(url.pathname.slice(1) || 0);
    conn = new Redis({
      ...opts,
      host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
      port: Number(url.port || 6379),
      db: Number.isInteger(db) ? db : 0,
      enableAutoPipelining: autoPipelining,
      retryStrategy: retry,
    });
  }
  // Without a listener ioredis prints every reconnect error; report the first of
  // each outage once instead.
  let down = false;
  conn.on("error", (err: Error) => {
    if (down || !connected) return;
    down = true;
    cfg.onWarning(`qml: Redis ${role} connection error (${err.message}); reconnecting`);
  });
  conn.on("ready", () => {
    connected = true;
    down = false;
  });
  return conn;
}

/** Connect `conn`; on failure drop it (no reconnect loop left behind) and throw {@link StorageError}. */
export async function openConnection(
  conn: RedisClient,
  cfg: ResolvedRedisConfig,
): Promise<void> {
  try {
    await conn.connect();
  } catch (err) {
    await quietQuit(conn);
    const where = cfg.cluster
      ? cfg.cluster.nodes.map((n) => `${n.host}:${n.port}`).join(", ")
      : redactUrl(cfg.url);
    throw new StorageError(`cannot connect to Redis at ${where}: ${(err as Error).message}`, {
      cause: err,
      transient: true,
    });
  }
}

/**
 * Check `maxmemory-policy` on every master. Any policy but `noeviction` lets Redis
 * evict job keys when memory runs out — jobs then vanish without a trace — so it
 * warns loudly, or throws {@link ConfigError} when `maxmemoryPolicy` is `"fail"`.
 * Where CONFIG is disabled (managed Redis often renames it) it warns that it could not check.
 */
export async function checkMaxmemoryPolicy(
  conn: RedisClient,
  cfg: ResolvedRedisConfig,
): Promise<void> {
  const nodes = cfg.cluster ? (conn as RedisClusterClient).nodes("master") : [conn];
  for (const node of nodes) {
    let policy: string | undefined;
    try {
      const reply = await node.config("GET", "maxmemory-policy") as string[];
      policy = reply[1];
    } catch (err) {
      cfg.onWarning(
        `qml: could not read Redis maxmemory-policy (${(err as Error).message}); ` +
          `make sure it is "noeviction", or evicted jobs are silently lost`,
      );
      return;
    }
    if (policy === undefined || policy === "noeviction") continue;
    const message = `Redis maxmemory-policy is "${policy}", not "noeviction": when Redis ` +
      `reaches maxmemory it EVICTS KEYS, and evicted jobs are SILENTLY LOST. Run ` +
      `"CONFIG SET maxmemory-policy noeviction" (and persist it in redis.conf).`;
    if (cfg.maxmemoryPolicy === "fail") {
      throw new ConfigError("maxmemoryPolicy", `${message} (maxmemoryPolicy is "fail")`);
    }
    cfg.onWarning(`qml: WARNING: ${message}`);
  }
}
