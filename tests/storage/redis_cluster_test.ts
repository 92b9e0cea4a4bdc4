/**
 * The conformance suite on a Redis Cluster, when one is given:
 * `QML_TEST_REDIS_CLUSTER=127.0.0.1:7000 deno test -A tests/storage/redis_cluster_test.ts`.
 * Every prefix is one hash tag, so each test's keys live on one node.
 */
import { runStorageConformance } from "./conformance/mod.ts";
import { openClusterTestStorage, TEST_REDIS_CLUSTER } from "../_helpers/redis.ts";

if (TEST_REDIS_CLUSTER.length > 0) {
  runStorageConformance("redis-cluster", () => openClusterTestStorage());
} else {
  Deno.test({
    name: "[redis-cluster] conformance (skipped: set QML_TEST_REDIS_CLUSTER to run it)",
    ignore: true,
    fn() {},
  });
}
