/**
 * Options of {@link SqliteStorage.open} and their validation.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";

/**
 * How much an acknowledged write survives:
 * - `"full"`: `synchronous=FULL`, the WAL is fsynced at every commit: survives power loss.
 * - `"normal"`: `synchronous=NORMAL`, fsync only at checkpoints: survives a crash of the
 *   process, not of the machine (the last commits before a power loss may be lost).
 */
export type SqliteDurability = "full" | "normal";

/** Options of `SqliteStorage.open`. */
export interface SqliteConfig {
  /** Database file (created if missing), or `":memory:"` for a private in-memory database. */
  path: string;
  /**
   * How long a write waits for another process's write transaction before failing with a
   * `StorageError` (ms, default 5,000). The wait blocks this thread, so writers keep their
   * transactions short.
   */
  busyTimeoutMs?: number;
  /** `"full"` (default) or `"normal"`; see {@link SqliteDurability}. */
  durability?: SqliteDurability;
  /** Apply pending migrations on open (default true). */
  autoMigrate?: boolean;
  /**
   * How often signals of other processes on the same file are looked for even when the
   * watch on the WAL file reported nothing (ms, default 100). A look costs one
   * `PRAGMA data_version` unless something was written.
   */
  signalPollMs?: number;
}

/** {@link SqliteConfig} with defaults applied. */
export interface ResolvedSqliteConfig {
  path: string;
  memory: boolean;
  busyTimeoutMs: number;
  durability: SqliteDurability;
  autoMigrate: boolean;
  signalPollMs: number;
}

function intOption(name: string, v: number | undefined, def: number, min: number, max: number) {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(name, `expected an integer in ${min}..${max}, got ${v}`);
  }
  return v;
}

/** Validate `config` and fill in defaults. */
export function resolveConfig(config: SqliteConfig): ResolvedSqliteConfig {
  const path = config?.path;
  if (typeof path !== "string" || path.trim() === "") {
    throw new ConfigError("path", 'expected a file path or ":memory:"');
  }
  if (path.includes("\0")) throw new ConfigError("path", "contains a NUL character");
  const durability = config.durability ?? "full";
  if (durability !== "full" && durability !== "normal") {
    throw new ConfigError("durability", `expected "full" or "normal", got ${durability}`);
  }
  return {
    path,
    memory: path === ":memory:",
    busyTimeoutMs: intOption("busyTimeoutMs", config.busyTimeoutMs, 5_000, 0, 600_000),
    durability,
    autoMigrate: config.autoMigrate ?? true,
    signalPollMs: intOption("signalPollMs", config.signalPollMs, 100, 1, 600_000),
  };
}

/**
 * Options from a `sqlite:` URL: `sqlite:./jobs.db`, `sqlite:/abs/jobs.db`, `sqlite::memory:`,
 * with `?durability=normal&busyTimeoutMs=10000` optionally appended.
 */
export function configFromUrl(url: string): SqliteConfig {
  let rest = url.replace(/^sqlite:/i, "");
  if (rest.startsWith("//")) rest = rest.slice(2); // sqlite:///abs/path and sqlite://./rel
  const q = rest.indexOf("?");
  const params = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : "");
  const path = decodeURIComponent(q >= 0 ? rest.slice(0, q) : rest);
  const config: SqliteConfig = { path };
  for (const [key, value] of params) {
    if (key === "durability") config.durability = value as SqliteDurability;
    else if (key === "busyTimeoutMs") config.busyTimeoutMs = Number(value);
    else throw new ConfigError("storage URL", `unknown sqlite parameter "${key}"`);
  }
  return config;
}
