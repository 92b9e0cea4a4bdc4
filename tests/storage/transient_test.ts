/** Which storage failures are transient: the one classification the server's retries rely on. */
import assert from "node:assert/strict";
import { JobClient } from "../../src/client.ts";
import { StorageError } from "../../src/errors.ts";
import { JobState } from "../../src/job_state.ts";
import { decide } from "../../src/transitions.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import {
  isTransient,
  isTransientPostgresError,
  isTransientRedisError,
} from "../../src/storage/transient.ts";
import { openTestStorage } from "../_helpers/postgres.ts";

const withCode = (code: string) => Object.assign(new Error("x"), { code });

Deno.test("postgres: lost connections and server restarts are transient; data errors are not", () => {
  for (
    const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "EPIPE",
      "ETIMEDOUT",
      "CONNECTION_CLOSED",
      "CONNECTION_ENDED",
      "CONNECTION_DESTROYED",
      "CONNECT_TIMEOUT",
      "08006",
      "08001",
      "57P01",
      "57P02",
      "57P03",
    ]
  ) {
    assert.equal(isTransientPostgresError(withCode(code)), true, code);
  }
  for (const code of ["22P05", "22021", "23505", "42P01", "57014", "XX000"]) {
    assert.equal(isTransientPostgresError(withCode(code)), false, code);
  }
  assert.equal(
    isTransientPostgresError(new TypeError("Do not know how to serialize a BigInt")),
    false,
  );
  assert.equal(isTransientPostgresError(null), false);
});

Deno.test("redis: connection failures and busy replies are transient; script errors are not", () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: "ReplyError" });
  assert.equal(isTransientRedisError(new Error("Connection is closed.")), true);
  assert.equal(isTransientRedisError(withCode("ECONNREFUSED")), true);
  assert.equal(isTransientRedisError(reply("LOADING Redis is loading the dataset")), true);
  assert.equal(isTransientRedisError(reply("BUSY Redis is busy running a script")), true);
  assert.equal(isTransientRedisError(reply("READONLY You can't write against a replica")), true);
  assert.equal(isTransientRedisError(reply("ERR user_script:12: attempt to index nil")), false);
  assert.equal(isTransientRedisError(reply("WRONGTYPE Operation against a key")), false);
  assert.equal(isTransientRedisError(new TypeError("bad")), false);
  assert.equal(isTransientRedisError("string"), false);
});

Deno.test("isTransient: only a StorageError marked transient", () => {
  assert.equal(isTransient(new StorageError("x", { transient: true })), true);
  assert.equal(isTransient(new StorageError("x")), false);
  assert.equal(isTransient(Object.assign(new Error("x"), { transient: true })), false);
});

Deno.test("postgres, for real: a value it cannot take is not transient; an unreachable server is", async () => {
  const h = await openTestStorage();
  try {
    await new JobClient(h.storage).enqueue("m", {});
    const [job] = await h.storage.fetchAndLock({
      queues: ["default"],
      limit: 1,
      serverName: "s",
      lockTtlMs: 60_000,
      now: new Date(),
    });
    const next = decide(job, { type: "succeeded", result: { n: 1n } }, { now: new Date() });
    const err = await h.storage.transition({
      items: [{ id: job.id, guard: { state: JobState.Processing, lockedBy: "s" }, next }],
      now: new Date(),
    }).catch((e) => e);
    assert.ok(err instanceof Error, "refused");
    assert.equal(isTransient(err), false, err.message);
    // The connection is still in step: the next statement reads its own reply.
    assert.equal((await h.storage.counts()).byState.Processing, 1);
  } finally {
    await h.cleanup();
  }
  const down = await PostgresStorage.connect({
    url: "postgres://postgres@127.0.0.1:1/test",
    connectTimeoutMs: 2_000,
  }).catch((e) => e);
  assert.ok(down instanceof StorageError, String(down));
  assert.equal(down.transient, true, down.message);
});

Deno.test("redis, for real: an unreachable server is transient", async () => {
  const down = await RedisStorage.connect({ url: "redis://127.0.0.1:1" }).catch((e) => e);
  assert.ok(down instanceof StorageError, String(down));
  assert.equal(down.transient, true, down.message);
});
