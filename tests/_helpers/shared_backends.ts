/**
 * One isolated Postgres schema or Redis key prefix that several storages
 * (servers) connect to, as several machines would: for multi-server, restart
 * and kill tests.
 */
import type { Storage } from "../../src/storage/storage.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import { dropSchema, TEST_DATABASE_URL, testSchema } from "./postgres.ts";
import { dropPrefix, TEST_REDIS_URL, testPrefix } from "./redis.ts";

/** A shared isolated backend. */
export interface SharedBackend {
  kind: "postgres" | "redis";
  /** A storage URL plus isolation, as a child process would receive it. */
  env: Record<string, string>;
  /** A new connection to the shared schema / prefix (closed by `cleanup`). */
  open(): Promise<Storage>;
  /** Close every opened storage, then drop the schema / keys. */
  cleanup(): Promise<void>;
}

/** Durable backends the cross-server tests run on. */
export const DURABLE_KINDS = ["postgres", "redis"] as const;

/** Open a shared isolated backend of `kind`. */
export function sharedBackend(kind: "postgres" | "redis"): SharedBackend {
  const opened: Storage[] = [];
  const iso = kind === "postgres" ? testSchema() : testPrefix();
  const connect = (): Promise<Storage> =>
    kind === "postgres"
      ? PostgresStorage.connect({ url: TEST_DATABASE_URL, schema: iso, maxConnections: 4 })
      : RedisStorage.connect({ url: TEST_REDIS_URL, keyPrefix: iso });
  return {
    kind,
    env: kind === "postgres"
      ? { QML_TEST_KIND: kind, QML_TEST_URL: TEST_DATABASE_URL, QML_TEST_ISOLATION: iso }
      : { QML_TEST_KIND: kind, QML_TEST_URL: TEST_REDIS_URL, QML_TEST_ISOLATION: iso },
    async open() {
      const s = await connect();
      opened.push(s);
      return s;
    },
    async cleanup() {
      await Promise.allSettled(opened.map((s) => s.close()));
      if (kind === "postgres") await dropSchema(iso);
      else await dropPrefix(iso);
    },
  };
}

/** In a child process: connect to the shared backend described by the env of {@link SharedBackend}. */
export function openFromEnv(): Promise<Storage> {
  const kind = Deno.env.get("QML_TEST_KIND");
  const url = Deno.env.get("QML_TEST_URL")!;
  const iso = Deno.env.get("QML_TEST_ISOLATION")!;
  return kind === "postgres"
    ? PostgresStorage.connect({ url, schema: iso, maxConnections: 4 })
    : RedisStorage.connect({ url, keyPrefix: iso });
}
