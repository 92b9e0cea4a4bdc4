/**
 * The same job operations on memory, SQLite, PostgreSQL and Redis, side by side: one
 * Storage contract, four backends.
 *
 * Run: deno run --allow-net --allow-env --allow-read examples/storage_demo.ts
 * (DATABASE_URL and REDIS_URL override the local defaults; a backend that is not
 * reachable is reported and skipped.)
 */
import type { Redis } from "ioredis";
import { decide } from "../backend.ts";
import {
  JobClient,
  JobState,
  MemoryStorage,
  PostgresStorage,
  RedisStorage,
  SqliteStorage,
  type Storage,
} from "../mod.ts";

const DEMO = "qml_storage_demo";

async function demo(name: string, storage: Storage): Promise<void> {
  const client = new JobClient(storage);
  const now = () => new Date();
  const [a, b] = await client.enqueueMany([
    {
      worker: "resize_image",
      args: { file: "cat.png" },
      options: { queue: "media", maxAttempts: 2 },
    },
    { worker: "send_email", args: { to: "ada@example.com" }, options: { queue: "media" } },
  ]);
  await client.enqueue("send_email", { to: "bob@example.com" }, { delayMs: 60_000 });

  // What a server does: fetch a batch, run it, record each outcome through the state machine.
  const running = await storage.fetchAndLock({
    queues: ["media"],
    limit: 10,
    serverName: `${name}-demo`,
    lockTtlMs: 30_000,
    now: now(),
  });
  const outcomes = running.map((job) =>
    job.id === a.id
      ? { type: "failed" as const, error: { name: "Error", message: "disk full" } }
      : { type: "succeeded" as const, result: { ok: true } }
  );
  const applied = await storage.transition({
    items: running.map((job, i) => ({
      id: job.id,
      guard: { state: JobState.Processing, lockedBy: `${name}-demo` },
      next: decide(job, outcomes[i], { now: now(), server: `${name}-demo` }),
    })),
    now: now(),
  });
  const counts = await storage.counts();
  const failed = await client.get(a.id);
  const done = await client.get(b.id);
  console.log(
    `${name.padEnd(8)} fetched ${running.length}, applied ${applied.filter(Boolean).length}; ` +
      `Succeeded=${counts.byState.Succeeded} AwaitingRetry=${counts.byState.AwaitingRetry} ` +
      `Scheduled=${counts.byState.Scheduled}; ${failed?.method} → ${failed?.state} ` +
      `(${failed?.error?.message}), ${done?.method} → ${done?.state}`,
  );
}

await demo("memory", new MemoryStorage());

const sqlite = await SqliteStorage.open({ path: ":memory:" }); // a file path keeps the jobs
await demo("sqlite", sqlite);
await sqlite.close();

try {
  const pg = await PostgresStorage.connect({ schema: DEMO, connectTimeoutMs: 3_000 });
  try {
    await demo("postgres", pg);
  } finally {
    await pg.sql.unsafe(`DROP SCHEMA IF EXISTS "${DEMO}" CASCADE`);
    await pg.close();
  }
} catch (err) {
  console.log(`postgres skipped: ${err instanceof Error ? err.message : err}`);
}

try {
  const redis = await RedisStorage.connect({ keyPrefix: DEMO, connectTimeoutMs: 3_000 });
  try {
    await demo("redis", redis);
  } finally {
    const client = redis.redis as Redis; // the ioredis client, for commands qml does not use
    const keys = await client.keys(`{${DEMO}}:*`); // a demo's handful of keys
    if (keys.length) await client.del(...keys);
    await redis.close();
  }
} catch (err) {
  console.log(`redis skipped: ${err instanceof Error ? err.message : err}`);
}
