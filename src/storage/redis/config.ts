/**
 * RedisStorage configuration: the options, their defaults and environment
 * fallbacks, and validation that names the option and its accepted range.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";

/** A Redis Cluster startup node: `"host:port"` or `{ host, port }`. */
type ClusterNode = string | { host: string; port: number };

/** Options of {@link RedisStorage.connect}. */
export interface RedisConfig {
  /** `redis://[user:pass@]host:port[/db]` (or `rediss://`). Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. Ignored with `cluster`, except for its credentials. */
  url?: string;
  /** Prefix of every key (the cluster hash tag). 1..64 characters, no braces or whitespace. Default: `QML_REDIS_PREFIX`, else `"qml"`. */
  keyPrefix?: string;
  /** A command that gets no reply within this time fails with `StorageError`. Default 10 000 ms; 0 disables. */
  commandTimeoutMs?: number;
  /** Give up connecting after this long. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * Redis-side expiry (PEXPIRE) of a job and its history once it reaches a final
   * state: a safety net so that finished jobs do not pile up if no server runs the
   * retention sweep. Keep it longer than your retention TTLs (the sweep then wins).
   * Default `null`: off.
   */
  completedJobTtlMs?: number | null;
  /** Connect to a Redis Cluster through these startup nodes instead of `url`. */
  cluster?: { nodes: readonly (string | { host: string; port: number })[] };
  /**
   * What to do when the server's `maxmemory-policy` is not `noeviction` (Redis
   * may then evict job keys, silently losing jobs): `"warn"` (default) logs a
   * loud warning, `"fail"` makes `connect` throw `ConfigError`.
   */
  maxmemoryPolicy?: "warn" | "fail";
  /**
   * Let ioredis merge commands issued in the same tick into one write.
   * Default `false`: on Deno it measured slower for every workload in
   * `bench/redis_bench.ts` (concurrent commands are pipelined on the socket anyway).
   */
  autoPipelining?: boolean;
  /** Where warnings go. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A config with every default applied and every value checked (see {@link RedisConfig}). */
export interface ResolvedRedisConfig {
  /** The Redis URL (credentials and db are read from it). */
  url: string;
  /** The key prefix (hash tag). */
  keyPrefix: string;
  /** Command timeout; 0 = none. */
  commandTimeoutMs: number;
  /** Connect timeout. */
  connectTimeoutMs: number;
  /** Redis-side expiry of final jobs, or `null` for none. */
  completedJobTtlMs: number | null;
  /** Cluster startup nodes, or `null` for a single node. */
  cluster: { nodes: { host: string; port: number }[] } | null;
  /** Reaction to an evicting `maxmemory-policy`. */
  maxmemoryPolicy: "warn" | "fail";
  /** ioredis auto-pipelining. */
  autoPipelining: boolean;
  /** Warning sink. */
  onWarning: (message: string) => void;
}

const MAX_MS = 2 ** 31 - 1;

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: the explicit options and defaults apply
  }
}

function duration(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > MAX_MS) {
    throw new ConfigError(
      option,
      `expected an integer number of ms in ${min}..${MAX_MS}, got ${value}`,
    );
  }
  return value;
}

function node(n: ClusterNode, i: number): { host: string; port: number } {
  const where = `cluster.nodes[${i}]`;
  if (typeof n === "string") {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(n);
    if (!m) throw new ConfigError(where, `expected "host:port", got "${n}"`);
    return node({ host: m[1], port: Number(m[2]) }, i);
  }
  if (!n || typeof n.host !== "string" || !n.host) {
    throw new ConfigError(where, "expected a non-empty host");
  }
  if (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535) {
    throw new ConfigError(where, `expected a port in 1..65535, got ${n.port}`);
  }
  return { host: n.host, port: n.port };
}

/** Apply defaults and environment fallbacks; throw {@link ConfigError} on any invalid option. */
export function resolveRedisConfig(config: RedisConfig = {}): ResolvedRedisConfig {
  const url = config.url ?? env("REDIS_URL") ?? "redis://127.0.0.1:6379";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError("url", `expected a redis:// or rediss:// URL, got "${redactUrl(url)}"`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ConfigError("url", `expected a redis:// or rediss:// URL, got "${redactUrl(url)}"`);
  }
  const keyPrefix = config.keyPrefix ?? env("QML_REDIS_PREFIX") ?? "qml";
  if (typeof keyPrefix !== "string" || !/^[^\s{}]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError(
      "keyPrefix",
      `expected 1..64 characters without braces or whitespace, got "${keyPrefix}"`,
    );
  }
  const ttl = config.completedJobTtlMs ?? null;
  if (ttl !== null) duration("completedJobTtlMs", ttl, 0, 1);
  const policy = config.maxmemoryPolicy ?? "warn";
  if (policy !== "warn" && policy !== "fail") {
    throw new ConfigError("maxmemoryPolicy", `expected "warn" or "fail", got "${policy}"`);
  }
  let cluster: ResolvedRedisConfig["cluster"] = null;
  if (config.cluster !== undefined) {
    const nodes = config.cluster?.nodes;
    if (!Array.isArray(nodes) || nodes.length === 0) {
      throw new ConfigError("cluster.nodes", "expected at least one startup node");
    }
    cluster = { nodes: nodes.map(node) };
  }
  return {
    url,
    keyPrefix,
    commandTimeoutMs: duration("commandTimeoutMs", config.commandTimeoutMs, 10_000, 0),
    connectTimeoutMs: duration("connectTimeoutMs", config.connectTimeoutMs, 10_000, 1),
    completedJobTtlMs: ttl,
    cluster,
    maxmemoryPolicy: policy,
    autoPipelining: config.autoPipelining ?? false,
    onWarning: config.onWarning ?? ((m) => console.warn(m)),
  };
}

/** `url` with its password replaced, safe for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
