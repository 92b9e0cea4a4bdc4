/**
 * `openStorage(url)`: pick a backend from a URL, so one environment variable
 * switches an app between memory, SQLite, Postgres and Redis.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { MemoryStorage } from "./memory/memory_storage.ts";
import type { Storage } from "./storage.ts";

/**
 * The storage of the main job and of `qml serve` when no URL is given: a SQLite file in
 * the working directory, so a restarted demo keeps its jobs and history (`memory://` is
 * for tests and throwaway runs).
 */
export const DEFAULT_STORAGE_URL = "sqlite:./qml.db";

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /** Apply pending schema migrations while opening (SQL backends; default true). */
  autoMigrate?: boolean;
}

/**
 * Open the storage a URL names: `memory://`, `sqlite:./jobs.db` / `sqlite::memory:`
 * (options as `?durability=normal&busyTimeoutMs=…`), `postgres://…` / `postgresql://…`,
 * `redis://…` / `rediss://…`. Drivers are loaded only for the backend used.
 * qml's own settings ride along as query parameters and are removed before the
 * URL reaches the driver: `?schema=` (Postgres) and `?prefix=` (Redis key prefix).
 *
 * @example
 * ```ts
 * import { openStorage } from "@qml/qml";
 * const storage = await openStorage("memory://");
 * console.log(storage.kind); // "memory"
 * await storage.close();
 * ```
 *
 * @throws {ConfigError} for any other scheme.
 */
export async function openStorage(
  url: string,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url ?? "")?.[1]?.toLowerCase();
  switch (scheme) {
    case "memory":
      return new MemoryStorage();
    case "postgres":
    case "postgresql": {
      const { PostgresStorage } = await import("./postgres/postgres_storage.ts");
      const { rest, value: schema } = takeParam(url, "schema");
      return await PostgresStorage.connect({ url: rest, schema, autoMigrate: options.autoMigrate });
    }
    case "sqlite": {
      const { SqliteStorage } = await import("./sqlite/sqlite_storage.ts");
      const { configFromUrl } = await import("./sqlite/config.ts");
      return await SqliteStorage.open(configFromUrl(url));
    }
    case "redis":
    case "rediss": {
      const { RedisStorage } = await import("./redis/redis_storage.ts");
      const { rest, value: keyPrefix } = takeParam(url, "prefix");
      return await RedisStorage.connect({ url: rest, keyPrefix });
    }
    default:
      throw new ConfigError(
        "storage URL",
        `expected memory://, postgres://, postgresql://, redis://, rediss:// or sqlite:<file>, got ${
          JSON.stringify(url?.replace(/\/\/[^@/]*@/, "//***@"))
        }`,
      );
  }
}

// Remove qml's own query parameter from a driver URL (drivers pass unknown ones on to
// the server as connection settings).
function takeParam(url: string, name: string): { rest: string; value: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError("storage URL", "not a valid URL");
  }
  const value = parsed.searchParams.get(name) ?? undefined;
  if (value === undefined) return { rest: url, value };
  parsed.searchParams.delete(name);
  return { rest: parsed.toString(), value };
}
