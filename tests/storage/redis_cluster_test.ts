/**
 * The conformance suite on a Redis Cluster. By default on a throwaway cluster of
 * 3 masters this file starts itself (`redis-server` and `redis-cli` on PATH);
 * `QML_TEST_REDIS_CLUSTER=127.0.0.1:7000 deno test -A tests/storage/redis_cluster_test.ts`
 * uses an external cluster instead. Every prefix is one hash tag, so each test's
 * keys live on one node.
 *
 * The throwaway cluster is started once, in a `beforeAll` hook (outside every test,
 * so the child processes do not trip the resource/op sanitizers of the first case),
 * and stopped in an `afterAll` hook, which runs even when cases fail. The factory
 * awaits the same memoised start.
 */
import { runStorageConformance } from "./conformance/mod.ts";
import { TEST_REDIS_CLUSTER } from "../_helpers/redis.ts";
import {
  onPath,
  openClusterStorage,
  type RedisClusterHandle,
  startRedisCluster,
} from "../_helpers/redis_cluster.ts";

if (TEST_REDIS_CLUSTER.length > 0) {
  runStorageConformance("redis-cluster", () => openClusterStorage(TEST_REDIS_CLUSTER));
} else if (!onPath("redis-server") || !onPath("redis-cli")) {
  Deno.test({
    name: "[redis-cluster] conformance (skipped: redis-server/redis-cli not on PATH; " +
      "install Redis or set QML_TEST_REDIS_CLUSTER=host:port)",
    ignore: true,
    fn() {},
  });
} else {
  let cluster: Promise<RedisClusterHandle> | undefined;
  let running: RedisClusterHandle | undefined;
  // Synchronous last resort, should the worker unload without running afterAll.
  const onUnload = () => running?.killSync();
  const start = (): Promise<RedisClusterHandle> => {
    if (!cluster) {
      globalThis.addEventListener("unload", onUnload);
      cluster = startRedisCluster().then((c) => running = c);
    }
    return cluster;
  };

  Deno.test.beforeAll(async () => {
    // A startup failure is reported by every case (through the factory), not as an
    // uncaught error of the module.
    await start().catch(() => {});
  });
  Deno.test.afterAll(async () => {
    if (!cluster) return;
    const c = await cluster.catch(() => null);
    await c?.stop();
    running = undefined;
    globalThis.removeEventListener("unload", onUnload);
  });

  runStorageConformance("redis-cluster", async () => {
    const c = await start().catch((err) => {
      throw new Error(`could not start the throwaway Redis Cluster: ${err.message}`, {
        cause: err,
      });
    });
    return openClusterStorage(c.nodes);
  });
}
