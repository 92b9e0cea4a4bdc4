/**
 * RedisStorage benchmarks (not tests): the workloads of bench/workloads.ts on a
 * fresh key prefix per run, deleted afterwards.
 *
 *   deno run -A bench/redis_bench.ts [--only=1a,1b,drain,2,3] [--runs=3] [--execution=workers]
 *
 * Uses REDIS_URL (default redis://127.0.0.1:6379); only touches keys of its own prefix.
 *
 * @module
 */
import type { Redis } from "ioredis";
import { RedisStorage } from "../src/storage/redis/redis_storage.ts";
import { runWorkloads } from "./workloads.ts";

const url = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";

await runWorkloads({
  name: "Redis",
  async open() {
    const storage = await RedisStorage.connect({
      url,
      keyPrefix: `qml_bench_${crypto.randomUUID().slice(0, 8)}`,
    });
    return {
      storage,
      async drop() {
        const redis = storage.redis as Redis;
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(
            cursor,
            "MATCH",
            storage.keys.pattern,
            "COUNT",
            5000,
          );
          if (keys.length) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== "0");
        await storage.close();
      },
    };
  },
});
