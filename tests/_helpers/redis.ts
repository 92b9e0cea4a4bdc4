/**
 * Redis test helpers: every test gets a key prefix of its own (`qml_t_<random>`),
 * whose keys are deleted in cleanup, so tests share one Redis without seeing each
 * other. Never FLUSHDB: other suites use the same server.
 *
 * @module
 */
import { Redis } from "ioredis";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import type { RedisConfig } from "../../src/storage/redis/config.ts";
import type { BackendHarness } from "../storage/conformance/harness.ts";

/** The test Redis: `QML_TEST_REDIS_URL`, else `REDIS_URL`, else the local one. */
export const TEST_REDIS_URL: string = Deno.env.get("QML_TEST_REDIS_URL") ??
  Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";

/** A fresh key prefix for one test. */
export function testPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `qml_t_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Run `fn` with a short-lived plain connection, always closed afterwards. */
export async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    await redis.quit();
  }
}

/** Every key of a test prefix (SCAN: tests only). */
export async function prefixKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `{${prefix}}:*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

/** Delete every key of a test prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  if (!/^qml_t_[0-9a-f]+$/.test(prefix)) throw new Error(`refusing to drop prefix ${prefix}`);
  await withRedis(async (redis) => {
    const keys = await prefixKeys(redis, prefix);
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  });
}

/** A storage on a new prefix, and its cleanup (close, then delete the prefix's keys). */
export async function openTestStorage(
  config: RedisConfig = {},
): Promise<BackendHarness & { storage: RedisStorage; prefix: string }> {
  const prefix = config.keyPrefix ?? testPrefix();
  const storage = await RedisStorage.connect({ url: TEST_REDIS_URL, ...config, keyPrefix: prefix });
  return {
    storage,
    prefix,
    async cleanup() {
      await storage.close();
      await dropPrefix(prefix);
    },
  };
}

/** CRC16/XMODEM, the checksum Redis Cluster maps keys to slots with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** The Redis Cluster slot of `key` (hash tag rules included), as CLUSTER KEYSLOT computes it. */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open !== -1) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(new TextEncoder().encode(key)) % 16384;
}

/** Startup nodes of a test Redis Cluster (`QML_TEST_REDIS_CLUSTER="host:port,…"`), or none. */
export const TEST_REDIS_CLUSTER: string[] = (Deno.env.get("QML_TEST_REDIS_CLUSTER") ?? "")
  .split(",").map((s) => s.trim()).filter(Boolean);
