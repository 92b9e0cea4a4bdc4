/**
 * One isolated Postgres schema, Redis key prefix or SQLite file that several storages
 * (servers) connect to, as several machines (or processes) would: for multi-server,
 * restart and kill tests.
 */
import type { Storage } from "../../src/storage/storage.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { dropSchema, TEST_DATABASE_URL, testSchema } from "./postgres.ts";
import { dropPrefix, TEST_REDIS_URL, testPrefix } from "./redis.ts";

/** A durable backend kind. */
export type DurableKind = "postgres" | "redis" | "sqlite";

/** A shared isolated backend. */
export interface SharedBackend {
  kind: DurableKind;
  /** A storage URL plus isolation, as a child process would receive it. */
  env: Record<string, string>;
  /** A new connection to the shared schema / prefix / file (closed by `cleanup`). */
  open(): Promise<Storage>;
  /** Close every opened storage, then drop the schema / keys / file. */
  cleanup(): Promise<void>;
}

/** Durable backends the cross-server tests run on. */
export const DURABLE_KINDS = ["postgres", "redis", "sqlite"] as const;

function connect(kind: DurableKind, url: string, iso: string): Promise<Storage> {
  switch (kind) {
    case "postgres":
      return PostgresStorage.connect({ url, schema: iso, maxConnections: 4 });
    case "redis":
      return RedisStorage.connect({ url, keyPrefix: iso });
    case "sqlite":
      return SqliteStorage.open({ path: url });
  }
}

/** Open a shared isolated backend of `kind`. */
export function sharedBackend(kind: DurableKind): SharedBackend {
  const opened: Storage[] = [];
  const dir = kind === "sqlite" ? Deno.makeTempDirSync({ prefix: "qml_shared_" }) : "";
  const iso = kind === "postgres" ? testSchema() : kind === "redis" ? testPrefix() : "";
  const url = kind === "postgres"
    ? TEST_DATABASE_URL
    : kind === "redis"
    ? TEST_REDIS_URL
    : `${dir}/jobs.db`;
  return {
    kind,
    env: { QML_TEST_KIND: kind, QML_TEST_URL: url, QML_TEST_ISOLATION: iso },
    async open() {
      const s = await connect(kind, url, iso);
      opened.push(s);
      return s;
    },
    async cleanup() {
      await Promise.allSettled(opened.map((s) => s.close()));
      if (kind === "postgres") await dropSchema(iso);
      else if (kind === "redis") await dropPrefix(iso);
      else await Deno.remove(dir, { recursive: true });
    },
  };
}

/** In a child process: connect to the shared backend described by the env of {@link SharedBackend}. */
export function openFromEnv(): Promise<Storage> {
  return connect(
    Deno.env.get("QML_TEST_KIND") as DurableKind,
    Deno.env.get("QML_TEST_URL")!,
    Deno.env.get("QML_TEST_ISOLATION") ?? "",
  );
}
