/**
 * A database that goes away: a running server keeps going, loses no job, and
 * finishes everything once the database is back.
 */
import assert from "node:assert/strict";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import { JobClient } from "../../src/client.ts";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { openTestStorage, withAdmin } from "../_helpers/postgres.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { privatePostgresUnavailable, startPrivatePostgres } from "../_helpers/private_postgres.ts";
import { startPrivateRedis } from "../_helpers/private_redis.ts";

function countingRegistry() {
  const runs = new Map<number, number>();
  const work = defineWorker({
    name: "work",
    async execute(args: { i: number }) {
      runs.set(args.i, (runs.get(args.i) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
      return args.i;
    },
  });
  return { runs, work, registry: new WorkerRegistry().register(work) };
}

/** Wait until `n` jobs succeeded; a failing count (storage still reconnecting) just polls again. */
function allSucceeded(client: JobClient, n: number, what: string): Promise<void> {
  return waitUntil(async () => {
    try {
      return (await client.counts()).byState.Succeeded === n;
    } catch {
      return false;
    }
  }, { timeoutMs: 60_000, intervalMs: 100, what });
}

/** A small inline server that polls fast, so outages show up within the test. */
function busyServer(storage: Storage, registry: WorkerRegistry): BackgroundJobServer {
  return new BackgroundJobServer({
    storage,
    workers: registry,
    execution: "inline",
    concurrency: 5,
    pollIntervalMs: 50,
    lockTtlMs: 3_000,
    enableRecurring: false,
    logLevel: "silent",
  });
}

/** A private Redis with an fsync-always AOF, so a restart keeps every acknowledged write. */
const DURABLE_REDIS = [
  "--appendonly",
  "yes",
  "--appendfsync",
  "always",
  "--maxmemory-policy",
  "noeviction",
];

Deno.test("[redis] a Redis restart mid-run: the server survives and every job succeeds", async () => {
  const redis = await startPrivateRedis(DURABLE_REDIS);
  const url = redis.url;
  const { runs, work, registry } = countingRegistry();
  const storage = await RedisStorage.connect({
    url,
    keyPrefix: "restart",
    commandTimeoutMs: 2_000,
  });
  const clientStorage = await RedisStorage.connect({ url, keyPrefix: "restart" });
  const server = busyServer(storage, registry);
  try {
    const client = new JobClient(clientStorage);
    await client.enqueueMany(
      Array.from({ length: 300 }, (_, i) => ({ worker: work, args: { i } })),
    );
    await server.start();
    await waitUntil(() => runs.size >= 50, { what: "some progress" });
    await redis.restart(); // SIGKILL first: no goodbye, the process dies
    await allSucceeded(client, 300, "all 300 Succeeded after the restart");
    assert.equal(server.state, "running");
    assert.equal(runs.size, 300, "every job ran");
  } finally {
    await server.stop();
    await storage.close();
    await clientStorage.close();
    await redis.stop();
  }
});

Deno.test("[postgres] connections dropped again and again: nothing lost, nothing crashes", async () => {
  const appName = `qml-outage-${crypto.randomUUID().slice(0, 8)}`;
  const h = await openTestStorage({ applicationName: appName, maxConnections: 4 });
  const { runs, work, registry } = countingRegistry();
  const server = busyServer(h.storage, registry);
  try {
    const client = new JobClient(h.storage);
    await client.enqueueMany(
      Array.from({ length: 300 }, (_, i) => ({ worker: work, args: { i } })),
    );
    await server.start();
    // Cut every connection of the storage five times while it works.
    for (let cut = 0; cut < 5; cut++) {
      const before = runs.size;
      await waitUntil(() => runs.size > before || runs.size === 300, { timeoutMs: 30_000 });
      await withAdmin((sql) =>
        sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name LIKE ${appName + "%"} AND pid <> pg_backend_pid()`
      );
    }
    await allSucceeded(client, 300, "all 300 Succeeded");
    assert.equal(server.state, "running");
    assert.equal(runs.size, 300);
  } finally {
    await server.stop();
    await h.cleanup();
  }
});

const noPrivatePostgres = privatePostgresUnavailable();
Deno.test({
  name:
    `[postgres] a PostgreSQL crash and restart mid-run: the server survives, every job succeeds${
      noPrivatePostgres ? ` (skipped: ${noPrivatePostgres})` : ""
    }`,
  ignore: noPrivatePostgres !== null,
  async fn() {
    const pg = await startPrivatePostgres();
    const { runs, work, registry } = countingRegistry();
    let storage: PostgresStorage | undefined;
    let server: BackgroundJobServer | undefined;
    try {
      storage = await PostgresStorage.connect({ url: pg.url, connectTimeoutMs: 2_000 });
      server = busyServer(storage, registry);
      const client = new JobClient(storage);
      await client.enqueueMany(
        Array.from({ length: 300 }, (_, i) => ({ worker: work, args: { i } })),
      );
      await server.start();
      await waitUntil(() => runs.size >= 50, { what: "some progress" });
      await pg.crash(); // no checkpoint: the restart runs crash recovery
      await pg.start();
      await allSucceeded(client, 300, "all 300 Succeeded after the restart");
      assert.equal(server.state, "running");
      assert.equal(runs.size, 300, "every job ran");
      const history = (await client.list({ limit: 300 })).jobs.map((j) =>
        j.history.filter((h) => h.state === "Succeeded").length
      );
      assert.deepEqual([...new Set(history)], [1], "no job finished twice");
    } finally {
      await server?.stop();
      await storage?.close();
      await pg.destroy();
    }
  },
});
