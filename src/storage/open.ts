/**
 * `openStorage(url)`: pick a backend from a URL, so one environment variable
 * switches an app between memory, Postgres and Redis.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { MemoryStorage } from "./memory/memory_storage.ts";
import type { Storage } from "./storage.ts";

/**
 * Open the storage a URL names: `memory://`, `postgres://…` / `postgresql://…`,
 * `redis://…` / `rediss://…`. Drivers are loaded only for the backend used.
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
export async function openStorage(url: string): Promise<Storage> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url ?? "")?.[1]?.toLowerCase();
  switch (scheme) {
    case "memory":
      return new MemoryStorage();
    case "postgres":
    case "postgresql": {
      const { PostgresStorage } = await import("./postgres/postgres_storage.ts");
      return await PostgresStorage.connect({ url });
    }
    case "redis":
    case "rediss": {
      const { RedisStorage } = await import("./redis/redis_storage.ts");
      return await RedisStorage.connect({ url });
    }
    default:
      throw new ConfigError(
        "storage URL",
        `expected memory://, postgres://, postgresql://, redis:// or rediss://, got ${
          JSON.stringify(url?.replace(/\/\/[^@/]*@/, "//***@"))
        }`,
      );
  }
}
