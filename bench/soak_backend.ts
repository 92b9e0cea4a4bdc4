/**
 * The soak's backend: one isolated Postgres schema or Redis key prefix that the
 * soak and its server processes connect to (described to children by env vars).
 *
 * @module
 */
import type { Redis } from "ioredis";
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";
import { RedisStorage } from "../src/storage/redis/redis_storage.ts";
import type { Storage } from "../src/storage/storage.ts";

/** The durable backends the soak runs on. */
export type SoakKind = "postgres" | "redis";

/** Where a soak's storage lives. */
export interface SoakTarget {
  kind: SoakKind;
  url: string;
  /** Schema (Postgres) or key prefix (Redis) of this run. */
  isolation: string;
}

/** A new target of `kind` on the local services (or `DATABASE_URL` / `REDIS_URL`). */
export function newTarget(kind: SoakKind): SoakTarget {
  const isolation = `qml_soak_${crypto.randomUUID().slice(0, 8)}`;
  const url = kind === "postgres"
    ? Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test"
    : Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
  return { kind, url, isolation };
}

/** The env that describes `t` to a child process. */
export function targetEnv(t: SoakTarget): Record<string, string> {
  return { QML_SOAK_KIND: t.kind, QML_SOAK_URL: t.url, QML_SOAK_ISOLATION: t.isolation };
}

/** The target described by this process's env (see {@link targetEnv}). */
export function targetFromEnv(): SoakTarget {
  const kind = Deno.env.get("QML_SOAK_KIND");
  if (kind !== "postgres" && kind !== "redis") throw new Error(`QML_SOAK_KIND=${kind}`);
  return {
    kind,
    url: Deno.env.get("QML_SOAK_URL")!,
    isolation: Deno.env.get("QML_SOAK_ISOLATION")!,
  };
}

/** Connect to `t`. */
export function openTarget(t: SoakTarget): Promise<Storage> {
  return t.kind === "postgres"
    ? PostgresStorage.connect({ url: t.url, schema: t.isolation, maxConnections: 4 })
    : RedisStorage.connect({ url: t.url, keyPrefix: t.isolation });
}

/** Drop everything of `t` (schema or keys), then close `storage`. */
export async function dropTarget(t: SoakTarget, storage: Storage): Promise<void> {
  if (!/^qml_soak_[0-9a-f]{8}$/.test(t.isolation)) {
    throw new Error(`refusing to drop ${t.isolation}`);
  }
  if (storage instanceof PostgresStorage) {
    await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${t.isolation}" CASCADE`);
  } else if (storage instanceof RedisStorage) {
    const redis = storage.redis as Redis;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", storage.keys.pattern, "COUNT", 5000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  }
  await storage.close();
}
