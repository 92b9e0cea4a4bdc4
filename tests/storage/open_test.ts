import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { openStorage } from "../../src/storage/open.ts";
import type { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import type { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import type { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { dropSchema, TEST_DATABASE_URL, testSchema } from "../_helpers/postgres.ts";
import { dropPrefix, TEST_REDIS_URL, testPrefix } from "../_helpers/redis.ts";

Deno.test("openStorage: memory://", async () => {
  const s = await openStorage("memory://");
  assert.equal(s.kind, "memory");
  await s.close();
});

Deno.test("openStorage: postgres URL with ?schema=", async () => {
  const schema = testSchema();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("schema", schema);
  const s = await openStorage(url.toString()) as PostgresStorage;
  try {
    assert.equal(s.kind, "postgres");
    assert.equal(s.schema, schema);
    assert.equal(await s.schemaExists(), true);
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});

Deno.test("openStorage: redis URL with ?prefix=", async () => {
  const prefix = testPrefix();
  const s = await openStorage(`${TEST_REDIS_URL}?prefix=${prefix}`) as RedisStorage;
  try {
    assert.equal(s.kind, "redis");
    assert.ok(s.keys.base.includes(`{${prefix}}`), s.keys.base);
  } finally {
    await s.close();
    await dropPrefix(prefix);
  }
});

Deno.test("openStorage: an unknown scheme is a ConfigError that hides the password", async () => {
  await assert.rejects(() => openStorage("mysql://user:secret@db/x"), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.ok(!err.message.includes("secret"), err.message);
    assert.match(err.message, /memory:\/\/, postgres:\/\//);
    return true;
  });
  await assert.rejects(() => openStorage(""), ConfigError);
});

Deno.test("openStorage: sqlite:<file> and sqlite::memory:", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qml_open_" });
  try {
    const file = await openStorage(`sqlite:${dir}/jobs.db?durability=normal`) as SqliteStorage;
    assert.equal(file.kind, "sqlite");
    assert.equal(file.path, `${dir}/jobs.db`);
    assert.equal(file.settings().synchronous, 1, "durability=normal is synchronous=NORMAL");
    assert.equal(file.settings().journalMode, "wal");
    await file.close();
    assert.ok((await Deno.stat(`${dir}/jobs.db`)).isFile);
    const mem = await openStorage("sqlite::memory:") as SqliteStorage;
    assert.equal(mem.path, ":memory:");
    assert.equal(mem.settings().synchronous, 2, "full by default");
    await mem.close();
    await assert.rejects(() => openStorage(`sqlite:${dir}/x.db?colour=red`), ConfigError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
